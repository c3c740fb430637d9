"""Share links to an assessment's report: a bearer token in the URL, stored only as its SHA-256."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlmodel import Column, Field, SQLModel

from app.models.common import UTCDateTime, utcnow

DEFAULT_SHARE_SECONDS = 7 * 24 * 3600
MAX_SHARE_SECONDS = 90 * 24 * 3600
MIN_SHARE_SECONDS = 60


class ReportShare(SQLModel, table=True):
    __tablename__ = "report_share"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    # erasing an assessment erases every link to it
    assessment_id: uuid.UUID = Field(foreign_key="assessment.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


# --- what clients send and receive -------------------------------------------------


class ShareCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expires_in_seconds: int = PydanticField(
        default=DEFAULT_SHARE_SECONDS,
        ge=MIN_SHARE_SECONDS,
        le=MAX_SHARE_SECONDS,
        description="how long the link works: 60 s to 90 days, 7 days by default",
    )


class SharePublic(BaseModel):
    """A share link as listed: the token itself is never shown again."""

    id: uuid.UUID
    assessment_id: uuid.UUID
    expires_at: datetime
    created_at: datetime
    expired: bool


class ShareCreated(SharePublic):
    url: str = PydanticField(description="the report, readable without a key until `expires_at`; shown only here")
    token: str = PydanticField(description="the secret part of `url`; stored only as a hash")


class ShareList(BaseModel):
    items: list[SharePublic]
