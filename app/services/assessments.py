"""Assessments: score and store in one transaction, read back only within the tenant."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.models import Assessment, Tenant
from app.models.assessments import AssessmentCreate
from app.problems import FieldError, InvalidRequest, NotFound
from app.scoring.engine import score
from app.services import outbox
from app.services import scoring as scoring_service
from app.services.pagination import keyset_page
from app.services.banks import TenantCatalog

SUBMITTED = "submitted"


@dataclass(frozen=True)
class ListFilters:
    bank: str | None = None
    bank_version: str | None = None
    decision: str | None = None
    external_ref: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


def create_assessment(
    *, session: Session, catalog: TenantCatalog, tenant: Tenant, request: AssessmentCreate, lang: str
) -> Assessment:
    registered, answers, result = scoring_service.evaluate(
        source=catalog, slug=request.bank, version=request.bank_version, answers=request.answers, lang=lang
    )
    respondent = request.respondent
    assessment = Assessment(
        tenant_id=tenant.id,
        bank_version_id=registered.id,
        bank_slug=registered.slug,
        bank_version=registered.version,
        status=SUBMITTED,
        organisation=respondent.organisation,
        email=str(respondent.email) if respondent.email else None,
        external_ref=respondent.external_ref,
        locale=lang,
        answers=answers,
        result=result.model_dump(mode="json"),
        decision=result.decision.value,
        score=result.score,
    )
    assessment.updated_at = assessment.created_at
    session.add(assessment)
    outbox.assessment_submitted(session=session, assessment=assessment)
    # committed here, before the route answers 201: an acknowledged assessment is durable
    session.commit()
    return assessment


def get_assessment(*, session: Session, tenant: Tenant, assessment_id: uuid.UUID) -> Assessment:
    assessment = session.get(Assessment, assessment_id)
    # another tenant's assessment is indistinguishable from a missing one
    if assessment is None or assessment.tenant_id != tenant.id:
        raise NotFound(f"No assessment {assessment_id}")
    return assessment


def delete_assessment(*, session: Session, tenant: Tenant, assessment_id: uuid.UUID) -> None:
    """Erase an assessment with its answers and respondent details (GDPR art. 17).

    The row is deleted, not flagged: nothing of the respondent stays behind.
    Impact reports and other figures are computed from the stored rows when
    asked for, so none keeps a copy.
    """
    assessment = get_assessment(session=session, tenant=tenant, assessment_id=assessment_id)
    session.delete(assessment)
    outbox.assessment_deleted(session=session, assessment=assessment)
    session.commit()


def list_assessments(
    *, session: Session, tenant: Tenant, filters: ListFilters, limit: int, cursor: str | None
) -> tuple[list[Assessment], str | None]:
    """The tenant's assessments, newest first, by keyset on (created_at, id)."""
    query = select(Assessment).where(Assessment.tenant_id == tenant.id)
    for column, value in (
        (Assessment.bank_slug, filters.bank),
        (Assessment.bank_version, filters.bank_version),
        (Assessment.decision, filters.decision),
        (Assessment.external_ref, filters.external_ref),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.created_after is not None:
        query = query.where(col(Assessment.created_at) > filters.created_after)
    if filters.created_before is not None:
        query = query.where(col(Assessment.created_at) < filters.created_before)
    return keyset_page(session=session, query=query, model=Assessment, limit=limit, cursor=cursor)


def result_in(*, assessment: Assessment, catalog: TenantCatalog, lang: str) -> dict[str, Any]:
    """The stored result, or the same result re-scored in another language.

    Scoring is deterministic and a stored bank version never changes, so the
    re-scored result differs from the stored one in its texts only.
    """
    if assessment.locale == lang:
        return assessment.result
    registered = catalog.by_id(assessment.bank_version_id)
    if registered is None:  # the version row exists (foreign key) and is the tenant's or shipped
        return assessment.result
    return score(registered.bank, assessment.answers, lang=lang, content_hash=registered.content_hash).model_dump(
        mode="json"
    )


def public(assessment: Assessment, result: dict[str, Any]) -> dict[str, Any]:
    return summary(assessment) | {"answers": assessment.answers, "result": result}


def summary(assessment: Assessment) -> dict[str, Any]:
    respondent: dict[str, Any] = {"organisation": assessment.organisation}
    if assessment.email is not None:
        respondent["email"] = assessment.email
    if assessment.external_ref is not None:
        respondent["external_ref"] = assessment.external_ref
    return {
        "id": str(assessment.id),
        "bank": assessment.bank_slug,
        "bank_version": assessment.bank_version,
        "status": assessment.status,
        "respondent": respondent,
        "decision": assessment.decision,
        "score": assessment.score,
        "created_at": assessment.created_at.isoformat(),
        "updated_at": assessment.updated_at.isoformat(),
    }


def aware(moment: datetime | None, field: str) -> datetime | None:
    """A filter time must carry its zone: a naive one would mean different instants on each server."""
    if moment is not None and moment.tzinfo is None:
        raise InvalidRequest(
            f"{field} needs a time zone", [FieldError(f"query.{field}", "add a zone, e.g. 2026-01-31T00:00:00Z", "naive_datetime")]
        )
    return moment
