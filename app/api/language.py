"""Language negotiation: `?lang=` wins, then `Accept-Language`, then English."""

from __future__ import annotations

from app.banks.schema import LANGUAGES

DEFAULT_LANGUAGE = "en"


def negotiate(query_lang: str | None, accept_language: str | None) -> str:
    if query_lang in LANGUAGES:
        return query_lang
    return _from_header(accept_language or "") or DEFAULT_LANGUAGE


def _from_header(header: str) -> str | None:
    """The supported language the client prefers most (RFC 9110 weights; ties keep header order)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else None
