"""When a failed delivery is tried again: a fixed schedule with jitter."""

from __future__ import annotations

import random
from collections.abc import Sequence

# ±20 %: endpoints that failed together (an outage) are not all retried in the same second
JITTER = 0.2


def next_delay(attempt: int, schedule: Sequence[float], rng: random.Random) -> float | None:
    """Seconds to wait after failed attempt number ATTEMPT (1 = the first), or None once the schedule is used up."""
    if attempt < 1 or attempt > len(schedule):
        return None
    return schedule[attempt - 1] * rng.uniform(1 - JITTER, 1 + JITTER)


def max_attempts(schedule: Sequence[float]) -> int:
    """The first attempt and one per step of the schedule."""
    return 1 + len(schedule)
