"""Stored assessments, visible only to the tenant whose key created them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse

from app.api.deps import CatalogDep, LangDep, SessionDep, SettingsDep, TenantDep
from app.api.examples import ASSESSMENT_EXAMPLES
from app.api.responses import localized
from app.models.assessments import AssessmentCreate, AssessmentPage, AssessmentPublic, PlainText
from app.problems import problem_responses
from app.scoring.result import Decision
from app.services import assessments as assessment_service

router = APIRouter(prefix="/v1/assessments", tags=["assessments"])


@router.post("", status_code=201, response_model=AssessmentPublic, responses=problem_responses(400, 401, 422))
def create_assessment(
    request: Annotated[AssessmentCreate, Body(openapi_examples=ASSESSMENT_EXAMPLES)],
    http_request: Request,
    session: SessionDep,
    catalog: CatalogDep,
    tenant: TenantDep,
    lang: LangDep,
) -> JSONResponse:
    """Score and store an assessment; answers 201 with its `Location` once it is durably stored."""
    lang = request.locale or lang
    assessment = assessment_service.create_assessment(
        session=session, catalog=catalog, tenant=tenant, request=request, lang=lang
    )
    location = str(http_request.url_for("get_assessment", assessment_id=assessment.id).path)
    body = assessment_service.public(assessment, assessment.result)
    return localized(body, lang=lang, status_code=201, headers={"Location": location})


@router.get("", response_model=AssessmentPage, responses=problem_responses(401, 422))
def list_assessments(
    session: SessionDep,
    tenant: TenantDep,
    settings: SettingsDep,
    lang: LangDep,
    limit: Annotated[int | None, Query(ge=1, le=100, description="page size (default 20)")] = None,
    cursor: Annotated[str | None, Query(max_length=200, description="`next_cursor` of the previous page")] = None,
    bank: Annotated[PlainText | None, Query(max_length=64)] = None,
    bank_version: Annotated[PlainText | None, Query(max_length=32)] = None,
    decision: Decision | None = None,
    external_ref: Annotated[PlainText | None, Query(max_length=200)] = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
) -> JSONResponse:
    """The tenant's assessments, newest first, a page at a time."""
    filters = assessment_service.ListFilters(
        bank=bank,
        bank_version=bank_version,
        decision=decision.value if decision else None,
        external_ref=external_ref,
        created_after=assessment_service.aware(created_after, "created_after"),
        created_before=assessment_service.aware(created_before, "created_before"),
    )
    rows, next_cursor = assessment_service.list_assessments(
        session=session,
        tenant=tenant,
        filters=filters,
        limit=min(limit or settings.default_page_size, settings.max_page_size),
        cursor=cursor,
    )
    return localized({"items": [assessment_service.summary(r) for r in rows], "next_cursor": next_cursor}, lang=lang)


@router.get("/{assessment_id}", response_model=AssessmentPublic, responses=problem_responses(401, 404, 422))
def get_assessment(
    assessment_id: uuid.UUID, session: SessionDep, catalog: CatalogDep, tenant: TenantDep, lang: LangDep
) -> JSONResponse:
    """One assessment with its answers and result, texts in the negotiated language."""
    assessment = assessment_service.get_assessment(session=session, tenant=tenant, assessment_id=assessment_id)
    result = assessment_service.result_in(assessment=assessment, catalog=catalog, lang=lang)
    return localized(assessment_service.public(assessment, result), lang=lang)
