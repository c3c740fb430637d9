"""JSON responses that always say which language their texts are in."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse


def localized(content: Any, *, lang: str, status_code: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    # Vary: the same URL answers in another language for another Accept-Language
    return JSONResponse(
        content,
        status_code=status_code,
        headers={"Content-Language": lang, "Vary": "Accept-Language"} | (headers or {}),
    )
