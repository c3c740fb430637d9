"""Webhook events, written to the outbox in the caller's transaction.

Nothing here commits: the event and its deliveries are committed with the
change they report, or rolled back with it. An event can then be neither lost
(the change committed, the process died before sending) nor invented (the
change rolled back after the event went out).
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from app.models import Assessment, WebhookDelivery, WebhookEndpoint, WebhookEvent
from app.models.common import utcnow
from app.webhooks.events import EventType


def new_message_id() -> str:
    return "msg_" + uuid.uuid4().hex


_SUBSCRIBERS = select(WebhookEndpoint.id, WebhookEndpoint.events).where(
    WebhookEndpoint.tenant_id == bindparam("tenant_id"), col(WebhookEndpoint.enabled).is_(True)
)


def record_event(*, session: Session, tenant_id: uuid.UUID, event_type: EventType, data: dict[str, Any]) -> None:
    """Add the event and a pending delivery to each of the tenant's enabled endpoints that subscribed to it."""
    # two plain columns on the connection: on every submission, most tenants having no endpoint at all
    endpoints = session.connection().execute(_SUBSCRIBERS, {"tenant_id": tenant_id}).all()
    subscribed = [endpoint for endpoint in endpoints if event_type.value in endpoint.events]
    if not subscribed:
        return  # nobody listens: no row to keep
    now = utcnow()
    payload = {"type": event_type.value, "timestamp": now.isoformat(), "data": data}
    event = WebhookEvent(
        id=new_message_id(), tenant_id=tenant_id, type=event_type.value, payload=orjson.dumps(payload).decode(), created_at=now
    )
    session.add(event)
    session.flush()  # the event row first: without relationships the unit of work does not order the inserts
    session.add_all(
        WebhookDelivery(event_id=event.id, endpoint_id=endpoint.id, next_attempt_at=now, created_at=now, updated_at=now)
        for endpoint in subscribed
    )


def assessment_submitted(*, session: Session, assessment: Assessment) -> None:
    submitted_at = assessment.submitted_at or assessment.created_at
    data = {
        "id": str(assessment.id),
        "bank": assessment.bank_slug,
        "bank_version": assessment.bank_version,
        "decision": assessment.decision,
        "score": assessment.score,
        "external_ref": assessment.external_ref,
        "submitted_at": submitted_at.isoformat(),
        "url": f"/v1/assessments/{assessment.id}",
    }
    record_event(session=session, tenant_id=assessment.tenant_id, event_type=EventType.assessment_submitted, data=data)


def assessment_deleted(*, session: Session, assessment: Assessment) -> None:
    # the id only: the assessment was erased for privacy, so nothing of the respondent may travel on
    data = {"id": str(assessment.id)}
    _erase_from_earlier_events(session=session, tenant_id=assessment.tenant_id, data=data)
    record_event(session=session, tenant_id=assessment.tenant_id, event_type=EventType.assessment_deleted, data=data)


def _erase_from_earlier_events(*, session: Session, tenant_id: uuid.UUID, data: dict[str, Any]) -> None:
    """The erasure reaches the outbox too: earlier events about the assessment keep its id and nothing else."""
    mention = orjson.dumps(data).decode()[1:-1]  # '"id":"<uuid>"', as record_event serialised it
    events = session.exec(
        select(WebhookEvent).where(
            WebhookEvent.tenant_id == tenant_id, col(WebhookEvent.payload).contains(mention, autoescape=True)
        )
    ).all()
    for event in events:
        payload = orjson.loads(event.payload)
        if payload["data"].get("id") == data["id"]:
            event.payload = orjson.dumps(payload | {"data": data}).decode()
            session.add(event)
