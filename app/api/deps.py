"""Typed dependencies that routes name in their signatures."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Literal

from fastapi import Depends, Header, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from app.api.language import negotiate
from app.banks.registry import BankRegistry
from app.models import Tenant
from app.models.tenants import KeyKind
from app.observability import context
from app.observability.metrics import Metrics
from app.problems import Forbidden, Unauthorized
from app.services import keys as key_service
from app.services.banks import TenantCatalog
from app.services.keys import Principal
from app.settings import Settings


# Dependencies that do no I/O (or only a rare, short one) are `async def`: FastAPI runs a plain `def` one in
# the threadpool, and each such hop cost more than the work itself.


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


async def get_registry(request: Request) -> BankRegistry:
    return request.app.state.registry


def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


def _session_opener(request: Request) -> Callable[[], Session]:
    """For work that opens a short session of its own, only when it needs one (a key's look-up, a tenant bank)."""
    engine = request.app.state.engine
    return lambda: Session(engine, expire_on_commit=False)


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
# scope="function": the session closes before the response is sent; services commit themselves
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
RegistryDep = Annotated[BankRegistry, Depends(get_registry)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]

_bearer = HTTPBearer(
    auto_error=False,
    description="An API key: `rdy_sk_...` (secret) or `rdy_pk_...` (publishable)",
)


async def get_language(
    lang: Annotated[Literal["en", "fi"] | None, Query(description="Language of texts; overrides Accept-Language")] = None,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> str:
    return negotiate(lang, accept_language)


LangDep = Annotated[str, Depends(get_language)]


async def get_optional_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal | None:
    """The caller's tenant and key, or None without a key; a key that is sent must be valid."""
    if credentials is None:
        if "authorization" in request.headers:
            # sent, but not as a bearer key (Basic, an empty value): never silently anonymous
            raise Unauthorized("Send the API key as 'Authorization: Bearer <key>'")
        return None
    # on the event loop: a cached key needs no I/O, and a look-up on a miss is one indexed query in a session
    # of its own (no dependency of its own: each one FastAPI resolves costs more than the cached look-up)
    state = request.app.state
    principal = key_service.authenticate(
        open_session=_session_opener(request),
        key=credentials.credentials,
        pepper=state.settings.key_pepper.get_secret_value(),
        cache=state.key_cache,
    )
    context.bind_tenant(principal.tenant.id)
    return principal


OptionalPrincipalDep = Annotated[Principal | None, Depends(get_optional_principal)]


async def get_principal(principal: OptionalPrincipalDep) -> Principal:
    """Any valid key, secret or publishable."""
    if principal is None:
        raise Unauthorized("Send an API key as 'Authorization: Bearer <key>'")
    return principal


ApiKeyDep = Annotated[Principal, Depends(get_principal)]


async def get_secret_principal(principal: ApiKeyDep) -> Principal:
    """A secret key: a publishable one, made to sit in a browser, gets 403 here."""
    if principal.kind != KeyKind.secret:
        raise Forbidden("This needs a secret key; a publishable key may only read banks, score and submit assessments")
    return principal


SecretApiKeyDep = Annotated[Principal, Depends(get_secret_principal)]


async def get_tenant(principal: ApiKeyDep) -> Tenant:
    return principal.tenant


async def get_secret_tenant(principal: SecretApiKeyDep) -> Tenant:
    return principal.tenant


# any valid key: reading banks, scoring, submitting assessments
TenantDep = Annotated[Tenant, Depends(get_tenant)]
# a secret key: reading stored assessments, managing banks and keys
SecretTenantDep = Annotated[Tenant, Depends(get_secret_tenant)]


async def get_catalog(registry: RegistryDep, session: SessionDep, tenant: TenantDep) -> TenantCatalog:
    return TenantCatalog(registry=registry, session=session, tenant=tenant)


async def get_secret_catalog(registry: RegistryDep, session: SessionDep, tenant: SecretTenantDep) -> TenantCatalog:
    return TenantCatalog(registry=registry, session=session, tenant=tenant)


async def get_source(request: Request, principal: OptionalPrincipalDep) -> BankRegistry | TenantCatalog:
    """The banks a caller can see: the shipped ones, and with a key its tenant's own too.

    For the read-only routes (banks, form schemas, scoring): no session of the request's own, as most of
    their requests name a shipped bank and need none; a tenant bank's read opens one for itself.
    """
    state = request.app.state
    if principal is None:
        return state.registry
    return TenantCatalog(
        registry=state.registry,
        session=None,
        tenant=principal.tenant,
        open_session=_session_opener(request),
    )


CatalogDep = Annotated[TenantCatalog, Depends(get_catalog)]
SecretCatalogDep = Annotated[TenantCatalog, Depends(get_secret_catalog)]
SourceDep = Annotated[BankRegistry | TenantCatalog, Depends(get_source)]
