"""The `readiness` command."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import app
from app.main import create_app
from app.settings import Settings
from tests.conftest import FIXTURES
from tests.utils.factories import ANSWERS, SHIPPED_PATH, SHIPPED_VERSION

runner = CliRunner()


class TestScoreCommand:
    def test_json_output_matches_the_api(self, client: TestClient) -> None:
        result = runner.invoke(app, ["score", "--bank", "social-media-readiness", str(ANSWERS / "ready.json")])
        assert result.exit_code == 0, result.output
        offline = json.loads(result.stdout)
        online = client.post(
            "/v1/score", json={"bank": "social-media-readiness", "answers": json.loads((ANSWERS / "ready.json").read_text())}
        ).json()
        assert offline == online

    def test_text_summary_in_finnish(self) -> None:
        result = runner.invoke(app, ["score", str(ANSWERS / "knockout.json"), "--format", "text", "--lang", "fi"])
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("Päätös: no_go")
        assert "Poissulkeva vastaus (industry_ethics)" in result.stdout
        assert "Polku go-päätökseen:\n  1. knockout industry_ethics" in result.stdout

    def test_text_summary_ends_with_the_path_to_go_or_the_margin(self) -> None:
        borderline = runner.invoke(app, ["score", str(ANSWERS / "borderline.json"), "--format", "text"]).stdout
        path = borderline.split("Path to go:\n")[1].splitlines()
        assert path[0].startswith("  1. target audience 30.6 -> reach 70")
        ready = runner.invoke(app, ["score", str(ANSWERS / "ready.json"), "--format", "text"]).stdout
        assert ready.rstrip().splitlines()[-1].startswith("Margin over go: +")

    def test_invalid_answers_exit_1_naming_each_key(self, tmp_path: Path) -> None:
        answers = tmp_path / "answers.json"
        answers.write_text(json.dumps({"no_such_question": 1}))
        result = runner.invoke(app, ["score", str(answers)])
        assert result.exit_code == 1
        assert "answers.no_such_question" in result.stderr

    def test_not_json_exits_2(self, tmp_path: Path) -> None:
        answers = tmp_path / "answers.json"
        answers.write_text("{oops")
        result = runner.invoke(app, ["score", str(answers)])
        assert result.exit_code == 2
        assert "not valid JSON" in result.stderr


class TestBanksValidate:
    def test_shipped_bank_is_valid(self) -> None:
        result = runner.invoke(app, ["banks", "validate", str(SHIPPED_PATH)])
        assert result.exit_code == 0, result.output
        assert f"social-media-readiness {SHIPPED_VERSION}" in result.stdout

    def test_broken_bank_names_file_path_and_problem(self, tmp_path: Path) -> None:
        broken = tmp_path / "broken.yaml"
        broken.write_text((FIXTURES / "mini-bank.yaml").read_text().replace("key: backing_level", "key: backing"))
        result = runner.invoke(app, ["banks", "validate", str(broken)])
        assert result.exit_code == 1
        assert str(broken) in result.stderr
        assert "duplicate question key 'backing'" in result.stderr

    def test_the_fixtures_run_and_their_count_is_printed(self) -> None:
        result = runner.invoke(app, ["banks", "validate", str(SHIPPED_PATH)])
        assert result.exit_code == 0, result.output
        assert "45 questions, 6 fixtures passed, sha256:" in result.stdout

    def test_a_flipped_fixture_exits_1_naming_file_fixture_expected_and_actual(self, tmp_path: Path) -> None:
        flipped = tmp_path / "flipped.yaml"
        flipped.write_text(_mini_text().replace("expect: conditional_go", "expect: go"), encoding="utf-8")
        result = runner.invoke(app, ["banks", "validate", str(flipped)])
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            f"{flipped}: fixture 'vague_purpose': expected go, got conditional_go (score 44.44)"
        ]
        assert result.stdout == ""

    def test_a_folder_reports_the_failing_bank_and_passes_the_others(self, tmp_path: Path) -> None:
        good = tmp_path / "good.yaml"
        good.write_text(_mini_text(), encoding="utf-8")
        bad = tmp_path / "later.yaml"
        bad.write_text(
            _mini_text().replace("version: 1.0.0", "version: 1.1.0").replace("expect: no_go", "expect: go"),
            encoding="utf-8",
        )
        result = runner.invoke(app, ["banks", "validate", str(tmp_path)])
        assert result.exit_code == 1
        assert result.stdout.startswith(f"ok {good}: mini 1.0.0, 6 questions, 3 fixtures passed, sha256:")
        assert result.stderr.splitlines() == [f"{bad}: fixture 'tobacco': expected go, got no_go (score 44.44)"]

    def test_fixture_answers_that_are_not_valid_exit_1_naming_them(self, tmp_path: Path) -> None:
        broken = tmp_path / "broken.yaml"
        broken.write_text(_mini_text().replace("why: tobacco,", "why: cigars,"), encoding="utf-8")
        result = runner.invoke(app, ["banks", "validate", str(broken)])
        assert result.exit_code == 1
        assert result.stderr.strip() == (
            f"{broken}: fixture 'tobacco': expected no_go, but its answers are not valid: "
            "answers.why: 'cigars' is not an option; expected one of: written, vague, tobacco"
        )


def _mini_text() -> str:
    return (FIXTURES / "mini-bank.yaml").read_text(encoding="utf-8")


class TestBanksDiff:
    def test_one_line_per_change(self, tmp_path: Path) -> None:
        later = tmp_path / "later.yaml"
        text = (
            _mini_text()
            .replace("version: 1.0.0", "version: 1.1.0")
            .replace("policy: {go_at: 70,", "policy: {go_at: 75,")
            .replace("      - {value: instagram, label: {en: Instagram, fi: Instagram}, points: 1}\n", "")
            .replace("    weight: 1\n    target: 60\n", "    weight: 1\n    target: 60\n    floor: 30\n")
        )
        later.write_text(text, encoding="utf-8")
        result = runner.invoke(app, ["banks", "diff", str(FIXTURES / "mini-bank.yaml"), str(later)])
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines() == [
            '~ version: "1.0.0" -> "1.1.0"',
            "~ policy.go_at: 70 -> 75",
            "+ dimensions.pitch.floor: 30",
            '- questions.channels.options.instagram: {"value": "instagram", "label": "Instagram", "points": 1}',
        ]

    def test_identical_banks_print_nothing(self) -> None:
        result = runner.invoke(app, ["banks", "diff", str(SHIPPED_PATH), str(SHIPPED_PATH)])
        assert result.exit_code == 0, result.output
        assert result.stdout == ""

    def test_json_format_is_the_list_of_changes(self, tmp_path: Path) -> None:
        later = tmp_path / "later.yaml"
        later.write_text(_mini_text().replace("expect: no_go", "expect: insufficient_data"), encoding="utf-8")
        result = runner.invoke(app, ["banks", "diff", str(FIXTURES / "mini-bank.yaml"), str(later), "--format", "json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == [
            {
                "path": "fixtures.tobacco.expect",
                "kind": "changed",
                "old": "no_go",
                "new": "insufficient_data",
                "text": 'Expected decision of fixture \'tobacco\' changed from "no_go" to "insufficient_data"',
            }
        ]

    def test_an_invalid_file_exits_1_naming_it(self, tmp_path: Path) -> None:
        broken = tmp_path / "broken.yaml"
        broken.write_text(_mini_text().replace("policy: {go_at: 70,", "policy: {go_at: 170,"), encoding="utf-8")
        result = runner.invoke(app, ["banks", "diff", str(FIXTURES / "mini-bank.yaml"), str(broken)])
        assert result.exit_code == 1
        assert result.stdout == ""
        assert f"{broken}: policy.go_at: Input should be less than or equal to 100" in result.stderr.splitlines()


class TestKeysCreate:
    def test_printed_key_authenticates_once_stored(self, env_settings: Settings) -> None:
        result = runner.invoke(app, ["keys", "create", "--tenant", "agency-cli"])
        assert result.exit_code == 0, result.output
        key = result.stdout.strip()
        assert key.startswith("rdy_sk_")
        with TestClient(create_app(env_settings)) as client:
            assert client.get("/v1/assessments", headers={"Authorization": f"Bearer {key}"}).status_code == 200
