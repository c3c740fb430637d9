"""Request examples shown in /docs; filled in with the shipped bank's question keys."""

from __future__ import annotations

from typing import Any

_ANSWERS: dict[str, Any] = {}

SCORE_EXAMPLES: dict[str, Any] = {
    "ready": {"summary": "A ready organisation", "value": {"bank": "social-media-readiness", "answers": _ANSWERS}},
}
ASSESSMENT_EXAMPLES: dict[str, Any] = {
    "ready": {
        "summary": "Store an assessment",
        "value": {
            "bank": "social-media-readiness",
            "respondent": {"organisation": "Kahvila Esimerkki Oy", "email": "owner@example.fi", "external_ref": "crm-4711"},
            "answers": _ANSWERS,
        },
    },
}
