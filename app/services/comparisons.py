"""Progress between two of a tenant's assessments: both results in one language, compared by the pure core."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session

from app.models import Assessment, Tenant
from app.problems import Conflict, FieldError, InvalidRequest, NotFound
from app.scoring.compare import compare
from app.services import assessments as assessment_service
from app.services.banks import TenantCatalog


def compare_assessments(
    *, catalog: TenantCatalog, tenant: Tenant, assessment: Assessment, baseline: Assessment, lang: str
) -> dict[str, Any]:
    """How `assessment` changed since `baseline`, texts in `lang`: the `Comparison` document as plain JSON.

    Both must be the tenant's (404), submitted (409) and of the same bank slug
    (422); their bank versions may differ.
    """
    for row in (assessment, baseline):
        if row.tenant_id != tenant.id:
            raise NotFound(f"No assessment {row.id}")
    drafts = [
        FieldError(field, "a draft has no result to compare; submit it first", "draft")
        for field, row in (("path.assessment_id", assessment), ("path.other_id", baseline))
        if row.status != assessment_service.SUBMITTED
    ]
    if drafts:
        raise Conflict("Only submitted assessments can be compared", drafts)
    if assessment.bank_slug != baseline.bank_slug:
        raise InvalidRequest(
            f"Assessment {assessment.id} answers bank {assessment.bank_slug!r}, {baseline.id} bank {baseline.bank_slug!r}",
            [FieldError("path.other_id", f"compare with an assessment of bank {assessment.bank_slug!r}", "other_bank")],
        )
    later = assessment_service.result_in(assessment=assessment, catalog=catalog, lang=lang)
    earlier = assessment_service.result_in(assessment=baseline, catalog=catalog, lang=lang)
    assert later is not None and earlier is not None  # both are submitted
    return {"assessment": str(assessment.id), "baseline": str(baseline.id)} | compare(later, earlier)


def compare_by_id(
    *, session: Session, catalog: TenantCatalog, tenant: Tenant, assessment_id: uuid.UUID, baseline_id: uuid.UUID, lang: str
) -> dict[str, Any]:
    """`compare_assessments` of two ids; either one missing or another tenant's is 404, as GET answers."""
    assessment = assessment_service.get_assessment(session=session, tenant=tenant, assessment_id=assessment_id)
    baseline = assessment_service.get_assessment(session=session, tenant=tenant, assessment_id=baseline_id)
    return compare_assessments(catalog=catalog, tenant=tenant, assessment=assessment, baseline=baseline, lang=lang)


def change_since_followed(
    *, session: Session, catalog: TenantCatalog, tenant: Tenant, assessment: Assessment, lang: str
) -> dict[str, Any] | None:
    """The comparison with the assessment this one `follows`, or None: it follows none, it was erased, or it is a draft."""
    if assessment.follows_id is None or assessment.status != assessment_service.SUBMITTED:
        return None
    baseline = session.get(Assessment, assessment.follows_id)
    if baseline is None or baseline.tenant_id != tenant.id:
        return None
    return compare_assessments(catalog=catalog, tenant=tenant, assessment=assessment, baseline=baseline, lang=lang)
