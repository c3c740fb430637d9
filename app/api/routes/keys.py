"""The tenant's API keys: list, create, revoke, rotate; with a secret key only."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.api.deps import SecretTenantDep, SessionDep, SettingsDep
from app.models.tenants import ApiKeyCreate, ApiKeyCreated, ApiKeyPage, ApiKeyPublic, ApiKeyRotate
from app.problems import problem_responses
from app.services import keys as key_service

router = APIRouter(prefix="/v1/keys", tags=["keys"])


@router.get("", response_model=ApiKeyPage, responses=problem_responses(401, 403, 422))
def list_keys(
    session: SessionDep,
    tenant: SecretTenantDep,
    settings: SettingsDep,
    limit: Annotated[int | None, Query(ge=1, le=100, description="page size (default 20)")] = None,
    cursor: Annotated[str | None, Query(max_length=200, description="`next_cursor` of the previous page")] = None,
) -> ApiKeyPage:
    """The tenant's keys, newest first, revoked and expired ones too: their prefix and last use, never the key."""
    rows, next_cursor = key_service.list_keys(
        session=session,
        tenant=tenant,
        limit=min(limit or settings.default_page_size, settings.max_page_size),
        cursor=cursor,
    )
    return ApiKeyPage(items=[key_service.listed(row) for row in rows], next_cursor=next_cursor)


@router.post("", status_code=201, response_model=ApiKeyCreated, responses=problem_responses(400, 401, 403, 422))
def create_key(
    request: ApiKeyCreate, session: SessionDep, tenant: SecretTenantDep, settings: SettingsDep
) -> ApiKeyCreated:
    """Create a key; the key itself is in this response only, so keep it now."""
    row, plaintext = key_service.issue_key(
        session=session,
        tenant=tenant,
        pepper=settings.key_pepper.get_secret_value(),
        kind=request.kind,
        name=request.name,
    )
    return key_service.created(row, plaintext)


@router.post("/{key_id}/revoke", response_model=ApiKeyPublic, responses=problem_responses(401, 403, 404, 409, 422))
def revoke_key(key_id: uuid.UUID, http_request: Request, session: SessionDep, tenant: SecretTenantDep) -> ApiKeyPublic:
    """Revoke a key: it stops working at once (409 if it already was revoked)."""
    row = key_service.get_key(session=session, tenant=tenant, key_id=key_id)
    revoked = key_service.revoke_key(session=session, key=row)
    http_request.app.state.key_cache.forget(key_id)
    return key_service.listed(revoked)


@router.post(
    "/{key_id}/rotate",
    status_code=201,
    response_model=ApiKeyCreated,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
def rotate_key(
    key_id: uuid.UUID,
    request: ApiKeyRotate,
    http_request: Request,
    session: SessionDep,
    tenant: SecretTenantDep,
    settings: SettingsDep,
) -> ApiKeyCreated:
    """Replace a key with a new one of the same kind and name, shown once.

    The old key keeps working for `grace_seconds`, then gets 401; 409 if it was revoked or already rotated.
    """
    row = key_service.get_key(session=session, tenant=tenant, key_id=key_id)
    new, plaintext = key_service.rotate_key(
        session=session, key=row, pepper=settings.key_pepper.get_secret_value(), grace_seconds=request.grace_seconds
    )
    http_request.app.state.key_cache.forget(key_id)  # its end of grace is new
    return key_service.created(new, plaintext)
