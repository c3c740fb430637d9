"""Alembic is the only way the schema is made: head must equal the models exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlmodel import select

from app import migrations
from app.db import make_engine, metadata
from app.settings import Settings


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


class TestMigrations:
    def test_upgrade_head_on_the_empty_test_database_matches_the_models(self, db_engine: Engine) -> None:
        # the session fixture made this database from nothing with `alembic upgrade head`
        assert _differences(db_engine) == []
        assert set(metadata.tables) <= set(inspect(db_engine).get_table_names())

    def test_downgrade_to_base_and_up_again(self, tmp_path: Path) -> None:
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'fresh.db'}")
        engine = make_engine(settings.database_url)
        try:
            migrations.upgrade(settings)
            assert migrations.current_revision(engine) == migrations.head_revision(settings)
            from alembic import command

            command.downgrade(migrations.alembic_config(settings), "base")
            assert set(inspect(engine).get_table_names()) == {"alembic_version"}
            migrations.upgrade(settings)
            assert _differences(engine) == []
        finally:
            engine.dispose()

    def test_the_digest_is_filled_in_for_assessments_stored_before_it(self, tmp_path: Path) -> None:
        from alembic import command
        from fastapi.testclient import TestClient
        from pydantic import SecretStr
        from sqlmodel import Session

        from app.main import create_app
        from app.models import Assessment
        from app.models.tenants import KeyKind
        from app.services import keys as key_service
        from app.services.assessments import digest
        from tests.utils.factories import body

        settings = Settings(database_url=f"sqlite:///{tmp_path / 'digest.db'}", key_pepper=SecretStr("p"))
        engine = make_engine(settings.database_url)
        try:
            migrations.upgrade(settings)
            with Session(engine) as session:
                _, key = key_service.create_key(session=session, tenant_name="a", pepper="p", kind=KeyKind.secret)
            with TestClient(create_app(settings)) as client:
                for name in ("ready", "not_ready"):
                    created = client.post("/v1/assessments", json=body(name), headers={"Authorization": f"Bearer {key}"})
                    assert created.status_code == 201
            command.downgrade(migrations.alembic_config(settings), "f3bfa086feed")
            migrations.upgrade(settings)
            with Session(engine) as session:
                stored = session.exec(select(Assessment)).all()
                assert len(stored) == 2
                assert all(a.digest == digest(a.result) for a in stored)  # type: ignore[arg-type]
        finally:
            engine.dispose()

    def test_the_score_histograms_are_filled_in_for_assessments_submitted_before_them(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from datetime import UTC, datetime

        from alembic import command
        from fastapi.testclient import TestClient
        from pydantic import SecretStr
        from sqlmodel import Session

        from app.main import create_app
        from app.models import ScoreHistogram
        from app.models.tenants import KeyKind
        from app.services import assessments as assessment_service
        from app.services import keys as key_service
        from tests.utils.histograms import recomputed
        from tests.utils.factories import body

        settings = Settings(database_url=f"sqlite:///{tmp_path / 'histogram.db'}", key_pepper=SecretStr("p"))
        engine = make_engine(settings.database_url)

        def rows() -> list[tuple[object, ...]]:
            with Session(engine) as session:
                return sorted(
                    (r.tenant_id.hex, r.month, r.metric, r.bucket, r.count, r.score_sum)
                    for r in session.exec(select(ScoreHistogram)).all()
                )

        try:
            migrations.upgrade(settings)
            keys = []
            with Session(engine) as session:
                for tenant in ("a", "b"):
                    _, key = key_service.create_key(session=session, tenant_name=tenant, pepper="p", kind=KeyKind.secret)
                    keys.append({"Authorization": f"Bearer {key}"})
            with TestClient(create_app(settings)) as client:
                for month, name in enumerate(("ready", "not_ready", "borderline", "knockout", "insufficient"), start=8):
                    monkeypatch.setattr(assessment_service, "utcnow", lambda month=month: datetime(2026, month, 3, tzinfo=UTC))
                    for headers in keys:
                        assert client.post("/v1/assessments", json=body(name), headers=headers).status_code == 201
                draft = client.post("/v1/assessments", json=body("ready", submit=False), headers=keys[0])
                assert draft.status_code == 201
            kept_live = rows()
            assert len({month for _, month, *_ in kept_live}) == 5
            command.downgrade(migrations.alembic_config(settings), "7b137528a0e3")
            assert "score_histogram" not in inspect(engine).get_table_names()
            migrations.upgrade(settings)
            assert rows() == kept_live
            backfilled = recomputed(engine)
            assert sorted((t.hex, m, metric, b, n, s) for (t, _v, m, metric, b), (n, s) in backfilled.items()) == kept_live
        finally:
            engine.dispose()


def test_servers_starting_at_once_migrate_once(database_url: str, tmp_path: Path) -> None:
    """Four `readiness db upgrade` at the same moment on an empty database: all succeed, the schema is at head."""
    import os
    import subprocess
    import sys

    from sqlalchemy import text

    from app.db import is_sqlite

    if is_sqlite(database_url):
        url = f"sqlite:///{tmp_path / 'race.db'}"
    else:
        admin = make_engine(database_url)
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("DROP DATABASE IF EXISTS readiness_migration_race"))
            connection.execute(text("CREATE DATABASE readiness_migration_race"))
        admin.dispose()
        url = database_url.rsplit("/", 1)[0] + "/readiness_migration_race"
    readiness = str(Path(sys.executable).with_name("readiness"))
    env = os.environ | {"READINESS_DATABASE_URL": url}
    processes = [
        subprocess.Popen([readiness, "db", "upgrade"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    outcomes = [(p.wait(timeout=120), p.stderr.read().decode()) for p in processes]  # type: ignore[union-attr]
    assert [code for code, _ in outcomes] == [0, 0, 0, 0], outcomes
    engine = make_engine(url)
    try:
        assert migrations.current_revision(engine) == migrations.head_revision(Settings(database_url=url))
        assert _differences(engine) == []
    finally:
        engine.dispose()
