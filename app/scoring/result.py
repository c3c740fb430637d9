"""The frozen values the scoring engine returns; their field names are the API contract."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Decision(StrEnum):
    go = "go"
    conditional_go = "conditional_go"
    no_go = "no_go"
    insufficient_data = "insufficient_data"


class QuestionState(StrEnum):
    answered = "answered"
    dont_know = "dont_know"
    not_applicable = "not_applicable"
    missing = "missing"  # an optional question left out: scores 0, not covered
    hidden = "hidden"  # its show_if is false: never scored


class DimensionStatus(StrEnum):
    met = "met"
    below_target = "below_target"
    below_floor = "below_floor"
    not_applicable = "not_applicable"  # no applicable question: left out of the overall score


class Severity(StrEnum):
    blocker = "blocker"
    major = "major"
    minor = "minor"


class GapKind(StrEnum):
    knockout = "knockout"
    floor = "floor"
    target = "target"


class QuestionResult(Frozen):
    key: str
    dimension: str
    state: QuestionState
    score: float | None  # None when the question is not applicable
    weight: float
    contribution: float  # points this question adds to the overall score
    ignored_answer: bool = False  # an answer was given to a hidden question and ignored
    recommendation: str | None = None


class DimensionResult(Frozen):
    key: str
    title: str
    score: float | None
    weight: float
    target: float
    floor: float | None
    coverage: float
    status: DimensionStatus


class GapQuestion(Frozen):
    key: str
    prompt: str
    state: QuestionState
    score: float
    lost: float  # dimension points lost on this question
    recommendation: str


class Gap(Frozen):
    dimension: str
    kind: GapKind
    severity: Severity
    score: float
    target: float
    floor: float | None
    shortfall: float
    priority: float
    recommendation: str
    questions: list[GapQuestion]


class KnockoutResult(Frozen):
    question: str
    answer: bool | int | str
    reason: str
    recommendation: str


class BankRef(Frozen):
    slug: str
    version: str
    content_hash: str


class Result(Frozen):
    decision: Decision
    score: float
    coverage: float
    locale: str
    dimensions: list[DimensionResult]
    gaps: list[Gap]
    knockouts: list[KnockoutResult]
    questions: list[QuestionResult]
    bank: BankRef
    engine_version: str
