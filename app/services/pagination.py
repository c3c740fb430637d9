"""Opaque keyset cursors for lists ordered newest first by (created_at, id)."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime

from app.problems import FieldError, InvalidRequest


def encode_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    raw = json.dumps({"t": created_at.isoformat(), "id": str(row_id)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        created_at = datetime.fromisoformat(raw["t"])
        if created_at.tzinfo is None:
            raise ValueError("naive time")
        return created_at, uuid.UUID(raw["id"])
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidRequest(
            "The cursor is not valid", [FieldError("query.cursor", "not a cursor from this API", "invalid_cursor")]
        ) from None
