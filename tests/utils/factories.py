"""Request bodies and bank look-ups for API tests, built from the shipped bank and fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.banks.loader import load_bank_file
from app.banks.schema import Bank, Question, QuestionType
from app.settings import PROJECT_ROOT

SHIPPED_SLUG = "social-media-readiness"
SHIPPED_VERSIONS = ("1.0.0", "1.1.0")  # oldest first; new assessments use the latest
SHIPPED_VERSION = SHIPPED_VERSIONS[-1]
SHIPPED_PATH = PROJECT_ROOT / "question_banks" / SHIPPED_SLUG / f"{SHIPPED_VERSION}.yaml"
ANSWERS = Path(__file__).parents[1] / "fixtures" / "answers"


def shipped_bank() -> Bank:
    return load_bank_file(SHIPPED_PATH).bank


def answers(name: str) -> dict[str, Any]:
    """One of the example answer sets in tests/fixtures/answers (ready, not_ready, knockout, ...)."""
    return json.loads((ANSWERS / f"{name}.json").read_text(encoding="utf-8"))


def body(name: str = "ready", **overrides: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "bank": SHIPPED_SLUG,
        "respondent": {"organisation": "Kahvila Esimerkki Oy", "email": "owner@example.fi", "external_ref": "crm-1"},
        "answers": answers(name),
    }
    return request | overrides


def pitch_question(bank: Bank) -> Question:
    return next(q for q in bank.questions if q.type == QuestionType.text and q.dimension == "pitch")


def question_of_type(bank: Bank, kind: QuestionType, **where: Any) -> Question:
    return next(q for q in bank.questions if q.type == kind and all(getattr(q, k) == v for k, v in where.items()))


def knockout_choice(bank: Bank) -> tuple[Question, Any]:
    """A shown question (no show_if) with a knock-out option, and the answer that picks it."""
    for question in bank.questions:
        for option in question.options or []:
            if option.knockout is not None and question.show_if is None:
                value = [option.value] if question.type == QuestionType.multi_choice else option.value
                return question, value
    raise AssertionError("the bank has no knock-out on an always-shown question")


def follow_up(bank: Bank) -> tuple[Question, Question]:
    """A question with show_if and the question it depends on."""
    question = next(q for q in bank.questions if q.show_if is not None)
    assert question.show_if is not None
    return question, next(q for q in bank.questions if q.key == question.show_if.question)
