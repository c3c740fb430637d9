"""A radar chart of dimension scores as inline SVG: pure, deterministic, no I/O.

The score and the target are two polygons on the same axes (0 at the centre,
100 at the rim). A dimension with no score (not applicable) keeps its axis and
its target but no score vertex, and its label says so. The chart tells the two
series apart without colour too (the target is dashed), so it survives a
black-and-white printer.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

MIN_AXES = 3
MAX_AXES = 12
RADIUS = 110.0
RINGS = (25, 50, 75, 100)
FONT_SIZE = 15
LINE_HEIGHT = 17
LABEL_GAP = 14  # between the rim and a label
LABEL_CHARS = 13  # per label line before it wraps
LABEL_MAX_CHARS = 18  # a line may grow to this to keep a label within LABEL_LINES
LABEL_LINES = 3
# a generous average glyph width: the viewBox is sized from it, and too wide only adds a margin
GLYPH_WIDTH = 0.56 * FONT_SIZE
PADDING = 8


@dataclass(frozen=True)
class Axis:
    """One dimension: its label, its score (None: not applicable) and its target, both 0..100."""

    label: str
    score: float | None
    target: float | None


def radar_svg(axes: Sequence[Axis], *, title: str, not_applicable: str) -> str:
    """The chart as an `<svg>` element that scales to its container (viewBox, no fixed size).

    `title` is its accessible name; `not_applicable` the word shown under a
    dimension without a score. Every text is escaped here.
    """
    count = len(axes)
    if not MIN_AXES <= count <= MAX_AXES:
        raise ValueError(f"a radar chart needs {MIN_AXES} to {MAX_AXES} axes, got {count}")
    directions = [_direction(i, count) for i in range(count)]
    parts: list[str] = []
    box = _Box()

    for ring in RINGS:
        points = [_at(d, ring) for d in directions]
        parts.append(
            f'<polygon class="radar-ring" points="{_points(points)}" fill="none" stroke="#d4d9e1" stroke-width="1"/>'
        )
    for ring in RINGS:
        # the scale, along the first axis
        x, y = _at(directions[0], ring)
        parts.append(
            f'<text class="radar-tick" x="{_n(x + 4)}" y="{_n(y + 4)}" font-size="10" fill="#6b7280">{ring}</text>'
        )
    for axis, direction in zip(axes, directions, strict=True):
        x, y = _at(direction, 100)
        dash = ' stroke-dasharray="2 4"' if axis.score is None else ""
        parts.append(
            f'<line class="radar-axis" x1="0.0" y1="0.0" x2="{_n(x)}" y2="{_n(y)}" '
            f'stroke="#c3c9d3" stroke-width="1"{dash}/>'
        )

    targets = [(d, a.target) for a, d in zip(axes, directions, strict=True) if a.target is not None]
    if targets:
        parts.append(
            f'<polygon class="radar-target" points="{_points(_at(d, t) for d, t in targets)}" '
            'fill="none" stroke="#374151" stroke-width="1.6" stroke-dasharray="6 4" stroke-linejoin="round"/>'
        )
    scored = [(d, a.score) for a, d in zip(axes, directions, strict=True) if a.score is not None]
    if scored:
        parts.append(
            f'<polygon class="radar-score" points="{_points(_at(d, s) for d, s in scored)}" '
            'fill="#2563eb" fill-opacity="0.16" stroke="#1d4ed8" stroke-width="2.4" stroke-linejoin="round"/>'
        )
        for direction, value in scored:
            x, y = _at(direction, value)
            parts.append(f'<circle class="radar-point" cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="#1d4ed8"/>')

    for axis, direction in zip(axes, directions, strict=True):
        parts.append(_label(axis, direction, not_applicable, box))

    box.add(-RADIUS, -RADIUS)
    box.add(RADIUS, RADIUS)
    left, top = box.left - PADDING, box.top - PADDING
    width, height = box.right - box.left + 2 * PADDING, box.bottom - box.top + 2 * PADDING
    return (
        f'<svg class="radar" xmlns="http://www.w3.org/2000/svg" viewBox="{_n(left)} {_n(top)} {_n(width)} {_n(height)}" '
        f'role="img" aria-label="{escape(title)}" font-family="inherit">'
        f"<title>{escape(title)}</title>" + "".join(parts) + "</svg>"
    )


def _label(axis: Axis, direction: tuple[float, float], not_applicable: str, box: _Box) -> str:
    cos, sin = direction
    lines = _wrap(axis.label)
    extra = [not_applicable] if axis.score is None else []
    total = len(lines) + len(extra)
    x, y = _at(direction, 100, gap=LABEL_GAP)
    if abs(cos) < 0.2:
        anchor = "middle"
    else:
        anchor = "start" if cos > 0 else "end"
    if sin < -0.2:  # above the chart: the block ends just over the rim
        first = y - (total - 1) * LINE_HEIGHT
    elif sin > 0.2:  # below: it starts just under
        first = y + FONT_SIZE * 0.8
    else:
        first = y - (total - 1) * LINE_HEIGHT / 2 + FONT_SIZE * 0.35
    widest = max(len(t) for t in [*lines, *extra]) * GLYPH_WIDTH
    start = {"start": x, "middle": x - widest / 2, "end": x - widest}[anchor]
    box.add(start, first - FONT_SIZE)
    box.add(start + widest, first + (total - 1) * LINE_HEIGHT + FONT_SIZE * 0.3)

    spans = [
        f'<tspan x="{_n(x)}" y="{_n(first + i * LINE_HEIGHT)}">{escape(line)}</tspan>' for i, line in enumerate(lines)
    ]
    spans += [
        f'<tspan class="radar-na" x="{_n(x)}" y="{_n(first + (len(lines) + i) * LINE_HEIGHT)}" '
        f'font-style="italic" fill="#6b7280">{escape(word)}</tspan>'
        for i, word in enumerate(extra)
    ]
    return (
        f'<text class="radar-label" text-anchor="{anchor}" font-size="{FONT_SIZE}" fill="#1f2937">'
        f"<title>{escape(axis.label)}</title>{''.join(spans)}</text>"
    )


def _wrap(label: str) -> list[str]:
    """At most LABEL_LINES lines: wider lines before a cut, and a cut marked with an ellipsis."""
    for width in range(LABEL_CHARS, LABEL_MAX_CHARS + 1):
        # a word longer than a line keeps its letters together: the box is measured on the widest line
        lines = textwrap.wrap(label, width, break_long_words=False) or [""]
        if len(lines) <= LABEL_LINES:
            return lines
    last = lines[LABEL_LINES - 1]
    return [*lines[: LABEL_LINES - 1], last[: max(len(last), LABEL_MAX_CHARS) - 1].rstrip() + "…"]


def _direction(index: int, count: int) -> tuple[float, float]:
    # the first axis points up, the others follow clockwise
    angle = -math.pi / 2 + 2 * math.pi * index / count
    return math.cos(angle), math.sin(angle)


def _at(direction: tuple[float, float], value: float, *, gap: float = 0.0) -> tuple[float, float]:
    distance = RADIUS * min(max(value, 0.0), 100.0) / 100 + gap
    return direction[0] * distance, direction[1] * distance


def _points(points: Iterable[tuple[float, float]]) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in points)


def _n(value: float) -> str:
    """One decimal, never `-0.0`: the same chart is the same bytes on every machine."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


class _Box:
    """The bounding box of what is drawn, so the viewBox fits the labels whatever their length."""

    def __init__(self) -> None:
        self.left = self.top = math.inf
        self.right = self.bottom = -math.inf

    def add(self, x: float, y: float) -> None:
        self.left, self.right = min(self.left, x), max(self.right, x)
        self.top, self.bottom = min(self.top, y), max(self.bottom, y)
