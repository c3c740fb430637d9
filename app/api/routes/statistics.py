"""Peers and stats: where an assessment stands, and how a bank version's results spread, month by month."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from app.api.deps import LangDep, SecretCatalogDep, SecretTenantDep, SessionDep
from app.api.responses import localized
from app.banks.schema import SemVer, Slug
from app.models.statistics import BankVersionStats, PeersPublic
from app.problems import problem_responses
from app.services import statistics as statistics_service

router = APIRouter(prefix="/v1", tags=["peers and stats"])

SlugPath = Annotated[Slug, Path(max_length=64, examples=["social-media-readiness"])]
VersionPath = Annotated[SemVer, Path(max_length=32, examples=["1.0.0"])]
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


@router.get(
    "/assessments/{assessment_id}/peers",
    response_model=PeersPublic,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def get_peers(
    assessment_id: uuid.UUID, session: SessionDep, catalog: SecretCatalogDep, tenant: SecretTenantDep, lang: LangDep
) -> JSONResponse:
    """Where a submitted assessment stands among your other submitted assessments of the same bank version.

    `percentile` is the mid-rank percentile, overall and per dimension: the
    share of the group scoring below this assessment plus half of those on the
    same whole point (scores are compared floored to whole points), from 0 to
    100. The group is your tenant's submitted assessments of this bank
    version, this one included. With fewer than 5 in it, neither the figures
    nor the group's size are shown. No other assessment is named. A draft is
    409; another tenant's assessment 404.
    """
    figures = statistics_service.peers(
        session=session, catalog=catalog, tenant=tenant, assessment_id=assessment_id, lang=lang
    )
    return localized(figures, lang=lang)


@router.get(
    "/banks/{slug}/versions/{version}/stats",
    response_model=BankVersionStats,
    responses=problem_responses(401, 403, 404, 422),
)
def get_bank_version_stats(
    slug: SlugPath,
    version: VersionPath,
    session: SessionDep,
    catalog: SecretCatalogDep,
    lang: LangDep,
    from_: Annotated[
        str | None, Query(alias="from", pattern=MONTH, description="the first UTC month to include, e.g. 2026-01")
    ] = None,
    to: Annotated[str | None, Query(pattern=MONTH, description="the last UTC month to include, e.g. 2026-12")] = None,
) -> JSONResponse:
    """Your submitted assessments of one bank version, per UTC month of submission and in total.

    Per month: the count, the decisions, the overall score's mean and
    quartiles (p25, median, p75) and the same per dimension. Quartiles are
    computed over whole-point scores (linear interpolation between them);
    means are exact. A month with fewer than 5 assessments is `suppressed`: no
    count and no figures. The total adds up the months shown (a suppressed
    month is left out of it too, so that subtracting cannot reveal its count)
    and is suppressed itself below 5. No personal data appears.
    """
    figures = statistics_service.stats(
        session=session, catalog=catalog, slug=slug, version=version, first=from_, last=to, lang=lang
    )
    return localized(figures, lang=lang)
