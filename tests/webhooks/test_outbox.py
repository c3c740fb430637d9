"""The outbox: an event is committed with the change it reports, or not at all."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine
from sqlmodel import Session, select

from app.models import Tenant, WebhookDelivery, WebhookEndpoint, WebhookEvent
from app.services import outbox
from app.settings import Settings
from app.webhooks.events import EventType


def tenant_with_endpoints(session: Session, *subscriptions: list[str], enabled: bool = True) -> Tenant:
    tenant = Tenant(name=f"agency-{uuid.uuid4().hex[:8]}")
    session.add(tenant)
    session.flush()
    for events in subscriptions:
        session.add(
            WebhookEndpoint(tenant_id=tenant.id, url="https://crm.example.com/h", events=events, secret="whsec_x", enabled=enabled)
        )
    session.commit()
    return tenant


class TestRecordEvent:
    def test_rolled_back_with_the_change(self, settings: Settings, db_engine: Engine) -> None:
        with Session(db_engine) as session:
            tenant = tenant_with_endpoints(session, ["assessment.deleted"])
            outbox.record_event(session=session, tenant_id=tenant.id, event_type=EventType.assessment_deleted, data={"id": "x"})
            session.rollback()
            assert session.exec(select(WebhookEvent)).all() == []
            assert session.exec(select(WebhookDelivery)).all() == []

    def test_one_delivery_per_subscribed_endpoint_committed_by_the_caller(
        self, settings: Settings, db_engine: Engine
    ) -> None:
        with Session(db_engine) as session:
            tenant = tenant_with_endpoints(session, ["assessment.deleted"], ["assessment.submitted", "assessment.deleted"], ["assessment.submitted"])
            tenant_with_endpoints(session, ["assessment.deleted"])  # another tenant's: not told
            outbox.record_event(session=session, tenant_id=tenant.id, event_type=EventType.assessment_deleted, data={"id": "x"})
            session.commit()
            [event] = session.exec(select(WebhookEvent)).all()
            assert (event.type, event.tenant_id, event.id[:4]) == ("assessment.deleted", tenant.id, "msg_")
            assert event.payload.startswith('{"type":"assessment.deleted","timestamp":"')
            assert event.payload.endswith(',"data":{"id":"x"}}')
            assert len(session.exec(select(WebhookDelivery)).all()) == 2

    def test_no_event_is_kept_when_nobody_listens(self, settings: Settings, db_engine: Engine) -> None:
        with Session(db_engine) as session:
            tenant = tenant_with_endpoints(session, ["assessment.deleted"], enabled=False)
            outbox.record_event(session=session, tenant_id=tenant.id, event_type=EventType.assessment_deleted, data={"id": "x"})
            session.commit()
            assert session.exec(select(WebhookEvent)).all() == []
