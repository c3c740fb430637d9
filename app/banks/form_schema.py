"""A bank as a form: a JSON Schema of its answers object plus UI schemas to render it.

`form_schema(bank, lang)` is pure: it reads only the bank and returns plain JSON
data. The JSON Schema (draft 2020-12) accepts exactly the answers objects that
`app.scoring.answers.check_answers` accepts:

- one property per question (no others), with its value schema by type, and
  `anyOf` the special states `{"state": "dont_know"}` / `{"state": "not_applicable"}`
  where the bank allows them;
- `required` lists the required questions that are always shown; a required
  question with `show_if` is required only under an `if`/`then` that repeats the
  whole `show_if` chain (a hidden question hides its followers), so that a
  hidden question is never required and an answer to it is accepted when valid.

Rubric data (points, weights, bands, checks, knock-outs, targets, floors,
thresholds, recommendations, sources, text examples) is never read, so it
cannot leak into the output.

The UI schemas are hints for react-jsonschema-form (`ui_schema`) and JSON Forms
(`json_forms_ui_schema`); neither affects what is valid.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.banks.registry import RegisteredBank
from app.banks.schema import Bank, Question, QuestionType, ShowIf
from app.text import CONTROL_FREE_PATTERN

DIALECT = "https://json-schema.org/draft/2020-12/schema"
# text answers longer than this get a multi-line input
SINGLE_LINE_MAX = 140

_WORDS = {
    "answer": {"en": "Answer", "fi": "Vastaus"},
    "dont_know": {"en": "Don't know", "fi": "En tiedä"},
    "not_applicable": {"en": "Not applicable", "fi": "Ei koske meitä"},
}

_WIDGETS = {
    QuestionType.single_choice: "radio",
    QuestionType.boolean: "radio",
    QuestionType.scale: "radio",
    QuestionType.multi_choice: "checkboxes",
    QuestionType.number: "updown",
}


class FormSchemaDocument(BaseModel):
    """The form schema of one bank version in one language (the shape of the endpoint's answer)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    slug: str
    version: str
    locale: str
    content_hash: str
    schema_: dict[str, Any] = Field(
        alias="schema", description="JSON Schema (draft 2020-12) of the `answers` object of `POST /v1/score`"
    )
    ui_schema: dict[str, Any] = Field(description="react-jsonschema-form uiSchema")
    json_forms_ui_schema: dict[str, Any] = Field(description="JSON Forms UI schema: groups per dimension")


@lru_cache(maxsize=256)
def form_schema_view(registered: RegisteredBank, lang: str) -> dict[str, Any]:
    """The endpoint's document, built once per registered bank and language (published versions never change)."""
    bank = registered.bank
    return {
        "slug": bank.slug,
        "version": bank.version,
        "locale": lang,
        "content_hash": registered.content_hash,
        **form_schema(bank, lang),
    }


def form_schema(bank: Bank, lang: str) -> dict[str, Any]:
    """`schema`, `ui_schema` and `json_forms_ui_schema` of a bank's answers object, texts in `lang`."""
    return {
        "schema": answers_schema(bank, lang),
        "ui_schema": rjsf_ui_schema(bank, lang),
        "json_forms_ui_schema": json_forms_ui_schema(bank, lang),
    }


# ---------------------------------------------------------------- JSON Schema


def answers_schema(bank: Bank, lang: str) -> dict[str, Any]:
    questions = {q.key: q for q in bank.questions}
    schema: dict[str, Any] = {
        "$schema": DIALECT,
        "title": bank.title.get(lang),
        "description": bank.description.get(lang),
        "type": "object",
        "properties": {q.key: _property(q, lang) for q in bank.questions},
        "additionalProperties": False,
        "required": [q.key for q in bank.questions if q.required and q.show_if is None],
    }
    conditionals = [
        {"if": _shown_condition(q, questions), "then": {"required": [q.key]}}
        for q in bank.questions
        if q.required and q.show_if is not None
    ]
    if conditionals:
        schema["allOf"] = conditionals
    return schema


def _property(question: Question, lang: str) -> dict[str, Any]:
    texts: dict[str, Any] = {"title": question.prompt.get(lang)}
    if question.help is not None:
        texts["description"] = question.help.get(lang)
    value = _value_schema(question, lang)
    states = _states(question)
    if not states:
        return texts | value
    return texts | {"anyOf": [{"title": _WORDS["answer"][lang]} | value, *(_state_schema(s, lang) for s in states)]}


def _states(question: Question) -> list[str]:
    allowed = {"dont_know": question.allow_dont_know, "not_applicable": question.allow_not_applicable}
    return [state for state, ok in allowed.items() if ok]


def _state_schema(state: str, lang: str) -> dict[str, Any]:
    return {
        "title": _WORDS[state][lang],
        "type": "object",
        # `default` lets a form fill in the only possible value when this option is picked
        "properties": {"state": {"const": state, "default": state}},
        "required": ["state"],
        "additionalProperties": False,
    }


def _choices(question: Question, lang: str) -> list[dict[str, Any]]:
    return [{"const": o.value, "title": o.label.get(lang)} for o in question.options or []]


def _value_schema(question: Question, lang: str) -> dict[str, Any]:
    kind = question.type
    if kind == QuestionType.single_choice:
        return {"type": "string", "oneOf": _choices(question, lang)}
    if kind == QuestionType.multi_choice:
        return {"type": "array", "uniqueItems": True, "items": {"type": "string", "oneOf": _choices(question, lang)}}
    if kind == QuestionType.scale:
        low, high = question.scale_range() or (0, 0)
        return {"type": "integer", "minimum": low, "maximum": high, "oneOf": _choices(question, lang)}
    if kind == QuestionType.boolean:
        return {"type": "boolean", "oneOf": _choices(question, lang)}
    if kind == QuestionType.number:
        return {"type": "number", "minimum": _plain(question.min), "maximum": _plain(question.max)}
    return {"type": "string", "maxLength": question.max_length, "pattern": CONTROL_FREE_PATTERN}


def _plain(bound: float | None) -> int | float | None:
    # 0.0 -> 0: the same bound, written as a form shows it
    return int(bound) if bound is not None and bound.is_integer() else bound


def _match_schema(show_if: ShowIf) -> dict[str, Any]:
    """What the answer `show_if` names must be for it to hold (as app.scoring.answers._matches)."""
    if show_if.contains is not None:
        # `contains` alone ignores non-arrays, and a special state must not match
        return {"type": "array", "contains": {"const": show_if.contains}}
    if show_if.equals is not None:
        return {"const": show_if.equals}
    return {"enum": list(show_if.in_ or [])}


def _show_chain(question: Question, questions: dict[str, Question]) -> list[tuple[Question, ShowIf]]:
    """Every (question, condition) that must hold for `question` to be shown, nearest first."""
    chain = []
    current = question
    while current.show_if is not None:
        target = questions[current.show_if.question]
        chain.append((target, current.show_if))
        current = target
    return chain


def _shown_condition(question: Question, questions: dict[str, Question]) -> dict[str, Any]:
    chain = _show_chain(question, questions)
    return {
        "properties": {target.key: _match_schema(show_if) for target, show_if in chain},
        "required": [target.key for target, _ in chain],
    }


# ---------------------------------------------------------------- react-jsonschema-form


def _widget(question: Question) -> str:
    if question.type == QuestionType.text:
        # sized for the length the bank asks for (a max_length check), not the hard limit
        # that lets a longer answer in to be scored and taught
        advised = [c.value for c in question.checks or [] if c.kind == "max_length" and isinstance(c.value, int)]
        length = min([question.max_length or 0, *advised])
        return "textarea" if length > SINGLE_LINE_MAX else "text"
    return _WIDGETS[question.type]


def rjsf_ui_schema(bank: Bank, lang: str) -> dict[str, Any]:
    """Bank order, a widget per question and its help.

    rjsf has no built-in grouping of an object's properties, so dimensions show
    only through the order. A question that allows special states is an `anyOf`:
    rjsf renders a selector between its options (as radio buttons: answer, don't
    know, not applicable) and then the chosen option with that option's entry in
    the `anyOf` list: the answer with the question's widget, a state with its one
    constant field hidden.
    """
    ui: dict[str, Any] = {"ui:order": [q.key for q in bank.questions]}
    for question in bank.questions:
        entry: dict[str, Any] = {}
        states = _states(question)
        if states:
            entry["ui:widget"] = "radio"
            entry["anyOf"] = [
                {"ui:widget": _widget(question), "ui:label": False},
                *({"state": {"ui:widget": "hidden"}} for _ in states),
            ]
        else:
            entry["ui:widget"] = _widget(question)
        if question.help is not None:
            entry["ui:help"] = question.help.get(lang)
        ui[question.key] = entry
    return ui


# ---------------------------------------------------------------- JSON Forms


def json_forms_ui_schema(bank: Bank, lang: str) -> dict[str, Any]:
    """A group per dimension (in bank order) of controls; `show_if` becomes a SHOW rule."""
    questions = {q.key: q for q in bank.questions}
    groups = []
    for dimension in bank.dimensions:
        controls = [_control(q, questions) for q in bank.questions if q.dimension == dimension.key]
        groups.append({"type": "Group", "label": dimension.title.get(lang), "elements": controls})
    return {"type": "VerticalLayout", "elements": groups}


def _control(question: Question, questions: dict[str, Question]) -> dict[str, Any]:
    control: dict[str, Any] = {"type": "Control", "scope": f"#/properties/{question.key}"}
    options = _json_forms_options(question)
    if options:
        control["options"] = options
    chain = _show_chain(question, questions)
    if len(chain) == 1:
        target, show_if = chain[0]
        condition: dict[str, Any] = {
            "scope": f"#/properties/{target.key}",
            "schema": _match_schema(show_if),
            "failWhenUndefined": True,
        }
        control["rule"] = {"effect": "SHOW", "condition": condition}
    elif chain:
        # a follower of a hidden question is hidden too: test the whole chain against the answers object
        condition = {"scope": "#", "schema": _shown_condition(question, questions)}
        control["rule"] = {"effect": "SHOW", "condition": condition}
    return control


def _json_forms_options(question: Question) -> dict[str, Any]:
    if question.type in (QuestionType.single_choice, QuestionType.boolean, QuestionType.scale):
        return {"format": "radio"}
    if question.type == QuestionType.text and (question.max_length or 0) > SINGLE_LINE_MAX:
        return {"multi": True}
    return {}
