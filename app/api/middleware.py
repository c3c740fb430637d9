"""ASGI middleware: request size and rate limits, security headers.

Plain ASGI (not BaseHTTPMiddleware) so each costs a function call per request,
and so a too-large body is refused while it streams in, before it is buffered.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from limits import RateLimitItem, parse
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.problems import PROBLEM_BASE, PROBLEM_JSON

Headers = list[tuple[bytes, bytes]]


async def _send_problem(
    send: Send, scope: Scope, status: int, slug: str, title: str, detail: str, headers: Headers | None = None
) -> None:
    body = json.dumps(
        {
            "type": PROBLEM_BASE + slug,
            "title": title,
            "status": status,
            "detail": detail,
            "instance": scope.get("path", ""),
            "errors": [],
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodySizeLimit:
    """Refuse request bodies over `max_bytes` with 413, by Content-Length or while streaming."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = chunked = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value
            elif name == b"transfer-encoding":
                chunked = value
        if declared is None and chunked is None:
            # no body at all (most GETs): nothing to count, and no wrapper for every message
            await self.app(scope, receive, send)
            return
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        received = 0
        too_large = refused = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # the app gets an empty, final chunk; whatever it answers is replaced by 413
                    too_large = True
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal refused
            if not too_large:
                await send(message)
            elif not refused:
                refused = True
                await self._refuse(scope, send)

        await self.app(scope, counting_receive, guarded_send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        await _send_problem(
            send, scope, 413, "content-too-large", "Content Too Large", f"The request body is over {self.max_bytes} bytes"
        )


class RateLimit:
    """Requests per key (or per client address without one), shared through Redis when configured.

    The limit is counted on the key as sent, before it is checked: a flood of
    made-up keys is limited per made-up key and per address alike.
    """

    def __init__(
        self, app: ASGIApp, *, limit: str, storage_uri: str, exempt: Iterable[str] = ("/healthz", "/readyz")
    ) -> None:
        self.app = app
        self.item: RateLimitItem = parse(limit)
        # the async storage: a Redis round trip must not block the event loop. A sliding window
        # counter costs the same at any limit; a moving window keeps one entry per request in it.
        self.limiter = SlidingWindowCounterRateLimiter(storage_from_string(storage_uri))
        self.exempt = frozenset(exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        who = _caller(scope)
        if not await self.limiter.hit(self.item, who):
            reset_at, _ = await self.limiter.get_window_stats(self.item, who)
            retry_after = max(1, int(reset_at - time.time()) + 1)
            await _send_problem(
                send,
                scope,
                429,
                "too-many-requests",
                "Too Many Requests",
                f"More than {self.item} from this caller; retry after {retry_after} s",
                [(b"retry-after", str(retry_after).encode())],
            )
            return
        await self.app(scope, receive, send)


def _caller(scope: Scope) -> str:
    authorization = dict(scope["headers"]).get(b"authorization", b"")
    if authorization[:7].lower() == b"bearer ":
        # a digest, never the key itself, goes into the limiter's storage
        return "key:" + hashlib.sha256(authorization[7:].strip()).hexdigest()[:32]
    client = scope.get("client")
    return "ip:" + (client[0] if client else "unknown")


# The interactive docs load Swagger UI's scripts and styles; every other page is data.
_DOCS_PATHS = ("/docs", "/redoc", "/docs/oauth2-redirect")
_SECURITY_HEADERS: Headers = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
_API_CSP: Headers = [(b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")]
# answers and results carry personal data, webhook responses a signing secret: no shared cache may keep them
_PRIVATE_PREFIXES = ("/v1/assessments", "/v1/keys", "/v1/webhooks")
_NO_STORE: Headers = [(b"cache-control", b"no-store")]
# by (an API page, a private one): made once, not per request
_HEADER_SETS: dict[tuple[bool, bool], Headers] = {
    (api, private): _SECURITY_HEADERS + (_API_CSP if api else []) + (_NO_STORE if private else [])
    for api in (False, True)
    for private in (False, True)
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        extra = _HEADER_SETS[(path not in _DOCS_PATHS, path.startswith(_PRIVATE_PREFIXES))]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                # a route that sets one of these itself (an HTML page's own CSP) knows better than the default;
                # Starlette's header names are lower case already
                present = {name for name, _ in headers}
                message["headers"] = headers + [(name, value) for name, value in extra if name not in present]
            await send(message)

        await self.app(scope, receive, with_headers)

