"""Question banks: what a form renders, and with include=rubric how it is scored."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from app.api.deps import LangDep, RegistryDep, SourceDep
from app.api.responses import cacheable, entity_tag, localized
from app.banks import public as bank_views
from app.banks.public import BankList, BankVersionPublic
from app.banks.registry import RegisteredBank
from app.banks.schema import SemVer, Slug
from app.problems import problem_responses
from app.services import banks as bank_service

router = APIRouter(prefix="/v1/banks", tags=["banks"])

# the bank format's own patterns: a malformed slug or version is a 422, never a database lookup
SlugPath = Annotated[Slug, Path(max_length=64, examples=["social-media-readiness"])]
VersionPath = Annotated[SemVer, Path(max_length=32, examples=["1.0.0"])]
IncludeQuery = Annotated[
    Literal["rubric"] | None,
    Query(description="`rubric` adds points, weights, targets, floors, thresholds and knock-outs"),
]


@router.get("", response_model=BankList, responses=problem_responses(401, 422))
async def list_banks(registry: RegistryDep, source: SourceDep, lang: LangDep) -> JSONResponse:
    """The banks a caller can see, each in its latest published version: the shipped ones, and with a key the tenant's own."""
    catalog = source if isinstance(source, bank_service.TenantCatalog) else None
    items = [bank_views.summary(b, lang, source.versions(b.slug)) for b in bank_service.visible_banks(registry, catalog)]
    return localized({"items": items}, lang=lang)


def _bank_response(request: Request, registered: RegisteredBank, lang: str, include: str | None) -> Response:
    rubric = include == "rubric"
    etag = entity_tag(registered.content_hash, registered.version, registered.status, lang, str(rubric))
    return cacheable(request, bank_views.bank_bytes(registered, lang, rubric), lang=lang, etag=etag)


_BANK_RESPONSES = problem_responses(401, 404, 422) | {304: {"description": "Not modified: the client's copy (If-None-Match) is current"}}


@router.get("/{slug}", response_model=BankVersionPublic, responses=_BANK_RESPONSES)
async def get_bank(request: Request, slug: SlugPath, source: SourceDep, lang: LangDep, include: IncludeQuery = None) -> Response:
    """The latest published version of a bank, with texts in the negotiated language; revalidate with If-None-Match."""
    return _bank_response(request, bank_service.get_bank_version(source, slug, None), lang, include)


@router.get("/{slug}/versions/{version}", response_model=BankVersionPublic, responses=_BANK_RESPONSES)
async def get_bank_version(
    request: Request, slug: SlugPath, version: VersionPath, source: SourceDep, lang: LangDep, include: IncludeQuery = None
) -> Response:
    """One version of a bank (with a key, the tenant's drafts too); an assessment can always be read against the version it used."""
    return _bank_response(request, bank_service.get_bank_version(source, slug, version), lang, include)
