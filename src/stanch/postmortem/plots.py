"""Bar charts as standalone SVG (no plotting library needed): ours next to a baseline."""

from __future__ import annotations

from html import escape

_W, _BAR, _GAP, _LABEL = 640, 14, 10, 190


def bars(title: str, rows: list[tuple[str, float, float | None]], unit: str = "%") -> str:
    """One group per row: our value (dark) and, when given, the baseline (light)."""
    peak = max([v for _, a, b in rows for v in (a, b or 0.0)] + [1e-9])
    scale = (_W - _LABEL - 80) / peak
    group = 2 * _BAR + _GAP
    height = 40 + group * len(rows) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{height}" '
        f'font-family="sans-serif" font-size="12">',
        f'<text x="10" y="20" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    for index, (label, ours, base) in enumerate(rows):
        y = 35 + index * group
        parts.append(f'<text x="10" y="{y + _BAR}">{escape(label)}</text>')
        parts.append(_bar(y, ours, scale, "#1f4e79", unit))
        if base is not None:
            parts.append(_bar(y + _BAR, base, scale, "#9dc3e6", unit))
    legend_y = height - 10
    parts.append(f'<text x="10" y="{legend_y}" fill="#1f4e79">■ ours</text>')
    if any(base is not None for _, _, base in rows):
        parts.append(f'<text x="70" y="{legend_y}" fill="#6d9ec9">■ Google SRE baseline</text>')
    parts.append("</svg>\n")
    return "\n".join(parts)


def _bar(y: int, value: float, scale: float, colour: str, unit: str) -> str:
    width = max(value * scale, 0.5)
    shown = f"{value:.1f}{unit}"
    return (
        f'<rect x="{_LABEL}" y="{y}" width="{width:.1f}" height="{_BAR - 2}" fill="{colour}"/>'
        f'<text x="{_LABEL + width + 4:.1f}" y="{y + _BAR - 3}">{shown}</text>'
    )
