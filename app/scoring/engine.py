"""The scoring engine: PRODUCT.md's scoring rules as one pure, deterministic function.

No I/O and no framework: a bank and answers in, a frozen `Result` out. Answers
must have passed `check_answers` first; the engine does not re-validate them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.banks.schema import LANGUAGES, Bank, Option, Question, QuestionType, TextCheck
from app.banks.schema import Dimension as DimensionSpec
from app.scoring.answers import DONT_KNOW, NOT_APPLICABLE, is_shown, special_state
from app.scoring.path import Standing, Unanswered, plan
from app.scoring.result import (
    BankRef,
    CheckResult,
    Decision,
    DimensionResult,
    DimensionStatus,
    Gap,
    GapKind,
    GapQuestion,
    KnockoutResult,
    QuestionResult,
    QuestionState,
    Result,
    Severity,
)

ENGINE_VERSION = "1.1.0"  # 1.1.0: path_to_go and per-check results; the numbers are unchanged
# A gap this many points below its target is `major`; closer ones are `minor`.
MAJOR_SHORTFALL = 20.0
# How many of a dimension's weakest questions a gap lists.
GAP_QUESTIONS = 3
_SEVERITY_ORDER = {Severity.blocker: 0, Severity.major: 1, Severity.minor: 2}
_KIND_ORDER = {GapKind.knockout: 0, GapKind.floor: 1, GapKind.target: 2}


@dataclass(slots=True)  # not frozen: frozen dataclasses pay for object.__setattr__ per field
class _Scored:
    question: Question
    state: QuestionState
    score: float  # 0..1; meaningful only when applicable
    answer: Any
    recommendation: str | None
    applicable: bool
    covered: bool
    # a text answer's checks that failed, found once for its score and again shown in its result
    failed_checks: tuple[TextCheck, ...] = ()


@dataclass(slots=True)
class _Dimension:
    """One dimension's questions and running sums, computed once per scoring."""

    weight: float
    items: list[_Scored]
    applicable_weight: float = 0.0
    covered_weight: float = 0.0
    weighted_score: float = 0.0

    @property
    def raw_score(self) -> float | None:
        return 100 * self.weighted_score / self.applicable_weight if self.applicable_weight else None


@dataclass(frozen=True, slots=True)
class Summary:
    """The numbers of a result without its texts: what batch re-scoring needs."""

    decision: Decision
    score: float
    coverage: float
    dimensions: dict[str, float | None]


@dataclass(frozen=True, slots=True)
class _QuestionPlan:
    best: float
    options: dict[tuple[type, Any], Option]  # by (type, value): True == 1 must not pick the same option


@dataclass(frozen=True, slots=True)
class _BankPlan:
    questions: dict[str, Question]
    plans: dict[str, _QuestionPlan]
    batch: Any = None  # a _BatchPlan, made on first use by summarize()


_PLANS: dict[int, tuple[Bank, _BankPlan]] = {}


def _plan(bank: Bank) -> _BankPlan:
    """What every scoring of a bank needs, worked out once per bank (banks are immutable)."""
    entry = _PLANS.get(id(bank))
    if entry is not None and entry[0] is bank:
        return entry[1]
    plan = _BankPlan(
        questions={q.key: q for q in bank.questions},
        plans={
            q.key: _QuestionPlan(best=q.best_points(), options={(type(o.value), o.value): o for o in q.options or []})
            for q in bank.questions
        },
    )
    if len(_PLANS) >= 256:  # bounded: many tenant versions must not grow it without limit
        _PLANS.clear()
    _PLANS[id(bank)] = (bank, plan)
    return plan


def _evaluate(bank: Bank, answers: Mapping[str, Any], lang: str) -> tuple[list[_Scored], dict[str, _Dimension]]:
    plan = _plan(bank)
    scored = [_score_question(q, plan.plans[q.key], answers, plan.questions, lang) for q in bank.questions]
    dimensions = {d.key: _Dimension(weight=d.weight, items=[]) for d in bank.dimensions}
    for item in scored:
        tally = dimensions[item.question.dimension]
        tally.items.append(item)
        if item.applicable:
            weight = item.question.weight
            tally.applicable_weight += weight
            tally.weighted_score += weight * item.score
            if item.covered:
                tally.covered_weight += weight
    return scored, dimensions


def _overall(dimensions: dict[str, _Dimension]) -> tuple[float, float]:
    """The overall score (rounded as shown) and the total weight of the dimensions it covers."""
    included = [(t.weight, t.raw_score) for t in dimensions.values() if t.raw_score is not None]
    total = sum(w for w, _ in included)
    overall = sum(w * v for w, v in included) / total if total else 0.0  # type: ignore[operator]
    return round(overall, 2), total


def _overall_coverage(dimensions: dict[str, _Dimension]) -> float:
    applicable = sum(t.applicable_weight for t in dimensions.values())
    # decide on the numbers as shown, so a reader can check the decision against them
    return round(sum(t.covered_weight for t in dimensions.values()) / applicable, 4) if applicable else 0.0


_CHOICE, _MULTI, _NUMBER, _TEXT = range(4)


@dataclass(frozen=True, slots=True)
class _Row:
    """One question reduced to plain values for the batch path."""

    key: str
    question: Question
    dimension: int
    weight: float
    kind: int
    # choice: (type, value) -> (fraction of best, is a knock-out); multi: value -> (points, knock-out)
    table: dict[Any, tuple[float, bool]]
    best: float


@dataclass(frozen=True, slots=True)
class _BatchPlan:
    rows: list[_Row]
    keys: list[str]
    weights: list[float]
    floors: list[float | None]


def _batch_plan(bank: Bank) -> _BatchPlan:
    plan = _plan(bank)
    if plan.batch is None:
        index = {d.key: i for i, d in enumerate(bank.dimensions)}
        rows = []
        for q in bank.questions:
            best = plan.plans[q.key].best
            kind = {QuestionType.multi_choice: _MULTI, QuestionType.number: _NUMBER, QuestionType.text: _TEXT}.get(
                q.type, _CHOICE
            )
            if kind == _CHOICE:
                table = {(type(o.value), o.value): (o.points / best, o.knockout is not None) for o in q.options or []}
            elif kind == _MULTI:
                table = {o.value: (o.points, o.knockout is not None) for o in q.options or []}
            else:
                table = {}
            rows.append(_Row(q.key, q, index[q.dimension], q.weight, kind, table, best))
        batch = _BatchPlan(
            rows=rows,
            keys=[d.key for d in bank.dimensions],
            weights=[d.weight for d in bank.dimensions],
            floors=[d.floor for d in bank.dimensions],
        )
        object.__setattr__(plan, "batch", batch)  # filled once, lazily: only batch work needs it
    return plan.batch  # type: ignore[return-value]


def summarize(bank: Bank, answers: Mapping[str, Any]) -> Summary:
    """Decision and scores only, for re-scoring many stored assessments quickly.

    The same rules as `score`, in one pass over plain values with no texts and
    no result objects; a property test holds the two to the same numbers.
    """
    batch = _batch_plan(bank)
    questions = _plan(bank).questions
    size = len(batch.keys)
    applicable = [0.0] * size
    covered = [0.0] * size
    weighted = [0.0] * size
    knocked_out = False
    for row in batch.rows:
        if row.question.show_if is not None and not is_shown(row.question, answers, questions):
            continue
        answer = answers.get(row.key)
        if type(answer) is dict:
            if answer.get("state") == NOT_APPLICABLE:
                continue
            applicable[row.dimension] += row.weight
            continue
        applicable[row.dimension] += row.weight
        if answer is None:
            continue
        kind = row.kind
        if kind == _CHOICE:
            value, knockout = row.table[(type(answer), answer)]
            knocked_out = knocked_out or knockout
        elif kind == _MULTI:
            chosen = [row.table[v] for v in answer]
            value = min(1.0, sum(points for points, _ in chosen) / row.best)
            knocked_out = knocked_out or any(knockout for _, knockout in chosen)
        else:
            value = _raw_value(row.question, _plan(bank).plans[row.key], answer)[0]
        covered[row.dimension] += row.weight
        weighted[row.dimension] += row.weight * value
    shown: dict[str, float | None] = {}
    total_weight = total = 0.0
    below_floor = False
    for i, key in enumerate(batch.keys):
        if not applicable[i]:
            shown[key] = None
            continue
        raw = 100 * weighted[i] / applicable[i]
        shown[key] = rounded = round(raw, 2)
        total_weight += batch.weights[i]
        total += batch.weights[i] * raw
        floor = batch.floors[i]
        below_floor = below_floor or (floor is not None and rounded < floor)
    overall = round(total / total_weight, 2) if total_weight else 0.0
    all_applicable = sum(applicable)
    coverage = round(sum(covered) / all_applicable, 4) if all_applicable else 0.0
    decision = _decide_numbers(bank, overall, coverage, below_floor, knocked_out)
    return Summary(decision=decision, score=overall, coverage=coverage, dimensions=shown)


def score(bank: Bank, answers: Mapping[str, Any], *, lang: str = "en", content_hash: str = "") -> Result:
    """Score checked `answers` against `bank`, with texts in `lang`."""
    lang = lang if lang in LANGUAGES else "en"
    scored, tallies = _evaluate(bank, answers, lang)
    overall, dimension_weight = _overall(tallies)
    coverage = _overall_coverage(tallies)

    dimensions = [_dimension_result(d, tallies[d.key], lang) for d in bank.dimensions]
    knockouts = [k for item in scored if item.applicable for k in _knockouts(item, lang)]
    below_floor = any(d.status == DimensionStatus.below_floor for d in dimensions)
    decision = _decide_numbers(bank, overall, coverage, below_floor, bool(knockouts))
    gaps = _gaps(bank, dimensions, tallies, scored, knockouts, lang)
    questions = _plan(bank).questions
    standing = Standing(
        policy=bank.policy,
        decision=decision,
        score=overall,
        coverage=coverage,
        dimensions=dimensions,
        raw={key: tally.raw_score for key, tally in tallies.items()},
        gaps=gaps,
        knockouts=knockouts,
        knockout_dimensions={k.question: questions[k.question].dimension for k in knockouts},
        unanswered=[
            Unanswered(i.question.key, i.question.weight, i.recommendation or "")
            for i in scored
            if i.applicable and not i.covered
        ],
        applicable_weight=sum(t.applicable_weight for t in tallies.values()),
        covered_weight=sum(t.covered_weight for t in tallies.values()),
    )

    def advice(dimension: str) -> tuple[list[str], list[str]]:
        weakest = _weakest(tallies[dimension])
        recommendations = [bank.dimension(dimension).recommendation.get(lang)]
        return [i.question.key for i in weakest], recommendations + [i.recommendation or "" for i in weakest]

    return Result(
        decision=decision,
        score=overall,
        coverage=coverage,
        locale=lang,
        dimensions=dimensions,
        gaps=gaps,
        knockouts=knockouts,
        questions=[
            QuestionResult(
                key=item.question.key,
                dimension=item.question.dimension,
                state=item.state,
                score=round(item.score, 4) if item.applicable else None,
                weight=item.question.weight,
                contribution=_contribution(item, tallies[item.question.dimension], dimension_weight),
                ignored_answer=item.state == QuestionState.hidden and item.answer is not None,
                recommendation=item.recommendation,
                checks=_check_results(item, lang),
            )
            for item in scored
        ],
        bank=BankRef(slug=bank.slug, version=bank.version, content_hash=content_hash),
        engine_version=ENGINE_VERSION,
        path_to_go=plan(standing, advice),
    )


def _check_results(item: _Scored, lang: str) -> list[CheckResult] | None:
    if item.question.type != QuestionType.text or item.state != QuestionState.answered:
        return None
    results = []
    for check in item.question.checks or []:
        passed = not any(check is failed for failed in item.failed_checks)
        results.append(
            CheckResult(
                key=check.key,
                label=check.label.get(lang),
                passed=passed,
                recommendation=None if passed else check.recommendation.get(lang),
            )
        )
    return results


def _score_question(
    question: Question, plan: _QuestionPlan, answers: Mapping[str, Any], questions: Mapping[str, Question], lang: str
) -> _Scored:
    answer = answers.get(question.key)
    if not is_shown(question, answers, questions):
        return _Scored(question, QuestionState.hidden, 0.0, answer, None, applicable=False, covered=False)
    state = special_state(answer)
    if state == NOT_APPLICABLE:
        return _Scored(question, QuestionState.not_applicable, 0.0, answer, None, applicable=False, covered=False)
    if answer is None or state == DONT_KNOW:
        missing = QuestionState.dont_know if state == DONT_KNOW else QuestionState.missing
        return _Scored(question, missing, 0.0, answer, question.recommendation.get(lang), applicable=True, covered=False)
    value, detail = _raw_value(question, plan, answer)
    failed: tuple[TextCheck, ...] = ()
    if isinstance(detail, list):  # the text checks that failed, each with its own advice
        failed = tuple(detail)
        advice = " ".join(c.recommendation.get(lang) for c in failed) or None
    else:
        advice = detail.recommendation.get(lang) if detail is not None and detail.recommendation is not None else None
    recommendation = (advice or question.recommendation.get(lang)) if value < 1 else None
    return _Scored(
        question, QuestionState.answered, value, answer, recommendation, applicable=True, covered=True, failed_checks=failed
    )


def _raw_value(question: Question, plan: _QuestionPlan, answer: Any) -> tuple[float, Any]:
    """The question score in [0, 1] and what earned it: the option, the band or the failed checks."""
    best = plan.best
    match question.type:
        case QuestionType.multi_choice:
            points = sum(plan.options[(str, v)].points for v in answer)
            return min(1.0, points / best), None
        case QuestionType.number:
            band = next((b for b in question.bands or [] if b.min <= answer <= b.max), None)
            return (band.points / best, band) if band is not None else (0.0, None)
        case QuestionType.text:
            failed = [c for c in question.checks or [] if not c.passes(answer)]
            return (best - sum(c.points for c in failed)) / best, failed
        case _:
            option = plan.options[(type(answer), answer)]
            return option.points / best, option


def _dimension_result(dimension: DimensionSpec, tally: _Dimension, lang: str) -> DimensionResult:
    raw = tally.raw_score
    shown = round(raw, 2) if raw is not None else None
    if shown is None:
        status = DimensionStatus.not_applicable
    elif dimension.floor is not None and shown < dimension.floor:
        status = DimensionStatus.below_floor
    elif shown < dimension.target:
        status = DimensionStatus.below_target
    else:
        status = DimensionStatus.met
    return DimensionResult(
        key=dimension.key,
        title=dimension.title.get(lang),
        score=shown,
        weight=dimension.weight,
        target=dimension.target,
        floor=dimension.floor,
        coverage=round(tally.covered_weight / tally.applicable_weight, 4) if tally.applicable_weight else 0.0,
        status=status,
    )


def _chosen_knockouts(item: _Scored) -> list[Option]:
    chosen = item.answer if isinstance(item.answer, list) else [item.answer]
    return [
        option
        for option in item.question.options or []
        if option.knockout is not None and any(type(option.value) is type(c) and option.value == c for c in chosen)
    ]


def _knockouts(item: _Scored, lang: str) -> list[KnockoutResult]:
    if not item.covered or item.question.options is None:
        return []
    return [
        KnockoutResult(
            question=item.question.key,
            answer=option.value,
            reason=option.knockout.reason.get(lang),
            recommendation=option.knockout.recommendation.get(lang),
        )
        for option in _chosen_knockouts(item)
        if option.knockout is not None
    ]


def _decide_numbers(bank: Bank, overall: float, coverage: float, below_floor: bool, knocked_out: bool) -> Decision:
    policy = bank.policy
    if knocked_out:
        return Decision.no_go
    if coverage < policy.min_coverage:
        return Decision.insufficient_data
    if overall < policy.no_go_below:
        return Decision.no_go
    if overall >= policy.go_at and not below_floor:
        return Decision.go
    return Decision.conditional_go


def _contribution(item: _Scored, tally: _Dimension, dimension_weight: float) -> float:
    if not item.applicable or dimension_weight == 0:
        return 0.0
    share = item.question.weight / tally.applicable_weight * tally.weight / dimension_weight
    return round(100 * share * item.score, 4)


def _gaps(
    bank: Bank,
    dimensions: list[DimensionResult],
    tallies: dict[str, _Dimension],
    scored: list[_Scored],
    knockouts: list[KnockoutResult],
    lang: str,
) -> list[Gap]:
    results = {d.key: d for d in dimensions}
    items = {i.question.key: i for i in scored}
    gaps: list[Gap] = []
    for knockout in knockouts:
        item = items[knockout.question]
        result = results[item.question.dimension]
        gaps.append(
            _gap(
                result,
                GapKind.knockout,
                Severity.blocker,
                knockout.recommendation,
                [_gap_question(item, knockout.recommendation, tallies[item.question.dimension], lang)],
                # a knock-out outranks any shortfall: weight it as a whole dimension lost
                priority=round(result.weight * 100, 2),
            )
        )
    for result in dimensions:
        if result.status in (DimensionStatus.met, DimensionStatus.not_applicable):
            continue
        assert result.score is not None
        shortfall = result.target - result.score
        if result.status == DimensionStatus.below_floor:
            kind, severity = GapKind.floor, Severity.blocker
        else:
            kind = GapKind.target
            severity = Severity.major if shortfall >= MAJOR_SHORTFALL else Severity.minor
        weakest = _weakest(tallies[result.key])
        gaps.append(
            _gap(
                result,
                kind,
                severity,
                bank.dimension(result.key).recommendation.get(lang),
                [_gap_question(i, i.recommendation or "", tallies[result.key], lang) for i in weakest],
                priority=round(result.weight * shortfall, 2),
            )
        )
    # sorted() is stable, so equal gaps keep the bank's dimension order
    return sorted(gaps, key=lambda g: (_SEVERITY_ORDER[g.severity], _KIND_ORDER[g.kind], -g.priority))


def _weakest(tally: _Dimension) -> list[_Scored]:
    """The questions of a dimension that lost the most weighted points."""
    return sorted(
        (i for i in tally.items if i.applicable and i.score < 1),
        key=lambda i: -i.question.weight * (1 - i.score),
    )[:GAP_QUESTIONS]


def _gap(
    result: DimensionResult,
    kind: GapKind,
    severity: Severity,
    recommendation: str,
    questions: list[GapQuestion],
    *,
    priority: float,
) -> Gap:
    score = result.score or 0.0
    return Gap(
        dimension=result.key,
        kind=kind,
        severity=severity,
        score=score,
        target=result.target,
        floor=result.floor,
        shortfall=round(max(0.0, result.target - score), 2),
        priority=priority,
        recommendation=recommendation,
        questions=questions,
    )


def _gap_question(item: _Scored, recommendation: str, tally: _Dimension, lang: str) -> GapQuestion:
    applicable_weight = tally.applicable_weight
    lost = 100 * item.question.weight * (1 - item.score) / applicable_weight if applicable_weight else 0.0
    return GapQuestion(
        key=item.question.key,
        prompt=item.question.prompt.get(lang),
        state=item.state,
        score=round(item.score, 4),
        lost=round(lost, 2),
        recommendation=recommendation,
    )
