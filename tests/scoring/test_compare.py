"""The comparison of two results: examples on the mini bank, and properties that hold for any two results."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.banks.schema import Bank
from app.models.comparisons import Comparison
from app.scoring.compare import compare, gap_id
from app.scoring.engine import score
from tests.utils.answers import (
    bank_id,
    bank_paths,
    best_answers,
    load_bank,
    mini_bank,
    mini_variant,
    question_data,
    valid_answers,
)

PROPERTY = settings(
    max_examples=int(os.environ.get("SCORING_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
each_bank = pytest.mark.parametrize("path", bank_paths(), ids=bank_id)

PITCH = "We help small cafes fill quiet afternoons."
READY = {"why": "written", "backing": True, "backing_level": 2, "pitch_text": PITCH, "channels": ["linkedin"]}
VAGUE = {"why": "vague", "backing": False, "pitch_text": PITCH, "hours": 5}
TOBACCO = {"why": "tobacco", "backing": True, "backing_level": 3, "pitch_text": PITCH}


def result(answers: dict[str, Any], bank: Bank | None = None, lang: str = "en") -> dict[str, Any]:
    return score(bank or mini_bank(), answers, lang=lang).model_dump(mode="json")


def ids(refs: list[dict[str, Any]]) -> set[tuple[str, str, str | None]]:
    return {(r["kind"], r["dimension"], r["question"]) for r in refs}


def gap_ids(of: dict[str, Any]) -> set[tuple[str, str, str | None]]:
    return {gap_id(g) for g in of["gaps"]}


class TestExamples:
    def test_a_closed_floor_and_a_shrinking_target_gap(self) -> None:
        before = result(VAGUE)
        after = result(VAGUE | {"why": "written", "backing": True, "backing_level": 1, "pitch_text": "Cafes."})
        comparison = compare(after, before)
        Comparison.model_validate(comparison | {"assessment": "0" * 32, "baseline": "1" * 32})
        assert comparison["bank"] == "mini"
        assert comparison["versions"] == {"baseline": "1.0.0", "assessment": "1.0.0"}
        assert comparison["decision"] == {
            "baseline": before["decision"],
            "assessment": after["decision"],
            "changed": before["decision"] != after["decision"],
        }
        assert comparison["score"] == {
            "baseline": before["score"],
            "assessment": after["score"],
            "change": round(after["score"] - before["score"], 2),
        }
        purpose = comparison["dimensions"][0]
        assert (purpose["key"], purpose["title"], purpose["target"]) == ("purpose", "Why", 70.0)
        assert purpose["status"] == {"baseline": "below_floor", "assessment": "met"}
        assert ids(comparison["gaps"]["closed"]) == {("floor", "purpose", None)}
        # the short pitch opens a target gap on pitch
        assert ids(comparison["gaps"]["opened"]) == {("target", "pitch", None)}
        assert comparison["gaps"]["unchanged"] == []
        closed = comparison["gaps"]["closed"][0]
        assert closed["severity"] == "blocker" and closed["shortfall"]["assessment"] is None
        assert closed["shortfall"]["baseline"] == before["gaps"][0]["shortfall"] > 0

    def test_a_gap_in_both_shows_its_shortfall_on_each_side(self) -> None:
        # a short pitch fails its check both times; the hours given later lift the dimension, not enough
        before, after = result(VAGUE | {"pitch_text": "Cafes."}), result(READY | {"pitch_text": "Cafes.", "hours": 5})
        unchanged = compare(after, before)["gaps"]["unchanged"]
        pitch = next(g for g in before["gaps"] if g["dimension"] == "pitch")
        later = next(g for g in after["gaps"] if g["dimension"] == "pitch")
        assert unchanged == [
            {
                "dimension": "pitch",
                "title": "Pitch",
                "kind": "target",
                "question": None,
                "severity": later["severity"],
                "shortfall": {"baseline": pitch["shortfall"], "assessment": later["shortfall"]},
            }
        ]
        assert later["shortfall"] < pitch["shortfall"]

    def test_a_knock_out_is_a_gap_of_its_question(self) -> None:
        comparison = compare(result(READY), result(TOBACCO))
        # the knock-out and the purpose's shortfall are two gaps of one dimension
        assert ids(comparison["gaps"]["closed"]) == {("knockout", "purpose", "why"), ("target", "purpose", None)}
        assert comparison["decision"] == {"baseline": "no_go", "assessment": "go", "changed": True}
        reverse = compare(result(TOBACCO), result(READY))
        assert ids(reverse["gaps"]["opened"]) == {("knockout", "purpose", "why"), ("target", "purpose", None)}

    def test_two_knock_outs_of_one_question_are_one_gap(self) -> None:
        def two_knock_out_channels(data: dict[str, Any]) -> None:
            knockout = {"reason": {"en": "No.", "fi": "Ei."}, "recommendation": {"en": "Stop.", "fi": "Lopeta."}}
            question_data(data, "channels")["options"] += [
                {"value": value, "label": {"en": value, "fi": value}, "points": 0, "knockout": knockout}
                for value in ("bought_followers", "spam")
            ]

        bank = mini_variant(two_knock_out_channels)
        later = result(READY | {"channels": ["bought_followers", "spam"]}, bank)
        assert [gap_id(g) for g in later["gaps"]].count(("knockout", "pitch", "channels")) == 2
        comparison = compare(later, result(READY | {"channels": []}, bank))
        assert [r["question"] for r in comparison["gaps"]["opened"]] == ["channels"]

    def test_titles_come_from_the_assessment(self) -> None:
        comparison = compare(result(READY, lang="fi"), result(VAGUE, lang="en"))
        assert [d["title"] for d in comparison["dimensions"]] == ["Miksi", "Hissitarina"]
        assert {g["title"] for g in comparison["gaps"]["closed"]} == {"Miksi"}

    def test_takes_result_objects_as_well_as_their_json(self) -> None:
        before, after = score(mini_bank(), VAGUE), score(mini_bank(), READY)
        assert compare(after, before) == compare(after.model_dump(mode="json"), before.model_dump(mode="json"))

    def test_a_dimension_only_one_version_has_is_null_on_the_other_side(self) -> None:
        def with_reach(data: dict[str, Any]) -> None:
            data["version"] = "1.1.0"
            data["dimensions"].append(
                data["dimensions"][1]
                | {"key": "reach", "title": {"en": "Reach", "fi": "Tavoittavuus"}, "target": 80}
            )
            data["questions"].append(
                question_data(data, "hours") | {"key": "followers", "dimension": "reach", "required": True}
            )
            data.pop("fixtures", None)

        newer = mini_variant(with_reach)
        later = result(READY | {"followers": 1}, newer)
        comparison = compare(later, result(READY))
        assert comparison["versions"] == {"baseline": "1.0.0", "assessment": "1.1.0"}
        reach = comparison["dimensions"][-1]
        assert reach == {
            "key": "reach",
            "title": "Reach",
            "baseline": None,
            "assessment": 0.0,
            "change": None,
            "target": 80.0,
            "status": {"baseline": None, "assessment": "below_target"},
        }
        assert ("target", "reach", None) in ids(comparison["gaps"]["opened"])
        # and the other way round: the dimension the later version dropped keeps its baseline side
        backwards = compare(result(READY), later)
        assert backwards["dimensions"][-1]["key"] == "reach"
        assert (backwards["dimensions"][-1]["baseline"], backwards["dimensions"][-1]["assessment"]) == (0.0, None)
        assert ("target", "reach", None) in ids(backwards["gaps"]["closed"])

    def test_a_dimension_left_unscored_has_no_change(self) -> None:
        def optional_pitch(data: dict[str, Any]) -> None:
            for question in data["questions"]:
                if question["dimension"] == "pitch":
                    question["required"] = False
                    question["allow_not_applicable"] = True

        bank = mini_variant(optional_pitch)
        not_applicable = {"state": "not_applicable"}
        answers = {"why": "written", "backing": False}
        later = result(answers | {k: not_applicable for k in ("pitch_text", "hours", "channels")}, bank)
        before = result(READY | {"hours": 5}, bank)
        pitch = compare(later, before)["dimensions"][1]
        assert (pitch["baseline"], pitch["assessment"], pitch["change"]) == (before["dimensions"][1]["score"], None, None)
        assert pitch["baseline"] is not None
        assert pitch["status"] == {"baseline": "met", "assessment": "not_applicable"}


class TestProperties:
    @each_bank
    @PROPERTY
    @given(data=st.data())
    def test_a_result_compared_with_itself_changes_nothing(self, path: Path, data: st.DataObject) -> None:
        bank = load_bank(path).bank
        same = score(bank, data.draw(valid_answers(bank)))
        comparison = compare(same, same)
        assert comparison["gaps"]["closed"] == comparison["gaps"]["opened"] == []
        assert ids(comparison["gaps"]["unchanged"]) == {gap_id(g) for g in same.model_dump(mode="json")["gaps"]}
        assert comparison["decision"]["changed"] is False
        assert comparison["score"]["change"] == comparison["coverage"]["change"] == 0
        for dimension in comparison["dimensions"]:
            assert dimension["change"] == (None if dimension["assessment"] is None else 0)
            assert dimension["status"]["baseline"] == dimension["status"]["assessment"]
        for ref in comparison["gaps"]["unchanged"]:
            assert ref["shortfall"]["baseline"] == ref["shortfall"]["assessment"]

    @each_bank
    @PROPERTY
    @given(data=st.data())
    def test_closed_opened_and_unchanged_partition_the_gaps_of_both(self, path: Path, data: st.DataObject) -> None:
        bank = load_bank(path).bank
        before = result(data.draw(valid_answers(bank)), bank)
        after = result(data.draw(valid_answers(bank)), bank)
        gaps = compare(after, before)["gaps"]
        closed, opened, unchanged = ids(gaps["closed"]), ids(gaps["opened"]), ids(gaps["unchanged"])
        # each gap is listed once
        assert sum(len(gaps[k]) for k in ("closed", "opened", "unchanged")) == len(closed | opened | unchanged)
        assert closed == gap_ids(before) - gap_ids(after)
        assert opened == gap_ids(after) - gap_ids(before)
        assert unchanged == gap_ids(before) & gap_ids(after)

    @each_bank
    @PROPERTY
    @given(data=st.data())
    def test_swapping_the_two_swaps_closed_and_opened_and_negates_changes(self, path: Path, data: st.DataObject) -> None:
        bank = load_bank(path).bank
        one = result(data.draw(valid_answers(bank)), bank)
        other = result(data.draw(valid_answers(bank)), bank)
        forth, back = compare(other, one), compare(one, other)
        assert ids(forth["gaps"]["closed"]) == ids(back["gaps"]["opened"])
        assert ids(forth["gaps"]["opened"]) == ids(back["gaps"]["closed"])
        assert forth["score"]["change"] == -back["score"]["change"]
        for there, here in zip(forth["dimensions"], back["dimensions"], strict=True):
            assert there["key"] == here["key"]
            assert there["change"] == (None if here["change"] is None else -here["change"])

    @PROPERTY
    @given(data=st.data())
    def test_best_answers_close_every_gap_there_was(self, data: st.DataObject) -> None:
        bank = mini_bank()
        before = result(data.draw(valid_answers(bank)), bank)
        comparison = compare(result(best_answers(bank)), before)
        assert comparison["gaps"]["opened"] == comparison["gaps"]["unchanged"] == []
        assert ids(comparison["gaps"]["closed"]) == gap_ids(before)
        assert comparison["score"]["change"] >= 0
