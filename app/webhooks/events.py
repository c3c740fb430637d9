"""The event catalogue: every type of event an endpoint can subscribe to."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    """What happened; the `type` of an event and what an endpoint lists in `events`."""

    assessment_submitted = "assessment.submitted"
    assessment_deleted = "assessment.deleted"
