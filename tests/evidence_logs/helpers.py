"""Building blocks for the log tests: write logs, run an analysis."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from stanch.evidence.logs.analyze import Analysis, Options
from stanch.evidence.logs.sources import ReadStats, read_path

T0 = datetime(2026, 11, 23, 10, 0, 0, tzinfo=UTC)


def write(path: Path, *lines: str) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def analyse(*paths: Path, **options: object) -> Analysis:
    analysis = Analysis(Options(**options))  # type: ignore[arg-type]
    stats = ReadStats()
    for path in paths:
        analysis.feed(read_path(path, stats))
    return analysis


def by_template(analysis: Analysis) -> dict[str, int]:
    return {sig.template: sig.count for sig in analysis.signatures.values()}
