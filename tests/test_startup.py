"""Start-up loads the shipped banks into the database exactly once, and refuses silent changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from anyio import to_thread
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import Engine, func, select

from app.banks.loader import BankFileError
from app.main import create_app
from app.models import BankVersion
from app.services.banks import ShippedBankChanged
from app.settings import Settings
from tests.utils.factories import SHIPPED_VERSIONS


def _count(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(BankVersion)).scalar_one()


class TestShippedBanks:
    def test_loading_twice_stores_each_version_once(self, settings: Settings, db_engine: Engine) -> None:
        for _ in range(2):
            with TestClient(create_app(settings)) as client:
                assert client.get("/v1/banks").status_code == 200
        assert _count(db_engine) == len(SHIPPED_VERSIONS)

    def test_a_changed_file_under_a_published_version_is_refused(
        self, settings: Settings, mini_banks_dir: Path
    ) -> None:
        settings = settings.model_copy(update={"banks_dir": mini_banks_dir})
        with TestClient(create_app(settings)) as client:
            assert client.get("/v1/banks/mini").status_code == 200
        bank_file = mini_banks_dir / "mini.yaml"
        bank_file.write_text(bank_file.read_text().replace("weight: 2\n    target: 70", "weight: 3\n    target: 70"))
        with pytest.raises(ShippedBankChanged, match="mini 1.0.0 is already published"):
            with TestClient(create_app(settings)):
                pass

    def test_comments_do_not_count_as_a_change(self, settings: Settings, mini_banks_dir: Path) -> None:
        settings = settings.model_copy(update={"banks_dir": mini_banks_dir})
        with TestClient(create_app(settings)):
            pass
        bank_file = mini_banks_dir / "mini.yaml"
        bank_file.write_text("# a new comment\n" + bank_file.read_text())
        with TestClient(create_app(settings)) as client:
            assert client.get("/v1/banks/mini").status_code == 200

    def test_a_broken_file_stops_start_up_naming_the_file(self, settings: Settings, mini_banks_dir: Path) -> None:
        (mini_banks_dir / "broken.yaml").write_text("slug: broken\nversion: 1.0.0\n")
        settings = settings.model_copy(update={"banks_dir": mini_banks_dir})
        with pytest.raises(BankFileError, match="broken.yaml"):
            with TestClient(create_app(settings)):
                pass

    def test_old_versions_stay_readable_after_their_file_is_gone(
        self, settings: Settings, mini_banks_dir: Path
    ) -> None:
        settings = settings.model_copy(update={"banks_dir": mini_banks_dir})
        with TestClient(create_app(settings)):
            pass
        (mini_banks_dir / "mini.yaml").unlink()
        with TestClient(create_app(settings)) as client:
            assert client.get("/v1/banks/mini/versions/1.0.0").status_code == 200

    def test_a_shipped_bank_whose_fixture_flips_stops_start_up(self, settings: Settings, mini_banks_dir: Path) -> None:
        bank_file = mini_banks_dir / "mini.yaml"
        text = bank_file.read_text()
        assert "expect: go" in text
        bank_file.write_text(text.replace("expect: go", "expect: no_go", 1))
        settings = settings.model_copy(update={"banks_dir": mini_banks_dir})
        with pytest.raises(BankFileError, match="expected no_go, got go"):
            with TestClient(create_app(settings)):
                pass


class TestWorkerThreads:
    @pytest.mark.parametrize("threads", [1, 4, 9])
    def test_the_threadpool_of_a_running_app_has_the_configured_size(self, settings: Settings, threads: int) -> None:
        async def tokens() -> float:
            return to_thread.current_default_thread_limiter().total_tokens

        with TestClient(create_app(settings.model_copy(update={"worker_threads": threads}))) as client:
            # a `def` route still answers through the narrowed pool
            assert client.get("/readyz").status_code == 200
            assert client.portal.call(tokens) == threads

    @pytest.mark.parametrize("value", ["0", "-1", "many"])
    def test_a_threadpool_without_threads_is_refused(self, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
        monkeypatch.setenv("READINESS_WORKER_THREADS", value)
        with pytest.raises(ValidationError, match="worker_threads"):
            Settings()
