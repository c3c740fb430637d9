"""The HTML report of a submitted assessment, and the share links that show it without a key."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from sqlmodel import Session, col, select

from app.banks.registry import BankRegistry
from app.models import Assessment, ReportShare, Tenant
from app.models.common import utcnow
from app.models.reports import SharePublic
from app.problems import Conflict, Gone, NotFound
from app.reports import html, view
from app.services import assessments as assessment_service
from app.services import comparisons
from app.services.banks import TenantCatalog


def report_html(
    *,
    session: Session,
    catalog: TenantCatalog,
    tenant: Tenant,
    assessment_id: uuid.UUID,
    lang: str,
    progress: view.ProgressView | None = None,
) -> str:
    """The report of one of the tenant's assessments in `lang`; 404 for another tenant's, 409 for a draft."""
    assessment = assessment_service.get_assessment(session=session, tenant=tenant, assessment_id=assessment_id)
    _require_result(assessment)
    if progress is None:
        progress = since_followed(session=session, catalog=catalog, tenant=tenant, assessment=assessment, lang=lang)
    return _render(assessment, catalog, lang, progress)


def since_followed(
    *, session: Session, catalog: TenantCatalog, tenant: Tenant, assessment: Assessment, lang: str
) -> view.ProgressView | None:
    """The change since the assessment this one `follows`, laid out for the report; None if it follows none."""
    comparison = comparisons.change_since_followed(
        session=session, catalog=catalog, tenant=tenant, assessment=assessment, lang=lang
    )
    if comparison is None:
        return None
    baseline = session.get(Assessment, uuid.UUID(comparison["baseline"]))
    assert baseline is not None  # just compared

    def names(kind: str) -> list[str]:
        return [g["title"] for g in comparison["gaps"][kind]]

    return view.ProgressView(
        previous_date=baseline.submitted_at or baseline.created_at,
        previous_decision=comparison["decision"]["baseline"],
        previous_score=comparison["score"]["baseline"],
        score=comparison["score"]["assessment"],
        dimensions=[
            view.DimensionChange(title=d["title"], before=d["baseline"], after=d["assessment"])
            for d in comparison["dimensions"]
        ],
        closed=names("closed"),
        opened=names("opened"),
        unchanged=names("unchanged"),
    )


def _render(
    assessment: Assessment, catalog: TenantCatalog, lang: str, progress: view.ProgressView | None
) -> str:
    _require_result(assessment)
    registered = catalog.by_id(assessment.bank_version_id)
    result = assessment_service.result_in(assessment=assessment, catalog=catalog, lang=lang)
    if registered is None or result is None:  # the version row exists (foreign key) and is the tenant's or shipped
        raise NotFound(f"The bank version of assessment {assessment.id} is no longer available")
    context = view.build(
        bank=registered.bank,
        result=result,
        answers=assessment.answers,
        meta=view.Meta(
            assessment_id=str(assessment.id),
            organisation=assessment.organisation,
            submitted_at=assessment.submitted_at or assessment.created_at,
        ),
        lang=lang,
        generated_at=utcnow(),
        progress=progress,
    )
    return html.render(context)


def _require_result(assessment: Assessment) -> None:
    if assessment.result is None:
        raise Conflict(f"Assessment {assessment.id} is a draft: it has no result to report until it is submitted")


# --- share links ------------------------------------------------------------------


def token_hash(token: str) -> str:
    # a 256-bit random token needs no pepper or slow hash: only a hash that a database leak cannot reverse
    return hashlib.sha256(token.encode()).hexdigest()


def create_share(
    *, session: Session, tenant: Tenant, assessment_id: uuid.UUID, expires_in_seconds: int
) -> tuple[ReportShare, str]:
    """A new link to the report of a submitted assessment, and its token (shown once); committed."""
    assessment = assessment_service.get_assessment(session=session, tenant=tenant, assessment_id=assessment_id)
    _require_result(assessment)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    share = ReportShare(
        tenant_id=tenant.id,
        assessment_id=assessment.id,
        token_hash=token_hash(token),
        expires_at=now + timedelta(seconds=expires_in_seconds),
        created_at=now,
    )
    session.add(share)
    session.commit()
    return share, token


def list_shares(*, session: Session, tenant: Tenant, assessment_id: uuid.UUID) -> list[ReportShare]:
    """The links to one assessment's report, newest first, expired ones too."""
    assessment_service.get_assessment(session=session, tenant=tenant, assessment_id=assessment_id)
    query = (
        select(ReportShare)
        .where(ReportShare.tenant_id == tenant.id, ReportShare.assessment_id == assessment_id)
        .order_by(col(ReportShare.created_at).desc(), col(ReportShare.id).desc())
    )
    return list(session.exec(query).all())


def revoke_share(*, session: Session, tenant: Tenant, assessment_id: uuid.UUID, share_id: uuid.UUID) -> None:
    """Delete a link: its URL answers 404 from now on."""
    share = session.get(ReportShare, share_id)
    if share is None or share.tenant_id != tenant.id or share.assessment_id != assessment_id:
        raise NotFound(f"No share link {share_id} for assessment {assessment_id}")
    session.delete(share)
    session.commit()


def public(share: ReportShare) -> SharePublic:
    return SharePublic(
        id=share.id,
        assessment_id=share.assessment_id,
        expires_at=share.expires_at,
        created_at=share.created_at,
        expired=share.expires_at <= utcnow(),
    )


def shared_report(*, session: Session, registry: BankRegistry, token: str, lang: str) -> str:
    """The report a share link points at, while the link is valid: 404 for an unknown token, 410 once expired."""
    share = session.exec(select(ReportShare).where(ReportShare.token_hash == token_hash(token))).first()
    if share is None:
        raise NotFound("No report at this link: it was never made, or it was revoked")
    if share.expires_at <= utcnow():
        raise Gone(f"This report link expired at {share.expires_at.isoformat()}; ask for a new one")
    # both exist: the link is deleted with its assessment or tenant (ON DELETE CASCADE)
    assessment = session.get(Assessment, share.assessment_id)
    tenant = session.get(Tenant, share.tenant_id)
    if assessment is None or tenant is None:
        raise NotFound("No report at this link")
    catalog = TenantCatalog(registry=registry, session=session, tenant=tenant)
    _require_result(assessment)
    progress = since_followed(session=session, catalog=catalog, tenant=tenant, assessment=assessment, lang=lang)
    return _render(assessment, catalog, lang, progress)
