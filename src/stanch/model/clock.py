"""Time values: UTC only, whole seconds, one text format."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real clock, UTC, whole seconds. Only doors and tests construct clocks."""
    return datetime.now(UTC).replace(microsecond=0)


def utc(moment: datetime) -> datetime:
    """Normalise an aware datetime to UTC whole seconds."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: stanch only handles aware times")
    return moment.astimezone(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    """'2026-11-22T10:03:07Z': the one way stanch writes a time."""
    return utc(moment).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def from_iso(text: str) -> datetime:
    """Inverse of iso(); accepts any aware ISO-8601 text."""
    return utc(datetime.fromisoformat(text))


def fixed_clock(start: datetime, step: timedelta = timedelta(0)) -> Clock:
    """A clock for tests and replays: returns start, then start+step, …"""
    state = {"now": utc(start)}

    def tick() -> datetime:
        now = state["now"]
        state["now"] = now + step
        return now

    return tick


def human_duration(delta: timedelta) -> str:
    """'1h 12m', '45s', '2d 3h' — for headers and summaries."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts: list[str] = []
    if days:
        parts.append(f"{days}d")
    if hours:
        parts.append(f"{hours}h")
    if minutes and not days:
        parts.append(f"{minutes}m")
    if not parts:
        parts.append(f"{secs}s")
    return sign + " ".join(parts)
