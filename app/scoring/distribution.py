"""Score distributions kept as whole-point histograms: percentile ranks, quartiles and means.

A histogram maps a whole point (a score floored, 0..100) to how many scores
fall on it, so the distribution of any number of assessments is at most 101
counts. Percentile ranks and quartiles are therefore computed at 1-point
resolution: two scores on the same whole point count as equal. The mean is
exact when the sum of the exact scores (in hundredths of a point, as scores
carry two decimals) is given beside the counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

Histogram = Mapping[int, int]


def hundredths(score: float) -> int:
    """A score (two decimals) as a whole number of hundredths, so sums of scores stay exact."""
    return round(score * 100)


def bucket(score: float) -> int:
    """The whole point a score in 0..100 is counted under: its floor (100 stays 100)."""
    return min(100, max(0, hundredths(score) // 100))


def size(counts: Histogram) -> int:
    return sum(n for n in counts.values() if n > 0)


def combined(histograms: Iterable[Histogram]) -> dict[int, int]:
    """The histogram of several groups together (months into a period, say)."""
    total: dict[int, int] = {}
    for counts in histograms:
        for point, n in counts.items():
            total[point] = total.get(point, 0) + n
    return total


def percentile_rank(counts: Histogram, point: int) -> float:
    """Mid-rank percentile of a score on `point`: 100 * (below + same / 2) / size.

    `below` counts the scores on lower whole points, `same` those on the same
    whole point (the score itself included when it is part of the group).
    """
    n = size(counts)
    if n == 0:
        raise ValueError("an empty distribution has no percentiles")
    below = sum(c for p, c in counts.items() if p < point and c > 0)
    same = max(counts.get(point, 0), 0)
    return 100 * (below + same / 2) / n


def quantile(counts: Histogram, q: float) -> float:
    """The q-quantile (0 <= q <= 1) of the whole-point scores, linearly interpolated.

    The value at position (size - 1) * q of the sorted scores, between its two
    neighbours: numpy's default and the "inclusive" method of Python's
    `statistics.quantiles` (Hyndman and Fan's type 7).
    """
    n = size(counts)
    if n == 0:
        raise ValueError("an empty distribution has no quantiles")
    if not 0 <= q <= 1:
        raise ValueError(f"q must be within 0..1, got {q}")
    position = (n - 1) * q
    lower = int(position)
    low = _order_statistic(counts, lower)
    if position == lower:
        return float(low)
    high = _order_statistic(counts, lower + 1)
    return low + (high - low) * (position - lower)


def _order_statistic(counts: Histogram, index: int) -> int:
    """The whole point at 0-based `index` of the scores sorted in ascending order."""
    seen = 0
    for point in sorted(counts):
        seen += max(counts[point], 0)
        if index < seen:
            return point
    raise IndexError(index)


def mean(counts: Histogram, sum_hundredths: int | None = None) -> float:
    """The mean score: exact from the sum of the exact scores when given, else of the whole points."""
    n = size(counts)
    if n == 0:
        raise ValueError("an empty distribution has no mean")
    if sum_hundredths is not None:
        return sum_hundredths / 100 / n
    return sum(p * c for p, c in counts.items() if c > 0) / n


@dataclass(frozen=True)
class Summary:
    count: int
    mean: float
    p25: float
    median: float
    p75: float


def describe(counts: Histogram, sum_hundredths: int | None = None) -> Summary | None:
    """Count, mean and quartiles of a distribution; None when it is empty."""
    n = size(counts)
    if n == 0:
        return None
    return Summary(
        count=n,
        mean=mean(counts, sum_hundredths),
        p25=quantile(counts, 0.25),
        median=quantile(counts, 0.5),
        p75=quantile(counts, 0.75),
    )
