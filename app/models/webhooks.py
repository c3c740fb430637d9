"""Webhook endpoints, the outbox of events, and each event's deliveries with every attempt."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, StrictBool
from pydantic import Field as PydanticField
from sqlalchemy import Index, Text
from sqlmodel import Column, Field, SQLModel

from app.models.common import JSONType, UTCDateTime, utcnow
from app.text import ControlFreeInSchema, reject_control_characters
from app.webhooks.events import EventType


class DeliveryStatus(StrEnum):
    pending = "pending"  # waiting for its next attempt
    succeeded = "succeeded"  # the endpoint answered 2xx
    failed = "failed"  # retries used up, or the endpoint was disabled


class WebhookEndpoint(SQLModel, table=True):
    __tablename__ = "webhook_endpoint"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    url: str = Field(max_length=2000)
    description: str | None = Field(default=None, max_length=200)
    events: list[str] = Field(sa_column=Column(JSONType, nullable=False))
    # the whsec_ secret in clear: the worker needs it to sign every delivery
    secret: str = Field(max_length=100)
    enabled: bool = True
    disabled_reason: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class WebhookEvent(SQLModel, table=True):
    """The outbox: written in the transaction of the change it reports, so no event is lost or invented."""

    __tablename__ = "webhook_event"

    # the Standard Webhooks message id (webhook-id): the same on every attempt, receivers deduplicate on it
    id: str = Field(primary_key=True, max_length=40)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    type: str = Field(max_length=64)
    # the body exactly as sent, serialised once: every attempt signs and sends the same bytes
    # (a JSONB column would give them back with its own key order)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class WebhookDelivery(SQLModel, table=True):
    """One event on its way to one endpoint."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        # the worker's query: what is pending and due
        Index("ix_webhook_delivery_status_next_attempt", "status", "next_attempt_at"),
        # an endpoint's deliveries, newest first, and their cursor
        Index("ix_webhook_delivery_endpoint_created", "endpoint_id", "created_at", "id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    event_id: str = Field(foreign_key="webhook_event.id", index=True, ondelete="CASCADE", max_length=40)
    endpoint_id: uuid.UUID = Field(foreign_key="webhook_endpoint.id", ondelete="CASCADE")
    status: str = Field(default="pending", max_length=16)  # a DeliveryStatus value
    attempt_count: int = 0
    next_attempt_at: datetime | None = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=True))
    # a worker's lease on the delivery while it sends; one that died lets it go when this passes
    locked_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    last_status_code: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class WebhookAttempt(SQLModel, table=True):
    """One try at sending a delivery: what the endpoint answered, or why nothing was sent."""

    __tablename__ = "webhook_attempt"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    delivery_id: uuid.UUID = Field(foreign_key="webhook_delivery.id", index=True, ondelete="CASCADE")
    attempted_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    status_code: int | None = None
    error: str | None = Field(default=None, max_length=500)
    response_body_excerpt: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    duration_ms: int = 0


# --- what clients send and receive -------------------------------------------------


class _Body(BaseModel):
    # unknown fields are an error, never silently dropped
    model_config = ConfigDict(extra="forbid")


PlainText = Annotated[str, AfterValidator(reject_control_characters), ControlFreeInSchema()]
EventList = Annotated[
    list[EventType],
    PydanticField(min_length=1, max_length=len(EventType), description="the event types to receive"),
]


class WebhookCreate(_Body):
    url: PlainText = PydanticField(
        min_length=1,
        max_length=2000,
        description="an https:// URL of a public host; it receives a signed POST per event",
        examples=["https://crm.example.com/hooks/readiness"],
    )
    events: EventList = PydanticField(examples=[["assessment.submitted", "assessment.deleted"]])
    description: PlainText | None = PydanticField(default=None, min_length=1, max_length=200, examples=["CRM sync"])


class WebhookUpdate(_Body):
    events: EventList | None = None
    description: PlainText | None = PydanticField(default=None, min_length=1, max_length=200)
    # strict: 0 or "no" is a mistake to point out, not a way to say false
    enabled: StrictBool | None = PydanticField(
        default=None, description="true re-enables an endpoint (after a 410, say); false stops deliveries to it"
    )


class WebhookPublic(_Body):
    """An endpoint as listed: never its secret."""

    id: uuid.UUID
    url: str
    description: str | None
    events: list[EventType]
    enabled: bool
    disabled_reason: str | None = PydanticField(examples=["the endpoint answered 410 Gone"])
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookPublic):
    secret: str = PydanticField(
        description="verify each delivery's `webhook-signature` with it; shown this once",
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    )


class WebhookPage(_Body):
    items: list[WebhookPublic]
    next_cursor: str | None = PydanticField(description="pass as ?cursor= for the next page; null on the last")


class AttemptPublic(_Body):
    attempted_at: datetime
    status_code: int | None = PydanticField(description="the endpoint's answer; null when none came")
    error: str | None = PydanticField(examples=["connection refused"])
    response_body_excerpt: str | None = PydanticField(description="the first kilobyte of the answer")
    duration_ms: int


class DeliveryPublic(_Body):
    id: uuid.UUID
    event_id: str = PydanticField(description="the `webhook-id` header", examples=["msg_2f1c0b7e8a514c1e9f0e3d2a6c1b5e77"])
    event_type: EventType
    payload: dict[str, Any] = PydanticField(description="the body as sent")
    status: DeliveryStatus
    attempt_count: int
    next_attempt_at: datetime | None = PydanticField(description="when it is tried next; null once settled")
    last_status_code: int | None
    created_at: datetime
    attempts: list[AttemptPublic] = PydanticField(description="oldest first")


class DeliveryPage(_Body):
    items: list[DeliveryPublic]
    next_cursor: str | None = PydanticField(description="pass as ?cursor= for the next page; null on the last")
