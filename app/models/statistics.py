"""Score distributions per tenant, bank version and month, and the figures read from them."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import BigInteger
from sqlmodel import Column, Field, SQLModel


class ScoreHistogram(SQLModel, table=True):
    """How many of a tenant's submitted assessments of a version scored each whole point, per UTC month.

    `metric` is `overall`, `decision` (bucket: the decision's index in
    `app.services.histogram.DECISIONS`) or `dimension:<key>`. Kept in step
    with the assessments in the transaction that submits or erases one.
    """

    __tablename__ = "score_histogram"

    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", ondelete="CASCADE", primary_key=True)
    bank_version_id: uuid.UUID = Field(foreign_key="bank_version.id", primary_key=True)
    month: str = Field(max_length=7, primary_key=True)  # "2026-11", the UTC month of submission
    metric: str = Field(max_length=80, primary_key=True)
    bucket: int = Field(primary_key=True)  # the score floored to a whole point, 0..100
    count: int = Field(default=0)
    # the exact scores added up, in hundredths of a point (scores have two decimals): means stay exact
    score_sum: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))


# --- what the peers and stats routes answer -------------------------------------------


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PeerGroup(_Out):
    size: int | None = PydanticField(description="how many are in the group; null when fewer than `minimum`")
    minimum: int = PydanticField(description="the smallest group whose figures are shown")
    enough: bool


class PeerStanding(_Out):
    score: float | None = PydanticField(description="this assessment's own score")
    percentile: float | None = PydanticField(
        description="mid-rank percentile in the group, 0..100, at whole-point resolution; null when not shown"
    )


class DimensionStanding(PeerStanding):
    key: str
    title: str


class PeersPublic(_Out):
    """Where one submitted assessment stands among the tenant's submitted assessments of the same bank version."""

    assessment_id: uuid.UUID
    bank: str
    bank_version: str
    group: PeerGroup
    overall: PeerStanding
    dimensions: list[DimensionStanding]
    explanation: str = PydanticField(description="what the figures mean, or why they are not shown")


class ScoreFigures(_Out):
    mean: float
    p25: float
    median: float
    p75: float


class DimensionFigures(_Out):
    key: str
    title: str
    mean: float | None
    p25: float | None
    median: float | None
    p75: float | None


class Decisions(_Out):
    go: int
    conditional_go: int
    no_go: int
    insufficient_data: int


class PeriodFigures(_Out):
    count: int | None = PydanticField(description="null when suppressed (fewer than `minimum`)")
    suppressed: bool
    decisions: Decisions | None
    score: ScoreFigures | None
    dimensions: list[DimensionFigures] | None


class MonthFigures(PeriodFigures):
    month: str = PydanticField(examples=["2026-11"])


class TotalFigures(PeriodFigures):
    months_left_out: int = PydanticField(
        description="suppressed months of the period, left out of the total so that it gives away none of their counts"
    )


class BankVersionStats(_Out):
    """A tenant's submitted assessments of one bank version, month by month (UTC month of submission)."""

    bank: str
    bank_version: str
    from_: str | None = PydanticField(alias="from", description="the first month asked for, if any")
    to: str | None = PydanticField(description="the last month asked for, if any")
    minimum: int = PydanticField(description="a month or total with fewer assessments is suppressed")
    months: list[MonthFigures]
    total: TotalFigures = PydanticField(description="the months shown, added up")
    explanation: str
