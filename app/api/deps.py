"""Typed dependencies that routes name in their signatures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import Depends, Header, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from app.api.language import negotiate
from app.banks.registry import BankRegistry
from app.db import session_scope
from app.models import Tenant
from app.problems import Unauthorized
from app.services import keys as key_service
from app.services.banks import TenantCatalog
from app.settings import Settings


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    yield from session_scope(request.app.state.engine)


def get_registry(request: Request) -> BankRegistry:
    return request.app.state.registry


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
# scope="function": the session closes before the response is sent; services commit themselves
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
RegistryDep = Annotated[BankRegistry, Depends(get_registry)]

_bearer = HTTPBearer(auto_error=False, description="An API key from `readiness keys create`")


def get_language(
    lang: Annotated[Literal["en", "fi"] | None, Query(description="Language of texts; overrides Accept-Language")] = None,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> str:
    return negotiate(lang, accept_language)


LangDep = Annotated[str, Depends(get_language)]


def get_optional_tenant(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session: SessionDep,
    settings: SettingsDep,
) -> Tenant | None:
    """The key's tenant, or None without a key; a key that is sent must be valid."""
    if credentials is None:
        return None
    tenant = key_service.authenticate(
        session=session, key=credentials.credentials, pepper=settings.key_pepper.get_secret_value()
    )
    if tenant is None:
        raise Unauthorized("The API key is not valid")
    return tenant


def get_tenant(tenant: Annotated[Tenant | None, Depends(get_optional_tenant)]) -> Tenant:
    if tenant is None:
        raise Unauthorized("Send an API key as 'Authorization: Bearer <key>'")
    return tenant


OptionalTenantDep = Annotated[Tenant | None, Depends(get_optional_tenant)]
TenantDep = Annotated[Tenant, Depends(get_tenant)]


def get_catalog(registry: RegistryDep, session: SessionDep, tenant: TenantDep) -> TenantCatalog:
    return TenantCatalog(registry=registry, session=session, tenant=tenant)


def get_source(
    registry: RegistryDep, session: SessionDep, tenant: OptionalTenantDep
) -> BankRegistry | TenantCatalog:
    """The banks a caller can see: the shipped ones, and with a key its tenant's own too."""
    return registry if tenant is None else TenantCatalog(registry=registry, session=session, tenant=tenant)


CatalogDep = Annotated[TenantCatalog, Depends(get_catalog)]
SourceDep = Annotated[BankRegistry | TenantCatalog, Depends(get_source)]
