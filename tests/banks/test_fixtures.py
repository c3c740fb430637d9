"""Rubric fixtures: a bank's example answer sets and the decision each must produce.

The schema checks their structure when a bank loads; `run_fixtures` checks their
answers and scores them; a fixture that flips is named with the expected and the
actual decision.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.banks.fixtures import FixtureOutcome, fixture_failures, run_fixture, run_fixtures
from app.banks.loader import BankFileError, content_hash, load_bank_file, parse_bank
from app.banks.schema import Bank
from app.scoring.engine import score
from app.scoring.result import Decision
from tests.utils.answers import MINI_BANK, bank_data
from tests.utils.factories import ANSWERS, SHIPPED_PATH

Mutation = Callable[[dict[str, Any]], None]

# the shipped bank's fixtures are the answer files of tests/fixtures/answers/, kept identical
SHIPPED_FIXTURE_FILES = {
    "clearly_ready": "ready.json",
    "clearly_not_ready": "not_ready.json",
    "knockout_arms_industry": "knockout.json",
    "borderline": "borderline.json",
    "no_owner": "no_owner.json",
    "insufficient_data": "insufficient.json",
}


def mini() -> Bank:
    return load_bank_file(MINI_BANK).bank


def variant(mutate: Mutation) -> Bank:
    data = bank_data(MINI_BANK)
    mutate(data)
    return parse_bank(data, Path("variant.yaml")).bank


def fixture_data(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(f for f in data["fixtures"] if f["key"] == key)


def set_fixture(key: str, *path: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        target = fixture_data(data, key)
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return mutate


def refusal(data: dict[str, Any]) -> str:
    with pytest.raises(BankFileError) as caught:
        parse_bank(data, Path("bank.yaml"))
    return str(caught.value)


def strict_json(value: Any) -> str:
    """JSON that tells true from 1 and 1 from 1.0, so answers compare exactly."""
    return json.dumps(value, sort_keys=True)


class TestPassingFixtures:
    def test_the_mini_banks_fixtures_all_give_their_decision(self) -> None:
        outcomes = run_fixtures(mini())
        assert [(o.key, o.expected, o.actual, o.passed, o.problems) for o in outcomes] == [
            ("ready", Decision.go, Decision.go, True, []),
            ("tobacco", Decision.no_go, Decision.no_go, True, []),
            ("vague_purpose", Decision.conditional_go, Decision.conditional_go, True, []),
        ]
        assert fixture_failures(mini()) == []

    def test_an_outcome_carries_the_score_and_coverage_the_engine_gives(self) -> None:
        bank = mini()
        for fixture, outcome in zip(bank.fixtures, run_fixtures(bank), strict=True):
            result = score(bank, fixture.answers)
            assert (outcome.score, outcome.coverage) == (result.score, result.coverage)

    def test_a_bank_without_fixtures_has_no_outcomes_and_no_failures(self) -> None:
        bank = variant(lambda data: data.pop("fixtures"))
        assert bank.fixtures == []
        assert run_fixtures(bank) == []
        assert fixture_failures(bank) == []

    def test_an_outcome_is_frozen(self) -> None:
        outcome = run_fixtures(mini())[0]
        assert isinstance(outcome, FixtureOutcome)
        with pytest.raises(dataclasses.FrozenInstanceError):
            outcome.passed = False  # type: ignore[misc]


class TestFailingFixtures:
    def test_a_flipped_fixture_names_its_key_the_expected_and_the_actual_decision(self) -> None:
        bank = variant(set_fixture("vague_purpose", "expect", value="go"))
        outcome = run_fixture(bank, bank.fixture("vague_purpose"))
        assert (outcome.expected, outcome.actual, outcome.passed, outcome.problems) == (
            Decision.go, Decision.conditional_go, False, [],
        )  # fmt: skip
        assert fixture_failures(bank) == ["fixture 'vague_purpose': expected go, got conditional_go (score 44.44)"]

    def test_only_the_failing_fixtures_are_reported_in_bank_order(self) -> None:
        def flip_two(data: dict[str, Any]) -> None:
            fixture_data(data, "tobacco")["expect"] = "insufficient_data"
            fixture_data(data, "ready")["expect"] = "no_go"

        assert fixture_failures(variant(flip_two)) == [
            "fixture 'ready': expected no_go, got go (score 83.33)",
            "fixture 'tobacco': expected insufficient_data, got no_go (score 44.44, coverage 0.7143)",
        ]

    def test_a_rubric_change_that_flips_a_fixture_is_caught(self) -> None:
        # raising go_at above the ready fixture's score turns its go into conditional_go
        bank = variant(lambda data: data["policy"].update(go_at=90))
        assert fixture_failures(bank) == ["fixture 'ready': expected go, got conditional_go (score 83.33)"]

    def test_answers_that_are_not_valid_fail_with_every_problem_and_no_decision(self) -> None:
        def bad_answers(data: dict[str, Any]) -> None:
            answers = fixture_data(data, "ready")["answers"]
            answers["why"] = "maybe"
            answers["nope"] = 1
            del answers["backing"]

        bank = variant(bad_answers)
        outcome = run_fixture(bank, bank.fixture("ready"))
        assert (outcome.expected, outcome.actual, outcome.passed, outcome.score) == (Decision.go, None, False, None)
        assert outcome.problems == [
            "answers.nope: 'nope' is not a question of mini 1.0.0",
            "answers.why: 'maybe' is not an option; expected one of: written, vague, tobacco",
            "answers.backing: this question is required",
        ]
        assert fixture_failures(bank) == [
            "fixture 'ready': expected go, but its answers are not valid: "
            "answers.nope: 'nope' is not a question of mini 1.0.0; "
            "answers.why: 'maybe' is not an option; expected one of: written, vague, tobacco; "
            "answers.backing: this question is required"
        ]

    def test_a_special_state_the_question_does_not_allow_is_reported(self) -> None:
        bank = variant(set_fixture("tobacco", "answers", "why", value={"state": "not_applicable"}))
        assert run_fixture(bank, bank.fixture("tobacco")).problems == [
            "answers.why: not_applicable is not allowed for this question"
        ]


class TestFixtureStructure:
    def test_duplicate_fixture_keys_are_refused(self) -> None:
        message = refusal_of(lambda data: data["fixtures"].append(dict(data["fixtures"][0])))
        assert message == "bank.yaml: fixtures: duplicate fixture key 'ready'"

    @pytest.mark.parametrize(
        ("mutate", "problem"),
        [
            pytest.param(
                set_fixture("ready", "expect", value="maybe"),
                "fixtures.0.expect: Input should be 'go', 'conditional_go', 'no_go' or 'insufficient_data'",
                id="unknown-decision",
            ),
            pytest.param(
                lambda data: fixture_data(data, "ready").pop("expect"), "fixtures.0.expect: Field required", id="no-expect"
            ),
            pytest.param(
                lambda data: fixture_data(data, "ready").pop("answers"),
                "fixtures.0.answers: Field required",
                id="no-answers",
            ),
            pytest.param(
                set_fixture("ready", "key", value="Ready!"),
                "fixtures.0.key: String should match pattern '^[a-z][a-z0-9_]{0,63}$'",
                id="key-pattern",
            ),
            pytest.param(
                set_fixture("ready", "expected", value="go"),
                "fixtures.0.expected: Extra inputs are not permitted",
                id="unknown-field",
            ),
            pytest.param(
                set_fixture("ready", "description", value={"en": "English only"}),
                "fixtures.0.description.fi: Field required",
                id="description-needs-both-languages",
            ),
            pytest.param(
                set_fixture("ready", "answers", value=["why", "written"]),
                "fixtures.0.answers: Input should be a valid dictionary",
                id="answers-not-an-object",
            ),
        ],
    )
    def test_a_malformed_fixture_is_refused_naming_its_place(self, mutate: Mutation, problem: str) -> None:
        assert f"bank.yaml: {problem}" in refusal_of(mutate).splitlines()

    def test_loading_does_not_run_fixtures(self, tmp_path: Path) -> None:
        data = bank_data(MINI_BANK)
        fixture_data(data, "ready")["expect"] = "no_go"
        fixture_data(data, "tobacco")["answers"] = {"nope": 1}
        path = tmp_path / "flipped.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        bank = load_bank_file(path).bank  # structurally valid: loads
        assert [o.passed for o in run_fixtures(bank)] == [False, False, True]

    def test_a_fixture_is_frozen(self) -> None:
        with pytest.raises(ValueError, match="frozen"):
            mini().fixtures[0].expect = Decision.no_go  # type: ignore[misc]


def refusal_of(mutate: Mutation) -> str:
    data = bank_data(MINI_BANK)
    mutate(data)
    return refusal(data)


class TestContentHash:
    def test_fixtures_are_part_of_the_content(self) -> None:
        changed = variant(set_fixture("ready", "description", "en", value="Another description."))
        assert content_hash(changed) != content_hash(mini())

    def test_a_bank_without_fixtures_hashes_as_it_did_before_fixtures_existed(self) -> None:
        bank = variant(lambda data: data.pop("fixtures"))
        document = bank.model_dump(mode="json", by_alias=True)
        document.pop("fixtures")
        canonical = json.dumps(document, sort_keys=True, ensure_ascii=False)
        assert content_hash(bank) == "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
        assert content_hash(bank) == content_hash(variant(lambda data: data.update(fixtures=[])))


class TestShippedBankFixtures:
    def test_every_shipped_fixture_gives_its_decision(self) -> None:
        bank = load_bank_file(SHIPPED_PATH).bank
        assert fixture_failures(bank) == []
        assert all(o.passed for o in run_fixtures(bank))

    def test_the_shipped_fixtures_cover_every_required_case(self) -> None:
        # issue 3: clearly ready, clearly not, a knock-out, a borderline conditional go, insufficient data
        bank = load_bank_file(SHIPPED_PATH).bank
        assert len(bank.fixtures) >= 5
        cases = set()
        for fixture in bank.fixtures:
            result = score(bank, fixture.answers)
            assert result.decision == fixture.expect
            cases.add((result.decision, bool(result.knockouts)))
        assert cases >= {
            (Decision.go, False),
            (Decision.no_go, False),
            (Decision.no_go, True),
            (Decision.conditional_go, False),
            (Decision.insufficient_data, False),
        }

    def test_the_borderline_fixture_lies_between_the_thresholds(self) -> None:
        bank = load_bank_file(SHIPPED_PATH).bank
        result = score(bank, bank.fixture("borderline").answers)
        assert bank.policy.no_go_below <= result.score < bank.policy.go_at

    @pytest.mark.parametrize(("key", "file"), SHIPPED_FIXTURE_FILES.items())
    def test_a_shipped_fixture_is_its_answer_file(self, key: str, file: str) -> None:
        fixture = load_bank_file(SHIPPED_PATH).bank.fixture(key)
        on_file = json.loads((ANSWERS / file).read_text(encoding="utf-8"))
        assert strict_json(fixture.answers) == strict_json(on_file)
