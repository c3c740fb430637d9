"""JSON responses that say which language their texts are in, and revalidate by ETag."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import orjson
from fastapi import Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel


def localized(content: Any, *, lang: str, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    """JSON in `lang`: a model serialised by pydantic-core, plain data by orjson (both several times
    faster than the standard library's encoder on an ~18 KB result)."""
    body = content.__pydantic_serializer__.to_json(content) if isinstance(content, BaseModel) else orjson.dumps(content)
    # Vary: the same URL answers in another language for another Accept-Language
    return Response(
        body,
        status_code=status_code,
        media_type="application/json",
        headers={"Content-Language": lang, "Vary": "Accept-Language"} | (headers or {}),
    )


def entity_tag(*parts: str) -> str:
    return '"' + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32] + '"'


def matches(request: Request, etag: str) -> bool:
    """RFC 9110 If-None-Match: weak comparison, a list of tags, or `*`."""
    header = request.headers.get("if-none-match")
    if header is None:
        return False
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


def cacheable(request: Request, content: Any, *, lang: str, etag: str) -> Response:
    """The content (JSON, or its bytes already serialised) with its ETag, or 304 when the client has it."""
    headers = {"ETag": etag, "Content-Language": lang, "Vary": "Accept-Language"}
    if matches(request, etag):
        return Response(status_code=304, headers=headers)
    if isinstance(content, bytes):
        return Response(content, media_type="application/json", headers=headers)
    return JSONResponse(content, headers=headers)


def preferred_media_type(request: Request, offered: Sequence[str]) -> str:
    """RFC 9110 proactive negotiation on Accept: the offered type the client rates highest.

    Each offered type takes the q of the most specific range that matches it;
    the first offered type wins ties, and is the answer when the client sends
    no Accept or accepts none of them (serving the default beats a 406 here).
    """
    ranges = [_media_range(part) for part in request.headers.get("accept", "").split(",") if part.strip()]
    if not ranges:
        return offered[0]

    def quality(candidate: str) -> float:
        kind = candidate.split("/")[0]
        matching = [(2 if m == candidate else 1 if m == f"{kind}/*" else 0, q) for m, q in ranges if m in (candidate, f"{kind}/*", "*/*")]
        return max(matching)[1] if matching else 0.0

    rated = [(quality(candidate), -index, candidate) for index, candidate in enumerate(offered)]
    best = max(rated)
    return best[2] if best[0] > 0 else offered[0]


def _media_range(part: str) -> tuple[str, float]:
    media, *params = (p.strip() for p in part.split(";"))
    quality = 1.0
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = min(max(float(value), 0.0), 1.0)
            except ValueError:
                quality = 0.0
    return media.lower(), quality
