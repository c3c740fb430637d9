"""Assessments: score and store in one transaction, read back only within the tenant."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import String, delete, type_coerce, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.banks.registry import RegisteredBank
from app.models import Assessment, Tenant
from app.models.assessments import AssessmentCreate, AssessmentPatch, Respondent
from app.models.common import utcnow
from app.problems import Conflict, FieldError, InvalidRequest, NotFound, ProblemError
from app.scoring.answers import check_answers, normalized
from app.scoring.engine import score, summarize
from app.scoring.result import Result
from app.services import histogram, outbox
from app.services import idempotency as idempotency_service
from app.services import scoring as scoring_service
from app.services.banks import TenantCatalog, resolve_submitted_bank
from app.services.pagination import keyset_page

DRAFT = "draft"
SUBMITTED = "submitted"
Row = TypeVar("Row")
# gaps named in a result's digest, most urgent first
TOP_GAPS = 3
# concurrent writers to one draft retry their merge this often before giving up with 409
_MERGE_ROUNDS = 10


@dataclass(frozen=True)
class ListFilters:
    bank: str | None = None
    bank_version: str | None = None
    decision: str | None = None
    status: str | None = None
    external_ref: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    follows: uuid.UUID | None = None


class PreconditionFailed(ProblemError):
    status, type_slug, title = 412, "precondition-failed", "The assessment has changed since you read it"


def create_assessment(
    *, session: Session, catalog: TenantCatalog, tenant: Tenant, request: AssessmentCreate, lang: str
) -> Assessment:
    """Store a submitted (scored) assessment, or with `submit: false` a draft; flushed, the caller commits."""
    if request.submit:
        registered, answers, result = scoring_service.evaluate(
            source=catalog, slug=request.bank, version=request.bank_version, answers=request.answers, lang=lang
        )
    else:
        registered = resolve_submitted_bank(catalog, request.bank, request.bank_version)
        answers = _checked_part(registered, request.answers)
        result = None
    follows_id = None
    if request.follows is not None:
        follows_id = followed(session=session, tenant=tenant, follows_id=request.follows, bank_slug=registered.slug)
    now = utcnow()
    state = {"status": DRAFT} if result is None else _result_columns(result, now)
    assessment = Assessment(
        tenant_id=tenant.id,
        follows_id=follows_id,
        bank_version_id=registered.id,
        bank_slug=registered.slug,
        bank_version=registered.version,
        locale=lang,
        answers=answers,
        created_at=now,
        updated_at=now,
        **_respondent_columns(request.respondent),
        **state,
    )
    # one Core INSERT of the row as built: the ORM's unit of work (identity map, change tracking, a flush plan)
    # cost more than the statement itself, and nothing here changes the row again
    session.connection().execute(_ASSESSMENT_INSERT, [_row_of(assessment)])
    if result is not None:
        # the event and the peer figures commit with the assessment, or none does
        outbox.assessment_submitted(session=session, assessment=assessment)
        histogram.record_submission(
            session=session, tenant_id=tenant.id, bank_version_id=registered.id, moment=now, result=result
        )
    return assessment


def update_draft(
    *,
    session: Session,
    catalog: TenantCatalog,
    tenant: Tenant,
    assessment_id: uuid.UUID,
    patch: AssessmentPatch,
    if_match: str | None,
) -> Assessment:
    """Merge answers into a draft (`null` removes one) and commit.

    A compare-and-set on `revision` keeps concurrent writers from losing each
    other's answers: without If-Match a writer that lost the race merges again
    onto the newer draft; with If-Match it gets 412 instead.
    """
    for _ in range(_MERGE_ROUNDS):
        assessment = _draft_for_change(session, tenant, assessment_id, if_match)
        registered = _bank_of(catalog, assessment)
        given = {k: v for k, v in patch.answers.items() if v is not None}
        checked = _checked_part(registered, given)
        answers = {k: v for k, v in assessment.answers.items() if k not in patch.answers} | checked
        values: dict[str, Any] = {"answers": answers}
        if patch.respondent is not None:
            values |= _respondent_columns(patch.respondent)
        if patch.locale is not None:
            values["locale"] = patch.locale
        if "follows" in patch.model_fields_set:  # sent as null: the draft follows nothing any more
            values["follows_id"] = None if patch.follows is None else followed(
                session=session, tenant=tenant, follows_id=patch.follows, bank_slug=assessment.bank_slug, own_id=assessment.id
            )
        if _compare_and_set(session, assessment, values):
            session.commit()
            return get_assessment(session=session, tenant=tenant, assessment_id=assessment_id)
    raise Conflict("The draft is being changed by many writers at once; send the change again")


def submit_draft(
    *, session: Session, catalog: TenantCatalog, tenant: Tenant, assessment_id: uuid.UUID, if_match: str | None, lang: str
) -> Assessment:
    """Score a complete draft in `lang` and freeze it; flushed, the caller commits."""
    for _ in range(_MERGE_ROUNDS):
        assessment = _draft_for_change(session, tenant, assessment_id, if_match)
        registered = _bank_of(catalog, assessment)
        # scored with the version the draft was started on, even if it has been retired since
        _, result = scoring_service.score_answers(registered, assessment.answers, lang)
        now = utcnow()
        values = _result_columns(result, now) | {"locale": lang}
        if _compare_and_set(session, assessment, values, now=now):
            submitted = get_assessment(session=session, tenant=tenant, assessment_id=assessment_id)
            outbox.assessment_submitted(session=session, assessment=submitted)
            histogram.record_submission(
                session=session, tenant_id=tenant.id, bank_version_id=registered.id, moment=now, result=result
            )
            session.flush()
            return submitted
    raise Conflict("The draft is being changed by many writers at once; send the submit again")


def followed(
    *, session: Session, tenant: Tenant, follows_id: uuid.UUID, bank_slug: str, own_id: uuid.UUID | None = None
) -> uuid.UUID:
    """`follows_id` if an assessment may follow it up: the tenant's own, submitted, of the same bank, not itself."""

    def refuse(detail: str, code: str) -> InvalidRequest:
        return InvalidRequest(f"The assessment cannot follow up {follows_id}", [FieldError("follows", detail, code)])

    if follows_id == own_id:
        raise refuse("an assessment cannot follow up itself", "follows_itself")
    earlier = session.get(Assessment, follows_id)
    # another tenant's assessment is indistinguishable from a missing one
    if earlier is None or earlier.tenant_id != tenant.id:
        raise refuse("no such assessment", "unknown_assessment")
    if earlier.status != SUBMITTED:
        raise refuse("that assessment is a draft; only a submitted one can be followed up", "follows_draft")
    if earlier.bank_slug != bank_slug:
        raise refuse(f"that assessment answers bank {earlier.bank_slug!r}, not {bank_slug!r}", "other_bank")
    return follows_id


_ASSESSMENT_INSERT = Assessment.__table__.insert()  # type: ignore[attr-defined]
_ASSESSMENT_COLUMNS = tuple(column.key for column in Assessment.__table__.columns)  # type: ignore[attr-defined]


def _row_of(assessment: Assessment) -> dict[str, Any]:
    return {name: getattr(assessment, name) for name in _ASSESSMENT_COLUMNS}


def _result_columns(result: Result, moment: datetime) -> dict[str, Any]:
    """A submitted assessment's state: its result, frozen at `moment`."""
    stored = result.model_dump(mode="json")
    return {
        "status": SUBMITTED,
        "result": stored,
        "digest": digest(stored),
        "decision": result.decision.value,
        "score": result.score,
        "submitted_at": moment,
    }


def digest(result: Mapping[str, Any]) -> dict[str, Any]:
    """The figures of a stored result that lists and exports show: a few hundred bytes of its ~18 KB."""
    gaps = result["gaps"]
    return {
        "coverage": result["coverage"],
        "dimensions": {d["key"]: d["score"] for d in result["dimensions"]},
        "top_gaps": [{"dimension": g["dimension"], "severity": g["severity"]} for g in gaps[:TOP_GAPS]],
        "top_recommendation": gaps[0]["recommendation"] if gaps else None,
    }


def _draft_for_change(session: Session, tenant: Tenant, assessment_id: uuid.UUID, if_match: str | None) -> Assessment:
    session.expire_all()  # a retry must see what the winner of the race committed
    assessment = get_assessment(session=session, tenant=tenant, assessment_id=assessment_id)
    if assessment.status != DRAFT:
        raise Conflict(f"Assessment {assessment_id} is already submitted; a submitted assessment never changes")
    if if_match is not None and not revision_matches(if_match, assessment.revision):
        raise PreconditionFailed(
            f"If-Match {if_match} does not match the current revision \"{assessment.revision}\"; "
            "read the assessment again and merge your change onto it",
            [FieldError("header.If-Match", f'the current ETag is "{assessment.revision}"', "stale_revision")],
        )
    return assessment


def _compare_and_set(
    session: Session, assessment: Assessment, values: dict[str, Any], *, now: datetime | None = None
) -> bool:
    # only the writer that read the current revision wins; the others read again
    result = session.execute(
        update(Assessment)
        .where(
            col(Assessment.id) == assessment.id,
            col(Assessment.revision) == assessment.revision,
            col(Assessment.status) == DRAFT,
        )
        .values(revision=assessment.revision + 1, updated_at=now or utcnow(), **values)
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        return True
    session.rollback()
    return False


def revision_matches(if_match: str, revision: int) -> bool:
    """RFC 9110 If-Match: `*`, or a list of strong entity tags one of which is the revision's."""
    if if_match.strip() == "*":
        return True
    return any(tag.strip() == f'"{revision}"' for tag in if_match.split(","))


def _bank_of(catalog: TenantCatalog, assessment: Assessment) -> RegisteredBank:
    registered = catalog.by_id(assessment.bank_version_id)
    if registered is None:  # the row's foreign key keeps its version; it is the tenant's or shipped
        raise NotFound(f"The bank version of assessment {assessment.id} is no longer available")
    return registered


def _checked_part(registered: RegisteredBank, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Some answers, normalised and each checked on its own; what is still missing is not an error yet."""
    answers = normalized(registered.bank, answers)
    problems = check_answers(registered.bank, answers, require_complete=False)
    if problems:
        count = len(problems)
        raise InvalidRequest(
            f"{count} answer{'s' if count != 1 else ''} not valid for {registered.slug} {registered.version}",
            [FieldError(f"answers.{p.key}", p.message, p.code) for p in problems],
        )
    return answers


def _respondent_columns(respondent: Respondent) -> dict[str, Any]:
    return {
        "organisation": respondent.organisation,
        "email": str(respondent.email) if respondent.email else None,
        "external_ref": respondent.external_ref,
    }


def progress(*, catalog: TenantCatalog, assessment: Assessment) -> dict[str, Any]:
    """How far a draft is: the required questions still unanswered and the coverage so far."""
    bank = _bank_of(catalog, assessment).bank
    missing = [
        p.key for p in check_answers(bank, assessment.answers) if p.code == "missing_required"
    ]
    return {
        "missing_required": missing,
        "answered": len(assessment.answers),
        "coverage": summarize(bank, assessment.answers).coverage,
        "ready_to_submit": not missing,
    }


def get_assessment(*, session: Session, tenant: Tenant, assessment_id: uuid.UUID) -> Assessment:
    assessment = session.get(Assessment, assessment_id)
    # another tenant's assessment is indistinguishable from a missing one
    if assessment is None or assessment.tenant_id != tenant.id:
        raise NotFound(f"No assessment {assessment_id}")
    return assessment


def delete_assessment(*, session: Session, tenant: Tenant, assessment_id: uuid.UUID) -> None:
    """Erase an assessment with its answers and respondent details (GDPR art. 17).

    The row is deleted, not flagged: nothing of the respondent stays behind.
    Impact reports are computed from the stored rows when asked for; the peer
    histograms lose its counts in the same transaction; a remembered idempotent
    answer keeps a copy, so it goes too; its share links go with the row.
    """
    assessment = get_assessment(session=session, tenant=tenant, assessment_id=assessment_id)
    idempotency_service.forget(session, tenant_id=tenant.id, location=f"/v1/assessments/{assessment.id}")
    gone = session.execute(
        delete(Assessment).where(col(Assessment.id) == assessment.id, col(Assessment.tenant_id) == tenant.id)
    )
    if gone.rowcount != 1:  # type: ignore[attr-defined]
        # erased by a concurrent request meanwhile: its counts were taken away there, not twice
        session.rollback()
        raise NotFound(f"No assessment {assessment_id}")
    outbox.assessment_deleted(session=session, assessment=assessment)
    histogram.record_erasure(session=session, assessment=assessment)
    session.commit()


# what a list shows of each assessment; `summary` reads these by name
LISTED = (
    "id", "bank_slug", "bank_version", "status", "revision", "organisation", "email", "external_ref",
    "decision", "score", "created_at", "updated_at", "submitted_at", "follows_id",
)


# On SQLite, ids and times are read as the text they are stored as (32 hex digits, "YYYY-MM-DD HH:MM:SS.ffffff"
# in UTC) and printed straight from it: making UUID and datetime objects of them only to print them again was
# a third of a page's cost. PostgreSQL's driver hands over its own objects, built in C.
_TEXT_ON_SQLITE = frozenset({"id", "created_at", "updated_at", "submitted_at", "follows_id"})


def list_assessments(
    *, session: Session, tenant: Tenant, filters: ListFilters, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """The tenant's assessments as listed, newest first, by keyset on (created_at, id).

    Plain rows of the LISTED columns, not ORM objects, and never the answers or
    results: building objects and decoding ~20 KB of JSON per row was most of a
    page's cost.
    """
    as_text = session.get_bind().dialect.name == "sqlite"
    columns = [
        type_coerce(getattr(Assessment, name), String).label(name) if as_text and name in _TEXT_ON_SQLITE
        else getattr(Assessment, name)
        for name in LISTED
    ]
    query = filtered(select(*columns), tenant.id, filters)
    rows, next_cursor = keyset_page(
        session=session, query=query, model=Assessment, limit=limit, cursor=cursor, core=True,
        position=_position_of_text if as_text else None,
    )
    return [summary(row, as_text=as_text) for row in rows], next_cursor


def _position_of_text(row: Any) -> tuple[datetime, uuid.UUID]:
    return datetime.fromisoformat(row.created_at).replace(tzinfo=UTC), uuid.UUID(hex=row.id)


def _iso_of_text(stored: str | None) -> str | None:
    """SQLite's stored UTC time as `datetime.isoformat()` prints it: a T, no zero microseconds, +00:00."""
    if stored is None:
        return None
    return stored[:10] + "T" + (stored[11:19] if stored.endswith(".000000") else stored[11:]) + "+00:00"


def _uuid_of_text(stored: str | None) -> str | None:
    """32 stored hex digits in the 8-4-4-4-12 form that `str(uuid)` prints."""
    if stored is None:
        return None
    return f"{stored[:8]}-{stored[8:12]}-{stored[12:16]}-{stored[16:20]}-{stored[20:]}"


def filtered(query: SelectOfScalar[Row], tenant_id: uuid.UUID, filters: ListFilters) -> SelectOfScalar[Row]:
    """`query` narrowed to the tenant's assessments that pass `filters`."""
    query = query.where(Assessment.tenant_id == tenant_id)
    for column, value in (
        (Assessment.bank_slug, filters.bank),
        (Assessment.bank_version, filters.bank_version),
        (Assessment.decision, filters.decision),
        (Assessment.status, filters.status),
        (Assessment.external_ref, filters.external_ref),
        (Assessment.follows_id, filters.follows),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.created_after is not None:
        query = query.where(col(Assessment.created_at) > filters.created_after)
    if filters.created_before is not None:
        query = query.where(col(Assessment.created_at) < filters.created_before)
    return query


def result_in(*, assessment: Assessment, catalog: TenantCatalog, lang: str) -> dict[str, Any] | None:
    """The stored result, or the same result re-scored in another language; None for a draft.

    Scoring is deterministic and a stored bank version never changes, so the
    re-scored result differs from the stored one in its texts only. A result
    stored before the path to go existed is re-scored too, to gain it: the
    engine's numbers have not changed since.
    """
    if assessment.result is None:
        return None
    if assessment.locale == lang and "path_to_go" in assessment.result:
        return assessment.result
    registered = catalog.by_id(assessment.bank_version_id)
    if registered is None:  # the version row exists (foreign key) and is the tenant's or shipped
        return assessment.result
    return score(registered.bank, assessment.answers, lang=lang, content_hash=registered.content_hash).model_dump(
        mode="json"
    )


def public(
    assessment: Assessment, result: dict[str, Any] | None, progress: dict[str, Any] | None = None
) -> dict[str, Any]:
    return summary(assessment) | {"answers": assessment.answers, "result": result, "progress": progress}


def summary(assessment: Any, *, as_text: bool = False) -> dict[str, Any]:
    """An assessment as listed, from its row or from a listed row (`LISTED`; `as_text`: SQLite's stored text)."""
    respondent: dict[str, Any] = {"organisation": assessment.organisation}
    if assessment.email is not None:
        respondent["email"] = assessment.email
    if assessment.external_ref is not None:
        respondent["external_ref"] = assessment.external_ref
    if as_text:
        iso, ident = _iso_of_text, _uuid_of_text
        created_at, updated_at, submitted_at = iso(assessment.created_at), iso(assessment.updated_at), iso(assessment.submitted_at)
        id_, follows = ident(assessment.id), ident(assessment.follows_id)
    else:
        created_at, updated_at = assessment.created_at.isoformat(), assessment.updated_at.isoformat()
        submitted_at = assessment.submitted_at.isoformat() if assessment.submitted_at else None
        id_, follows = str(assessment.id), str(assessment.follows_id) if assessment.follows_id else None
    return {
        "id": id_,
        "bank": assessment.bank_slug,
        "bank_version": assessment.bank_version,
        "status": assessment.status,
        "revision": assessment.revision,
        "respondent": respondent,
        "decision": assessment.decision,
        "score": assessment.score,
        "created_at": created_at,
        "updated_at": updated_at,
        "submitted_at": submitted_at,
        "follows": follows,
    }


def aware(moment: datetime | None, field: str) -> datetime | None:
    """A filter time must carry its zone: a naive one would mean different instants on each server."""
    if moment is not None and moment.tzinfo is None:
        raise InvalidRequest(
            f"{field} needs a time zone", [FieldError(f"query.{field}", "add a zone, e.g. 2026-01-31T00:00:00Z", "naive_datetime")]
        )
    return moment
