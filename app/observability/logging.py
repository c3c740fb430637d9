"""Every log line as one JSON object on stdout: structlog's own lines and the standard library's alike.

uvicorn, Alembic and the app's `logging.getLogger(__name__)` loggers go
through the same processors as structlog, so each line has `timestamp` (ISO
8601, UTC), `level` and `event`, and while a request runs its `request_id`
and `tenant_id`.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import orjson
import structlog
from structlog.typing import Processor

from app.observability.context import add_request_fields

# uvicorn configures these itself when it starts the app: they are made to pass their lines on to the root
_UVICORN = ("uvicorn", "uvicorn.error")
# its access line repeats ours, and with the raw path and query string, which may carry personal data
_UVICORN_ACCESS = "uvicorn.access"
# httpx logs each webhook URL it posts to at INFO: a receiver may have put a token in it
_QUIET = ("httpx", "httpcore")


class _Stdout:
    """Writes to whatever sys.stdout is at the time (a test's capture, say), not what it was when configured."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """The root handler this module installs, told apart so configuring again replaces it."""


def _dumps(value: Any, **kwargs: Any) -> str:
    return orjson.dumps(value, **kwargs).decode()


def configure_logging(*, level: str = "info", fmt: str = "json") -> None:
    """Route structlog and the standard library to stdout as JSON (or readable lines); safe to call again."""
    numeric = logging.getLevelNamesMapping()[level.upper()]
    # the request's fields come from app.observability.context, not structlog.contextvars: a binding made
    # in a sync dependency's thread would not reach the access line, and merging every context variable
    # into every line costs a copy of the context each time
    shared: list[Processor] = [
        add_request_fields,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    final: list[Processor] = (
        [structlog.processors.format_exc_info, structlog.processors.JSONRenderer(serializer=_dumps)]
        if fmt == "json"
        else [structlog.dev.ConsoleRenderer(colors=False)]
    )
    structlog.configure(
        processors=[*shared, *final],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.WriteLoggerFactory(file=_Stdout()),  # type: ignore[arg-type]
        # a logger's processors are looked up once, not on every request
        cache_logger_on_first_use=True,
    )
    handler = _Handler(_Stdout())
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *final],
        )
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric)
    for name in _UVICORN:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    access = logging.getLogger(_UVICORN_ACCESS)
    access.handlers = [logging.NullHandler()]
    access.propagate = False
    for name in _QUIET:
        logging.getLogger(name).setLevel(max(numeric, logging.WARNING))


def access_logger() -> Any:
    """The logger of the one line per request; made after configure_logging, so it takes that configuration."""
    return structlog.get_logger("readiness.access")
