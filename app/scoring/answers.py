"""Check submitted answers against a bank: pure, and reports every problem at once."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.banks.schema import Bank, Question, QuestionType, ShowIf
from app.text import has_control_characters

DONT_KNOW = "dont_know"
NOT_APPLICABLE = "not_applicable"
SPECIAL_STATES = (DONT_KNOW, NOT_APPLICABLE)


@dataclass(frozen=True)
class AnswerError:
    key: str
    code: str
    message: str


def special_state(value: Any) -> str | None:
    """The special state an answer stands for (`{"state": "dont_know"}`), if any."""
    if isinstance(value, dict) and set(value) == {"state"} and value["state"] in SPECIAL_STATES:
        return value["state"]
    return None


def is_shown(question: Question, answers: Mapping[str, Any], questions: Mapping[str, Question]) -> bool:
    """Whether `show_if` lets a question be seen; a hidden question hides its followers too."""
    if question.show_if is None:
        return True
    target = questions[question.show_if.question]
    if not is_shown(target, answers, questions):
        return False
    value = answers.get(target.key)
    if value is None or special_state(value) is not None:
        return False
    return _matches(question.show_if, value)


def _matches(condition: ShowIf, value: Any) -> bool:
    if condition.contains is not None:
        return isinstance(value, list) and condition.contains in value
    wanted = [condition.equals] if condition.equals is not None else list(condition.in_ or [])
    # bool is an int in Python: compare types too so that true never equals 1
    return any(type(value) is type(w) and value == w for w in wanted)


def normalized(bank: Bank, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers with integral floats on scale questions made integers.

    JSON does not tell 3.0 from 3 (JSON Schema calls both integers), so a form
    library may send either; the stored and scored answer is the integer.
    """
    scales = {q.key for q in bank.questions if q.type == QuestionType.scale}
    return {
        key: int(value) if key in scales and isinstance(value, float) and value.is_integer() else value
        for key, value in answers.items()
    }


def check_answers(bank: Bank, answers: Mapping[str, Any], *, require_complete: bool = True) -> list[AnswerError]:
    """Every problem with `answers`, in bank order; an empty list means they can be scored."""
    questions = {q.key: q for q in bank.questions}
    errors = [
        AnswerError(key, "unknown_question", f"{key!r} is not a question of {bank.slug} {bank.version}")
        for key in answers
        if key not in questions
    ]
    for question in bank.questions:
        if question.key in answers:
            problem = _check_value(question, answers[question.key])
            if problem is not None:
                errors.append(AnswerError(question.key, *problem))
        elif require_complete and question.required and is_shown(question, answers, questions):
            errors.append(AnswerError(question.key, "missing_required", "this question is required"))
    return errors


def _check_value(question: Question, value: Any) -> tuple[str, str] | None:
    if isinstance(value, dict):
        state = special_state(value)
        if state is None:
            return "invalid_state", 'a special answer must be {"state": "dont_know"} or {"state": "not_applicable"}'
        allowed = question.allow_dont_know if state == DONT_KNOW else question.allow_not_applicable
        return None if allowed else ("state_not_allowed", f"{state} is not allowed for this question")
    checker = _CHECKERS[question.type]
    return checker(question, value)


def _check_single(question: Question, value: Any) -> tuple[str, str] | None:
    if not isinstance(value, str):
        return "wrong_type", "expected one option value (a string)"
    return None if value in _option_values(question) else _not_an_option(question, value)


def _check_multi(question: Question, value: Any) -> tuple[str, str] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return "wrong_type", "expected a list of option values (strings)"
    if len(set(value)) != len(value):
        return "duplicate_option", "each option may be chosen once"
    unknown = [v for v in value if v not in _option_values(question)]
    return _not_an_option(question, unknown[0]) if unknown else None


def _check_scale(question: Question, value: Any) -> tuple[str, str] | None:
    low, high = question.scale_range() or (0, 0)
    if not isinstance(value, int) or isinstance(value, bool):
        return "wrong_type", f"expected an integer from {low} to {high}"
    return None if low <= value <= high else ("out_of_range", f"expected an integer from {low} to {high}")


def _check_boolean(question: Question, value: Any) -> tuple[str, str] | None:
    return None if isinstance(value, bool) else ("wrong_type", "expected true or false")


def _check_number(question: Question, value: Any) -> tuple[str, str] | None:
    bounds = f"from {question.min:g} to {question.max:g}"
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "wrong_type", f"expected a number {bounds}"
    # checked as float only: an int of any size compares exactly, float(huge int) would overflow
    if isinstance(value, float) and not math.isfinite(value):
        return "wrong_type", f"expected a number {bounds}"
    assert question.min is not None and question.max is not None  # the schema requires both
    return None if question.min <= value <= question.max else ("out_of_range", f"expected a number {bounds}")


def _check_text(question: Question, value: Any) -> tuple[str, str] | None:
    if not isinstance(value, str):
        return "wrong_type", "expected a string"
    limit = question.max_length or 0
    if len(value) > limit:
        return "too_long", f"at most {limit} characters, got {len(value)}"
    if has_control_characters(value):
        return "control_characters", "control characters (such as NUL) are not allowed"
    return None


_CHECKERS = {
    QuestionType.single_choice: _check_single,
    QuestionType.multi_choice: _check_multi,
    QuestionType.scale: _check_scale,
    QuestionType.boolean: _check_boolean,
    QuestionType.number: _check_number,
    QuestionType.text: _check_text,
}


def _option_values(question: Question) -> set[Any]:
    return {o.value for o in question.options or []}


def _not_an_option(question: Question, value: Any) -> tuple[str, str]:
    allowed = ", ".join(str(o.value) for o in question.options or [])
    return "not_an_option", f"{value!r} is not an option; expected one of: {allowed}"
