"""The diagnosis time-box: never chase the cause while an unused mitigation lever exists.

While users are impacted (investigating, nothing applied yet) and a reversible lever
is planned but unused, remind the responder after the time-box to mitigate first, on
the strongest correlation (the change nearest before onset).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from stanch.model import kinds
from stanch.model.clock import from_iso, human_duration, utc
from stanch.model.events import Event, NewEvent
from stanch.model.incident import Incident
from stanch.model.status import Status

TIMEBOX_REMINDED: Final = "timebox.reminded"  # {"elapsed_s", "levers", "correlation", "summary"}


@dataclass(frozen=True)
class Reminder:
    elapsed: timedelta
    levers: tuple[str, ...]  # unused reversible levers, strongest correlation first
    correlation: str | None  # the change nearest before onset, in words
    text: str


def _unused_levers(events: Sequence[Event], extra: Iterable[str]) -> list[str]:
    planned: dict[str, None] = {}
    used: set[str] = set()
    for event in events:
        lever = str(event.data.get("lever", ""))
        if event.kind == kinds.LEVER_PLANNED and lever:
            reversible = bool(event.data.get("rollback")) and not event.data.get("destructive")
            if reversible:
                planned[lever] = None
        elif event.kind == kinds.LEVER_APPLIED and lever:
            used.add(lever)
    planned.update(dict.fromkeys(e for e in extra if e.strip()))
    return [lever for lever in planned if lever not in used]


def _nearest_change(incident: Incident, events: Sequence[Event]) -> Event | None:
    best: tuple[datetime, Event] | None = None
    for event in events:
        if event.kind != kinds.CHANGE_RECORDED:
            continue
        try:
            at = from_iso(str(event.data.get("at") or "")) if event.data.get("at") else None
        except ValueError:
            at = None
        at = at or event.occurred_at
        if at <= incident.onset_at and (best is None or at > best[0]):
            best = (at, event)
    return best[1] if best else None


def _rank(levers: list[str], change: Event | None) -> tuple[str, ...]:
    if change is None:
        return tuple(levers)
    hints = {str(change.data.get(k, "")).lower() for k in ("service", "ref")} - {""}
    related = [lv for lv in levers if any(h in lv.lower() for h in hints)]
    return tuple(related + [lv for lv in levers if lv not in related])


def diagnosis_reminder(
    incident: Incident,
    events: Iterable[Event],
    now: datetime,
    *,
    limit: timedelta = timedelta(minutes=10),
    levers: Iterable[str] = (),
) -> Reminder | None:
    """A reminder when diagnosis has run past the time-box with a reversible lever unused."""
    listed = list(events)
    if incident.status is not Status.INVESTIGATING:
        return None  # mitigating or past it: a lever is in play
    if any(e.kind == kinds.LEVER_APPLIED for e in listed):
        return None
    elapsed = utc(now) - incident.declared_at
    if elapsed < limit:
        return None
    reminded = [e.occurred_at for e in listed if e.kind == TIMEBOX_REMINDED]
    if reminded and utc(now) - max(reminded) < limit:
        return None  # once per time-box, not on every check
    unused = _unused_levers(listed, levers)
    if not unused:
        return None  # no lever: that is an escalation, not a time-box
    change = _nearest_change(incident, listed)
    ranked = _rank(unused, change)
    correlation = str(change.data.get("summary") or change.data.get("ref")) if change else None
    text = (
        f"{human_duration(elapsed)} of diagnosis without mitigation while users are impacted. "
        f"Mitigate first: {ranked[0]}"
        + (f" (strongest correlation: {correlation})" if correlation else "")
        + (f"; other unused levers: {', '.join(ranked[1:])}" if len(ranked) > 1 else "")
    )
    return Reminder(elapsed, ranked, correlation, text)


def reminded(reminder: Reminder, actor: str, now: datetime) -> NewEvent:
    data: dict[str, Any] = {
        "elapsed_s": int(reminder.elapsed.total_seconds()), "levers": list(reminder.levers),
        "correlation": reminder.correlation, "summary": reminder.text,
    }  # fmt: skip
    return NewEvent(TIMEBOX_REMINDED, actor, utc(now), utc(now), data)
