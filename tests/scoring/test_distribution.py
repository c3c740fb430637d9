"""Figures from whole-point histograms equal the same figures computed on the raw list of whole-point scores."""

from __future__ import annotations

import math
import statistics
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.scoring.distribution import (
    bucket,
    combined,
    describe,
    hundredths,
    mean,
    percentile_rank,
    quantile,
    size,
)

# scores as the engine gives them: 0..100 with two decimals
scores = st.integers(min_value=0, max_value=10_000).map(lambda h: h / 100)
score_lists = st.lists(scores, min_size=1, max_size=200)


def histogram(values: list[float]) -> dict[int, int]:
    return dict(Counter(bucket(v) for v in values))


def whole_points(values: list[float]) -> list[int]:
    return [math.floor(v) for v in values]


class TestBucket:
    @given(scores)
    def test_a_score_is_counted_under_its_floor(self, score: float) -> None:
        assert bucket(score) == math.floor(score)
        assert 0 <= bucket(score) <= 100

    def test_edges(self) -> None:
        assert [bucket(s) for s in (0.0, 0.99, 1.0, 59.99, 60.0, 99.99, 100.0)] == [0, 0, 1, 59, 60, 99, 100]

    @given(scores)
    def test_hundredths_are_exact(self, score: float) -> None:
        assert hundredths(score) / 100 == score


class TestPercentileRank:
    @given(score_lists, st.data())
    def test_mid_rank_of_a_member_equals_the_count_on_the_raw_list(self, values: list[float], data: st.DataObject) -> None:
        own = data.draw(st.sampled_from(values))
        points = whole_points(values)
        below = sum(1 for p in points if p < math.floor(own))
        same = sum(1 for p in points if p == math.floor(own))
        expected = 100 * (below + same / 2) / len(values)
        assert percentile_rank(histogram(values), bucket(own)) == pytest.approx(expected)

    @given(score_lists, st.data())
    def test_between_0_and_100_and_ordered_by_score(self, values: list[float], data: st.DataObject) -> None:
        counts = histogram(values)
        a, b = sorted(data.draw(st.lists(st.sampled_from(values), min_size=2, max_size=2)))
        assert 0 < percentile_rank(counts, bucket(a)) <= percentile_rank(counts, bucket(b)) < 100

    def test_known_values(self) -> None:
        counts = histogram([10.0, 20.5, 20.9, 30.0, 40.0])
        assert percentile_rank(counts, 10) == 10.0  # (0 + 1/2) / 5
        assert percentile_rank(counts, 20) == 40.0  # (1 + 2/2) / 5
        assert percentile_rank(counts, 40) == 90.0  # (4 + 1/2) / 5

    def test_rows_left_at_zero_count_for_nothing(self) -> None:
        assert percentile_rank({10: 1, 20: 0, 30: 1}, 30) == percentile_rank({10: 1, 30: 1}, 30) == 75.0

    def test_an_empty_group_has_no_percentile(self) -> None:
        with pytest.raises(ValueError):
            percentile_rank({}, 50)


class TestQuartiles:
    @given(st.lists(scores, min_size=2, max_size=200))
    def test_quartiles_equal_statistics_quantiles_inclusive(self, values: list[float]) -> None:
        counts = histogram(values)
        expected = statistics.quantiles(whole_points(values), n=4, method="inclusive")
        assert [quantile(counts, q) for q in (0.25, 0.5, 0.75)] == pytest.approx(expected)

    @given(score_lists)
    def test_the_median_is_the_median_of_the_whole_points(self, values: list[float]) -> None:
        assert quantile(histogram(values), 0.5) == pytest.approx(statistics.median(whole_points(values)))

    @given(score_lists)
    def test_the_extremes_are_the_lowest_and_highest_point(self, values: list[float]) -> None:
        counts = histogram(values)
        assert quantile(counts, 0) == min(whole_points(values))
        assert quantile(counts, 1) == max(whole_points(values))

    def test_one_score(self) -> None:
        assert [quantile({42: 1}, q) for q in (0.25, 0.5, 0.75)] == [42, 42, 42]

    def test_q_outside_0_to_1_is_refused(self) -> None:
        with pytest.raises(ValueError):
            quantile({1: 1}, 1.5)


class TestMean:
    @given(score_lists)
    def test_exact_with_the_sum_of_hundredths(self, values: list[float]) -> None:
        total = sum(hundredths(v) for v in values)
        assert mean(histogram(values), total) == pytest.approx(statistics.fmean(values))

    @given(score_lists)
    def test_of_the_whole_points_without_it(self, values: list[float]) -> None:
        assert mean(histogram(values)) == pytest.approx(statistics.fmean(whole_points(values)))


class TestDescribe:
    @given(score_lists, score_lists)
    def test_two_groups_combined_describe_as_one(self, first: list[float], second: list[float]) -> None:
        together = combined([histogram(first), histogram(second)])
        total = sum(hundredths(v) for v in first + second)
        assert together == histogram(first + second)
        summary = describe(together, total)
        assert summary is not None
        assert summary.count == size(together) == len(first) + len(second)
        assert summary.mean == pytest.approx(statistics.fmean(first + second))
        assert summary.median == pytest.approx(statistics.median(whole_points(first + second)))

    def test_an_empty_distribution_has_no_figures(self) -> None:
        assert describe({}) is None
        assert describe({50: 0}) is None
