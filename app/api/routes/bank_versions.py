"""A tenant's own banks: create, draft, validate, publish, retire, compare, and see the impact."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from fastapi.responses import JSONResponse
from pydantic import JsonValue

from app.api.deps import SecretCatalogDep, SessionDep
from app.api.examples import OVERLAY_EXAMPLES
from app.banks.diff import diff_banks
from app.banks.schema import SemVer, Slug
from app.models.banks import BankDiff, BankVersionState, ImpactReport, ValidationReport
from app.problems import FieldError, InvalidRequest, problem_responses
from app.services import bank_versions as version_service
from app.services import banks as bank_service
from app.services import impact as impact_service

router = APIRouter(prefix="/v1/banks", tags=["bank management"])

# the bank format's own patterns: a malformed slug or version is a 422, never a database lookup
SlugPath = Annotated[Slug, Path(max_length=64, examples=["b2b-readiness"])]
VersionPath = Annotated[SemVer, Path(max_length=32, examples=["1.0.0"])]
Document = Annotated[
    dict[str, JsonValue],
    Body(
        description="A bank document (as in docs/question-bank-format.md, as JSON) or an overlay naming its `base`",
        openapi_examples=OVERLAY_EXAMPLES,
    ),
]


def _state(row: Any, status_code: int = 200) -> JSONResponse:
    headers = {"Location": f"/v1/banks/{row.slug}/versions/{row.version}"} if status_code == 201 else None
    return JSONResponse(version_service.version_view(row), status_code=status_code, headers=headers)


@router.post("", status_code=201, response_model=BankVersionState, responses=problem_responses(400, 401, 403, 409, 422))
def create_bank(document: Document, session: SessionDep, catalog: SecretCatalogDep) -> JSONResponse:
    """Create a bank of your own and its first version, as a draft."""
    return _state(version_service.create_bank(session=session, catalog=catalog, document=document), 201)


@router.post(
    "/{slug}/versions",
    status_code=201,
    response_model=BankVersionState,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
def create_bank_version(slug: SlugPath, document: Document, session: SessionDep, catalog: SecretCatalogDep) -> JSONResponse:
    """Add a new draft version to one of your banks."""
    return _state(version_service.create_version(session=session, catalog=catalog, slug=slug, document=document), 201)


@router.put(
    "/{slug}/versions/{version}", response_model=BankVersionState, responses=problem_responses(400, 401, 403, 404, 409, 422)
)
def replace_bank_version(
    slug: SlugPath, version: VersionPath, document: Document, session: SessionDep, catalog: SecretCatalogDep
) -> JSONResponse:
    """Replace a draft; a published or retired version never changes (409)."""
    row = version_service.replace_draft(session=session, catalog=catalog, slug=slug, version=version, document=document)
    return _state(row)


@router.post(
    "/{slug}/versions/{version}/validate", response_model=ValidationReport, responses=problem_responses(401, 403, 404, 422)
)
def validate_bank_version(slug: SlugPath, version: VersionPath, catalog: SecretCatalogDep) -> JSONResponse:
    """Run the version's fixtures and say whether it could be published."""
    return JSONResponse(version_service.validate_version(catalog=catalog, slug=slug, version=version))


@router.post(
    "/{slug}/versions/{version}/publish", response_model=BankVersionState, responses=problem_responses(401, 403, 404, 409, 422)
)
def publish_bank_version(slug: SlugPath, version: VersionPath, session: SessionDep, catalog: SecretCatalogDep) -> JSONResponse:
    """Publish a draft once every fixture gives its expected decision; from then on it never changes."""
    return _state(version_service.publish(session=session, catalog=catalog, slug=slug, version=version))


@router.post(
    "/{slug}/versions/{version}/retire", response_model=BankVersionState, responses=problem_responses(401, 403, 404, 409, 422)
)
def retire_bank_version(slug: SlugPath, version: VersionPath, session: SessionDep, catalog: SecretCatalogDep) -> JSONResponse:
    """Stop a published version taking answers; its assessments stay readable."""
    return _state(version_service.retire(session=session, catalog=catalog, slug=slug, version=version))


@router.get("/{slug}/versions/{version}/diff", response_model=BankDiff, responses=problem_responses(401, 403, 404, 422))
def diff_bank_versions(
    slug: SlugPath,
    version: VersionPath,
    catalog: SecretCatalogDep,
    against: Annotated[SemVer, Query(max_length=32, description="the version to compare with")],
) -> JSONResponse:
    """What differs between two versions of a bank, change by change."""
    new = bank_service.get_bank_version(catalog, slug, version)
    old = catalog.get(slug, against)
    if old is None:
        raise InvalidRequest(
            f"{slug} has no version {against}", [FieldError("query.against", "no such version", "unknown_bank_version")]
        )
    changes = [change.model_dump(mode="json") for change in diff_banks(old.bank, new.bank)]
    return JSONResponse({"slug": slug, "version": version, "against": against, "changes": changes})


@router.post("/{slug}/versions/{version}/impact", response_model=ImpactReport, responses=problem_responses(401, 403, 404, 422))
def bank_version_impact(
    slug: SlugPath,
    version: VersionPath,
    session: SessionDep,
    catalog: SecretCatalogDep,
    against: Annotated[
        SemVer | None, Query(max_length=32, description="default: the previous version, or the overlay's base")
    ] = None,
) -> JSONResponse:
    """Re-score your stored assessments of the earlier version with this one and report what would change; nothing is overwritten."""
    report = impact_service.impact(session=session, catalog=catalog, slug=slug, version=version, against=against)
    return JSONResponse(report)
