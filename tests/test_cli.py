"""The `readiness` command."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import app
from app.main import create_app
from app.settings import Settings, get_settings
from tests.conftest import FIXTURES, TEST_PEPPER
from tests.utils.factories import ANSWERS, SHIPPED_PATH

runner = CliRunner()


@pytest.fixture
def env_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("READINESS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("READINESS_KEY_PEPPER", TEST_PEPPER)
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


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
        assert "social-media-readiness 1.0.0" in result.stdout

    def test_broken_bank_names_file_path_and_problem(self, tmp_path: Path) -> None:
        broken = tmp_path / "broken.yaml"
        broken.write_text((FIXTURES / "mini-bank.yaml").read_text().replace("key: backing_level", "key: backing"))
        result = runner.invoke(app, ["banks", "validate", str(broken)])
        assert result.exit_code == 1
        assert str(broken) in result.stderr
        assert "duplicate question key 'backing'" in result.stderr


class TestKeysCreate:
    def test_printed_key_authenticates_once_stored(self, env_settings: Settings) -> None:
        result = runner.invoke(app, ["keys", "create", "--tenant", "agency-cli"])
        assert result.exit_code == 0, result.output
        key = result.stdout.strip()
        assert key.startswith("rdy_sk_")
        with TestClient(create_app(env_settings)) as client:
            assert client.get("/v1/assessments", headers={"Authorization": f"Bearer {key}"}).status_code == 200
