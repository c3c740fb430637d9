"""Loading bank files: the shipped banks load, and a broken bank is refused naming the file,
the place inside it and the problem."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.banks.loader import BankFileError, load_bank_directory, load_bank_file, parse_bank
from app.banks.schema import QuestionType
from tests.utils.answers import MINI_BANK, SHIPPED_BANKS, bank_data, bank_id, question_data, shipped_bank_files

Mutation = Callable[[dict[str, Any]], None]
# PRODUCT.md: "The shipped bank's dimensions come from the seeds"
SHIPPED_DIMENSIONS = {
    "purpose", "goals", "pitch", "audience", "resources", "content", "ownership", "risks", "measurement",
}  # fmt: skip


def write_bank(folder: Path, data: dict[str, Any], name: str = "bank.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def broken_bank(tmp_path: Path, mutate: Mutation) -> Path:
    data = bank_data(MINI_BANK)
    mutate(data)
    return write_bank(tmp_path, data, "broken.yaml")


def load_error(path: Path) -> str:
    with pytest.raises(BankFileError) as caught:
        load_bank_file(path)
    assert caught.value.path == path
    return str(caught.value)


def reversed_keys(value: Any) -> Any:
    """The same data with every mapping's keys in reverse order."""
    if isinstance(value, dict):
        return {k: reversed_keys(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [reversed_keys(v) for v in value]
    return value


shipped = pytest.mark.parametrize(
    "path",
    [pytest.param(p, id=bank_id(p)) for p in shipped_bank_files()]
    or [pytest.param(None, marks=pytest.mark.skip(reason="no shipped bank file yet"), id="none")],
)


class TestShippedBanks:
    @shipped
    def test_the_shipped_bank_loads(self, path: Path) -> None:
        loaded = load_bank_file(path)
        assert loaded.path == path
        assert re.fullmatch(r"sha256:[0-9a-f]{64}", loaded.content_hash)

    @shipped
    def test_the_social_media_readiness_bank_has_product_md_dimensions_and_a_140_character_pitch(
        self, path: Path
    ) -> None:
        bank = load_bank_file(path).bank
        if bank.slug != "social-media-readiness":
            pytest.skip("not the social media readiness bank")
        assert {d.key for d in bank.dimensions} == SHIPPED_DIMENSIONS
        pitches = [q for q in bank.questions if q.dimension == "pitch" and q.type == QuestionType.text]
        assert len(pitches) == 1
        # 1.0.0 refuses a longer pitch; later versions score it with a check that teaches
        limits = [c.value for c in pitches[0].checks or [] if c.kind == "max_length"]
        assert pitches[0].max_length == 140 or limits == [140]

    def test_the_shipped_banks_folder_loads_as_a_whole(self) -> None:
        if not shipped_bank_files():
            pytest.skip("no shipped bank file yet")
        loaded = load_bank_directory(SHIPPED_BANKS)
        assert sorted(item.path for item in loaded) == shipped_bank_files()

    def test_the_mini_bank_loads(self) -> None:
        bank = load_bank_file(MINI_BANK).bank
        assert (bank.slug, bank.version) == ("mini", "1.0.0")
        assert [q.key for q in bank.questions] == ["why", "backing", "backing_level", "pitch_text", "hours", "channels"]

    def test_plain_data_round_trips_to_the_same_bank(self) -> None:
        assert parse_bank(bank_data(MINI_BANK), Path("copy.yaml")).bank == load_bank_file(MINI_BANK).bank


class TestYamlProblems:
    def test_a_duplicate_mapping_key_is_refused_with_its_line(self, tmp_path: Path) -> None:
        text = MINI_BANK.read_text(encoding="utf-8").replace("slug: mini\n", "slug: mini\nslug: other\n", 1)
        path = tmp_path / "duplicate.yaml"
        path.write_text(text, encoding="utf-8")
        line = text.splitlines().index("slug: other") + 1
        message = load_error(path)
        assert message.startswith(f"{path}: not valid YAML")
        assert f"duplicate key 'slug' (line {line})" in message

    def test_a_duplicate_key_deep_inside_is_refused(self, tmp_path: Path) -> None:
        text = MINI_BANK.read_text(encoding="utf-8").replace("points: 2}", "points: 2, points: 3}", 1)
        path = tmp_path / "duplicate.yaml"
        path.write_text(text, encoding="utf-8")
        assert "duplicate key 'points'" in load_error(path)

    def test_invalid_yaml_names_the_file(self, tmp_path: Path) -> None:
        path = tmp_path / "bad.yaml"
        path.write_text("slug: [mini\n", encoding="utf-8")
        assert load_error(path).startswith(f"{path}: not valid YAML")

    def test_a_missing_file_names_the_file(self, tmp_path: Path) -> None:
        path = tmp_path / "absent.yaml"
        assert load_error(path) == f"{path}: cannot read: No such file or directory"

    def test_yes_no_on_off_labels_stay_strings(self, tmp_path: Path) -> None:
        text = MINI_BANK.read_text(encoding="utf-8")
        for old, new in (
            ("{value: written, label: {en: Written down, fi: Kirjattu}", "{value: yes, label: {en: No, fi: on}"),
            ("{value: vague, label: {en: Vague, fi: Epämääräinen}", "{value: no, label: {en: yes, fi: OFF}"),
        ):
            assert old in text
            text = text.replace(old, new)
        path = tmp_path / "labels.yaml"
        path.write_text(text, encoding="utf-8")
        why = load_bank_file(path).bank.question("why")
        assert [(o.value, o.label.en, o.label.fi) for o in why.options or []][:2] == [
            ("yes", "No", "on"),
            ("no", "yes", "OFF"),
        ]

    def test_the_mini_banks_yes_and_no_labels_are_strings_and_true_false_are_booleans(self) -> None:
        backing = load_bank_file(MINI_BANK).bank.question("backing")
        assert [(o.value, o.label.en) for o in backing.options or []] == [(True, "Yes"), (False, "No")]


def _append_copy_of_question(data: dict[str, Any]) -> None:
    data["questions"].append(copy.deepcopy(question_data(data, "backing")))


def _option_twice(data: dict[str, Any]) -> None:
    options = question_data(data, "why")["options"]
    options.append({**copy.deepcopy(options[1]), "value": "written"})


def _show_if(question: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        question_data(data, "backing_level")["show_if"] = {"question": question, "equals": True}

    return mutate


def _at(*path: str | int, value: Any) -> Mutation:
    """Set the value at `path` from the top of the bank."""

    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return mutate


def _in_question(key: str, *path: str | int, value: Any) -> Mutation:
    """Set the value at `path` inside the question `key`."""

    def mutate(data: dict[str, Any]) -> None:
        target: Any = question_data(data, key)
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return mutate


def _drop_fi_prompt(data: dict[str, Any]) -> None:
    del question_data(data, "why")["prompt"]["fi"]


def _empty_dimension(data: dict[str, Any]) -> None:
    data["dimensions"].append({**copy.deepcopy(data["dimensions"][1]), "key": "audience"})


class TestBrokenBanks:
    @pytest.mark.parametrize(
        ("mutate", "where", "problem"),
        [
            pytest.param(_option_twice, "questions.0", "duplicate option value 'written'", id="option-value-twice"),
            pytest.param(
                _show_if("nope"),
                "questions.2 (backing_level)",
                "show_if names 'nope', which does not exist",
                id="show-if-missing-question",
            ),
            pytest.param(
                _show_if("pitch_text"),
                "questions.2 (backing_level)",
                "show_if names 'pitch_text', which comes later; it must come earlier",
                id="show-if-later-question",
            ),
            pytest.param(
                _in_question("why", "weight", value=0), "questions.0.weight", "greater than 0", id="question-weight-0"
            ),
            pytest.param(
                _in_question("hours", "weight", value=-1),
                "questions.4.weight",
                "greater than 0",
                id="question-weight-negative",
            ),
            pytest.param(
                _at("dimensions", 0, "weight", value=0), "dimensions.0.weight", "greater than 0", id="dimension-weight-0"
            ),
            pytest.param(
                _at("dimensions", 1, "weight", value=-2),
                "dimensions.1.weight",
                "greater than 0",
                id="dimension-weight-negative",
            ),
            pytest.param(_drop_fi_prompt, "questions.0.prompt.fi", "Field required", id="missing-fi-text"),
            pytest.param(
                _at("policy", "no_go_below", value=80),
                "policy",
                "thresholds out of order: no_go_below 80.0 is above go_at 70.0",
                id="thresholds-out-of-order",
            ),
            pytest.param(
                _in_question("hours", "colour", value="red"),
                "questions.4.colour",
                "Extra inputs are not permitted",
                id="unknown-question-field",
            ),
            pytest.param(
                _at("colour", value="red"), "colour", "Extra inputs are not permitted", id="unknown-top-field"
            ),
            pytest.param(
                _in_question("why", "options", 0, "knockout", value={"reason": {"en": "x", "fi": "x"}}),
                "questions.0.options.0.knockout.recommendation",
                "Field required",
                id="knockout-without-recommendation",
            ),
        ],
    )
    def test_a_broken_bank_is_refused_naming_file_place_and_problem(
        self, tmp_path: Path, mutate: Mutation, where: str, problem: str
    ) -> None:
        path = broken_bank(tmp_path, mutate)
        message = load_error(path)
        assert message.startswith(f"{path}: {where}")
        assert problem in message

    def test_a_duplicate_question_key_is_refused_naming_both_places(self, tmp_path: Path) -> None:
        path = broken_bank(tmp_path, _append_copy_of_question)
        assert load_error(path) == f"{path}: questions.6: duplicate question key 'backing' (first at questions.1)"

    def test_a_dimension_without_questions_is_refused_naming_its_place(self, tmp_path: Path) -> None:
        path = broken_bank(tmp_path, _empty_dimension)
        assert load_error(path) == f"{path}: dimensions.2: dimension 'audience' has no questions"

    def test_a_nan_number_bound_is_refused(self, tmp_path: Path) -> None:
        # with max .nan every answer is out of range: "expected a number from 0 to nan"
        path = broken_bank(tmp_path, _in_question("hours", "max", value=float("nan")))
        assert load_error(path).startswith(f"{path}: questions.4.max")

    def test_a_nan_band_bound_is_refused(self, tmp_path: Path) -> None:
        # a band reaching to .nan never contains any answer
        path = broken_bank(tmp_path, lambda data: question_data(data, "hours")["bands"][1].update(max=float("nan")))
        assert load_error(path).startswith(f"{path}: questions.4.bands.1.max")

    def test_an_empty_show_if_in_list_is_refused(self, tmp_path: Path) -> None:
        def never_shown(data: dict[str, Any]) -> None:
            question_data(data, "backing_level")["show_if"] = {"question": "backing", "in": []}

        path = broken_bank(tmp_path, never_shown)
        assert load_error(path).startswith(f"{path}: questions.2")

    def test_every_field_problem_is_reported_at_once(self, tmp_path: Path) -> None:
        def two_problems(data: dict[str, Any]) -> None:
            question_data(data, "why")["weight"] = 0
            question_data(data, "hours")["colour"] = "red"

        path = broken_bank(tmp_path, two_problems)
        with pytest.raises(BankFileError) as caught:
            load_bank_file(path)
        assert caught.value.problems == [
            "questions.0.weight: Input should be greater than 0",
            "questions.4.colour: Extra inputs are not permitted",
        ]

    def test_parse_bank_reports_the_same_way(self) -> None:
        data = bank_data(MINI_BANK)
        data["policy"]["no_go_below"] = 80
        with pytest.raises(BankFileError) as caught:
            parse_bank(data, Path("inline.yaml"))
        assert str(caught.value) == "inline.yaml: policy: thresholds out of order: no_go_below 80.0 is above go_at 70.0"


class TestFullScoreReachable:
    """A bank must let its best answers score 100: the text example and full_points prove it."""

    def test_a_text_example_that_fails_its_checks_is_refused(self, tmp_path: Path) -> None:
        path = broken_bank(tmp_path, _in_question("pitch_text", "example", "fi", value="Liian lyhyt."))
        assert load_error(path) == f"{path}: questions.3: example.fi fails the checks long_enough"

    def test_a_text_example_longer_than_max_length_is_refused(self, tmp_path: Path) -> None:
        too_long = "We help small cafes" + "." * 122  # 141 characters
        path = broken_bank(tmp_path, _in_question("pitch_text", "example", "en", value=too_long))
        assert load_error(path) == f"{path}: questions.3: example.en is 141 characters, over max_length 140"

    def test_multi_choice_full_points_above_all_options_together_is_refused(self, tmp_path: Path) -> None:
        path = broken_bank(tmp_path, _in_question("channels", "full_points", value=5))
        assert load_error(path) == f"{path}: questions.5: full_points 5 is more than all options together (2)"

    def test_full_points_equal_to_all_options_together_is_accepted(self, tmp_path: Path) -> None:
        path = broken_bank(tmp_path, _in_question("channels", "full_points", value=2))
        assert load_bank_file(path).bank.question("channels").best_points() == 2


class TestContentHash:
    def test_comments_key_order_and_explicit_defaults_do_not_change_the_hash(self, tmp_path: Path) -> None:
        original = load_bank_file(MINI_BANK).content_hash
        data = reversed_keys(bank_data(MINI_BANK))  # every default written out, every mapping reversed
        path = tmp_path / "reordered.yaml"
        path.write_text(
            "# a different comment\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        assert load_bank_file(path).content_hash == original

    def test_a_comment_alone_does_not_change_the_hash(self, tmp_path: Path) -> None:
        path = tmp_path / "commented.yaml"
        path.write_text("# reviewed\n" + MINI_BANK.read_text(encoding="utf-8") + "# end\n", encoding="utf-8")
        assert load_bank_file(path).content_hash == load_bank_file(MINI_BANK).content_hash

    @pytest.mark.parametrize(
        "mutate",
        [
            pytest.param(_in_question("why", "weight", value=3), id="question-weight"),
            pytest.param(_at("dimensions", 0, "weight", value=3), id="dimension-weight"),
            pytest.param(_in_question("why", "options", 1, "points", value=1.5), id="option-points"),
            pytest.param(_at("policy", "go_at", value=75), id="policy"),
        ],
    )
    def test_a_change_of_meaning_changes_the_hash(self, tmp_path: Path, mutate: Mutation) -> None:
        changed = broken_bank(tmp_path, mutate)
        assert load_bank_file(changed).content_hash != load_bank_file(MINI_BANK).content_hash

    def test_the_hash_is_a_sha256(self) -> None:
        assert re.fullmatch(r"sha256:[0-9a-f]{64}", load_bank_file(MINI_BANK).content_hash)


class TestLoadBankDirectory:
    def test_every_bank_file_in_the_folder_tree_is_loaded(self, tmp_path: Path) -> None:
        first = write_bank(tmp_path, bank_data(MINI_BANK), "mini-1.0.0.yaml")
        (tmp_path / "mini").mkdir()
        later = bank_data(MINI_BANK)
        later["version"] = "1.1.0"
        second = write_bank(tmp_path / "mini", later, "1.1.0.yml")
        (tmp_path / "notes.txt").write_text("not a bank", encoding="utf-8")
        loaded = load_bank_directory(tmp_path)
        assert {item.path: item.bank.version for item in loaded} == {first: "1.0.0", second: "1.1.0"}

    def test_two_files_with_the_same_slug_and_version_are_refused(self, tmp_path: Path) -> None:
        first = write_bank(tmp_path, bank_data(MINI_BANK), "a.yaml")
        second = write_bank(tmp_path, bank_data(MINI_BANK), "b.yaml")
        with pytest.raises(BankFileError) as caught:
            load_bank_directory(tmp_path)
        assert caught.value.path == tmp_path
        assert caught.value.problems == [f"{second}: mini 1.0.0 is also defined in {first}"]

    def test_every_broken_file_is_reported_together(self, tmp_path: Path) -> None:
        write_bank(tmp_path, bank_data(MINI_BANK), "good.yaml")
        one = broken_bank(tmp_path, _at("policy", "no_go_below", value=80))
        other = tmp_path / "other.yaml"
        other.write_text("slug: [", encoding="utf-8")
        with pytest.raises(BankFileError) as caught:
            load_bank_directory(tmp_path)
        problems = caught.value.problems
        assert len(problems) == 2
        assert problems[0].startswith(f"{one}: policy: thresholds out of order")
        assert problems[1].startswith(f"{other}: not valid YAML")
