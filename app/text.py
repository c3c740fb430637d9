"""Rules for free text that every engine can store: no NUL or other control characters.

PostgreSQL refuses NUL in text and JSONB, and control characters are never
meaningful in an answer or a name; tab, newline and carriage return are kept.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(text: str) -> bool:
    return _CONTROL.search(text) is not None


def reject_control_characters(text: str) -> str:
    """A Pydantic after-validator: control characters are an error, never silently removed."""
    if has_control_characters(text):
        raise ValueError("control characters (such as NUL) are not allowed")
    return text
