"""An assessment's printable HTML report, and share links that show it to someone without a key."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from app.api.deps import LangDep, RegistryDep, SecretCatalogDep, SecretTenantDep, SessionDep, SettingsDep
from app.models.reports import ShareCreate, ShareCreated, ShareList
from app.problems import problem_responses
from app.services import reports as report_service

router = APIRouter(prefix="/v1/assessments", tags=["reports"])
shared_router = APIRouter(prefix="/v1/reports", tags=["reports"])

# The page is self-contained: its one stylesheet is inline and it loads nothing, so a page that
# leaks (a forwarded link, a browser history) can reach no other server, nor tell one its address.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HTML_PAGE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report: one self-contained HTML page, printable on A4 and readable on a phone",
        "content": {"text/html": {"schema": {"type": "string"}}},
    }
}


def _page(content: str, lang: str) -> HTMLResponse:
    return HTMLResponse(
        content,
        headers={
            "Content-Language": lang,
            "Vary": "Accept-Language",
            "Content-Security-Policy": REPORT_CSP,
            "Cache-Control": "private, no-store",
            "Referrer-Policy": "no-referrer",
            "X-Robots-Tag": "noindex, nofollow",
        },
    )


@router.get(
    "/{assessment_id}/report",
    response_class=HTMLResponse,
    responses=HTML_PAGE | problem_responses(401, 403, 404, 409, 422),
)
def get_report(
    assessment_id: uuid.UUID,
    session: SessionDep,
    catalog: SecretCatalogDep,
    tenant: SecretTenantDep,
    lang: LangDep,
) -> HTMLResponse:
    """The assessment's report as a printable HTML page in the negotiated language; 409 for a draft.

    The decision, the overall score and coverage, a radar chart of the
    dimensions against their targets, the gaps in priority order with their
    recommendations, the path to go and every answer given. Open it in a
    browser and print it, or save it as PDF.
    """
    content = report_service.report_html(
        session=session, catalog=catalog, tenant=tenant, assessment_id=assessment_id, lang=lang
    )
    return _page(content, lang)


@router.post(
    "/{assessment_id}/report/share",
    status_code=201,
    response_model=ShareCreated,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
def create_report_share(
    assessment_id: uuid.UUID,
    http_request: Request,
    session: SessionDep,
    tenant: SecretTenantDep,
    settings: SettingsDep,
    request: Annotated[ShareCreate | None, Body()] = None,
) -> JSONResponse:
    """A link that shows the report to anyone who has it, without a key, until it expires (7 days by default).

    The URL is in this response only: the token in it is stored as a hash.
    Anyone holding the link can read the organisation's answers, so send it
    only to the client, and revoke it once it is no longer needed.
    """
    share, token = report_service.create_share(
        session=session,
        tenant=tenant,
        assessment_id=assessment_id,
        expires_in_seconds=(request or ShareCreate()).expires_in_seconds,
    )
    if settings.public_url:
        url = settings.public_url.rstrip("/") + shared_router.url_path_for("get_shared_report", token=token)
    else:
        url = str(http_request.url_for("get_shared_report", token=token))
    created = ShareCreated(**report_service.public(share).model_dump(), url=url, token=token)
    return JSONResponse(created.model_dump(mode="json"), status_code=201, headers={"Location": url})


@router.get(
    "/{assessment_id}/report/share", response_model=ShareList, responses=problem_responses(401, 403, 404, 422)
)
def list_report_shares(assessment_id: uuid.UUID, session: SessionDep, tenant: SecretTenantDep) -> ShareList:
    """The share links made for this assessment's report, newest first, expired ones too; never their URLs."""
    shares = report_service.list_shares(session=session, tenant=tenant, assessment_id=assessment_id)
    return ShareList(items=[report_service.public(s) for s in shares])


@router.delete(
    "/{assessment_id}/report/share/{share_id}", status_code=204, responses=problem_responses(401, 403, 404, 422)
)
def revoke_report_share(
    assessment_id: uuid.UUID, share_id: uuid.UUID, session: SessionDep, tenant: SecretTenantDep
) -> Response:
    """Revoke a share link at once: its URL answers 404 from now on."""
    report_service.revoke_share(session=session, tenant=tenant, assessment_id=assessment_id, share_id=share_id)
    return Response(status_code=204)


@shared_router.get(
    "/{token}", response_class=HTMLResponse, responses=HTML_PAGE | problem_responses(404, 410, 422)
)
def get_shared_report(token: str, session: SessionDep, registry: RegistryDep, lang: LangDep) -> HTMLResponse:
    """A shared report, with no key: the URL is the secret. 404 for an unknown or revoked link, 410 once it expired.

    In the language asked for with `?lang=` or `Accept-Language`. The page
    loads nothing from anywhere and asks not to be cached, indexed or named
    in a referrer.
    """
    content = report_service.shared_report(session=session, registry=registry, token=token, lang=lang)
    return _page(content, lang)
