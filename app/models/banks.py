"""Every bank version ever served, stored once so stored assessments can be re-scored exactly."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from app.models.common import JSONType, UTCDateTime, utcnow


class BankVersion(SQLModel, table=True):
    __tablename__ = "bank_version"
    __table_args__ = (UniqueConstraint("slug", "version", name="uq_bank_version_slug_version"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    slug: str = Field(max_length=64)
    version: str = Field(max_length=32)
    content_hash: str = Field(max_length=80)
    # the bank exactly as validated; re-scoring an old assessment reads it from here
    document: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
