"""Comparing two bank versions: key-based paths, one change per difference, in bank order.

Variants are the mini bank loaded with the project's loader, dumped, mutated and
validated again, and every expected diff is written out in full.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from app.banks.diff import Change, ChangeKind, diff_banks
from app.banks.loader import content_hash, load_bank_file
from app.banks.schema import Bank
from tests.utils.answers import MINI_BANK

Mutation = Callable[[dict[str, Any]], None]
Row = tuple[str, str, Any, Any]


def mini() -> Bank:
    return load_bank_file(MINI_BANK).bank


def data() -> dict[str, Any]:
    return mini().model_dump(by_alias=True)


def variant(mutate: Mutation) -> Bank:
    document = data()
    mutate(document)
    return Bank.model_validate(document)


def question(document: dict[str, Any], key: str) -> dict[str, Any]:
    return next(q for q in document["questions"] if q["key"] == key)


def dimension(document: dict[str, Any], key: str) -> dict[str, Any]:
    return next(d for d in document["dimensions"] if d["key"] == key)


def fixture(document: dict[str, Any], key: str) -> dict[str, Any]:
    return next(f for f in document["fixtures"] if f["key"] == key)


def option(document: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    return next(o for o in question(document, key)["options"] if o["value"] is value or o["value"] == value)


def rows(changes: list[Change]) -> list[Row]:
    return [(c.path, c.kind.value, c.old, c.new) for c in changes]


def diff_of(mutate: Mutation) -> list[Change]:
    return diff_banks(mini(), variant(mutate))


def move(key: str, to: int) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        item = question(document, key)
        document["questions"].remove(item)
        document["questions"].insert(to, item)

    return mutate


EXTRA_QUESTION = {
    "key": "budget",
    "dimension": "pitch",
    "type": "boolean",
    "prompt": {"en": "Is there a budget?", "fi": "Onko budjettia?"},
    "options": [
        {"value": True, "label": {"en": "Yes", "fi": "Kyllä"}, "points": 1},
        {"value": False, "label": {"en": "No", "fi": "Ei"}, "points": 0},
    ],
    "recommendation": {"en": "Set a budget.", "fi": "Varatkaa budjetti."},
    "source": "002_4ec57a724dcc9a8b.txt",
}


class TestNoChange:
    def test_a_bank_against_itself_is_an_empty_list(self) -> None:
        assert diff_banks(mini(), mini()) == []

    def test_a_reloaded_copy_is_an_empty_list(self) -> None:
        assert diff_banks(mini(), variant(lambda document: None)) == []

    def test_the_shipped_bank_against_itself_is_an_empty_list(self) -> None:
        from tests.utils.factories import SHIPPED_PATH

        bank = load_bank_file(SHIPPED_PATH).bank
        assert diff_banks(bank, Bank.model_validate(bank.model_dump(by_alias=True))) == []


class TestBankAndPolicy:
    def test_a_threshold(self) -> None:
        changes = diff_of(lambda d: d["policy"].update(go_at=75))
        assert rows(changes) == [("policy.go_at", "changed", 70.0, 75.0)]
        assert changes[0].text == "Threshold go_at of the policy changed from 70 to 75"

    def test_version_and_a_title_in_one_language(self) -> None:
        def mutate(d: dict[str, Any]) -> None:
            d["version"] = "1.1.0"
            d["title"]["fi"] = "Pieni valmius"

        changes = diff_of(mutate)
        assert rows(changes) == [
            ("version", "changed", "1.0.0", "1.1.0"),
            ("title.fi", "changed", "Mini-valmius", "Pieni valmius"),
        ]
        assert [c.text for c in changes] == [
            'Version of the bank changed from "1.0.0" to "1.1.0"',
            'Title (fi) of the bank changed from "Mini-valmius" to "Pieni valmius"',
        ]


class TestDimensions:
    def test_a_weight(self) -> None:
        changes = diff_of(lambda d: dimension(d, "pitch").update(weight=3))
        assert rows(changes) == [("dimensions.pitch.weight", "changed", 1.0, 3.0)]
        assert changes[0].text == "Weight of dimension 'pitch' changed from 1 to 3"

    def test_a_floor_added_and_a_floor_removed(self) -> None:
        def mutate(d: dict[str, Any]) -> None:
            dimension(d, "purpose")["floor"] = None
            dimension(d, "pitch")["floor"] = 30

        changes = diff_of(mutate)
        assert rows(changes) == [
            ("dimensions.purpose.floor", "removed", 40.0, None),
            ("dimensions.pitch.floor", "added", None, 30.0),
        ]
        assert [c.text for c in changes] == [
            "Floor of dimension 'purpose' removed (was 40)",
            "Floor of dimension 'pitch' added: 30",
        ]

    def test_a_new_dimension_with_its_question_comes_as_a_key_and_a_label(self) -> None:
        def mutate(d: dict[str, Any]) -> None:
            d["dimensions"].append(
                {**dimension(d, "pitch"), "key": "money", "title": {"en": "Money", "fi": "Raha"}, "floor": None}
            )
            d["questions"].append({**EXTRA_QUESTION, "dimension": "money"})

        changes = diff_of(mutate)
        assert rows(changes) == [
            ("dimensions.money", "added", None, {"key": "money", "label": "Money"}),
            ("questions.budget", "added", None, {"key": "budget", "label": "Is there a budget?", "dimension": "money"}),
        ]
        assert [c.text for c in changes] == [
            "Dimension 'money' added (\"Money\")",
            "Question 'budget' added (\"Is there a budget?\")",
        ]


class TestQuestions:
    def test_a_removed_question(self) -> None:
        changes = diff_of(lambda d: d["questions"].remove(question(d, "channels")))
        assert rows(changes) == [
            ("questions.channels", "removed", {"key": "channels", "label": "Channels?", "dimension": "pitch"}, None)
        ]
        assert changes[0].text == "Question 'channels' removed (\"Channels?\")"

    def test_a_question_added_first_moves_no_other_question(self) -> None:
        assert rows(diff_of(lambda d: d["questions"].insert(0, EXTRA_QUESTION))) == [
            ("questions.budget", "added", None, {"key": "budget", "label": "Is there a budget?", "dimension": "pitch"})
        ]

    def test_a_moved_question_is_one_position_change(self) -> None:
        changes = diff_of(move("why", 5))  # from first to last
        assert rows(changes) == [("questions.why.position", "changed", 1, 6)]
        assert changes[0].text == "Question 'why' moved from position 1 to 6"

    def test_two_swapped_questions_are_one_move(self) -> None:
        assert rows(diff_of(move("hours", 5))) == [("questions.channels.position", "changed", 6, 5)]

    def test_a_removed_question_shifts_the_others_without_moving_them(self) -> None:
        assert [c.path for c in diff_of(lambda d: d["questions"].remove(question(d, "why")))] == ["questions.why"]

    def test_a_moved_and_changed_question_reports_the_move_first(self) -> None:
        def mutate(d: dict[str, Any]) -> None:
            move("pitch_text", 0)(d)
            question(d, "pitch_text")["weight"] = 2

        assert rows(diff_of(mutate)) == [
            ("questions.pitch_text.position", "changed", 4, 1),
            ("questions.pitch_text.weight", "changed", 1.0, 2.0),
        ]

    def test_a_prompt_in_one_language(self) -> None:
        changes = diff_of(lambda d: question(d, "pitch_text")["prompt"].update(fi="Hissitarina"))
        assert rows(changes) == [("questions.pitch_text.prompt.fi", "changed", "Hissitarinasi", "Hissitarina")]
        assert changes[0].text == 'Prompt (fi) of question \'pitch_text\' changed from "Hissitarinasi" to "Hissitarina"'

    def test_a_show_if_condition(self) -> None:
        changes = diff_of(lambda d: question(d, "backing_level")["show_if"].update(equals=False))
        assert rows(changes) == [("questions.backing_level.show_if.equals", "changed", True, False)]

    def test_help_added_is_the_whole_text(self) -> None:
        changes = diff_of(lambda d: question(d, "why").update(help={"en": "Be honest.", "fi": "Ole rehellinen."}))
        assert rows(changes) == [("questions.why.help", "added", None, {"en": "Be honest.", "fi": "Ole rehellinen."})]
        assert changes[0].text == 'Help of question \'why\' added: {"en": "Be honest.", "fi": "Ole rehellinen."}'


class TestOptionsChecksBands:
    def test_option_points_by_value(self) -> None:
        changes = diff_of(lambda d: option(d, "channels", "linkedin").update(points=2))
        assert rows(changes) == [("questions.channels.options.linkedin.points", "changed", 1.0, 2.0)]
        assert changes[0].text == "Points of option 'linkedin' of question 'channels' changed from 1 to 2"

    def test_boolean_and_scale_option_values_name_their_options(self) -> None:
        def mutate(d: dict[str, Any]) -> None:
            option(d, "backing", True)["points"] = 2
            option(d, "backing_level", 3)["label"]["en"] = "Very strong"

        assert rows(diff_of(mutate)) == [
            ("questions.backing.options.true.points", "changed", 1.0, 2.0),
            ("questions.backing_level.options.3.label.en", "changed", "Strong", "Very strong"),
        ]

    def test_an_option_added_and_one_removed(self) -> None:
        def mutate(d: dict[str, Any]) -> None:
            options = question(d, "channels")["options"]
            options.remove(option(d, "channels", "instagram"))
            options.append({"value": "tiktok", "label": {"en": "TikTok", "fi": "TikTok"}, "points": 1})

        changes = diff_of(mutate)
        assert rows(changes) == [
            ("questions.channels.options.instagram", "removed", {"value": "instagram", "label": "Instagram", "points": 1.0}, None),
            ("questions.channels.options.tiktok", "added", None, {"value": "tiktok", "label": "TikTok", "points": 1.0}),
        ]  # fmt: skip
        assert [c.text for c in changes] == [
            "Option 'instagram' of question 'channels' removed (\"Instagram\", 1 point)",
            "Option 'tiktok' of question 'channels' added (\"TikTok\", 1 point)",
        ]

    def test_a_knockout_removed_from_an_option(self) -> None:
        changes = diff_of(lambda d: option(d, "why", "tobacco").update(knockout=None))
        assert [(c.path, c.kind.value, c.new) for c in changes] == [
            ("questions.why.options.tobacco.knockout", "removed", None)
        ]
        assert changes[0].old["reason"]["en"] == "Ethically questionable industry."

    def test_reordered_options_are_moves(self) -> None:
        changes = diff_of(lambda d: question(d, "channels")["options"].reverse())
        assert rows(changes) == [("questions.channels.options.instagram.position", "changed", 2, 1)]
        assert changes[0].text == "Option 'instagram' of question 'channels' moved from position 2 to 1"

    def test_check_points_by_check_key(self) -> None:
        changes = diff_of(lambda d: question(d, "pitch_text")["checks"][0].update(points=2))
        assert rows(changes) == [("questions.pitch_text.checks.long_enough.points", "changed", 1.0, 2.0)]
        assert changes[0].text == "Points of check 'long_enough' of question 'pitch_text' changed from 1 to 2"

    def test_band_points_by_range(self) -> None:
        changes = diff_of(lambda d: question(d, "hours")["bands"][1].update(points=4))
        assert rows(changes) == [("questions.hours.bands[2..80].points", "changed", 3.0, 4.0)]
        assert changes[0].text == "Points of band 2..80 of question 'hours' changed from 3 to 4"

    def test_a_band_with_another_range_is_another_band(self) -> None:
        def mutate(d: dict[str, Any]) -> None:
            bands = question(d, "hours")["bands"]
            bands[0]["max"] = 2.99
            bands[1]["min"] = 3

        assert rows(diff_of(mutate)) == [
            # removed items stay where they were (first, since nothing kept came before them)
            ("questions.hours.bands[0..1.99]", "removed", {"min": 0.0, "max": 1.99, "points": 0.0}, None),
            ("questions.hours.bands[2..80]", "removed", {"min": 2.0, "max": 80.0, "points": 3.0}, None),
            ("questions.hours.bands[0..2.99]", "added", None, {"min": 0.0, "max": 2.99, "points": 0.0}),
            ("questions.hours.bands[3..80]", "added", None, {"min": 3.0, "max": 80.0, "points": 3.0}),
        ]


class TestFixtures:
    def test_an_expected_decision(self) -> None:
        changes = diff_of(lambda d: fixture(d, "ready").update(expect="conditional_go"))
        assert rows(changes) == [("fixtures.ready.expect", "changed", "go", "conditional_go")]
        assert changes[0].text == 'Expected decision of fixture \'ready\' changed from "go" to "conditional_go"'

    def test_answers_by_question_key_and_special_states_as_one_value(self) -> None:
        def mutate(d: dict[str, Any]) -> None:
            answers = fixture(d, "ready")["answers"]
            answers["hours"] = {"state": "dont_know"}
            del answers["backing_level"]
            answers["channels"] = ["linkedin", "instagram"]

        changes = diff_of(mutate)
        assert rows(changes) == [
            ("fixtures.ready.answers.backing_level", "removed", 2, None),
            ("fixtures.ready.answers.hours", "changed", {"state": "not_applicable"}, {"state": "dont_know"}),
            ("fixtures.ready.answers.channels", "changed", ["linkedin"], ["linkedin", "instagram"]),
        ]
        assert changes[0].text == "Answer to 'backing_level' of fixture 'ready' removed (was 2)"

    def test_a_fixture_added_and_one_removed(self) -> None:
        def mutate(d: dict[str, Any]) -> None:
            d["fixtures"].remove(fixture(d, "tobacco"))
            d["fixtures"].append({"key": "empty", "expect": "insufficient_data", "answers": {}})

        changes = diff_of(mutate)
        assert rows(changes) == [
            ("fixtures.tobacco", "removed", {"key": "tobacco", "expect": "no_go"}, None),
            ("fixtures.empty", "added", None, {"key": "empty", "expect": "insufficient_data"}),
        ]
        assert [c.text for c in changes] == [
            "Fixture 'tobacco' removed (expected no_go)",
            "Fixture 'empty' added (expected insufficient_data)",
        ]


class TestOrderAndShape:
    def test_bank_fields_policy_dimensions_questions_fixtures_each_in_bank_order(self) -> None:
        def mutate(d: dict[str, Any]) -> None:
            fixture(d, "tobacco")["expect"] = "conditional_go"
            question(d, "channels")["weight"] = 2
            question(d, "why")["weight"] = 3
            dimension(d, "pitch")["target"] = 65
            dimension(d, "purpose")["target"] = 75
            d["policy"]["min_coverage"] = 0.6
            d["description"]["en"] = "Changed."
            d["slug"] = "mini-b2b"

        assert [c.path for c in diff_of(mutate)] == [
            "slug",
            "description.en",
            "policy.min_coverage",
            "dimensions.purpose.target",
            "dimensions.pitch.target",
            "questions.why.weight",
            "questions.channels.weight",
            "fixtures.tobacco.expect",
        ]

    def test_a_removed_question_is_listed_where_it_was(self) -> None:
        def mutate(d: dict[str, Any]) -> None:
            d["questions"].remove(question(d, "pitch_text"))
            question(d, "backing_level")["weight"] = 2
            question(d, "hours")["weight"] = 2

        assert [c.path for c in diff_of(mutate)] == [
            "questions.backing_level.weight",
            "questions.pitch_text",
            "questions.hours.weight",
        ]

    def test_the_reverse_diff_swaps_added_and_removed_old_and_new(self) -> None:
        def mutate(d: dict[str, Any]) -> None:
            d["questions"].remove(question(d, "channels"))
            d["policy"]["go_at"] = 75
            dimension(d, "pitch")["floor"] = 30

        forward, backward = diff_banks(mini(), variant(mutate)), diff_banks(variant(mutate), mini())
        swapped = {"added": "removed", "removed": "added", "changed": "changed"}
        assert rows(backward) == [(path, swapped[kind], new, old) for path, kind, old, new in rows(forward)]

    def test_a_change_as_json_has_path_kind_old_new_and_text(self) -> None:
        change = diff_of(lambda d: d["policy"].update(go_at=75))[0]
        assert change.model_dump(mode="json") == {
            "path": "policy.go_at",
            "kind": "changed",
            "old": 70.0,
            "new": 75.0,
            "text": "Threshold go_at of the policy changed from 70 to 75",
        }
        assert change.kind is ChangeKind.changed
        json.dumps(change.model_dump(mode="json"))  # plain JSON

    def test_lines_mark_changed_added_and_removed(self) -> None:
        def mutate(d: dict[str, Any]) -> None:
            d["policy"]["go_at"] = 75
            dimension(d, "pitch")["floor"] = 30
            d["questions"].remove(question(d, "channels"))

        assert [c.line() for c in diff_of(mutate)] == [
            "~ policy.go_at: 70 -> 75",
            "+ dimensions.pitch.floor: 30",
            '- questions.channels: {"key": "channels", "label": "Channels?", "dimension": "pitch"}',
        ]

    def test_a_line_shows_an_integer_that_became_a_float(self) -> None:
        changes = diff_of(lambda d: fixture(d, "vague_purpose")["answers"].update(hours=5.0))
        assert [c.line() for c in changes] == ["~ fixtures.vague_purpose.answers.hours: 5 -> 5.0"]

    def test_summaries_in_finnish(self) -> None:
        def mutate(d: dict[str, Any]) -> None:
            dimension(d, "pitch")["weight"] = 3
            option(d, "channels", "linkedin")["points"] = 2
            d["questions"].remove(question(d, "hours"))

        assert [c.summary("fi") for c in diff_of(mutate)] == [
            "Ulottuvuus 'pitch', paino muutettu: 1 → 3",
            "Kysymys 'hours' poistettu (\"Hours a week?\")",
            "Kysymys 'channels', vaihtoehto 'linkedin', pisteet muutettu: 1 → 2",
        ]

    def test_long_texts_are_shortened_in_the_sentence_only(self) -> None:
        long = "x" * 200
        change = diff_of(lambda d: dimension(d, "pitch")["recommendation"].update(en=long))[0]
        assert change.new == long
        assert change.text.endswith('"' + "x" * 79 + '…"')


MUTATIONS: dict[str, Mutation] = {
    "nothing": lambda d: None,
    "policy": lambda d: d["policy"].update(no_go_below=35),
    "dimension-text": lambda d: dimension(d, "pitch")["description"].update(en="Another."),
    "question-moved": move("hours", 3),
    "question-removed": lambda d: d["questions"].remove(question(d, "channels")),
    "option-label": lambda d: option(d, "why", "vague")["label"].update(fi="Epäselvä"),
    "band-points": lambda d: question(d, "hours")["bands"][0].update(points=0.5),
    "bands-reordered": lambda d: question(d, "hours")["bands"].reverse(),
    "check-label": lambda d: question(d, "pitch_text")["checks"][0]["label"].update(en="Twenty characters"),
    "fixture-answer": lambda d: fixture(d, "ready")["answers"].update(backing_level=3),
    "fixture-answer-order": lambda d: fixture(d, "ready").update(answers=dict(reversed(fixture(d, "ready")["answers"].items()))),
    "fixtures-reordered": lambda d: d["fixtures"].reverse(),
    "fixtures-removed": lambda d: d.update(fixtures=[]),
}  # fmt: skip


@pytest.mark.parametrize("mutate", MUTATIONS.values(), ids=MUTATIONS.keys())
def test_a_diff_is_empty_exactly_when_the_content_hash_is_the_same(mutate: Mutation) -> None:
    changed = variant(mutate)
    assert (diff_banks(mini(), changed) == []) == (content_hash(changed) == content_hash(mini()))
