"""Alembic is the only way the schema is made: head must equal the models exactly."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

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
