"""Rules for free text that every engine can store: no NUL or other control characters.

PostgreSQL refuses NUL in text and JSONB, and control characters are never
meaningful in an answer or a name; tab, newline and carriage return are kept.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import GetJsonSchemaHandler
from pydantic_core import CoreSchema

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# the same rule as a JSON Schema (ECMA-262) pattern, for the OpenAPI document
CONTROL_FREE_PATTERN = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$"


def has_control_characters(text: str) -> bool:
    return _CONTROL.search(text) is not None


def reject_control_characters(text: str) -> str:
    """A Pydantic after-validator: control characters are an error, never silently removed."""
    if has_control_characters(text):
        raise ValueError("control characters (such as NUL) are not allowed")
    return text


class ControlFreeInSchema:
    """Annotation that says in the JSON Schema what `reject_control_characters` enforces."""

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        schema = handler(core_schema)
        schema["pattern"] = CONTROL_FREE_PATTERN
        return schema
