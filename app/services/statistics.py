"""Peers and stats: a tenant's submitted assessments of one bank version, as distributions.

Both read the pre-aggregated histograms (app/services/histogram.py), never the
assessments: a few hundred rows, however many assessments there are. Figures
are shown only for groups of at least MINIMUM_GROUP assessments; a smaller
group shows neither its figures nor its size. No figure names an assessment,
a respondent or an answer.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.banks.schema import Bank
from app.models import Assessment, ScoreHistogram, Tenant
from app.problems import Conflict, FieldError, InvalidRequest, NotFound
from app.scoring.distribution import bucket, combined, describe, percentile_rank, size
from app.services import banks as bank_service
from app.services.assessments import SUBMITTED
from app.services.banks import TenantCatalog
from app.services.histogram import DECISION, DECISIONS, OVERALL, dimension_metric

MINIMUM_GROUP = 5

_TEXTS = {
    "peers": {
        "en": "Percentiles among the {size} submitted assessments of this bank version, this one included: "
        "the share of them scoring below it plus half of those on the same whole point, from 0 to 100. "
        "A dimension's percentile is null where this assessment has no score for it or fewer than {minimum} "
        "of the group have one.",
        "fi": "Persentiilit tämän kysymyspankkiversion {size} lähetetyn arvioinnin joukossa, tämä mukaan lukien: "
        "alemmat pisteet saaneiden osuus sekä puolet samalle kokonaiselle pisteelle osuneista, 0–100. "
        "Osa-alueen persentiili on tyhjä, jos tällä arvioinnilla ei ole sille pisteitä tai ryhmästä alle "
        "{minimum} arvioinnilla on.",
    },
    "peers_too_few": {
        "en": "Fewer than {minimum} submitted assessments of this bank version: percentiles are shown once there "
        "are at least {minimum}, so that no figure points to a single organisation.",
        "fi": "Tästä kysymyspankkiversiosta on lähetetty alle {minimum} arviointia: persentiilit näytetään, kun "
        "arviointeja on vähintään {minimum}, jottei yksikään luku osoita yksittäiseen organisaatioon.",
    },
    "stats": {
        "en": "Months by the UTC month of submission. A month with fewer than {minimum} submitted assessments is "
        "suppressed: no count and no figures. The total adds up the months shown, so that it gives away no "
        "suppressed month's count. Quartiles are computed over whole-point scores (linear interpolation); "
        "means are exact.",
        "fi": "Kuukaudet lähetyksen UTC-kuukauden mukaan. Kuukausi, jossa on alle {minimum} lähetettyä arviointia, "
        "on piilotettu: ei lukumäärää eikä lukuja. Yhteensä-rivi laskee yhteen näytetyt kuukaudet, joten siitä "
        "ei voi päätellä piilotetun kuukauden lukumäärää. Kvartiilit lasketaan kokonaisista pisteistä "
        "(lineaarinen interpolointi); keskiarvot ovat tarkkoja.",
    },
}

# metric -> whole point -> count; and metric -> the sum of its exact scores in hundredths
Histograms = dict[str, dict[int, int]]
Sums = dict[str, int]


def _text(name: str, lang: str, **values: Any) -> str:
    return _TEXTS[name][lang].format(minimum=MINIMUM_GROUP, **values)


def peers(*, session: Session, catalog: TenantCatalog, tenant: Tenant, assessment_id: uuid.UUID, lang: str) -> dict[str, Any]:
    """Where a submitted assessment stands among the tenant's submitted assessments of its bank version."""
    row = session.exec(
        select(
            Assessment.tenant_id,
            Assessment.status,
            Assessment.bank_version_id,
            Assessment.bank_slug,
            Assessment.bank_version,
            Assessment.score,
            Assessment.digest,
        ).where(col(Assessment.id) == assessment_id)
    ).first()
    # another tenant's assessment is indistinguishable from a missing one
    if row is None or row.tenant_id != tenant.id:
        raise NotFound(f"No assessment {assessment_id}")
    if row.status != SUBMITTED or row.score is None:
        raise Conflict(f"Assessment {assessment_id} is a draft: submit it to see where it stands among its peers")
    registered = catalog.by_id(row.bank_version_id)
    if registered is None:  # the row's foreign key keeps its version; it is the tenant's or shipped
        raise NotFound(f"The bank version of assessment {assessment_id} is no longer available")
    histograms = _all_months(session, tenant.id, row.bank_version_id)
    group = size(histograms.get(OVERALL, {}))
    enough = group >= MINIMUM_GROUP
    own = (row.digest or {}).get("dimensions", {})

    def standing(metric: str, score: float | None) -> float | None:
        counts = histograms.get(metric, {})
        if not enough or score is None or size(counts) < MINIMUM_GROUP:
            return None
        return round(percentile_rank(counts, bucket(score)), 1)

    return {
        "assessment_id": str(assessment_id),
        "bank": row.bank_slug,
        "bank_version": row.bank_version,
        "group": {"size": group if enough else None, "minimum": MINIMUM_GROUP, "enough": enough},
        "overall": {"score": row.score, "percentile": standing(OVERALL, row.score)},
        "dimensions": [
            {
                "key": d.key,
                "title": d.title.get(lang),
                "score": own.get(d.key),
                "percentile": standing(dimension_metric(d.key), own.get(d.key)),
            }
            for d in registered.bank.dimensions
        ],
        "explanation": _text("peers", lang, size=group) if enough else _text("peers_too_few", lang),
    }


def _all_months(session: Session, tenant_id: uuid.UUID, bank_version_id: uuid.UUID) -> Histograms:
    # months added up in the database: at most ~100 rows per metric come back, however many months there are
    counted = func.sum(ScoreHistogram.count)
    rows = session.exec(
        select(ScoreHistogram.metric, ScoreHistogram.bucket, counted)
        .where(
            col(ScoreHistogram.tenant_id) == tenant_id,
            col(ScoreHistogram.bank_version_id) == bank_version_id,
            col(ScoreHistogram.metric) != DECISION,
        )
        .group_by(col(ScoreHistogram.metric), col(ScoreHistogram.bucket))
    ).all()
    histograms: Histograms = defaultdict(dict)
    for metric, point, count in rows:
        histograms[metric][point] = int(count)
    return histograms


def stats(
    *, session: Session, catalog: TenantCatalog, slug: str, version: str, first: str | None, last: str | None, lang: str
) -> dict[str, Any]:
    """The tenant's decisions and scores for one bank version, per UTC month of submission and in total."""
    if first is not None and last is not None and first > last:
        raise InvalidRequest(
            f"The period ends ({last}) before it starts ({first})",
            [FieldError("query.to", "must be the same month as `from` or later", "period_reversed")],
        )
    registered = bank_service.get_bank_version(catalog, slug, version)
    # one row per month, metric and whole point: a few hundred a month, however many assessments there are
    query = select(
        ScoreHistogram.month, ScoreHistogram.metric, ScoreHistogram.bucket, ScoreHistogram.count, ScoreHistogram.score_sum
    ).where(
        col(ScoreHistogram.tenant_id) == catalog.tenant.id,
        col(ScoreHistogram.bank_version_id) == registered.id,
        col(ScoreHistogram.count) > 0,
    )
    if first is not None:
        query = query.where(col(ScoreHistogram.month) >= first)
    if last is not None:
        query = query.where(col(ScoreHistogram.month) <= last)
    by_month: dict[str, Histograms] = defaultdict(lambda: defaultdict(dict))
    sums: dict[str, Sums] = defaultdict(lambda: defaultdict(int))
    for month, metric, point, count, score_sum in session.exec(query):
        by_month[month][metric][point] = count
        sums[month][metric] += score_sum
    bank = registered.bank
    # the total adds up the months shown: with a suppressed month in it, total minus the months shown would be its count
    shown = [m for m in by_month if size(by_month[m].get(OVERALL, {})) >= MINIMUM_GROUP]
    metrics = {metric for m in shown for metric in by_month[m]}
    total = {metric: combined(by_month[m].get(metric, {}) for m in shown) for metric in metrics}
    total_sums = {metric: sum(sums[m].get(metric, 0) for m in shown) for metric in metrics}
    return {
        "bank": registered.slug,
        "bank_version": registered.version,
        "from": first,
        "to": last,
        "minimum": MINIMUM_GROUP,
        "months": [{"month": m} | _figures(bank, by_month[m], sums[m], lang) for m in sorted(by_month)],
        "total": _figures(bank, total, total_sums, lang) | {"months_left_out": len(by_month) - len(shown)},
        "explanation": _text("stats", lang),
    }


def _figures(bank: Bank, histograms: Histograms, sums: Sums, lang: str) -> dict[str, Any]:
    """A period's figures, or only that it is suppressed: a group under the minimum shows not even its size."""
    count = size(histograms.get(OVERALL, {}))
    if count < MINIMUM_GROUP:
        return {"count": None, "suppressed": True, "decisions": None, "score": None, "dimensions": None}
    decisions = histograms.get(DECISION, {})
    return {
        "count": count,
        "suppressed": False,
        "decisions": {name: decisions.get(index, 0) for index, name in enumerate(DECISIONS)},
        "score": _summary(histograms.get(OVERALL, {}), sums.get(OVERALL)),
        "dimensions": [
            {"key": d.key, "title": d.title.get(lang)}
            | _summary(histograms.get(dimension_metric(d.key), {}), sums.get(dimension_metric(d.key)))
            for d in bank.dimensions
        ],
    }


def _summary(counts: dict[int, int], score_sum: int | None) -> dict[str, float | None]:
    """Mean and quartiles; all null for a dimension fewer than the minimum were scored on."""
    summary = describe(counts, score_sum) if size(counts) >= MINIMUM_GROUP else None
    if summary is None:
        return {"mean": None, "p25": None, "median": None, "p75": None}
    return {
        "mean": round(summary.mean, 2),
        "p25": round(summary.p25, 2),
        "median": round(summary.median, 2),
        "p75": round(summary.p75, 2),
    }
