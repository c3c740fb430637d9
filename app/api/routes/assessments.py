"""Stored assessments, visible only to the tenant whose key created them."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BeforeValidator

from app.api.deps import (
    CatalogDep,
    LangDep,
    MetricsDep,
    SecretCatalogDep,
    SecretTenantDep,
    SessionDep,
    TenantDep,
)
from app.api.examples import ASSESSMENT_EXAMPLES
from app.api.idempotency import IdempotencyDep
from app.api.responses import localized, preferred_media_type
from app.models import Assessment
from app.models.assessments import AssessmentCreate, AssessmentPage, AssessmentPatch, AssessmentPublic, PlainText
from app.models.comparisons import Comparison
from app.problems import problem_responses
from app.scoring.result import Decision
from app.services import assessments as assessment_service
from app.services import comparisons as comparison_service
from app.services import export
from app.services.banks import TenantCatalog

router = APIRouter(prefix="/v1/assessments", tags=["assessments"])

_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?")


def _date_time_text(value: object) -> object:
    # as `format: date-time` says: RFC 3339 text, not the Unix time a number would otherwise be read as
    if isinstance(value, str) and not _DATE_TIME.fullmatch(value):
        raise ValueError("expected an RFC 3339 date-time with a zone, e.g. 2026-01-31T00:00:00Z")
    return value


DateTimeQuery = Annotated[datetime | None, BeforeValidator(_date_time_text)]


IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=200,
        description='the ETag you last read, e.g. "3": the change is refused with 412 if the draft has changed since',
    ),
]


def _answer(
    http_request: Request,
    catalog: TenantCatalog,
    assessment: Assessment,
    *,
    result: dict[str, Any] | None,
    lang: str,
    status_code: int = 200,
) -> JSONResponse:
    progress = assessment_service.progress(catalog=catalog, assessment=assessment) if result is None else None
    headers = {"ETag": f'"{assessment.revision}"'}
    if status_code == 201:
        headers["Location"] = str(http_request.url_for("get_assessment", assessment_id=assessment.id).path)
    return localized(
        assessment_service.public(assessment, result, progress), lang=lang, status_code=status_code, headers=headers
    )


@router.post(
    "", status_code=201, response_model=AssessmentPublic, responses=problem_responses(400, 401, 409, 422)
)
def create_assessment(
    request: Annotated[AssessmentCreate, Body(openapi_examples=ASSESSMENT_EXAMPLES)],
    http_request: Request,
    session: SessionDep,
    catalog: CatalogDep,
    tenant: TenantDep,
    lang: LangDep,
    idempotency: IdempotencyDep,
    metrics: MetricsDep,
) -> Response:
    """Score and store an assessment, or with `"submit": false` store a draft.

    Answers 201 with its `Location` once it is durably stored. With an
    `Idempotency-Key`, a retry gets this same answer again instead of a second
    assessment. With a publishable key (a browser intake form) this 201 body,
    and those of PATCH and submit, are the only read-back.
    """
    lang = request.locale or lang
    stored: list[Assessment] = []

    def respond() -> Response:
        assessment = assessment_service.create_assessment(
            session=session, catalog=catalog, tenant=tenant, request=request, lang=lang
        )
        stored.append(assessment)
        return _answer(http_request, catalog, assessment, result=assessment.result, lang=lang, status_code=201)

    response = idempotency.run(respond)
    # counted once committed; a replayed answer stored nothing
    metrics.count_submitted(stored)
    return response


@router.patch(
    "/{assessment_id}", response_model=AssessmentPublic, responses=problem_responses(400, 401, 404, 409, 412, 422)
)
def update_draft(
    assessment_id: uuid.UUID,
    patch: AssessmentPatch,
    http_request: Request,
    session: SessionDep,
    catalog: CatalogDep,
    tenant: TenantDep,
    lang: LangDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Merge answers into a draft; `null` removes one. Only the answers sent are checked.

    The reply says which required questions are still missing and the coverage
    so far. Send `If-Match` with the ETag you last read to be told (412) when
    someone else changed the draft meanwhile; without it, answers to other
    questions are never lost either way.
    """
    assessment = assessment_service.update_draft(
        session=session, catalog=catalog, tenant=tenant, assessment_id=assessment_id, patch=patch, if_match=if_match
    )
    return _answer(http_request, catalog, assessment, result=None, lang=patch.locale or lang)


@router.post(
    "/{assessment_id}/submit",
    response_model=AssessmentPublic,
    responses=problem_responses(400, 401, 404, 409, 412, 422),
)
def submit_draft(
    assessment_id: uuid.UUID,
    http_request: Request,
    session: SessionDep,
    catalog: CatalogDep,
    tenant: TenantDep,
    lang: LangDep,
    idempotency: IdempotencyDep,
    metrics: MetricsDep,
    if_match: IfMatch = None,
) -> Response:
    """Score a draft and freeze it: 422 listing the required questions still missing, 409 if already submitted."""
    submitted: list[Assessment] = []

    def respond() -> Response:
        assessment = assessment_service.submit_draft(
            session=session, catalog=catalog, tenant=tenant, assessment_id=assessment_id, if_match=if_match, lang=lang
        )
        submitted.append(assessment)
        return _answer(http_request, catalog, assessment, result=assessment.result, lang=lang)

    response = idempotency.run(respond)
    metrics.count_submitted(submitted)
    return response


CSV = "text/csv"


@router.get(
    "",
    response_model=AssessmentPage,
    responses=problem_responses(401, 403, 422)
    | {
        200: {
            "description": "A page of assessments as JSON, or with `Accept: text/csv` every assessment that passes "
            "the filters as CSV, one row each",
            "content": {CSV: {"schema": {"type": "string"}}},
            "headers": {"Link": {"description": 'RFC 8288 `<...>; rel="next"` to the next page', "schema": {"type": "string"}}},
        }
    },
)
def list_assessments(
    http_request: Request,
    session: SessionDep,
    tenant: SecretTenantDep,
    lang: LangDep,
    limit: Annotated[int | None, Query(ge=1, le=100, description="page size (default 20)")] = None,
    cursor: Annotated[str | None, Query(max_length=200, description="`next_cursor` of the previous page")] = None,
    bank: Annotated[PlainText | None, Query(max_length=64)] = None,
    bank_version: Annotated[PlainText | None, Query(max_length=32)] = None,
    decision: Decision | None = None,
    status: Literal["draft", "submitted"] | None = None,
    external_ref: Annotated[PlainText | None, Query(max_length=200)] = None,
    created_after: DateTimeQuery = None,
    created_before: DateTimeQuery = None,
    follows: Annotated[uuid.UUID | None, Query(description="only the follow-ups of this assessment")] = None,
) -> Response:
    """The tenant's assessments, newest first, a page at a time; or all of them as CSV with `Accept: text/csv`.

    Pages follow `next_cursor` (also in the `Link` header). A keyset cursor
    never skips or repeats a row, whatever is added meanwhile.
    """
    filters = assessment_service.ListFilters(
        bank=bank,
        bank_version=bank_version,
        decision=decision.value if decision else None,
        status=status,
        external_ref=external_ref,
        created_after=assessment_service.aware(created_after, "created_after"),
        created_before=assessment_service.aware(created_before, "created_before"),
        follows=follows,
    )
    if preferred_media_type(http_request, ["application/json", CSV]) == CSV:
        # the catalog only here: each dependency a route names costs every request, the page's too
        catalog = TenantCatalog(registry=http_request.app.state.registry, session=session, tenant=tenant)
        dimensions = export.dimension_keys(session=session, catalog=catalog, tenant_id=tenant.id, filters=filters)
        return StreamingResponse(
            export.stream(engine=session.get_bind(), tenant_id=tenant.id, filters=filters, dimensions=dimensions),
            media_type=f"{CSV}; charset=utf-8; header=present",
            headers={"Content-Disposition": 'attachment; filename="assessments.csv"', "Cache-Control": "no-store"},
        )
    settings = http_request.app.state.settings
    rows, next_cursor = assessment_service.list_assessments(
        session=session,
        tenant=tenant,
        filters=filters,
        limit=min(limit or settings.default_page_size, settings.max_page_size),
        cursor=cursor,
    )
    headers = {}
    if next_cursor is not None:
        # a reference relative to the request, so it stays right behind a proxy that rewrites the host
        following = http_request.url.include_query_params(cursor=next_cursor)
        headers["Link"] = f'<{following.path}?{following.query}>; rel="next"'
    return localized({"items": rows, "next_cursor": next_cursor}, lang=lang, headers=headers)


@router.get("/{assessment_id}", response_model=AssessmentPublic, responses=problem_responses(401, 403, 404, 422))
def get_assessment(
    assessment_id: uuid.UUID,
    http_request: Request,
    session: SessionDep,
    catalog: SecretCatalogDep,
    tenant: SecretTenantDep,
    lang: LangDep,
) -> JSONResponse:
    """One assessment with its answers and result (a draft: its progress), texts in the negotiated language."""
    assessment = assessment_service.get_assessment(session=session, tenant=tenant, assessment_id=assessment_id)
    result = assessment_service.result_in(assessment=assessment, catalog=catalog, lang=lang)
    return _answer(http_request, catalog, assessment, result=result, lang=lang)


@router.get(
    "/{assessment_id}/compare/{other_id}",
    response_model=Comparison,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def compare_assessments(
    assessment_id: uuid.UUID,
    other_id: uuid.UUID,
    session: SessionDep,
    catalog: SecretCatalogDep,
    tenant: SecretTenantDep,
    lang: LangDep,
) -> JSONResponse:
    """The progress from assessment `other_id` (the baseline) to `assessment_id`: the change overall and per
    dimension, and the gaps closed, opened and still open.

    Both must be submitted (409 for a draft) and of the same bank (422); their
    versions may differ, and a dimension only one of them has is null on the
    other side. Texts are in the negotiated language.
    """
    comparison = comparison_service.compare_by_id(
        session=session, catalog=catalog, tenant=tenant, assessment_id=assessment_id, baseline_id=other_id, lang=lang
    )
    return localized(comparison, lang=lang)


@router.delete("/{assessment_id}", status_code=204, responses=problem_responses(401, 403, 404, 422))
def delete_assessment(assessment_id: uuid.UUID, session: SessionDep, tenant: SecretTenantDep) -> Response:
    """Erase an assessment and its personal data for good; its id answers 404 afterwards."""
    assessment_service.delete_assessment(session=session, tenant=tenant, assessment_id=assessment_id)
    return Response(status_code=204)
