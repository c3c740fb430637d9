"""Every bank version ever served, stored once so stored assessments can be re-scored exactly.

A version is a draft (may change), published (never changes again) or retired
(still readable, no longer accepts submissions). Shipped banks belong to no
tenant; a tenant's own banks are visible to that tenant only.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from app.models.common import JSONType, UTCDateTime, utcnow

SHIPPED_OWNER = "shipped"


class BankStatus(StrEnum):
    draft = "draft"
    published = "published"
    retired = "retired"


def owner_of(tenant_id: uuid.UUID | None) -> str:
    """The namespace a slug lives in: one per tenant, one for the shipped banks."""
    return SHIPPED_OWNER if tenant_id is None else tenant_id.hex


class BankVersion(SQLModel, table=True):
    __tablename__ = "bank_version"
    __table_args__ = (
        UniqueConstraint("owner", "slug", "version", name="uq_bank_version_owner_slug_version"),
        Index("ix_bank_version_owner_slug", "owner", "slug"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # NULL for shipped banks; `owner` repeats it as text so uniqueness holds for both kinds
    tenant_id: uuid.UUID | None = Field(default=None, foreign_key="tenant.id", ondelete="CASCADE")
    owner: str = Field(max_length=32, default=SHIPPED_OWNER)
    slug: str = Field(max_length=64)
    version: str = Field(max_length=32)
    status: str = Field(max_length=16, default=BankStatus.published)
    content_hash: str = Field(max_length=80)
    # the bank exactly as validated; re-scoring an old assessment reads it from here
    document: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    # for a version derived from another bank: the overlay it was made from
    overlay: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    retired_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


# --- what the bank management calls answer -------------------------------------------


class BankVersionState(SQLModel):
    slug: str
    version: str
    status: BankStatus
    content_hash: str
    overlay: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    retired_at: datetime | None


class FixtureReport(SQLModel):
    key: str
    expected: str
    actual: str | None
    passed: bool
    problems: list[str]


class ValidationReport(SQLModel):
    slug: str
    version: str
    status: BankStatus
    content_hash: str
    valid: bool
    fixtures: list[FixtureReport]


class BankChange(SQLModel):
    path: str
    kind: str
    old: Any = None
    new: Any = None
    text: str


class BankDiff(SQLModel):
    slug: str
    version: str
    against: str
    changes: list[BankChange]


class Transition(SQLModel):
    before: str
    after: str
    count: int


class DimensionImpact(SQLModel):
    key: str
    mean_before: float | None
    mean_after: float | None
    mean_change: float | None


class ImpactReport(SQLModel):
    slug: str
    version: str
    against: dict[str, str]
    assessments: int
    changed: int
    transitions: list[Transition]
    decisions_before: dict[str, int]
    decisions_after: dict[str, int]
    mean_score_change: float | None
    dimensions: list[DimensionImpact]
    ignored_answers: int
    seconds: float
