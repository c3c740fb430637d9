"""`check_answers` on the mini bank: every problem, each named by question key and code, all at once."""

from __future__ import annotations

import math
from typing import Any

import pytest

from app.banks.loader import BankFileError

from app.scoring.answers import AnswerError, check_answers, is_shown, special_state
from tests.utils.answers import DONT_KNOW, NOT_APPLICABLE, mini_bank, mini_variant, question_data

PITCH = "We help small cafes fill quiet afternoons."


def valid(**overrides: Any) -> dict[str, Any]:
    """A complete valid answer set for the mini bank, with `overrides` (None removes a key)."""
    answers: dict[str, Any] = {
        "why": "written",
        "backing": True,
        "backing_level": 3,
        "pitch_text": PITCH,
        "hours": 5,
        "channels": ["linkedin"],
    }
    answers.update(overrides)
    return {k: v for k, v in answers.items() if v is not None}


def codes(answers: dict[str, Any], **kwargs: Any) -> list[tuple[str, str]]:
    bank = kwargs.pop("bank", None) or mini_bank()
    return [(e.key, e.code) for e in check_answers(bank, answers, **kwargs)]


class TestValidAnswers:
    def test_a_complete_valid_answer_set_has_no_problems(self) -> None:
        assert check_answers(mini_bank(), valid()) == []

    def test_only_required_questions_answered_is_enough(self) -> None:
        assert codes({"why": "vague", "backing": False, "pitch_text": ""}) == []


class TestEveryProblemAtOnce:
    def test_all_problems_are_reported_together_unknown_keys_first_then_in_bank_order(self) -> None:
        answers = {
            "channels": ["linkedin", "linkedin"],
            "hours": math.nan,
            "pitch_text": "x" * 141,
            "backing_level": True,
            "backing": 1,
            "why": "maybe",
            "colour": "red",
        }
        assert codes(answers) == [
            ("colour", "unknown_question"),
            ("why", "not_an_option"),
            ("backing", "wrong_type"),
            ("backing_level", "wrong_type"),
            ("pitch_text", "too_long"),
            ("hours", "wrong_type"),
            ("channels", "duplicate_option"),
        ]

    def test_every_missing_required_question_is_reported(self) -> None:
        assert check_answers(mini_bank(), {}) == [
            AnswerError("why", "missing_required", "this question is required"),
            AnswerError("backing", "missing_required", "this question is required"),
            AnswerError("pitch_text", "missing_required", "this question is required"),
        ]

    def test_missing_and_invalid_answers_are_reported_together(self) -> None:
        assert codes({"why": 2, "hours": 100}) == [
            ("why", "wrong_type"),
            ("backing", "missing_required"),
            ("pitch_text", "missing_required"),
            ("hours", "out_of_range"),
        ]


class TestUnknownQuestions:
    def test_an_unknown_key_is_named_with_the_bank(self) -> None:
        assert check_answers(mini_bank(), valid(colour="red")) == [
            AnswerError("colour", "unknown_question", "'colour' is not a question of mini 1.0.0")
        ]

    def test_several_unknown_keys_are_each_reported(self) -> None:
        assert codes(valid(a=1, b=2)) == [("a", "unknown_question"), ("b", "unknown_question")]


class TestSingleChoice:
    @pytest.mark.parametrize("value", [1, True, None, ["written"], 2.0])
    def test_a_non_string_is_the_wrong_type(self, value: Any) -> None:
        assert codes({**valid(), "why": value}) == [("why", "wrong_type")]

    @pytest.mark.parametrize("value", ["maybe", "Written", "", "written "])
    def test_a_value_not_in_the_options_is_rejected_naming_the_options(self, value: str) -> None:
        errors = check_answers(mini_bank(), valid(why=value))
        assert errors == [
            AnswerError("why", "not_an_option", f"{value!r} is not an option; expected one of: written, vague, tobacco")
        ]

    def test_a_knockout_option_is_a_valid_answer(self) -> None:
        assert codes(valid(why="tobacco")) == []


class TestMultiChoice:
    @pytest.mark.parametrize("value", ["linkedin", [1], [True], {"linkedin"}, [["linkedin"]]])
    def test_anything_but_a_list_of_strings_is_the_wrong_type(self, value: Any) -> None:
        assert codes(valid(channels=value)) == [("channels", "wrong_type")]

    def test_a_duplicate_option_is_rejected(self) -> None:
        assert codes(valid(channels=["instagram", "linkedin", "instagram"])) == [("channels", "duplicate_option")]

    def test_an_unknown_option_is_rejected(self) -> None:
        assert check_answers(mini_bank(), valid(channels=["linkedin", "tiktok"])) == [
            AnswerError("channels", "not_an_option", "'tiktok' is not an option; expected one of: linkedin, instagram")
        ]

    @pytest.mark.parametrize("value", [[], ["instagram"], ["instagram", "linkedin"]])
    def test_any_distinct_subset_is_valid(self, value: list[str]) -> None:
        assert codes(valid(channels=value)) == []


class TestScale:
    @pytest.mark.parametrize("value", [True, False, 2.0, "2", None, [2]])
    def test_a_non_integer_is_the_wrong_type(self, value: Any) -> None:
        answers = {**valid(), "backing_level": value}
        assert check_answers(mini_bank(), answers) == [
            AnswerError("backing_level", "wrong_type", "expected an integer from 1 to 3")
        ]

    @pytest.mark.parametrize("value", [0, 4, -1, 10**6])
    def test_an_integer_outside_the_scale_is_out_of_range(self, value: int) -> None:
        assert check_answers(mini_bank(), valid(backing_level=value)) == [
            AnswerError("backing_level", "out_of_range", "expected an integer from 1 to 3")
        ]

    @pytest.mark.parametrize("value", [1, 2, 3])
    def test_every_integer_of_the_scale_is_valid(self, value: int) -> None:
        assert codes(valid(backing_level=value)) == []


class TestBoolean:
    @pytest.mark.parametrize("value", [1, 0, "true", "yes", None, 1.0])
    def test_anything_but_true_or_false_is_the_wrong_type(self, value: Any) -> None:
        answers = {**valid(), "backing": value}
        assert codes(answers) == [("backing", "wrong_type")]

    @pytest.mark.parametrize("value", [True, False])
    def test_true_and_false_are_valid(self, value: bool) -> None:
        assert codes(valid(backing=value, backing_level=None)) == []


class TestNumber:
    @pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, True, "5", None, [5]])
    def test_non_numbers_and_non_finite_numbers_are_the_wrong_type(self, value: Any) -> None:
        answers = {**valid(), "hours": value}
        assert check_answers(mini_bank(), answers) == [AnswerError("hours", "wrong_type", "expected a number from 0 to 80")]

    @pytest.mark.parametrize("value", [-1, -0.01, 80.01, 81, 1e9])
    def test_a_number_outside_min_max_is_out_of_range(self, value: float) -> None:
        assert check_answers(mini_bank(), valid(hours=value)) == [
            AnswerError("hours", "out_of_range", "expected a number from 0 to 80")
        ]

    @pytest.mark.parametrize("value", [0, 80, 80.0, 2.5, 1.995])
    def test_integers_and_floats_within_min_max_are_valid(self, value: float) -> None:
        assert codes(valid(hours=value)) == []


class TestText:
    def test_one_character_over_max_length_is_too_long(self) -> None:
        assert check_answers(mini_bank(), valid(pitch_text="x" * 141)) == [
            AnswerError("pitch_text", "too_long", "at most 140 characters, got 141")
        ]

    @pytest.mark.parametrize("text", ["x" * 140, "ä" * 140, "", "Coffee."])
    def test_up_to_max_length_characters_is_valid(self, text: str) -> None:
        assert codes(valid(pitch_text=text)) == []

    @pytest.mark.parametrize("value", [5, ["text"], None, True])
    def test_a_non_string_is_the_wrong_type(self, value: Any) -> None:
        answers = {**valid(), "pitch_text": value}
        assert codes(answers) == [("pitch_text", "wrong_type")]


class TestRequired:
    def test_a_missing_required_question_is_reported(self) -> None:
        assert codes(valid(why=None)) == [("why", "missing_required")]

    @pytest.mark.parametrize("key", ["backing_level", "hours", "channels"])
    def test_an_optional_question_may_be_omitted(self, key: str) -> None:
        assert codes(valid(**{key: None})) == []

    def test_a_required_question_answered_dont_know_is_not_missing(self) -> None:
        assert codes(valid(why=DONT_KNOW)) == []

    def test_drafts_need_not_be_complete(self) -> None:
        assert codes({"hours": 5}, require_complete=False) == []
        assert codes({"hours": 500}, require_complete=False) == [("hours", "out_of_range")]


def required_follow_up(data: dict[str, Any]) -> None:
    question_data(data, "backing_level")["required"] = True


class TestRequiredFollowUp:
    def test_a_required_follow_up_is_missing_when_shown(self) -> None:
        bank = mini_variant(required_follow_up)
        assert codes(valid(backing=True, backing_level=None), bank=bank) == [("backing_level", "missing_required")]

    @pytest.mark.parametrize("backing", [False, DONT_KNOW])
    def test_a_required_follow_up_is_not_missing_when_hidden(self, backing: Any) -> None:
        bank = mini_variant(required_follow_up)
        assert codes(valid(backing=backing, backing_level=None), bank=bank) == []

    def test_a_follow_up_of_an_unanswered_question_is_hidden(self) -> None:
        bank = mini_variant(required_follow_up)
        assert codes(valid(backing=None, backing_level=None), bank=bank) == [("backing", "missing_required")]


class TestSpecialStates:
    def test_dont_know_is_allowed_by_default(self) -> None:
        assert codes(valid(why=DONT_KNOW, backing=DONT_KNOW, pitch_text=DONT_KNOW, hours=DONT_KNOW)) == []

    def test_not_applicable_where_the_bank_allows_it(self) -> None:
        assert codes(valid(hours=NOT_APPLICABLE)) == []

    @pytest.mark.parametrize("key", ["why", "backing", "backing_level", "pitch_text", "channels"])
    def test_not_applicable_where_the_bank_does_not_allow_it(self, key: str) -> None:
        assert check_answers(mini_bank(), valid(**{key: NOT_APPLICABLE})) == [
            AnswerError(key, "state_not_allowed", "not_applicable is not allowed for this question")
        ]

    def test_dont_know_where_the_bank_disallows_it(self) -> None:
        def no_dont_know(data: dict[str, Any]) -> None:
            question_data(data, "why")["allow_dont_know"] = False

        bank = mini_variant(no_dont_know)
        assert codes(valid(why=DONT_KNOW), bank=bank) == [("why", "state_not_allowed")]

    @pytest.mark.parametrize(
        "value",
        [
            {"state": "maybe"},
            {"state": "dont_know", "note": "ask Anna"},
            {},
            {"State": "dont_know"},
            {"state": None},
            {"value": "written"},
        ],
    )
    def test_a_malformed_special_state_is_invalid(self, value: dict[str, Any]) -> None:
        assert codes(valid(why=value)) == [("why", "invalid_state")]

    def test_every_question_type_reports_a_malformed_state_the_same_way(self) -> None:
        bad = {"state": "skip"}
        answers = {key: bad for key in valid()}
        assert codes(answers) == [(key, "invalid_state") for key in valid()]


class TestHelpers:
    @pytest.mark.parametrize(
        ("value", "state"),
        [
            (DONT_KNOW, "dont_know"),
            (NOT_APPLICABLE, "not_applicable"),
            ({"state": "maybe"}, None),
            ({"state": "dont_know", "x": 1}, None),
            ("dont_know", None),
            (None, None),
        ],
    )
    def test_special_state(self, value: Any, state: str | None) -> None:
        assert special_state(value) == state

    @pytest.mark.parametrize(
        ("backing", "expected"),
        [(True, True), (False, False), (1, False), (DONT_KNOW, False), (None, False)],
    )
    def test_is_shown_matches_the_parent_answer_exactly(self, backing: Any, expected: bool) -> None:
        bank = mini_bank()
        questions = {q.key: q for q in bank.questions}
        answers = {} if backing is None else {"backing": backing}
        assert is_shown(bank.question("backing_level"), answers, questions) is expected

    def test_show_if_on_a_number_question_is_refused_by_the_bank_format(self) -> None:
        # is 5.0 equal to 5? only questions with fixed option values can drive show_if
        def follow_up_of_hours(data: dict[str, Any]) -> None:
            follow_up = {**question_data(data, "channels"), "key": "more_channels"}
            follow_up["show_if"] = {"question": "hours", "equals": 5}
            data["questions"].append(follow_up)

        with pytest.raises(BankFileError, match="show_if must name a question with options; 'hours' is a number"):
            mini_variant(follow_up_of_hours)
