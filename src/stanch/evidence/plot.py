"""A plain SVG line chart of metric series with onset, mitigation and recovery marked."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path

from stanch.errors import InvalidInput, classify_os_error
from stanch.model.clock import iso

WIDTH, HEIGHT, PAD = 800, 220, 40
COLOURS = ("#c0392b", "#2471a3", "#7d3c98")


@dataclass(frozen=True)
class Marker:
    label: str
    at: datetime


def _panel(
    points: list[tuple[float, float]], t0: float, t1: float, top: int, name: str, colour: str
) -> list[str]:
    low, high = min(v for _, v in points), max(v for _, v in points)
    high = high if high > low else low + 1.0

    def x(t: float) -> float:
        return PAD + (t - t0) / (t1 - t0) * (WIDTH - 2 * PAD)

    def y(v: float) -> float:
        return top + HEIGHT - PAD - (v - low) / (high - low) * (HEIGHT - 2 * PAD)

    line = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in points)
    return [
        f'<text x="{PAD}" y="{top + 16}" font-size="13">{escape(name)} (max {high:.4g})</text>',
        f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{line}"/>',
    ]


def svg(
    path: Path, series: dict[str, list[tuple[float, float]]], markers: list[Marker], title: str
) -> str:
    """Write the chart (atomically) and return its path; one panel per series."""
    if path.suffix.lower() != ".svg":
        raise InvalidInput(f"{path}: only SVG plots are written (name it .svg)")
    drawn = {k: v for k, v in series.items() if v}
    stamps = [t for pts in drawn.values() for t, _ in pts] + [m.at.timestamp() for m in markers]
    if not stamps:
        raise InvalidInput("nothing to plot: no data in the window")
    t0, t1 = min(stamps), max(stamps)
    t1 = t1 if t1 > t0 else t0 + 1
    total = HEIGHT * max(len(drawn), 1) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{total}">',
             f'<title>{escape(title)}</title>', '<rect width="100%" height="100%" fill="white"/>']  # fmt: skip
    for i, (name, points) in enumerate(drawn.items()):
        parts += _panel(points, t0, t1, 30 + i * HEIGHT, name, COLOURS[i % len(COLOURS)])
    for marker in markers:
        mx = PAD + (marker.at.timestamp() - t0) / (t1 - t0) * (WIDTH - 2 * PAD)
        parts.append(
            f'<line x1="{mx:.1f}" y1="20" x2="{mx:.1f}" y2="{total}" stroke="black" stroke-dasharray="4"/>'
        )
        parts.append(
            f'<text x="{mx + 3:.1f}" y="14" font-size="11">{escape(marker.label)} {iso(marker.at)}</text>'
        )
    parts.append("</svg>\n")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w") as handle:
            handle.write("\n".join(parts))
        os.replace(tmp, path)
    except OSError as exc:
        raise classify_os_error(exc, f"cannot write {path}") from exc
    return str(path)
