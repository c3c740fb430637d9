"""The radar chart: one polygon per series, every axis labelled, not-applicable shown as such, same bytes every time."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from app.reports.radar import RADIUS, Axis, radar_svg

SVG = "{http://www.w3.org/2000/svg}"


def chart(axes: list[Axis]) -> ET.Element:
    # well-formed XML, or this fails
    return ET.fromstring(radar_svg(axes, title="Scores", not_applicable="n/a"))


def points(polygon: ET.Element) -> list[tuple[float, float]]:
    return [tuple(map(float, pair.split(","))) for pair in polygon.attrib["points"].split()]  # type: ignore[misc]


def by_class(svg: ET.Element, tag: str, name: str) -> list[ET.Element]:
    return [e for e in svg.iter(SVG + tag) if e.attrib.get("class") == name]


def axes_of(count: int) -> list[Axis]:
    return [Axis(label=f"Dimension {i}", score=10.0 * (i % 10), target=60.0 + i) for i in range(count)]


class TestShape:
    @pytest.mark.parametrize("count", range(3, 13))
    def test_a_score_and_a_target_polygon_over_every_axis(self, count: int) -> None:
        svg = chart(axes_of(count))
        [score] = by_class(svg, "polygon", "radar-score")
        [target] = by_class(svg, "polygon", "radar-target")
        assert len(points(score)) == len(points(target)) == count
        assert len(by_class(svg, "line", "radar-axis")) == count
        labels = by_class(svg, "text", "radar-label")
        titles = [label.find(SVG + "title").text for label in labels]  # type: ignore[union-attr]
        assert titles == [f"Dimension {i}" for i in range(count)]

    @pytest.mark.parametrize("count", [0, 1, 2, 13])
    def test_fewer_than_three_or_more_than_twelve_axes_are_refused(self, count: int) -> None:
        with pytest.raises(ValueError, match="3 to 12 axes"):
            radar_svg(axes_of(count), title="t", not_applicable="n/a")

    def test_values_sit_at_their_distance_from_the_centre_first_axis_up(self) -> None:
        svg = chart([Axis("a", 100.0, 50.0), Axis("b", 0.0, 100.0), Axis("c", 25.0, 0.0), Axis("d", 150.0, -5.0)])
        [score] = by_class(svg, "polygon", "radar-score")
        [target] = by_class(svg, "polygon", "radar-target")
        assert points(score)[0] == (0.0, -RADIUS)  # 100 at the rim, straight up
        assert points(score)[1] == (0.0, 0.0)
        assert math.dist((0, 0), points(score)[2]) == pytest.approx(RADIUS / 4, abs=0.1)
        assert math.dist((0, 0), points(score)[3]) == pytest.approx(RADIUS, abs=0.1)  # clamped to 100
        assert points(target)[3] == (0.0, 0.0)  # clamped to 0
        # clockwise: the second of four axes points right
        assert points(target)[1] == (RADIUS, 0.0)


class TestNotApplicable:
    def test_a_dimension_without_a_score_keeps_its_axis_and_target_but_no_score_vertex(self) -> None:
        axes = [Axis("a", 50.0, 60.0), Axis("b", None, 60.0), Axis("c", 70.0, 60.0), Axis("d", 80.0, 60.0)]
        svg = chart(axes)
        [score] = by_class(svg, "polygon", "radar-score")
        [target] = by_class(svg, "polygon", "radar-target")
        assert len(points(score)) == 3 and len(points(target)) == 4
        assert len(by_class(svg, "circle", "radar-point")) == 3
        dashed = [line.attrib.get("stroke-dasharray") for line in by_class(svg, "line", "radar-axis")]
        assert [d is not None for d in dashed] == [False, True, False, False]
        marks = by_class(svg, "tspan", "radar-na")
        assert [m.text for m in marks] == ["n/a"]

    def test_no_score_at_all_draws_only_the_target(self) -> None:
        svg = chart([Axis(label, None, 50.0) for label in "abc"])
        assert by_class(svg, "polygon", "radar-score") == []
        assert len(by_class(svg, "polygon", "radar-target")) == 1
        assert len(by_class(svg, "tspan", "radar-na")) == 3


class TestText:
    def test_labels_and_title_are_escaped(self) -> None:
        axes = [Axis('<script>alert("x")</script>', 10.0, 20.0), Axis("R&D", 1.0, 2.0), Axis("c", 3.0, 4.0)]
        markup = radar_svg(axes, title="<b>title</b>", not_applicable="<i>")
        assert "<script" not in markup and "<b>" not in markup
        assert "&lt;script&gt;" in markup and "R&amp;D" in markup
        svg = ET.fromstring(markup)
        assert svg.attrib["aria-label"] == "<b>title</b>"

    def test_a_long_label_wraps_into_at_most_three_lines(self) -> None:
        long = "Risks, crises, feedback and everything else that can go wrong on a bad day"
        svg = chart([Axis(long, 10.0, 20.0), Axis("Responsibilities and ownership", 1.0, 2.0), Axis("Goals", 3.0, 4.0)])
        lines = [t.text or "" for t in by_class(svg, "text", "radar-label")[0].iter(SVG + "tspan")]
        assert lines == ["Risks, crises,", "feedback and", "everything else…"]
        # a word longer than a line is never cut in two
        second = [t.text for t in by_class(svg, "text", "radar-label")[1].iter(SVG + "tspan")]
        assert second == ["Responsibilities", "and ownership"]
        assert by_class(svg, "text", "radar-label")[0].find(SVG + "title").text == long  # type: ignore[union-attr]

    def test_the_view_box_holds_the_labels(self) -> None:
        svg = chart(axes_of(6))
        left, top, width, height = map(float, svg.attrib["viewBox"].split())
        assert left < -RADIUS and top < -RADIUS
        assert left + width > RADIUS and top + height > RADIUS
        assert "width" not in svg.attrib and "height" not in svg.attrib  # it scales to its container


class TestDeterminism:
    def test_the_same_chart_is_the_same_bytes_with_one_decimal_and_no_negative_zero(self) -> None:
        axes = axes_of(7)
        first, second = (radar_svg(axes, title="t", not_applicable="n/a") for _ in range(2))
        assert first == second
        numbers = re.findall(r' (?:viewBox|points|x|y|x1|y1|x2|y2|cx|cy)="([^"]+)"', first)
        values = [v for n in numbers for v in re.split(r"[ ,]", n)]
        assert values and all(re.fullmatch(r"-?\d+\.\d", v) for v in values)
        assert "-0.0" not in first
