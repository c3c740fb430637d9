"""Engine factory, naming convention and the per-request session."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import orjson

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

import app.models  # noqa: F401  (registers every table on the metadata)
from app.models.common import metadata
from app.settings import Settings

__all__ = ["engine_for", "make_engine", "metadata", "session_scope"]


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


# orjson reads and writes the JSON columns (answers, results, banks) several times faster than json
JSON_CODEC: dict[str, Any] = {"json_serializer": _dumps, "json_deserializer": orjson.loads}
# a database error's message, logged with its traceback, names the SQL but not the values it was given
# (answers, an email, an organisation)
_OPTIONS: dict[str, Any] = {**JSON_CODEC, "hide_parameters": True}


# SQLite connections are cheap: one per thread of the server's threadpool, so no request waits for one
SQLITE_POOL_SIZE = 48


def make_engine(
    url: str,
    *,
    busy_timeout_ms: int = 5000,
    pool_size: int = 10,
    max_overflow: int = 10,
    pool_timeout: float = 30,
    pool_recycle: int = 1800,
) -> Engine:
    if is_sqlite(url):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
            pool_size=SQLITE_POOL_SIZE,
            max_overflow=SQLITE_POOL_SIZE,
            **_OPTIONS,
        )
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        _queue_sqlite_writers(engine, busy_timeout_ms / 1000)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        pool_recycle=pool_recycle,
        **_OPTIONS,
    )


def _sqlite_pragmas(busy_timeout_ms: int) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets readers run beside the writer; FULL makes an acknowledged commit survive power loss.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return on_connect


def engine_for(settings: Settings) -> Engine:
    """The engine a server process uses, with the pool and timeouts of its settings."""
    return make_engine(
        settings.database_url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        pool_recycle=settings.db_pool_recycle_seconds,
    )


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _queue_sqlite_writers(engine: Engine, timeout: float) -> None:
    """Writers of this process wait for SQLite's one write lock in a queue, not by polling.

    SQLite lets one transaction write at a time and makes the others retry on a
    timer that backs off to 100 ms sleeps: under 64 concurrent writers that
    convoy took seconds per request. A process-wide lock taken at a
    transaction's first write and given back at its end hands the database over
    at once. Other processes on the same file still meet the busy timeout.
    """
    lock = threading.Lock()

    def before_write(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "queued_writer" not in conn.info and statement.lstrip()[:7].upper().startswith(_WRITES):
            # past the timeout, go on and let SQLite's own busy handling decide
            conn.info["queued_writer"] = lock.acquire(timeout=timeout)

    def end(conn: Any) -> None:
        if conn.info.pop("queued_writer", False):
            lock.release()

    event.listen(engine, "before_cursor_execute", before_write)
    event.listen(engine, "commit", end)
    event.listen(engine, "rollback", end)


def session_scope(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
