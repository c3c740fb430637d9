"""The path to go: the fewest gaps whose closing turns a result into `go`.

Pure: the engine's numbers in, a `PathToGo` out. The decision rules it plans
against are PRODUCT.md's, in the same order as the engine applies them:
knock-outs, coverage, the overall score against `go_at`, the floors.

A step's `reach` is a dimension score; the projection assumes every other
dimension keeps its score and a newly answered question earns nothing, so
doing the steps is always enough (answering well only adds points).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.banks.schema import Policy
from app.scoring.result import (
    Decision,
    DimensionResult,
    Gap,
    GapKind,
    KnockoutResult,
    Margin,
    PathStep,
    PathToGo,
    StepKind,
)


@dataclass(frozen=True, slots=True)
class Unanswered:
    """An applicable question left as don't know or left out: answering it raises coverage."""

    key: str
    weight: float
    recommendation: str


@dataclass(frozen=True, slots=True)
class Standing:
    """The numbers of one result that the path is planned on."""

    policy: Policy
    decision: Decision
    score: float
    coverage: float
    dimensions: Sequence[DimensionResult]
    raw: dict[str, float | None]  # unrounded dimension scores: the overall is computed from these
    gaps: Sequence[Gap]
    knockouts: Sequence[KnockoutResult]
    knockout_dimensions: dict[str, str]  # knock-out question -> its dimension
    unanswered: Sequence[Unanswered]
    applicable_weight: float
    covered_weight: float


# A dimension's weakest questions and its advice, for a dimension that needs lifting but has no gap.
Advice = Callable[[str], tuple[list[str], list[str]]]


def plan(standing: Standing, advice: Advice) -> PathToGo:
    if standing.decision == Decision.go:
        return _margins(standing)
    titles = {d.key: d.title for d in standing.dimensions}
    steps = [_knockout_step(k, standing.knockout_dimensions[k.question], titles) for k in standing.knockouts]
    coverage_step, coverage = _coverage_step(standing)
    if coverage_step is not None:
        steps.append(coverage_step)
    reach, lifted = _lift(standing)
    by_dimension = {g.dimension: g for g in standing.gaps if g.kind != GapKind.knockout}
    for key in lifted:
        gap = by_dimension.get(key)
        steps.append(_lift_step(standing, key, titles[key], reach[key], gap, advice))
    projected = _overall(standing, reach)
    reachable = projected >= standing.policy.go_at and coverage >= standing.policy.min_coverage
    return PathToGo(
        reachable=reachable,
        steps=steps,
        projected_score=projected,
        projected_coverage=coverage,
        margins=[],
        score_margin=None,
    )


def _margins(standing: Standing) -> PathToGo:
    return PathToGo(
        reachable=True,
        steps=[],
        projected_score=standing.score,
        projected_coverage=standing.coverage,
        margins=[
            Margin(
                dimension=d.key, title=d.title, score=d.score, target=d.target, margin=round(d.score - d.target, 2)
            )
            for d in standing.dimensions
            if d.score is not None
        ],
        score_margin=round(standing.score - standing.policy.go_at, 2),
    )


def _knockout_step(knockout: KnockoutResult, dimension: str, titles: dict[str, str]) -> PathStep:
    return PathStep(
        kind=StepKind.knockout,
        dimension=dimension,
        title=titles[dimension],
        question=knockout.question,
        score=None,
        target=None,
        reach=None,
        questions=[knockout.question],
        recommendations=[knockout.recommendation],
    )


def _coverage_step(standing: Standing) -> tuple[PathStep | None, float]:
    """The fewest unanswered questions (heaviest first) whose answers lift coverage to the minimum."""
    wanted = standing.policy.min_coverage
    if standing.coverage >= wanted:
        return None, standing.coverage
    applicable = standing.applicable_weight
    covered = standing.covered_weight
    chosen: list[Unanswered] = []
    coverage = standing.coverage
    # sorted() is stable: equal weights keep the bank's order
    for question in sorted(standing.unanswered, key=lambda q: -q.weight):
        if coverage >= wanted:
            break
        chosen.append(question)
        covered += question.weight
        coverage = round(covered / applicable, 4)  # rounded as the engine decides on it
    step = PathStep(
        kind=StepKind.coverage,
        dimension=None,
        title=None,
        question=None,
        score=standing.coverage,
        target=wanted,
        reach=coverage,
        questions=[q.key for q in chosen],
        recommendations=list(dict.fromkeys(q.recommendation for q in chosen)),
    )
    return step, coverage


def _lift(standing: Standing) -> tuple[dict[str, float], list[str]]:
    """The dimension scores to reach, and the dimensions lifted, in the order to work on them.

    Floors are always lifted (no overall score makes up for one); then target
    gaps by priority (weight x shortfall: the most overall points per gap, so
    the fewest gaps) until the overall reaches go_at. Targets may average below
    go_at, so if every gap closed is still not enough, the lifted dimensions and
    then the others are raised past their targets, heaviest first.
    """
    policy = standing.policy
    reach = {key: raw for key, raw in standing.raw.items() if raw is not None}
    lifted: list[str] = []
    below = [d for d in standing.dimensions if d.score is not None and d.score < d.target]
    floors = [d for d in below if d.floor is not None and d.score < d.floor]  # type: ignore[operator]
    for d in floors:
        reach[d.key] = d.target
        lifted.append(d.key)
    targets = sorted(
        (d for d in below if d.key not in lifted),
        key=lambda d: -d.weight * (d.target - d.score),  # type: ignore[operator]
    )
    for d in targets:
        if _overall(standing, reach) >= policy.go_at:
            break
        reach[d.key] = d.target
        lifted.append(d.key)
    if _overall(standing, reach) < policy.go_at:
        weights = {d.key: d.weight for d in standing.dimensions}
        rest = [d.key for d in standing.dimensions if d.key in reach and d.key not in lifted]
        order = sorted(lifted, key=lambda k: -weights[k]) + sorted(rest, key=lambda k: -weights[k])
        for key in order:
            missing = _points_missing(standing, reach)
            if missing <= 0:
                break
            if reach[key] >= 100:
                continue
            reach[key] = min(100.0, _ceil2(reach[key] + missing / weights[key]))
            if key not in lifted:
                lifted.append(key)
    return reach, lifted


def _lift_step(
    standing: Standing, key: str, title: str, reach: float, gap: Gap | None, advice: Advice
) -> PathStep:
    dimension = next(d for d in standing.dimensions if d.key == key)
    if gap is not None:
        kind = StepKind.floor if gap.kind == GapKind.floor else StepKind.target
        questions = [q.key for q in gap.questions]
        recommendations = [gap.recommendation, *(q.recommendation for q in gap.questions)]
    else:
        kind = StepKind.raise_
        questions, recommendations = advice(key)
    return PathStep(
        kind=kind,
        dimension=key,
        title=title,
        question=None,
        score=dimension.score,
        target=dimension.target,
        reach=round(reach, 2),
        questions=questions,
        recommendations=list(dict.fromkeys(r for r in recommendations if r)),
    )


def _overall(standing: Standing, reach: dict[str, float]) -> float:
    weights = {d.key: d.weight for d in standing.dimensions}
    total = sum(weights[k] for k in reach)
    return round(sum(weights[k] * v for k, v in reach.items()) / total, 2) if total else 0.0


def _points_missing(standing: Standing, reach: dict[str, float]) -> float:
    """Weighted dimension points still missing for the overall to reach go_at."""
    weights = {d.key: d.weight for d in standing.dimensions}
    total = sum(weights[k] for k in reach)
    if _overall(standing, reach) >= standing.policy.go_at:
        return 0.0
    return standing.policy.go_at * total - sum(weights[k] * v for k, v in reach.items())


def _ceil2(value: float) -> float:
    # round first so that 70.0000000001 from float noise does not become 70.01
    return math.ceil(round(value * 100, 6)) / 100
