"""JSON responses that say which language their texts are in, and revalidate by ETag."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse


def localized(content: Any, *, lang: str, status_code: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    # Vary: the same URL answers in another language for another Accept-Language
    return JSONResponse(
        content,
        status_code=status_code,
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
    """The content with its ETag, or 304 Not Modified when the client already has it."""
    headers = {"ETag": etag, "Content-Language": lang, "Vary": "Accept-Language"}
    if matches(request, etag):
        return Response(status_code=304, headers=headers)
    return JSONResponse(content, headers=headers)
