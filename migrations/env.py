"""Alembic environment: the app's metadata and database URL, batch mode on SQLite."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from app.db import is_sqlite, make_engine, metadata
from app.settings import get_settings

config = context.config


def _url() -> str:
    # set by app.migrations when called from the app; READINESS_DATABASE_URL otherwise
    return config.attributes.get("database_url") or get_settings().database_url


def _configure(connection: Connection | None = None, url: str | None = None) -> None:
    context.configure(
        connection=connection,
        url=url,
        target_metadata=metadata,
        compare_type=True,
        # SQLite cannot ALTER most things: batch mode rebuilds the table instead
        render_as_batch=is_sqlite(_url()),
    )


def run_migrations_offline() -> None:
    _configure(url=_url())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
