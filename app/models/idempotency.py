"""A remembered answer to a POST sent with an Idempotency-Key, so that a retry gets it again."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, LargeBinary, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from app.models.common import JSONType, UTCDateTime, utcnow


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_record"
    # the unique pair is what makes 20 racing retries create one thing: only one insert wins
    __table_args__ = (
        UniqueConstraint("tenant_id", "key", name="uq_idempotency_record_tenant_key"),
        Index("ix_idempotency_record_expires_at", "expires_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", ondelete="CASCADE")
    key: str = Field(max_length=255)
    # hash of method, path and the request's JSON: the same key with another request is refused
    fingerprint: str = Field(max_length=64)
    method: str = Field(max_length=8)
    path: str = Field(max_length=300)
    # null while the first request is in flight
    status_code: int | None = None
    headers: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType, nullable=True))
    body: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    # a claim whose request died with its process may be taken over after this moment
    locked_until: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
