"""The score histograms as stored, and as they must be: counted afresh from the stored assessments."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from app.models import Assessment, ScoreHistogram

DECISIONS = ("go", "conditional_go", "no_go", "insufficient_data")


def histogram_rows(engine: Engine) -> dict[tuple[Any, ...], tuple[int, int]]:
    with Session(engine) as session:
        return {
            (r.tenant_id, r.bank_version_id, r.month, r.metric, r.bucket): (r.count, r.score_sum)
            for r in session.exec(select(ScoreHistogram)).all()
        }


def recomputed(engine: Engine) -> dict[tuple[Any, ...], tuple[int, int]]:
    """The histograms as they must be: counted afresh from the submitted assessments stored now."""
    counts: Counter[tuple[Any, ...]] = Counter()
    sums: Counter[tuple[Any, ...]] = Counter()
    with Session(engine) as session:
        for a in session.exec(select(Assessment).where(Assessment.status == "submitted")).all():
            assert a.submitted_at is not None and a.score is not None and a.result is not None
            group = (a.tenant_id, a.bank_version_id, a.submitted_at.strftime("%Y-%m"))
            figures = [("decision", DECISIONS.index(a.result["decision"]), 0.0), ("overall", math.floor(a.score), a.score)]
            figures += [(f"dimension:{d['key']}", math.floor(d["score"]), d["score"])
                        for d in a.result["dimensions"] if d["score"] is not None]
            for metric, point, value in figures:
                counts[(*group, metric, point)] += 1
                sums[(*group, metric, point)] += round(value * 100)
    return {key: (n, sums[key]) for key, n in counts.items()}
