"""What a new bank version would do to the tenant's stored results, before it is published.

Every stored assessment of the earlier version is scored again with the new
one; nothing stored changes. Answers the new version no longer accepts (a
removed question, an option that is gone) are left out and counted.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

from sqlmodel import Session, col, select

from app.banks.overlay import Overlay
from app.banks.registry import RegisteredBank, version_key
from app.banks.schema import Bank, Question
from app.models import Assessment, BankVersion
from app.models.banks import BankStatus
from app.problems import FieldError, InvalidRequest, NotFound
from app.scoring.answers import check_answers
from app.scoring.engine import summarize
from app.services.banks import TenantCatalog

BATCH = 2000


def previous_version(catalog: TenantCatalog, registered: RegisteredBank) -> RegisteredBank | None:
    """The version results move from: the latest published one before it, else an overlay's base."""
    earlier = [
        v for v in catalog.versions(registered.slug) if version_key(v) < version_key(registered.version)
    ]
    for version in sorted(earlier, key=version_key, reverse=True):
        candidate = catalog.get(registered.slug, version)
        if candidate is not None and candidate.status != BankStatus.draft:
            return candidate
    row_overlay = _overlay_of(catalog, registered)
    if row_overlay is not None:
        return catalog.get(row_overlay.base.slug, row_overlay.base.version)
    return None


def _overlay_of(catalog: TenantCatalog, registered: RegisteredBank) -> Overlay | None:
    assert catalog.session is not None  # the impact report runs in the request's session
    row = catalog.session.get(BankVersion, registered.id)
    return Overlay.model_validate(row.overlay) if row is not None and row.overlay else None


def impact(
    *, session: Session, catalog: TenantCatalog, slug: str, version: str, against: str | None
) -> dict[str, Any]:
    started = time.perf_counter()
    new = catalog.get(slug, version)
    if new is None:
        raise NotFound(f"No question bank {slug} {version}")
    old = _against(catalog, new, against)
    transitions: Counter[tuple[str, str]] = Counter()
    before_dims: dict[str, list[float]] = {d.key: [] for d in old.bank.dimensions}
    after_dims: dict[str, list[float]] = {d.key: [] for d in new.bank.dimensions}
    score_changes: list[float] = []
    ignored = 0
    known = {q.key for q in new.bank.questions}
    reshaped = _reshaped_questions(old.bank, new.bank)
    for answers in _stored_answers(session, catalog, old):
        before = summarize(old.bank, answers)
        kept = {k: v for k, v in answers.items() if k in known}
        problems: set[str] = set()
        if reshaped.intersection(kept):
            # only answers to questions whose accepted values changed need checking again
            problems = {p.key for p in check_answers(new.bank, kept, require_complete=False)}
        ignored += len(answers) - len(kept) + len(problems)
        after = summarize(new.bank, {k: v for k, v in kept.items() if k not in problems})
        transitions[(before.decision.value, after.decision.value)] += 1
        score_changes.append(after.score - before.score)
        _collect(before_dims, before.dimensions)
        _collect(after_dims, after.dimensions)
    count = sum(transitions.values())
    return {
        "slug": new.slug,
        "version": new.version,
        "against": {"slug": old.slug, "version": old.version},
        "assessments": count,
        "changed": sum(n for (b, a), n in transitions.items() if b != a),
        "transitions": [
            {"before": b, "after": a, "count": n} for (b, a), n in sorted(transitions.items()) if b != a
        ],
        "decisions_before": _tally(transitions, 0),
        "decisions_after": _tally(transitions, 1),
        "mean_score_change": round(sum(score_changes) / count, 2) if count else None,
        "dimensions": [
            _dimension_change(key, before_dims.get(key, []), after_dims.get(key, []))
            for key in dict.fromkeys([*before_dims, *after_dims])
        ],
        "ignored_answers": ignored,
        "seconds": round(time.perf_counter() - started, 3),
    }


def _answer_shape(question: Question) -> tuple[Any, ...]:
    """What decides which answers a question accepts (not how they score)."""
    values = tuple((type(o.value).__name__, o.value) for o in question.options or [])
    return (question.type, values, question.min, question.max, question.max_length,
            question.allow_dont_know, question.allow_not_applicable)


def _reshaped_questions(old: Bank, new: Bank) -> set[str]:
    before = {q.key: _answer_shape(q) for q in old.questions}
    return {q.key for q in new.questions if before.get(q.key) != _answer_shape(q)}


def _against(catalog: TenantCatalog, new: RegisteredBank, against: str | None) -> RegisteredBank:
    if against is not None:
        old = catalog.get(new.slug, against)
        if old is None:
            raise InvalidRequest(
                f"{new.slug} has no version {against}",
                [FieldError("query.against", "no such version of this bank", "unknown_bank_version")],
            )
        return old
    old = previous_version(catalog, new)
    if old is None:
        raise InvalidRequest(
            f"{new.slug} {new.version} has no earlier version to compare with",
            [FieldError("query.against", "name the version to compare with", "no_previous_version")],
        )
    return old


def _stored_answers(session: Session, catalog: TenantCatalog, old: RegisteredBank) -> Iterator[dict[str, Any]]:
    # only the answers column, streamed in batches: 100,000 results never sit in memory at once
    query = (
        select(Assessment.answers)
        .where(Assessment.tenant_id == catalog.tenant.id, Assessment.bank_version_id == old.id)
        .order_by(col(Assessment.created_at))
        .execution_options(yield_per=BATCH)
    )
    yield from session.exec(query)


def _collect(into: dict[str, list[float]], scores: dict[str, float | None]) -> None:
    for key, value in scores.items():
        if value is not None:
            into.setdefault(key, []).append(value)


def _tally(transitions: Counter[tuple[str, str]], side: int) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for pair, n in transitions.items():
        counts[pair[side]] += n
    return dict(sorted(counts.items()))


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _dimension_change(key: str, before: list[float], after: list[float]) -> dict[str, Any]:
    mean_before, mean_after = _mean(before), _mean(after)
    change = round(mean_after - mean_before, 2) if mean_before is not None and mean_after is not None else None
    return {"key": key, "mean_before": mean_before, "mean_after": mean_after, "mean_change": change}
