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


class CheckResult(Frozen):
    """One declared check on a text answer: what it asks, whether it passed, how to pass it."""

    key: str
    label: str
    passed: bool
    recommendation: str | None  # None when passed


class QuestionResult(Frozen):
    key: str
    dimension: str
    state: QuestionState
    score: float | None  # None when the question is not applicable
    weight: float
    contribution: float  # points this question adds to the overall score
    ignored_answer: bool = False  # an answer was given to a hidden question and ignored
    recommendation: str | None = None
    checks: list[CheckResult] | None = None  # a text answer's checks; None for other types or no answer


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


class StepKind(StrEnum):
    knockout = "knockout"  # change an answer that rules social media out
    coverage = "coverage"  # answer questions left as "don't know" or out
    floor = "floor"  # lift a dimension below its floor to its target
    target = "target"  # lift a dimension below its target to it
    raise_ = "raise"  # lift a dimension past its target: closing every gap is not yet enough


class PathStep(Frozen):
    kind: StepKind
    dimension: str | None  # None for coverage, which spans dimensions
    title: str | None
    question: str | None  # the knock-out question
    score: float | None  # now: the dimension score, or the coverage (0..1) for coverage
    target: float | None  # the dimension's target, or the bank's min_coverage
    reach: float | None  # what to reach for go; None for a knock-out (change the answer)
    questions: list[str]  # the questions to work on, most points first
    recommendations: list[str]


class Margin(Frozen):
    dimension: str
    title: str
    score: float
    target: float
    margin: float  # score - target; below 0 where a go still has a dimension under its target


class PathToGo(Frozen):
    """What would turn a result into `go` (steps), or by how much a `go` clears its targets (margins)."""

    reachable: bool  # False only when no answer change within the steps can give go
    steps: list[PathStep]
    projected_score: float | None  # the overall score once every step is done
    projected_coverage: float | None
    margins: list[Margin]
    score_margin: float | None  # a go's overall score minus the bank's go_at


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
    path_to_go: PathToGo | None = None  # None only in results stored by engines before 1.1.0
