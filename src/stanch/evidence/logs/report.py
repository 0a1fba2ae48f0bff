"""The report a responder reads and the JSON machines read: one shape for both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from stanch.evidence.logs.analyze import Analysis, Occurrence
from stanch.evidence.logs.rank import Ranked, rank
from stanch.evidence.logs.sources import ReadStats

MAX_TEXT = 500


@dataclass(frozen=True)
class Report:
    """Ranked signatures of one analysis and what was read to get them."""

    ranked: list[Ranked]
    analysis: Analysis
    stats: ReadStats
    sources: list[str]

    @classmethod
    def of(cls, analysis: Analysis, stats: ReadStats, sources: list[str]) -> Report:
        return cls(rank(analysis), analysis, stats, sources)

    def top(self, count: int) -> list[Ranked]:
        return self.ranked[:count]

    def summary(self) -> str:
        """One line for the timeline."""
        changes = [r.change for r in self.ranked]
        parts = [f"{len(self.ranked)} log signature(s) in {self.analysis.lines_in_window} line(s)"]
        if self.analysis.options.onset is not None:
            parts.append(
                f"{changes.count('new')} new and {changes.count('surged')} surged since onset"
            )
        head = self.ranked[0] if self.ranked else None
        if head is not None:
            parts.append(f"top: {_cut(head.signature.template, 120)}")
        return "; ".join(parts)

    def to_json(self, count: int) -> dict[str, Any]:
        options = self.analysis.options
        return {
            "sources": self.sources,
            "window": {"from": _time(options.start), "to": _time(options.end)},
            "onset": _time(options.onset),
            "lines": {
                "read": self.stats.lines, "in_window": self.analysis.lines_in_window,
                "outside_window": self.analysis.lines_outside, "binary": self.stats.binary,
                "truncated": self.stats.truncated,
            },
            "signatures_total": len(self.ranked),
            "signatures": [ranked_json(r) for r in self.top(count)],
        }  # fmt: skip


def ranked_json(ranked: Ranked) -> dict[str, Any]:
    sig = ranked.signature
    return {
        "id": sig.id, "template": _cut(sig.template, MAX_TEXT), "level": sig.level,
        "change": ranked.change,
        "ratio": None if ranked.ratio is None else round(ranked.ratio, 3),
        "count": sig.count, "before_onset": sig.before, "after_onset": sig.after,
        "untimed": sig.untimed, "first": occurrence_json(sig.first),
        "first_after_onset": occurrence_json(sig.first_after_onset),
    }  # fmt: skip


def occurrence_json(found: Occurrence | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {
        "at": _time(found.at), "source": found.source, "line": found.line,
        "text": _cut(found.text, MAX_TEXT),
        "preceding": [_cut(text, MAX_TEXT) for text in found.preceding],
    }  # fmt: skip


def _time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    text = moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds")
    return text.replace("+00:00", "Z")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
