"""Alembic environment: the app's metadata and database URL, batch mode on SQLite."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager

from alembic import context
from sqlalchemy import Connection, Engine, text

from app.db import is_sqlite, make_engine, metadata
from app.settings import get_settings

config = context.config
# the advisory lock all migrating processes take on PostgreSQL ("rdymigr" as a number)
MIGRATION_LOCK = 0x7264796D69677200


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
        with _sqlite_file_lock(engine), engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                if conn.dialect.name == "postgresql":
                    # several servers starting at once: one migrates, the others wait for its commit,
                    # then find the schema at head and do nothing
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
                context.run_migrations()
    finally:
        engine.dispose()


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    """On SQLite, one migrating process at a time: its DDL runs outside a transaction, so the lock is a file's."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
