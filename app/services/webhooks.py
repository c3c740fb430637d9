"""A tenant's webhook endpoints: register, change, remove; their deliveries, listed and sent again."""

from __future__ import annotations

import base64
import secrets
import uuid
from collections.abc import Sequence

import orjson
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.models import Tenant, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from app.models.common import utcnow
from app.models.webhooks import (
    AttemptPublic,
    DeliveryPublic,
    DeliveryStatus,
    WebhookCreate,
    WebhookCreated,
    WebhookPublic,
    WebhookUpdate,
)
from app.problems import Conflict, FieldError, InvalidRequest, NotFound
from app.services import idempotency as idempotency_service
from app.services.pagination import keyset_page
from app.webhooks.urls import UnsafeURL, check_endpoint_url

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # the Standard Webhooks spec asks for 24 to 64 random bytes
DISABLED_BY_REQUEST = "disabled through the API"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def create_endpoint(*, session: Session, tenant: Tenant, request: WebhookCreate, allow_localhost: bool) -> WebhookEndpoint:
    try:
        check_endpoint_url(request.url, allow_localhost=allow_localhost)
    except UnsafeURL as exc:
        raise InvalidRequest("The URL cannot receive webhooks", [FieldError("url", str(exc), "unsafe_url")]) from None
    endpoint = WebhookEndpoint(
        tenant_id=tenant.id,
        url=request.url,
        description=request.description,
        events=_unique(request.events),
        secret=new_secret(),
    )
    endpoint.updated_at = endpoint.created_at
    session.add(endpoint)
    session.flush()  # the caller commits, with the Idempotency-Key's answer when there is one
    return endpoint


def get_endpoint(*, session: Session, tenant: Tenant, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    # another tenant's endpoint is indistinguishable from a missing one
    if endpoint is None or endpoint.tenant_id != tenant.id:
        raise NotFound(f"No webhook endpoint {endpoint_id}")
    return endpoint


def list_endpoints(
    *, session: Session, tenant: Tenant, limit: int, cursor: str | None = None
) -> tuple[list[WebhookEndpoint], str | None]:
    """The tenant's endpoints, newest first, by keyset on (created_at, id)."""
    query = select(WebhookEndpoint).where(WebhookEndpoint.tenant_id == tenant.id)
    return keyset_page(session=session, query=query, model=WebhookEndpoint, limit=limit, cursor=cursor)


def update_endpoint(*, session: Session, endpoint: WebhookEndpoint, request: WebhookUpdate) -> WebhookEndpoint:
    if request.events is not None:
        endpoint.events = _unique(request.events)
    if "description" in request.model_fields_set:
        endpoint.description = request.description  # null clears it
    if request.enabled is True:
        endpoint.enabled, endpoint.disabled_reason = True, None
    elif request.enabled is False and endpoint.enabled:
        disable_endpoint(session=session, endpoint=endpoint, reason=DISABLED_BY_REQUEST)
    endpoint.updated_at = utcnow()
    session.add(endpoint)
    session.commit()
    return endpoint


def disable_endpoint(*, session: Session, endpoint: WebhookEndpoint, reason: str) -> None:
    """Stop deliveries to the endpoint: it is disabled and what was pending for it fails. Not committed."""
    now = utcnow()
    endpoint.enabled, endpoint.disabled_reason, endpoint.updated_at = False, reason, now
    session.add(endpoint)
    session.exec(
        update(WebhookDelivery)
        .where(col(WebhookDelivery.endpoint_id) == endpoint.id, col(WebhookDelivery.status) == DeliveryStatus.pending)
        .values(status=DeliveryStatus.failed, next_attempt_at=None, locked_until=None, updated_at=now)
    )  # type: ignore[call-overload]


def delete_endpoint(*, session: Session, endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint with its deliveries and their attempts (the database cascades).

    A retry of the request that created it is a new request from now on: its remembered answer goes too.
    """
    idempotency_service.forget(session, tenant_id=endpoint.tenant_id, location=f"/v1/webhooks/{endpoint.id}")
    session.delete(endpoint)
    session.commit()


def list_deliveries(
    *, session: Session, endpoint: WebhookEndpoint, limit: int, cursor: str | None = None
) -> tuple[list[DeliveryPublic], str | None]:
    """The endpoint's deliveries, newest first, each with its event and its attempts, oldest first."""
    query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    rows, next_cursor = keyset_page(session=session, query=query, model=WebhookDelivery, limit=limit, cursor=cursor)
    return [delivery_public(row, event, attempts) for row, event, attempts in _with_events_and_attempts(session, rows)], next_cursor


def redeliver(*, session: Session, endpoint: WebhookEndpoint, delivery_id: uuid.UUID) -> DeliveryPublic:
    """Queue the delivery's event again as a new pending delivery; the old one keeps its history."""
    old = session.get(WebhookDelivery, delivery_id)
    if old is None or old.endpoint_id != endpoint.id:
        raise NotFound(f"No delivery {delivery_id} to webhook endpoint {endpoint.id}")
    if not endpoint.enabled:
        raise Conflict(f"Webhook endpoint {endpoint.id} is disabled; enable it first (PATCH with enabled: true)")
    delivery = WebhookDelivery(event_id=old.event_id, endpoint_id=endpoint.id)
    delivery.next_attempt_at = delivery.updated_at = delivery.created_at
    session.add(delivery)
    session.commit()
    event = session.get(WebhookEvent, delivery.event_id)
    assert event is not None  # the foreign key
    return delivery_public(delivery, event, [])


def listed(endpoint: WebhookEndpoint) -> WebhookPublic:
    """An endpoint as listed: never its secret."""
    return WebhookPublic.model_validate(endpoint, from_attributes=True)


def created(endpoint: WebhookEndpoint) -> WebhookCreated:
    """A new endpoint with its secret, shown this once."""
    return WebhookCreated(**listed(endpoint).model_dump(), secret=endpoint.secret)


def delivery_public(delivery: WebhookDelivery, event: WebhookEvent, attempts: Sequence[WebhookAttempt]) -> DeliveryPublic:
    return DeliveryPublic(
        id=delivery.id,
        event_id=event.id,
        event_type=event.type,  # type: ignore[arg-type]
        payload=orjson.loads(event.payload),
        status=delivery.status,  # type: ignore[arg-type]
        attempt_count=delivery.attempt_count,
        next_attempt_at=delivery.next_attempt_at,
        last_status_code=delivery.last_status_code,
        created_at=delivery.created_at,
        attempts=[AttemptPublic.model_validate(a, from_attributes=True) for a in attempts],
    )


def _with_events_and_attempts(
    session: Session, deliveries: list[WebhookDelivery]
) -> list[tuple[WebhookDelivery, WebhookEvent, list[WebhookAttempt]]]:
    # two queries for the whole page, not two per delivery
    event_ids = {d.event_id for d in deliveries}
    events = {e.id: e for e in session.exec(select(WebhookEvent).where(col(WebhookEvent.id).in_(event_ids))).all()}
    attempts: dict[uuid.UUID, list[WebhookAttempt]] = {d.id: [] for d in deliveries}
    query = (
        select(WebhookAttempt)
        .where(col(WebhookAttempt.delivery_id).in_(list(attempts)))
        .order_by(col(WebhookAttempt.attempted_at), col(WebhookAttempt.id))
    )
    for attempt in session.exec(query).all():
        attempts[attempt.delivery_id].append(attempt)
    return [(d, events[d.event_id], attempts[d.id]) for d in deliveries]


def _unique(events: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(str(e) for e in events))
