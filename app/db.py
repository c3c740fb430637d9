"""Engine factory, naming convention and the per-request session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

import app.models  # noqa: F401  (registers every table on the metadata)
from app.models.common import metadata

__all__ = ["make_engine", "metadata", "session_scope"]


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


# orjson reads and writes the JSON columns (answers, results, banks) several times faster than json
JSON_CODEC: dict[str, Any] = {"json_serializer": _dumps, "json_deserializer": orjson.loads}
# a database error's message, logged with its traceback, names the SQL but not the values it was given
# (answers, an email, an organisation)
_OPTIONS: dict[str, Any] = {**JSON_CODEC, "hide_parameters": True}


def make_engine(url: str, *, busy_timeout_ms: int = 5000, pool_size: int = 10) -> Engine:
    if is_sqlite(url):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000}, **_OPTIONS
        )
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=pool_size, **_OPTIONS)


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


def session_scope(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
