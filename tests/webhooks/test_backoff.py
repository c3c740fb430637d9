"""The retry schedule: Svix's steps with jitter, spanning more than a day even when every delay comes out short."""

from __future__ import annotations

import random

import pytest

from app.settings import Settings
from app.webhooks.backoff import JITTER, max_attempts, next_delay

DAY = 24 * 3600


class TestNextDelay:
    def test_follows_the_schedule_within_the_jitter(self) -> None:
        rng = random.Random(7)
        schedule = [5, 300, 1800]
        for attempt, step in enumerate(schedule, start=1):
            for _ in range(200):
                delay = next_delay(attempt, schedule, rng)
                assert delay is not None and step * (1 - JITTER) <= delay <= step * (1 + JITTER)

    def test_delays_are_spread(self) -> None:
        rng = random.Random(7)
        assert len({next_delay(1, [300], rng) for _ in range(20)}) == 20

    @pytest.mark.parametrize("attempt", [0, 4, 100])
    def test_none_outside_the_schedule(self, attempt: int) -> None:
        assert next_delay(attempt, [5, 300, 1800], random.Random(7)) is None

    def test_an_empty_schedule_never_retries(self) -> None:
        assert next_delay(1, [], random.Random(7)) is None
        assert max_attempts([]) == 1


class TestDefaultSchedule:
    def test_spans_more_than_a_day_at_the_shortest(self) -> None:
        schedule = Settings().webhook_retry_schedule
        assert sum(schedule) * (1 - JITTER) > DAY
        assert schedule[:4] == [5, 300, 1800, 7200]  # quick first retries for a blip
        assert max_attempts(schedule) == 9

    def test_is_a_setting(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("READINESS_WEBHOOK_RETRY_SCHEDULE", "[0.5, 2]")
        assert Settings().webhook_retry_schedule == [0.5, 2.0]
        monkeypatch.setenv("READINESS_WEBHOOK_RETRY_SCHEDULE", "[0, 2]")
        with pytest.raises(ValueError, match="greater than 0"):
            Settings()
