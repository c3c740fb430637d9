"""The tenant's webhook endpoints and their deliveries; with a secret key only."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from app.api.deps import SecretTenantDep, SessionDep, SettingsDep
from app.api.idempotency import IdempotencyDep
from app.models.webhooks import (
    DeliveryPage,
    DeliveryPublic,
    WebhookCreate,
    WebhookCreated,
    WebhookPage,
    WebhookPublic,
    WebhookUpdate,
)
from app.problems import problem_responses
from app.services import webhooks as webhook_service
from app.settings import Settings

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])

Limit = Annotated[int | None, Query(ge=1, le=100, description="page size (default 20)")]
Cursor = Annotated[str | None, Query(max_length=200, description="`next_cursor` of the previous page")]


def _page_size(limit: int | None, settings: Settings) -> int:
    return min(limit or settings.default_page_size, settings.max_page_size)


@router.post(
    "", status_code=201, response_model=WebhookCreated, responses=problem_responses(400, 401, 403, 409, 422)
)
def create_webhook(
    request: WebhookCreate,
    session: SessionDep,
    tenant: SecretTenantDep,
    settings: SettingsDep,
    idempotency: IdempotencyDep,
) -> Response:
    """Register an HTTPS endpoint for the events it lists; the signing secret is in this response only.

    With an `Idempotency-Key`, a retry gets this same answer (and secret) again instead of a second endpoint.
    """

    def respond() -> Response:
        endpoint = webhook_service.create_endpoint(
            session=session, tenant=tenant, request=request, allow_localhost=settings.webhooks_allow_localhost
        )
        return JSONResponse(webhook_service.created(endpoint).model_dump(mode="json"), status_code=201)

    return idempotency.run(respond)


@router.get("", response_model=WebhookPage, responses=problem_responses(401, 403, 422))
def list_webhooks(
    session: SessionDep, tenant: SecretTenantDep, settings: SettingsDep, limit: Limit = None, cursor: Cursor = None
) -> WebhookPage:
    """The tenant's endpoints, newest first, disabled ones too; never a secret."""
    rows, next_cursor = webhook_service.list_endpoints(
        session=session, tenant=tenant, limit=_page_size(limit, settings), cursor=cursor
    )
    return WebhookPage(items=[webhook_service.listed(row) for row in rows], next_cursor=next_cursor)


@router.get("/{webhook_id}", response_model=WebhookPublic, responses=problem_responses(401, 403, 404, 422))
def get_webhook(webhook_id: uuid.UUID, session: SessionDep, tenant: SecretTenantDep) -> WebhookPublic:
    """One endpoint: its events, and whether it is enabled (and if not, why)."""
    return webhook_service.listed(webhook_service.get_endpoint(session=session, tenant=tenant, endpoint_id=webhook_id))


@router.patch("/{webhook_id}", response_model=WebhookPublic, responses=problem_responses(400, 401, 403, 404, 422))
def update_webhook(
    webhook_id: uuid.UUID, request: WebhookUpdate, session: SessionDep, tenant: SecretTenantDep
) -> WebhookPublic:
    """Change the events or description; `enabled: true` re-enables an endpoint, `false` stops its deliveries."""
    endpoint = webhook_service.get_endpoint(session=session, tenant=tenant, endpoint_id=webhook_id)
    return webhook_service.listed(webhook_service.update_endpoint(session=session, endpoint=endpoint, request=request))


@router.delete("/{webhook_id}", status_code=204, responses=problem_responses(401, 403, 404, 422))
def delete_webhook(webhook_id: uuid.UUID, session: SessionDep, tenant: SecretTenantDep) -> Response:
    """Remove an endpoint with its delivery history; nothing more is sent to it."""
    endpoint = webhook_service.get_endpoint(session=session, tenant=tenant, endpoint_id=webhook_id)
    webhook_service.delete_endpoint(session=session, endpoint=endpoint)
    return Response(status_code=204)


@router.get("/{webhook_id}/deliveries", response_model=DeliveryPage, responses=problem_responses(401, 403, 404, 422))
def list_deliveries(
    webhook_id: uuid.UUID,
    session: SessionDep,
    tenant: SecretTenantDep,
    settings: SettingsDep,
    limit: Limit = None,
    cursor: Cursor = None,
) -> DeliveryPage:
    """The endpoint's deliveries, newest first, each with its event and every attempt."""
    endpoint = webhook_service.get_endpoint(session=session, tenant=tenant, endpoint_id=webhook_id)
    items, next_cursor = webhook_service.list_deliveries(
        session=session, endpoint=endpoint, limit=_page_size(limit, settings), cursor=cursor
    )
    return DeliveryPage(items=items, next_cursor=next_cursor)


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    status_code=202,
    response_model=DeliveryPublic,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def redeliver(webhook_id: uuid.UUID, delivery_id: uuid.UUID, session: SessionDep, tenant: SecretTenantDep) -> DeliveryPublic:
    """Send the delivery's event again: a new pending delivery, with the same `webhook-id` (409 if disabled)."""
    endpoint = webhook_service.get_endpoint(session=session, tenant=tenant, endpoint_id=webhook_id)
    return webhook_service.redeliver(session=session, endpoint=endpoint, delivery_id=delivery_id)
