"""How a bank is shown to clients: texts in one language, rubric only when asked for.

Views are plain dicts built once per (bank, language, rubric) and cached, since a
published version never changes; the Pydantic models describe them for OpenAPI
and the tests hold the two together.
"""

from __future__ import annotations

from functools import lru_cache

import orjson
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.banks.registry import RegisteredBank
from app.banks.schema import Bank, Question, Text


class _View(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KnockoutPublic(_View):
    reason: str


class OptionPublic(_View):
    value: bool | int | str
    label: str
    points: float | None = Field(default=None, description="with include=rubric")
    knockout: KnockoutPublic | None = Field(default=None, description="with include=rubric")


class BandPublic(_View):
    min: float
    max: float
    points: float


class CheckPublic(_View):
    key: str
    kind: str
    value: int | dict[str, str] = Field(
        description="characters for min_length/max_length; for pattern, a Python regular expression per language, "
        "searched case-insensitively: an answer passes if either language's matches"
    )
    label: str
    points: float


class ShowIfPublic(_View):
    question: str
    equals: bool | int | str | None = None
    in_: list[bool | int | str] | None = Field(default=None, alias="in")
    contains: str | None = None


class QuestionPublic(_View):
    key: str
    dimension: str
    type: str
    prompt: str
    help: str | None
    required: bool
    options: list[OptionPublic] | None = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    show_if: ShowIfPublic | None
    allow_dont_know: bool
    allow_not_applicable: bool
    source: str
    weight: float | None = Field(default=None, description="with include=rubric")
    bands: list[BandPublic] | None = Field(default=None, description="with include=rubric")
    checks: list[CheckPublic] | None = Field(default=None, description="with include=rubric")


class DimensionPublic(_View):
    key: str
    title: str
    description: str
    weight: float | None = Field(default=None, description="with include=rubric")
    target: float | None = Field(default=None, description="with include=rubric")
    floor: float | None = Field(default=None, description="with include=rubric")


class PolicyPublic(_View):
    go_at: float
    no_go_below: float
    min_coverage: float


class BankSummary(_View):
    slug: str
    version: str
    title: str
    description: str
    locale: str
    content_hash: str
    versions: list[str]


class BankList(_View):
    items: list[BankSummary]


class BankVersionPublic(_View):
    slug: str
    version: str
    status: str = Field(description="draft, published or retired")
    title: str
    description: str
    locale: str
    content_hash: str
    dimensions: list[DimensionPublic]
    questions: list[QuestionPublic]
    policy: PolicyPublic | None = Field(default=None, description="with include=rubric")


def summary(registered: RegisteredBank, lang: str, versions: list[str]) -> dict[str, Any]:
    bank = registered.bank
    return {
        "slug": bank.slug,
        "version": bank.version,
        "title": bank.title.get(lang),
        "description": bank.description.get(lang),
        "locale": lang,
        "content_hash": registered.content_hash,
        "versions": versions,
    }


@lru_cache(maxsize=256)
def bank_bytes(registered: RegisteredBank, lang: str, rubric: bool) -> bytes:
    """The view serialised once: a stored bank version never changes, so neither do its bytes."""
    return orjson.dumps(bank_view(registered, lang, rubric))


@lru_cache(maxsize=256)
def bank_view(registered: RegisteredBank, lang: str, rubric: bool) -> dict[str, Any]:
    bank = registered.bank
    view: dict[str, Any] = {
        "slug": bank.slug,
        "version": bank.version,
        "status": registered.status,
        "title": bank.title.get(lang),
        "description": bank.description.get(lang),
        "locale": lang,
        "content_hash": registered.content_hash,
        "dimensions": [_dimension(bank, i, lang, rubric) for i in range(len(bank.dimensions))],
        "questions": [_question(q, lang, rubric) for q in bank.questions],
    }
    if rubric:
        view["policy"] = bank.policy.model_dump()
    return view


def _dimension(bank: Bank, index: int, lang: str, rubric: bool) -> dict[str, Any]:
    d = bank.dimensions[index]
    view: dict[str, Any] = {"key": d.key, "title": d.title.get(lang), "description": d.description.get(lang)}
    if rubric:
        view |= {"weight": d.weight, "target": d.target, "floor": d.floor}
    return view


def _text(text: Text | None, lang: str) -> str | None:
    return text.get(lang) if text is not None else None


def _question(q: Question, lang: str, rubric: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "key": q.key,
        "dimension": q.dimension,
        "type": q.type.value,
        "prompt": q.prompt.get(lang),
        "help": _text(q.help, lang),
        "required": q.required,
        "show_if": q.show_if.model_dump(by_alias=True, exclude_none=True) if q.show_if else None,
        "allow_dont_know": q.allow_dont_know,
        "allow_not_applicable": q.allow_not_applicable,
        "source": q.source,
    }
    if q.options is not None:
        view["options"] = [
            {"value": o.value, "label": o.label.get(lang)}
            | (
                {"points": o.points, "knockout": {"reason": o.knockout.reason.get(lang)} if o.knockout else None}
                if rubric
                else {}
            )
            for o in q.options
        ]
    scale = q.scale_range()
    if scale is not None:
        view["min"], view["max"] = scale
    if q.min is not None and scale is None:
        view["min"], view["max"] = q.min, q.max
    if q.max_length is not None:
        view["max_length"] = q.max_length
    if rubric:
        view["weight"] = q.weight
        if q.bands is not None:
            view["bands"] = [{"min": b.min, "max": b.max, "points": b.points} for b in q.bands]
        if q.checks is not None:
            view["checks"] = [
                {
                    "key": c.key,
                    "kind": c.kind,
                    "value": c.value if isinstance(c.value, int) else c.value.model_dump(),
                    "label": c.label.get(lang),
                    "points": c.points,
                }
                for c in q.checks
            ]
    return view
