"""Question banks: what a form renders, and with include=rubric how it is scored."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from app.api.deps import LangDep, RegistryDep
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
async def list_banks(registry: RegistryDep, lang: LangDep) -> JSONResponse:
    """The banks a caller can see, each in its latest published version."""
    items = [bank_views.summary(b, lang, registry.versions(b.slug)) for b in registry.all_latest()]
    return localized({"items": items}, lang=lang)


@router.get("/{slug}", response_model=BankVersionPublic, responses=problem_responses(404, 422))
async def get_bank(slug: SlugPath, registry: RegistryDep, lang: LangDep, include: IncludeQuery = None) -> JSONResponse:
    """The latest published version of a bank, with texts in the negotiated language."""
    registered = bank_service.get_bank_version(registry, slug, None)
    return localized(bank_views.bank_view(registered, lang, include == "rubric"), lang=lang)


@router.get("/{slug}/versions/{version}", response_model=BankVersionPublic, responses=problem_responses(404, 422))
async def get_bank_version(
    slug: SlugPath, version: VersionPath, registry: RegistryDep, lang: LangDep, include: IncludeQuery = None
) -> JSONResponse:
    """One version of a bank; a stored assessment can always be read against the version it used."""
    registered = bank_service.get_bank_version(registry, slug, version)
    return localized(bank_views.bank_view(registered, lang, include == "rubric"), lang=lang)
