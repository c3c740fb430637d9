"""The form schema of a bank: a valid draft 2020-12 JSON Schema that accepts exactly
the answers `check_answers` accepts, with UI schemas and no rubric data.

Answer objects are generated from the JSON Schema document alone (`schema_answers`,
`schema_mutants`) and judged by `jsonschema`, an independent validator, so the
agreement tests do not share the builder's reading of the bank.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from app.banks.form_schema import CONTROL_FREE_PATTERN, DIALECT, form_schema, form_schema_view
from app.banks.loader import parse_bank
from app.banks.registry import RegisteredBank
from app.banks.schema import Bank, QuestionType
from app.scoring.answers import check_answers
from app.text import has_control_characters
from tests.utils.answers import mini_variant, question_data, special_states
from tests.utils.factories import ANSWERS, pitch_question, shipped_bank

LANGS = ("en", "fi")
FORM_SLUG = "form-mini"

# ---------------------------------------------------------------- a small bank with every kind of show_if


def _text(en: str, fi: str) -> dict[str, str]:
    return {"en": en, "fi": fi}


def _options(*values: Any) -> list[dict[str, Any]]:
    return [{"value": v, "label": _text(f"Option {v}", f"Vaihtoehto {v}"), "points": 1} for v in values]


def _question(key: str, dimension: str, kind: str, **rest: Any) -> dict[str, Any]:
    return {
        "key": key,
        "dimension": dimension,
        "type": kind,
        "prompt": _text(f"Prompt {key}?", f"Kysymys {key}?"),
        "recommendation": _text(f"Recommendation for {key}.", f"Suositus kysymykseen {key}."),
        "source": "form-schema-test",
        **rest,
    }


def _form_bank(data: dict[str, Any]) -> None:
    """The mini bank plus required follow-ups: show_if by equals, in, contains, and a chain of two."""
    data["slug"] = FORM_SLUG
    data.pop("fixtures", None)  # the mini bank's fixtures do not answer the follow-ups added here
    question_data(data, "backing_level")["required"] = True  # boolean -> scale, equals true
    data["questions"] += [
        _question(  # a chain: shown only when backing is true AND backing_level is 3
            "level_note",
            "purpose",
            "boolean",
            show_if={"question": "backing_level", "equals": 3},
            options=[
                {"value": True, "label": _text("Yes", "Kyllä"), "points": 1},
                {"value": False, "label": _text("No", "Ei"), "points": 0},
            ],
            allow_dont_know=False,
            allow_not_applicable=True,
        ),
        _question(  # single_choice -> text, in
            "why_detail",
            "purpose",
            "text",
            show_if={"question": "why", "in": ["written", "vague"]},
            max_length=300,
            help=_text("Tell us more.", "Kertokaa lisää."),
            checks=[
                {
                    "key": "some",
                    "kind": "min_length",
                    "value": 5,
                    "points": 1,
                    "label": _text("Five characters", "Viisi merkkiä"),
                    "recommendation": _text("Write more.", "Kirjoita lisää."),
                }
            ],
            example=_text("Because we can.", "Koska voimme."),
            allow_dont_know=False,
        ),
        _question(  # multi_choice -> single_choice, contains
            "channel_detail",
            "pitch",
            "single_choice",
            show_if={"question": "channels", "contains": "linkedin"},
            options=_options("company_page", "personal"),
        ),
    ]


def form_bank() -> Bank:
    return mini_variant(_form_bank)


def form_bank_data() -> dict[str, Any]:
    """The small bank as a bank file holds it (for an API test to serve it)."""
    return form_bank().model_dump(mode="json", by_alias=True, exclude_none=True)


BANKS: dict[str, Callable[[], Bank]] = {"shipped": shipped_bank, "form": form_bank}


@pytest.fixture(params=sorted(BANKS), scope="module")
def bank(request: pytest.FixtureRequest) -> Bank:
    return BANKS[request.param]()


# ---------------------------------------------------------------- answers generated from a JSON Schema

# The keywords the builder emits; a generator that met another one would guess, so it refuses.
KNOWN_KEYWORDS = {
    "$schema", "title", "description", "default", "type", "const", "enum", "oneOf", "anyOf", "allOf",
    "if", "then", "properties", "required", "additionalProperties", "items", "uniqueItems", "contains",
    "minimum", "maximum", "maxLength", "pattern",
}  # fmt: skip


def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema)


def _keywords(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            if key == "properties":
                for sub in value.values():
                    yield from _keywords(sub)
            elif key not in ("const", "enum", "default"):
                yield from _keywords(value)
    elif isinstance(node, list):
        for item in node:
            yield from _keywords(item)


def _values(node: dict[str, Any]) -> SearchStrategy[Any]:
    """Values valid under one property's schema (every branch of oneOf/anyOf, bounds included)."""
    check = validator(node)
    branches = node.get("oneOf") or node.get("anyOf")
    if branches:
        rest = {k: v for k, v in node.items() if k not in ("oneOf", "anyOf", "title", "description")}
        return st.one_of([_values(rest | branch) for branch in branches]).filter(check.is_valid)
    if "const" in node:
        return st.just(node["const"])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    kind = node.get("type")
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(node.get("minimum"), node.get("maximum"))
    if kind == "number":
        low, high = node["minimum"], node["maximum"]
        return st.one_of(
            st.sampled_from([low, high]),
            st.integers(int(low), int(high)),
            st.floats(low, high, allow_nan=False, allow_infinity=False),
        )
    if kind == "string":
        limit = node["maxLength"]
        pattern = re.compile(node.get("pattern", ""))
        return st.one_of(
            st.from_regex(pattern).filter(lambda s: len(s) <= limit),
            st.text(min_size=limit, max_size=limit).filter(lambda s: pattern.search(s) is not None),
        )
    if kind == "array":
        return st.lists(_values(node["items"]), unique=bool(node.get("uniqueItems")))
    if kind == "object":
        return st.fixed_dictionaries({k: _values(v) for k, v in node["properties"].items()})
    raise AssertionError(f"no generator for {node}")


def schema_answers(schema: dict[str, Any]) -> SearchStrategy[dict[str, Any]]:
    """Answers objects valid under `schema`: its required properties, any others, then
    whatever its `if`/`then` conditionals require (repeated, since one can trigger the next)."""
    unknown = set(_keywords(schema)) - KNOWN_KEYWORDS - set(schema["properties"])
    assert not unknown, f"the generator does not know {unknown}"
    values = {key: _values(node) for key, node in schema["properties"].items()}
    rules = [(validator(rule["if"]), rule["then"]["required"]) for rule in schema.get("allOf", [])]
    whole = validator(schema)

    @st.composite
    def answers_objects(draw: st.DrawFn) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        for key, strategy in values.items():
            if key in schema["required"] or draw(st.booleans()):
                answers[key] = draw(strategy)
        changed = True
        while changed:
            changed = False
            for condition, required in rules:
                if condition.is_valid(answers):
                    for key in required:
                        if key not in answers:
                            answers[key] = draw(values[key])
                            changed = True
        assert whole.is_valid(answers), answers
        return answers

    return answers_objects()


def _odd_values(node: dict[str, Any], integral_floats: bool) -> list[Any]:
    """Values that are wrong for most questions, and the edges of this one.

    A float with an integral value (3.0) is an integer to JSON Schema; the API makes
    it one before checking (`normalized`), `check_answers` alone does not, so only
    the API tests ask for them.
    """
    odd: list[Any] = [
        None, True, False, 0, -1, 2.5, 10**6, "", "zz-not-an-option", [], ["zz-not-an-option"], {},
        {"state": "dont_know"}, {"state": "not_applicable"}, {"state": "maybe"}, {"state": "dont_know", "x": 1},
        "tab\tnew\nline\r ok", "nul\x00", "bell\x07", "del\x7f",
    ]  # fmt: skip
    branches = node.get("anyOf") or [node]
    for branch in branches:
        if "maxLength" in branch:
            odd += ["a" * branch["maxLength"], "a" * (branch["maxLength"] + 1)]
        if "minimum" in branch:
            odd += [branch["minimum"], branch["maximum"], branch["minimum"] - 1, branch["maximum"] + 1]
            odd += [branch["maximum"] + 0.5] if branch.get("type") == "number" else []
            if integral_floats and branch.get("type") == "integer":
                odd += [float(branch["minimum"]), float(branch["maximum"])]
        choices = branch.get("oneOf") or branch.get("items", {}).get("oneOf") or []
        values = [c["const"] for c in choices]
        if branch.get("type") == "array" and values:
            odd += [values[:1] * 2, values, [*values, "zz-not-an-option"], values[0]]
        elif values:
            odd += [values, [values[0]]]
    return odd


def schema_mutants(schema: dict[str, Any], *, integral_floats: bool = False) -> SearchStrategy[dict[str, Any]]:
    """Valid answers objects changed in one or two ways; they may or may not stay valid."""
    valid = schema_answers(schema)
    keys = list(schema["properties"])
    values = {key: _values(node) for key, node in schema["properties"].items()}
    odd = {key: st.sampled_from(_odd_values(node, integral_floats)) for key, node in schema["properties"].items()}
    unknown = st.sampled_from([1, "x", {"state": "dont_know"}])
    states = st.sampled_from([{"state": "dont_know"}, {"state": "not_applicable"}])

    @st.composite
    def mutants(draw: st.DrawFn) -> dict[str, Any]:
        answers = dict(draw(valid))
        for _ in range(draw(st.integers(1, 2))):
            how = draw(st.sampled_from(["odd", "valid", "drop", "unknown", "state"]))
            key = draw(st.sampled_from(keys))
            if how == "odd":
                answers[key] = draw(odd[key])
            elif how == "valid":  # valid for the question, perhaps not with the others (show_if)
                answers[key] = draw(values[key])
            elif how == "drop":
                answers.pop(draw(st.sampled_from(sorted(answers))) if answers else key, None)
            elif how == "unknown":
                answers["zz_not_a_question"] = draw(unknown)
            else:
                answers[key] = draw(states)
        return answers

    return mutants()


# ---------------------------------------------------------------- helpers


def walk(node: Any) -> Iterator[tuple[str | None, Any]]:
    """Every (key, value) pair of a JSON document, and every list item with key None."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield None, item
            yield from walk(item)


def rubric_texts(bank: Bank) -> set[str]:
    """Every text of a bank that belongs to its rubric (and so must never reach a form)."""
    texts: set[str] = set()

    def add(text: Any) -> None:
        if text is not None:
            texts.update({text.en, text.fi})

    for dimension in bank.dimensions:
        add(dimension.recommendation)
        texts.add(dimension.source)
    for question in bank.questions:
        add(question.recommendation)
        texts.add(question.source)
        for option in question.options or []:
            add(option.recommendation)
            if option.knockout is not None:
                add(option.knockout.reason)
                add(option.knockout.recommendation)
        for band in question.bands or []:
            add(band.recommendation)
        for check in question.checks or []:
            add(check.label)
            add(check.recommendation)
            if not isinstance(check.value, int):
                add(check.value)
    for fixture in getattr(bank, "fixtures", None) or []:
        add(fixture.description)
    return texts


RUBRIC_KEYS = {
    "points", "weight", "weights", "knockout", "knockouts", "target", "targets", "floor", "floors",
    "recommendation", "recommendations", "source", "sources", "bands", "checks", "policy", "go_at",
    "no_go_below", "min_coverage", "full_points", "reason", "fixtures", "expect",
}  # fmt: skip


def answer_sets() -> list[Path]:
    return sorted(ANSWERS.glob("*.json"))


# ---------------------------------------------------------------- the JSON Schema


class TestSchema:
    @pytest.mark.parametrize("lang", LANGS)
    def test_is_a_valid_draft_2020_12_schema(self, bank: Bank, lang: str) -> None:
        schema = form_schema(bank, lang)["schema"]
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == DIALECT
        assert schema["type"] == "object"
        assert schema["additionalProperties"] is False
        assert list(schema["properties"]) == [q.key for q in bank.questions]

    def test_texts_follow_the_language(self, bank: Bank) -> None:
        en, fi = (form_schema(bank, lang)["schema"] for lang in LANGS)
        assert en["title"] == bank.title.en and fi["title"] == bank.title.fi
        for question in bank.questions:
            prop_en, prop_fi = en["properties"][question.key], fi["properties"][question.key]
            assert (prop_en["title"], prop_fi["title"]) == (question.prompt.en, question.prompt.fi)
            if question.help is not None:
                assert (prop_en["description"], prop_fi["description"]) == (question.help.en, question.help.fi)
            else:
                assert "description" not in prop_en
        assert [en["properties"][q.key]["title"] for q in bank.questions] != [
            fi["properties"][q.key]["title"] for q in bank.questions
        ]

    def test_choices_are_const_and_localized_title(self, bank: Bank) -> None:
        for lang in LANGS:
            properties = form_schema(bank, lang)["schema"]["properties"]
            for question in bank.questions:
                if question.options is None:
                    continue
                value = _value_branch(properties[question.key])
                choices = value["items"]["oneOf"] if question.type == QuestionType.multi_choice else value["oneOf"]
                assert choices == [{"const": o.value, "title": o.label.get(lang)} for o in question.options]

    def test_value_schemas_by_type(self) -> None:
        bank = form_bank()
        properties = form_schema(bank, "en")["schema"]["properties"]
        assert _value_branch(properties["why"])["type"] == "string"
        assert _value_branch(properties["channels"]) | {"items": None} == {
            "title": "Answer", "type": "array", "uniqueItems": True, "items": None,
        }  # fmt: skip
        scale = _value_branch(properties["backing_level"])
        assert (scale["type"], scale["minimum"], scale["maximum"]) == ("integer", 1, 3)
        assert _value_branch(properties["backing"])["type"] == "boolean"
        assert [c["const"] for c in _value_branch(properties["backing"])["oneOf"]] == [True, False]
        number = _value_branch(properties["hours"])
        assert (number["type"], number["minimum"], number["maximum"]) == ("number", 0, 80)
        text = properties["why_detail"]  # no special states: the value schema itself
        assert (text["type"], text["maxLength"], text["pattern"]) == ("string", 300, CONTROL_FREE_PATTERN)

    def test_the_pitch_carries_its_max_length(self) -> None:
        bank = shipped_bank()
        pitch = pitch_question(bank)
        for lang in LANGS:
            assert _value_branch(form_schema(bank, lang)["schema"]["properties"][pitch.key])["maxLength"] == pitch.max_length

    def test_the_text_pattern_is_app_text_rule(self) -> None:
        pattern = re.compile(CONTROL_FREE_PATTERN)
        for code in range(0x2000):
            text = f"a{chr(code)}b"
            assert (pattern.search(text) is None) == has_control_characters(text), hex(code)

    def test_special_states_only_where_allowed_and_localized(self) -> None:
        bank = form_bank()
        titles = {"en": ("Don't know", "Not applicable"), "fi": ("En tiedä", "Ei koske meitä")}
        for lang in LANGS:
            properties = form_schema(bank, lang)["schema"]["properties"]
            for question in bank.questions:
                prop = properties[question.key]
                states = [b["properties"]["state"]["const"] for b in prop.get("anyOf", [])[1:]]
                assert states == [s["state"] for s in special_states(question)], question.key
                for branch in prop.get("anyOf", [])[1:]:
                    state = branch["properties"]["state"]["const"]
                    assert branch["title"] == titles[lang][0 if state == "dont_know" else 1]
                    assert branch["required"] == ["state"] and branch["additionalProperties"] is False

    def test_required_lists_the_always_shown_required_questions(self, bank: Bank) -> None:
        schema = form_schema(bank, "en")["schema"]
        assert schema["required"] == [q.key for q in bank.questions if q.required and q.show_if is None]

    def test_required_follow_ups_are_conditionals_repeating_the_show_if_chain(self) -> None:
        schema = form_schema(form_bank(), "en")["schema"]
        assert "backing_level" not in schema["required"]
        assert schema["allOf"] == [
            {
                "if": {"properties": {"backing": {"const": True}}, "required": ["backing"]},
                "then": {"required": ["backing_level"]},
            },
            {
                "if": {
                    "properties": {"backing_level": {"const": 3}, "backing": {"const": True}},
                    "required": ["backing_level", "backing"],
                },
                "then": {"required": ["level_note"]},
            },
            {
                "if": {"properties": {"why": {"enum": ["written", "vague"]}}, "required": ["why"]},
                "then": {"required": ["why_detail"]},
            },
            {
                "if": {
                    "properties": {"channels": {"type": "array", "contains": {"const": "linkedin"}}},
                    "required": ["channels"],
                },
                "then": {"required": ["channel_detail"]},
            },
        ]

    @pytest.mark.parametrize(
        ("change", "valid"),
        [
            ({}, True),
            ({"backing": True}, False),  # backing_level now shown and required
            ({"backing": True, "backing_level": 2}, True),
            ({"backing": True, "backing_level": 3}, False),  # level_note now shown and required
            ({"backing": True, "backing_level": 3, "level_note": {"state": "not_applicable"}}, True),
            ({"backing": True, "backing_level": 3, "level_note": {"state": "dont_know"}}, False),  # not allowed
            ({"backing": False, "backing_level": 3}, True),  # hidden parent hides its follower
            ({"backing": {"state": "dont_know"}}, True),  # a special state matches no show_if
            ({"why": "vague"}, False),
            ({"why": "vague", "why_detail": "x" * 300}, True),
            ({"why": "vague", "why_detail": "x" * 301}, False),
            ({"why": "vague", "why_detail": "ok\x00"}, False),
            ({"channels": ["instagram", "linkedin"]}, False),
            ({"channels": ["linkedin", "linkedin"], "channel_detail": "personal"}, False),
            ({"channels": ["instagram"], "channel_detail": "nope"}, False),  # hidden, but must be valid
            ({"channels": ["instagram"], "channel_detail": "personal"}, True),  # hidden answer is ignored
            ({"hours": 80.0}, True),
            ({"hours": 80.5}, False),
            ({"extra": 1}, False),
        ],
    )
    def test_show_if_cases_agree_with_check_answers(self, change: dict[str, Any], valid: bool) -> None:
        bank = form_bank()
        answers = {"why": "tobacco", "backing": False, "pitch_text": "We help."} | change
        assert validator(form_schema(bank, "en")["schema"]).is_valid(answers) is valid
        assert (check_answers(bank, answers) == []) is valid

    @pytest.mark.parametrize("path", answer_sets(), ids=lambda p: p.stem)
    def test_the_example_answer_sets_are_valid(self, path: Path) -> None:
        answers = json.loads(path.read_text(encoding="utf-8"))
        for lang in LANGS:
            errors = [e.message for e in validator(form_schema(shipped_bank(), lang)["schema"]).iter_errors(answers)]
            assert errors == []


    def test_the_bank_fixtures_are_valid(self) -> None:
        bank = shipped_bank()
        check = validator(form_schema(bank, "en")["schema"])
        for fixture in getattr(bank, "fixtures", None) or []:
            assert [e.message for e in check.iter_errors(fixture.answers)] == [], fixture.key


def _value_branch(prop: dict[str, Any]) -> dict[str, Any]:
    return prop["anyOf"][0] if "anyOf" in prop else prop


# ---------------------------------------------------------------- no rubric anywhere


class TestNoRubric:
    @pytest.mark.parametrize("lang", LANGS)
    def test_no_rubric_key_or_text_anywhere(self, bank: Bank, lang: str) -> None:
        document = form_schema(bank, lang)
        pairs = list(walk(document))
        assert {k for k, _ in pairs} & RUBRIC_KEYS == set()
        strings = {v for _, v in pairs if isinstance(v, str)} | {k for k, _ in pairs if k is not None}
        assert strings & rubric_texts(bank) == set()
        # nor inside a longer text, for texts long enough not to collide by chance
        dumped = json.dumps(document, ensure_ascii=False)
        leaked = [t for t in rubric_texts(bank) if len(t) >= 25 and json.dumps(t, ensure_ascii=False)[1:-1] in dumped]
        assert leaked == []

    def test_distinctive_points_and_weights_do_not_appear(self) -> None:
        def distinctive(data: dict[str, Any]) -> None:
            for question in data["questions"]:
                question["weight"] = 7.123
                for option in question.get("options", []):
                    option["points"] = 4.321

        bank = mini_variant(distinctive)
        dumped = json.dumps(form_schema(bank, "en"))
        assert "7.123" not in dumped and "4.321" not in dumped


# ---------------------------------------------------------------- UI schemas


class TestUiSchemas:
    def test_rjsf_order_widgets_and_help(self, bank: Bank) -> None:
        expected_widget = {
            QuestionType.single_choice: "radio",
            QuestionType.boolean: "radio",
            QuestionType.scale: "radio",
            QuestionType.multi_choice: "checkboxes",
            QuestionType.number: "updown",
        }
        for lang in LANGS:
            ui = form_schema(bank, lang)["ui_schema"]
            assert ui["ui:order"] == [q.key for q in bank.questions]
            for question in bank.questions:
                entry = ui[question.key]
                if question.type == QuestionType.text:
                    # sized for a max_length check where the bank asks for less than it accepts
                    advised = [c.value for c in question.checks or [] if c.kind == "max_length"]
                    widget = "textarea" if min([question.max_length or 0, *advised]) > 140 else "text"  # type: ignore[type-var]
                else:
                    widget = expected_widget[question.type]
                states = int(question.allow_dont_know) + int(question.allow_not_applicable)
                if states:  # rjsf: the anyOf selector as radio buttons, the answer with its widget
                    assert entry["ui:widget"] == "radio"
                    assert entry["anyOf"][0]["ui:widget"] == widget
                    assert len(entry["anyOf"]) == 1 + states
                else:
                    assert entry["ui:widget"] == widget
                assert entry.get("ui:help") == (question.help.get(lang) if question.help else None)

    def test_the_pitch_is_one_line_and_a_longer_text_a_textarea(self) -> None:
        ui = form_schema(shipped_bank(), "en")["ui_schema"]
        assert ui["pitch_text"]["anyOf"][0]["ui:widget"] == "text"
        assert ui["main_goal"]["anyOf"][0]["ui:widget"] == "textarea"

    def test_json_forms_groups_dimensions_with_controls_in_bank_order(self, bank: Bank) -> None:
        for lang in LANGS:
            layout = form_schema(bank, lang)["json_forms_ui_schema"]
            assert layout["type"] == "VerticalLayout"
            groups = layout["elements"]
            assert [(g["type"], g["label"]) for g in groups] == [("Group", d.title.get(lang)) for d in bank.dimensions]
            for group, dimension in zip(groups, bank.dimensions, strict=True):
                keys = [q.key for q in bank.questions if q.dimension == dimension.key]
                assert [c["scope"] for c in group["elements"]] == [f"#/properties/{k}" for k in keys]
                assert {c["type"] for c in group["elements"]} == {"Control"}

    def test_json_forms_rules_show_follow_ups(self) -> None:
        layout = form_schema(form_bank(), "en")["json_forms_ui_schema"]
        controls = {c["scope"].rsplit("/", 1)[1]: c for g in layout["elements"] for c in g["elements"]}
        assert controls["backing_level"]["rule"] == {
            "effect": "SHOW",
            "condition": {"scope": "#/properties/backing", "schema": {"const": True}, "failWhenUndefined": True},
        }
        assert controls["why_detail"]["rule"]["condition"]["schema"] == {"enum": ["written", "vague"]}
        assert controls["channel_detail"]["rule"]["condition"]["schema"] == {
            "type": "array",
            "contains": {"const": "linkedin"},
        }
        # a chain is tested against the whole answers object
        chained = controls["level_note"]["rule"]["condition"]
        assert chained["scope"] == "#"
        assert validator(chained["schema"]).is_valid({"backing": True, "backing_level": 3})
        assert not validator(chained["schema"]).is_valid({"backing": False, "backing_level": 3})
        assert "rule" not in controls["why"]
        shipped = form_schema(shipped_bank(), "en")["json_forms_ui_schema"]
        ruled = [c["scope"] for g in shipped["elements"] for c in g["elements"] if "rule" in c]
        assert ruled == [f"#/properties/{q.key}" for q in shipped_bank().questions if q.show_if is not None]


# ---------------------------------------------------------------- the schema and check_answers agree


class TestAgreementWithCheckAnswers:
    """The same properties as tests/api/test_form_schema.py, without HTTP, so with more examples."""

    def test_every_generated_answer_set_is_accepted(self, bank: Bank) -> None:
        schema = form_schema(bank, "fi")["schema"]

        @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(schema_answers(schema))
        def accepted(answers: dict[str, Any]) -> None:
            assert check_answers(bank, answers) == []

        accepted()

    def test_mutants_are_accepted_exactly_when_the_schema_accepts_them(self, bank: Bank) -> None:
        schema = form_schema(bank, "en")["schema"]
        check = validator(schema)
        seen = {True: 0, False: 0}

        @settings(
            max_examples=200,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        @given(schema_mutants(schema))
        def agree(answers: dict[str, Any]) -> None:
            valid = check.is_valid(answers)
            seen[valid] += 1
            errors = check_answers(bank, answers)
            assert (errors == []) is valid, (errors, [e.message for e in check.iter_errors(answers)])

        agree()
        assert seen[True] > 10 and seen[False] > 10, seen


class TestCache:
    def test_one_document_per_registered_bank_and_language(self) -> None:
        bank = form_bank()
        registered = RegisteredBank(id=uuid.uuid4(), bank=bank, content_hash="sha256:test")
        en = form_schema_view(registered, "en")
        assert form_schema_view(registered, "en") is en
        assert form_schema_view(registered, "fi") is not en
        assert en | {} == {
            "slug": FORM_SLUG,
            "version": bank.version,
            "locale": "en",
            "content_hash": "sha256:test",
        } | form_schema(bank, "en")


def test_the_small_bank_round_trips_as_a_file() -> None:
    loaded = parse_bank(form_bank_data(), Path(f"{FORM_SLUG}.yaml")).bank
    assert loaded == form_bank()
    assert [q.key for q in loaded.questions if q.required and q.show_if] == [
        "backing_level", "level_note", "why_detail", "channel_detail",
    ]  # fmt: skip
