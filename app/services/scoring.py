"""Score a request: resolve its bank, check its answers, run the pure engine."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.banks.registry import BankSource, RegisteredBank
from app.problems import FieldError, InvalidRequest
from app.scoring.answers import check_answers, normalized
from app.scoring.engine import score
from app.scoring.result import Result
from app.services.banks import resolve_submitted_bank


def evaluate(
    *, source: BankSource, slug: str, version: str | None, answers: Mapping[str, Any], lang: str
) -> tuple[RegisteredBank, dict[str, Any], Result]:
    """The bank scored with, the answers as stored (normalised) and the result."""
    registered = resolve_submitted_bank(source, slug, version)
    answers, result = score_answers(registered, answers, lang)
    return registered, answers, result


def score_answers(registered: RegisteredBank, answers: Mapping[str, Any], lang: str) -> tuple[dict[str, Any], Result]:
    """The answers as stored (normalised) and their result; 422 naming every answer that is wrong or missing."""
    answers = normalized(registered.bank, answers)
    problems = check_answers(registered.bank, answers)
    if problems:
        count = len(problems)
        raise InvalidRequest(
            f"{count} answer{'s' if count != 1 else ''} not valid for {registered.slug} {registered.version}",
            [FieldError(f"answers.{p.key}", p.message, p.code) for p in problems],
        )
    return answers, score(registered.bank, answers, lang=lang, content_hash=registered.content_hash)
