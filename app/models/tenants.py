"""Tenants (agencies) and their API keys; a key is stored only as a keyed hash."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlmodel import Column, Field, SQLModel

from app.models.common import UTCDateTime, utcnow
from app.text import ControlFreeInSchema, reject_control_characters

# A rotation's grace period: long enough to roll a key out everywhere, short enough to end.
MAX_GRACE_SECONDS = 30 * 24 * 3600


class KeyKind(StrEnum):
    """`secret`: server-side, everything. `publishable`: safe in a browser, reads banks and submits answers."""

    secret = "secret"
    publishable = "publishable"


class Tenant(SQLModel, table=True):
    __tablename__ = "tenant"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=16)  # a KeyKind value
    name: str | None = Field(default=None, max_length=100)
    prefix: str = Field(max_length=32)
    key_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    last_used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # set by rotation: the old key keeps working until then
    expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


# --- what clients send and receive -------------------------------------------------


class _Body(BaseModel):
    # unknown fields are an error, never silently dropped
    model_config = ConfigDict(extra="forbid")


KeyName = Annotated[str, AfterValidator(reject_control_characters), ControlFreeInSchema()]


class ApiKeyCreate(_Body):
    kind: KeyKind = KeyKind.secret
    name: KeyName | None = PydanticField(
        default=None, min_length=1, max_length=100, description="a label of your own", examples=["intake form"]
    )


class ApiKeyRotate(_Body):
    grace_seconds: int = PydanticField(
        ge=0,
        le=MAX_GRACE_SECONDS,
        description="how long the old key keeps working, in seconds (0: it stops now; at most 30 days)",
        examples=[86400],
    )


class ApiKeyPublic(_Body):
    """A key as listed: enough to recognise it, never enough to use it."""

    id: uuid.UUID
    kind: KeyKind
    name: str | None
    prefix: str = PydanticField(description="the key's first characters", examples=["rdy_pk_Xw3q9Z"])
    created_at: datetime
    last_used_at: datetime | None = PydanticField(description="to the minute: updated at most once a minute")
    revoked_at: datetime | None
    expires_at: datetime | None = PydanticField(description="set by rotation; the key stops working then")


class ApiKeyCreated(ApiKeyPublic):
    key: str = PydanticField(
        description="the key itself, shown this once: only its keyed hash is stored",
        examples=["rdy_pk_Xw3q9Z-b1tq0oYV8hZ2s3l4mH6c7e8f9g0hKjLmNoPq"],
    )


class ApiKeyPage(_Body):
    items: list[ApiKeyPublic]
    next_cursor: str | None = PydanticField(description="pass as ?cursor= for the next page; null on the last")
