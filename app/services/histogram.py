"""Score histograms kept in step with the submitted assessments, so peers and stats never scan them.

A submission adds its decision, overall score and dimension scores to the
histogram rows of its tenant, bank version and UTC month with one multi-row
`INSERT ... ON CONFLICT DO UPDATE`, in the submission's own transaction: the
counts are committed with the assessment or not at all. An erasure takes them
away again and removes the rows it leaves at zero, so no row tells that the
erased assessment ever existed.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import ReturningInsert
from sqlmodel import Session, col

from app.models import Assessment, ScoreHistogram
from app.scoring.distribution import bucket, hundredths
from app.scoring.result import Decision, Result

OVERALL = "overall"
DECISION = "decision"
DIMENSION = "dimension:"
# a decision is counted in the bucket of its index here
DECISIONS = tuple(d.value for d in Decision)
KEY = ("tenant_id", "bank_version_id", "month", "metric", "bucket")

# (metric, bucket, the score in hundredths of a point) for each figure of one assessment
Entry = tuple[str, int, int]


def dimension_metric(key: str) -> str:
    # prefixed: a bank may name a dimension "overall" or "decision"
    return DIMENSION + key


def month_of(moment: datetime) -> str:
    """The UTC month a submission is counted in, as "2026-11"."""
    return moment.astimezone(UTC).strftime("%Y-%m")


def entries(decision: str, score: float, dimensions: Mapping[str, float | None]) -> list[Entry]:
    """What one submitted assessment adds: its decision, overall score and each scored dimension."""
    figures = [(DECISION, DECISIONS.index(decision), 0), (OVERALL, bucket(score), hundredths(score))]
    figures += [
        (dimension_metric(key), bucket(value), hundredths(value)) for key, value in dimensions.items() if value is not None
    ]
    return figures


@functools.cache
def upsert(dialect: str) -> ReturningInsert[Any]:
    """The statement that adds each row's count and score sum to its histogram row, creating the rows not there yet.

    Executed with a list of rows. Its RETURNING makes SQLAlchemy send the rows
    as one multi-row `INSERT ... VALUES (...), (...) ON CONFLICT DO UPDATE`
    ("insertmanyvalues") on both engines, compiled once and cached: built with
    `.values(rows)` instead, the statement was compiled anew for every
    submission, about 3 ms each.
    """
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = ScoreHistogram.__table__  # type: ignore[attr-defined]
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(KEY),
        set_={
            "count": table.c.count + statement.excluded.count,
            "score_sum": table.c.score_sum + statement.excluded.score_sum,
        },
    ).returning(table.c.count)


def add(bind: Session | Connection, rows: list[dict[str, Any]]) -> None:
    """Add `rows` (from `rows()`) to the histograms in the caller's transaction: one statement."""
    engine = bind.get_bind() if isinstance(bind, Session) else bind
    bind.execute(upsert(engine.dialect.name), rows)


def rows(
    *, tenant_id: uuid.UUID, bank_version_id: uuid.UUID, month: str, figures: Iterable[Entry], sign: int = 1
) -> list[dict[str, Any]]:
    # in key order: concurrent submissions then lock the rows they share in the same order, never in a cycle
    return [
        {
            "tenant_id": tenant_id,
            "bank_version_id": bank_version_id,
            "month": month,
            "metric": metric,
            "bucket": point,
            "count": sign,
            "score_sum": sign * total,
        }
        for metric, point, total in sorted(figures)
    ]


def record_submission(
    *, session: Session, tenant_id: uuid.UUID, bank_version_id: uuid.UUID, moment: datetime, result: Result
) -> None:
    """Count a submission in its month's histograms; in the caller's transaction, one statement."""
    figures = entries(result.decision.value, result.score, {d.key: d.score for d in result.dimensions})
    add(session, rows(tenant_id=tenant_id, bank_version_id=bank_version_id, month=month_of(moment), figures=figures))


def record_erasure(*, session: Session, assessment: Assessment) -> None:
    """Take an erased submitted assessment out of its month's histograms, leaving no row at zero behind."""
    if assessment.decision is None or assessment.score is None:
        return  # a draft was never counted
    month = month_of(assessment.submitted_at or assessment.created_at)
    figures = entries(assessment.decision, assessment.score, _dimension_scores(assessment))
    batch = rows(
        tenant_id=assessment.tenant_id, bank_version_id=assessment.bank_version_id, month=month, figures=figures, sign=-1
    )
    add(session, batch)
    session.execute(
        delete(ScoreHistogram).where(
            col(ScoreHistogram.tenant_id) == assessment.tenant_id,
            col(ScoreHistogram.bank_version_id) == assessment.bank_version_id,
            col(ScoreHistogram.month) == month,
            col(ScoreHistogram.count) <= 0,
        )
    )


def _dimension_scores(assessment: Assessment) -> dict[str, float | None]:
    # the digest holds the dimension scores; the full result is the fallback for a row without one
    if assessment.digest and "dimensions" in assessment.digest:
        return dict(assessment.digest["dimensions"])
    return {d["key"]: d["score"] for d in (assessment.result or {}).get("dimensions", [])}
