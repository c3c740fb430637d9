"""One plain ASGI middleware per request: its id, its metrics and its access log line.

Kept to a few dictionary look-ups and a clock: no regular expression, no
logger made per request, and the route template read from the route the
router matched (`scope["route"]`), so metric labels stay bounded.
"""

from __future__ import annotations

import os
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.observability import context
from app.observability.metrics import Metrics

HEADER = b"x-request-id"
MAX_ID_LENGTH = 64
# requests no route took: unknown paths (404), and those refused before routing (413, 429, CORS preflight)
UNMATCHED = "unmatched"


class RequestTelemetry:
    def __init__(self, app: ASGIApp, *, metrics: Metrics, log: Any) -> None:
        self.app = app
        self.metrics = metrics
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        # 32 random hex digits, as uuid4().hex but without making a UUID of them
        request_id = _incoming_id(scope["headers"]) or os.urandom(16).hex()
        context.start_request(request_id)
        id_header = (HEADER, request_id.encode())
        # an exception that escapes becomes a 500 in Starlette's outermost handler
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope)
            self.metrics.observe_request(scope["method"], route, status, seconds)
            self.log.info(
                "request", method=scope["method"], route=route, status=status, duration_ms=round(seconds * 1000, 2)
            )


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    if route is not None:
        return route.path
    if "endpoint" in scope and not scope.get("path_params"):
        # the docs pages are plain Starlette routes that leave no "route": without parameters, the path is the template
        return scope["path"]
    return UNMATCHED


def _incoming_id(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The client's X-Request-ID when it is a short token of letters, digits and -_.: (a UUID, a trace id)."""
    for name, value in headers:
        if name == HEADER:
            if len(value) <= MAX_ID_LENGTH and value.translate(None, b"-_.:").isalnum():
                return value.decode("ascii")
            return None
    return None
