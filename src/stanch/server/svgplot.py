"""A small pure SVG line chart for the incident page: the flagging metric over time.

Inline, scalable (viewBox, width 100%), labelled for screen readers (role="img",
<title>, <desc>); the healthy threshold is a dashed line and marks (lever applied,
confirmed) are vertical rules. No I/O, no JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from html import escape

WIDTH, HEIGHT = 480, 200
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 18, 30


@dataclass(frozen=True)
class Point:
    at: datetime
    value: float
    healthy: bool | None


@dataclass(frozen=True)
class Mark:
    at: datetime
    label: str


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def chart(title: str, points: list[Point], threshold: float | None = None,
          marks: list[Mark] | None = None) -> str:  # fmt: skip
    """The SVG markup; a caller escapes nothing (every text here is escaped)."""
    if not points:
        return ""
    marks = marks or []
    times = [p.at.timestamp() for p in points] + [m.at.timestamp() for m in marks]
    t0, t1 = min(times), max(times)
    t1 = t1 if t1 > t0 else t0 + 60
    values = [p.value for p in points] + ([threshold] if threshold is not None else [])
    low, high = min(0.0, *values), max(values)
    high = high if high > low else low + 1.0

    def x(at: datetime) -> float:
        return LEFT + (at.timestamp() - t0) / (t1 - t0) * (WIDTH - LEFT - RIGHT)

    def y(value: float) -> float:
        return TOP + (high - value) / (high - low) * (HEIGHT - TOP - BOTTOM)

    last = points[-1]
    desc = (f"{len(points)} samples from {points[0].at:%H:%M} to {last.at:%H:%M} UTC; "
            f"latest {_fmt(last.value)}" + (f"; healthy threshold {_fmt(threshold)}"
                                           if threshold is not None else ""))  # fmt: skip
    parts = [
        f'<svg class="plot" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="plot-title plot-desc" preserveAspectRatio="xMidYMid meet">',
        f'<title id="plot-title">{escape(title)}</title>',
        f'<desc id="plot-desc">{escape(desc)}</desc>',
        *_axes(low, high, points[0].at, last.at, x, y),
    ]
    if threshold is not None:
        parts.append(f'<line class="threshold" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
                     f'y1="{y(threshold):.1f}" y2="{y(threshold):.1f}"/>'
                     f'<text class="threshold" x="{WIDTH - RIGHT}" y="{y(threshold) - 4:.1f}" '
                     f'text-anchor="end">threshold {_fmt(threshold)}</text>')  # fmt: skip
    for mark in marks:
        mx = x(mark.at)
        parts.append(f'<line class="mark" x1="{mx:.1f}" x2="{mx:.1f}" y1="{TOP}" '
                     f'y2="{HEIGHT - BOTTOM}"/><text class="mark" x="{mx + 3:.1f}" '
                     f'y="{TOP + 10}">{escape(mark.label)}</text>')  # fmt: skip
    line = " ".join(f"{x(p.at):.1f},{y(p.value):.1f}" for p in points)
    parts.append(f'<polyline class="series" points="{line}"/>')
    for p in points:
        state = "bad" if p.healthy is False else "ok"
        parts.append(f'<circle class="{state}" cx="{x(p.at):.1f}" cy="{y(p.value):.1f}" r="3"/>')
    parts.append("</svg>")
    return "".join(parts)


def _axes(low: float, high: float, first: datetime, last: datetime,
          x: Callable[[datetime], float], y: Callable[[float], float]) -> list[str]:  # fmt: skip
    bottom = HEIGHT - BOTTOM
    return [
        f'<line class="axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{bottom}"/>',
        f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}"/>',
        f'<text x="{LEFT - 4}" y="{y(high) + 4:.1f}" text-anchor="end">{_fmt(high)}</text>',
        f'<text x="{LEFT - 4}" y="{y(low) + 4:.1f}" text-anchor="end">{_fmt(low)}</text>',
        f'<text x="{x(first):.1f}" y="{HEIGHT - 8}">{first:%H:%M}</text>',
        f'<text x="{x(last):.1f}" y="{HEIGHT - 8}" text-anchor="end">{last:%H:%M} UTC</text>',
    ]
