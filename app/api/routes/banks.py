"""Question banks: what a form renders, and with include=rubric how it is scored."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from app.api.deps import LangDep, RegistryDep, SourceDep
from app.api.responses import localized
from app.banks import public as bank_views
from app.banks.public import BankList, BankVersionPublic
from app.problems import problem_responses
from app.services import banks as bank_service

router = APIRouter(prefix="/v1/banks", tags=["banks"])

SlugPath = Annotated[str, Path(max_length=64, examples=["social-media-readiness"])]
VersionPath = Annotated[str, Path(max_length=32, examples=["1.0.0"])]
IncludeQuery = Annotated[
    Literal["rubric"] | None,
    Query(description="`rubric` adds points, weights, targets, floors, thresholds and knock-outs"),
]


@router.get("", response_model=BankList, responses=problem_responses(422))
def list_banks(registry: RegistryDep, source: SourceDep, lang: LangDep) -> JSONResponse:
    """The banks a caller can see, each in its latest published version: the shipped ones, and with a key the tenant's own."""
    catalog = source if isinstance(source, bank_service.TenantCatalog) else None
    items = [bank_views.summary(b, lang, source.versions(b.slug)) for b in bank_service.visible_banks(registry, catalog)]
    return localized({"items": items}, lang=lang)


@router.get("/{slug}", response_model=BankVersionPublic, responses=problem_responses(404, 422))
def get_bank(slug: SlugPath, source: SourceDep, lang: LangDep, include: IncludeQuery = None) -> JSONResponse:
    """The latest published version of a bank, with texts in the negotiated language."""
    registered = bank_service.get_bank_version(source, slug, None)
    return localized(bank_views.bank_view(registered, lang, include == "rubric"), lang=lang)


@router.get("/{slug}/versions/{version}", response_model=BankVersionPublic, responses=problem_responses(404, 422))
def get_bank_version(
    slug: SlugPath, version: VersionPath, source: SourceDep, lang: LangDep, include: IncludeQuery = None
) -> JSONResponse:
    """One version of a bank (a tenant's drafts too, with its key); a stored assessment can always be read against the version it used."""
    registered = bank_service.get_bank_version(source, slug, version)
    return localized(bank_views.bank_view(registered, lang, include == "rubric"), lang=lang)
