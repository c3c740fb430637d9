"""A bank version as a form: JSON Schema of the answers plus UI schemas for form libraries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from app.api.deps import LangDep, SourceDep
from app.api.responses import cacheable, entity_tag
from app.banks.form_schema import FormSchemaDocument, form_schema_view
from app.banks.schema import SemVer, Slug
from app.problems import problem_responses
from app.services import banks as bank_service

router = APIRouter(prefix="/v1/banks", tags=["banks"])

SlugPath = Annotated[Slug, Path(max_length=64, examples=["social-media-readiness"])]
VersionPath = Annotated[SemVer, Path(max_length=32, examples=["1.0.0"])]


@router.get(
    "/{slug}/versions/{version}/form-schema",
    response_model=FormSchemaDocument,
    responses=problem_responses(401, 404, 422) | {304: {"description": "Not modified: If-None-Match is current"}},
)
async def get_form_schema(
    request: Request, slug: SlugPath, version: VersionPath, source: SourceDep, lang: LangDep
) -> Response:
    """The answers object of one bank version as a form, with texts in the negotiated language.

    `schema` is a JSON Schema (draft 2020-12) of `answers` in `POST /v1/score`:
    one property per question with its prompt as `title` and help as
    `description`; choices as `oneOf` of `const` and `title`; ranges, `maxLength`
    and the special states (`{"state": "dont_know"}`, `{"state": "not_applicable"}`)
    where the bank allows them; `required` for always-shown questions and
    `if`/`then` for required questions with `show_if`. Every answers object it
    accepts, the API accepts too (send scale answers as JSON integers: `3`, not
    `3.0`). `ui_schema` is a react-jsonschema-form uiSchema and
    `json_forms_ui_schema` a JSON Forms UI schema (a group per dimension,
    `show_if` as SHOW rules). Points, weights and other rubric data never appear.
    With a key, the tenant's own banks (drafts too) are found as well.
    """
    registered = bank_service.get_bank_version(source, slug, version)
    etag = entity_tag(registered.content_hash, registered.version, registered.status, lang, "form-schema")
    return cacheable(request, form_schema_view(registered, lang), lang=lang, etag=etag)
