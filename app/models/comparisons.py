"""The progress between two assessments of the same bank, as `GET /v1/assessments/{id}/compare/{other_id}` answers it."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField

from app.scoring.result import Decision, DimensionStatus, GapKind, Severity


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Versions(_Out):
    baseline: str = PydanticField(examples=["1.0.0"])
    assessment: str = PydanticField(examples=["1.1.0"])


class DecisionChange(_Out):
    baseline: Decision
    assessment: Decision
    changed: bool


class FigureChange(_Out):
    baseline: float
    assessment: float
    change: float = PydanticField(description="assessment minus baseline")


class StatusPair(_Out):
    baseline: DimensionStatus | None = PydanticField(description="null when the baseline's version lacks the dimension")
    assessment: DimensionStatus | None = PydanticField(description="null when the assessment's version lacks the dimension")


class DimensionChange(_Out):
    key: str
    title: str = PydanticField(description="in the request's language")
    baseline: float | None = PydanticField(description="the score, 0..100; null when not scored on that side")
    assessment: float | None
    change: float | None = PydanticField(description="assessment minus baseline, 2 decimals; null unless both are scored")
    target: float = PydanticField(
        description="the target of the assessment's version (the baseline's if it lacks the dimension)"
    )
    status: StatusPair


class ShortfallPair(_Out):
    baseline: float | None = PydanticField(description="points below the target; null when the gap is not in the baseline")
    assessment: float | None = PydanticField(description="null when the gap is not in the assessment")


class GapRef(_Out):
    """A gap, the same in both results when kind, dimension and (for a knock-out) question agree."""

    dimension: str
    title: str = PydanticField(description="the dimension's title, in the request's language")
    kind: GapKind
    question: str | None = PydanticField(description="the knock-out question; null for floor and target gaps")
    severity: Severity = PydanticField(description="as in the assessment; for a closed gap, as it was in the baseline")
    shortfall: ShortfallPair


class GapChanges(_Out):
    closed: list[GapRef] = PydanticField(description="gaps of the baseline that the assessment no longer has")
    opened: list[GapRef] = PydanticField(description="gaps of the assessment that the baseline did not have")
    unchanged: list[GapRef] = PydanticField(description="gaps of both: compare the shortfalls to see them shrink or grow")


class Comparison(_Out):
    """What changed from an earlier assessment (the baseline) to a later one, of the same bank."""

    assessment: uuid.UUID = PydanticField(description="the later assessment")
    baseline: uuid.UUID = PydanticField(description="the earlier assessment it is compared with")
    bank: str
    versions: Versions = PydanticField(description="the bank version of each; they may differ")
    decision: DecisionChange
    score: FigureChange = PydanticField(description="the overall score, 0..100; change to 2 decimals")
    coverage: FigureChange = PydanticField(description="the share answered, 0..1; change to 4 decimals")
    dimensions: list[DimensionChange] = PydanticField(
        description="every dimension of either version: the assessment's in order, then those only the baseline has"
    )
    gaps: GapChanges
