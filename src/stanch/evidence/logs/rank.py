"""Order signatures the way a responder reads them: new since onset, then surged, then loud.

Rates, not raw counts, decide a surge: ten lines in the five minutes after onset against
ten in the hour before is a surge. Without an onset, severe levels then counts lead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from stanch.evidence.logs.analyze import Analysis, Signature

SURGE_RATIO = 2.0
SURGE_MIN = 3  # fewer lines after onset than this is noise, not a surge


@dataclass(frozen=True)
class Ranked:
    signature: Signature
    change: str  # "new" | "surged" | "steady" | "gone" | "seen" (no onset)
    ratio: float | None  # after-onset rate / before-onset rate


def _span_seconds(start: datetime | None, end: datetime | None) -> float:
    if start is None or end is None:
        return 1.0
    return max((end - start).total_seconds(), 1.0)


def rank(analysis: Analysis) -> list[Ranked]:
    """Every signature in the window, most telling first."""
    options = analysis.options
    onset = options.onset
    if onset is None:
        found = [Ranked(sig, "seen", None) for sig in analysis.signatures.values()]
        return sorted(
            found, key=lambda r: (not r.signature.severe, -r.signature.count, r.signature.id)
        )
    before_span = _span_seconds(options.start or analysis.first_at, onset)
    after_span = _span_seconds(onset, options.end or analysis.last_at)
    ranked = []
    for sig in analysis.signatures.values():
        ratio = None
        if sig.before:
            ratio = (sig.after / after_span) / (sig.before / before_span)
        if sig.is_new:
            change = "new"
        elif ratio is not None and sig.after == 0:
            change = "gone"
        elif ratio is not None and ratio >= SURGE_RATIO and sig.after >= SURGE_MIN:
            change = "surged"
        else:
            change = "steady"
        ranked.append(Ranked(sig, change, ratio))
    order = {"new": 0, "surged": 1, "steady": 2, "gone": 3}
    return sorted(
        ranked,
        key=lambda r: (
            order[r.change], not r.signature.severe, -(r.ratio or 0.0), -r.signature.after,
            r.signature.id,
        ),
    )  # fmt: skip
