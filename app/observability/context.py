"""The request a log line belongs to: its id and, once its key is checked, its tenant.

One mutable dict per request, set by the middleware: FastAPI runs a sync
dependency in a worker thread with a *copy* of the request's context, so a
value bound there with a new context variable (structlog.contextvars
included) would vanish with the thread. A key added to this shared dict is
seen by the middleware's access line and by every later line of the request.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from contextvars import ContextVar
from typing import Any

_fields: ContextVar[dict[str, str] | None] = ContextVar("readiness_request_fields", default=None)


def start_request(request_id: str) -> None:
    # not reset when the request ends: each request runs in a task of its own, and the
    # handler of an unexpected error, outside the middleware, still logs with the id
    _fields.set({"request_id": request_id})


def bind_tenant(tenant_id: object) -> None:
    """Name the authenticated tenant on the request's remaining log lines (its id: never its name)."""
    fields = _fields.get()
    if fields is not None:
        fields["tenant_id"] = str(tenant_id)


def request_id() -> str | None:
    fields = _fields.get()
    return None if fields is None else fields["request_id"]


def add_request_fields(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """A structlog processor: the request's id and tenant on each line logged while it runs."""
    fields = _fields.get()
    if fields is not None:
        for key, value in fields.items():
            event.setdefault(key, value)
    return event
