"""Parse the times responders type: ISO-8601 with an offset, or '12 min ago'."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from stanch.errors import InvalidInput
from stanch.model.clock import utc

# Clocks drift; a minute of skew is not "the future".
FUTURE_TOLERANCE = timedelta(seconds=60)

_UNITS = {
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
}  # fmt: skip
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)")
_RELATIVE = re.compile(r"^((?:\d+(?:\.\d+)?\s*[a-z]+[\s,]*(?:and\s+)?)+)ago$")


def parse_when(text: str, now: datetime, *, allow_future: bool = False) -> datetime:
    """Parse an absolute or relative time into UTC; refuse naive times and the future."""
    raw = (text or "").strip()
    if not raw:
        raise InvalidInput("empty time: give ISO-8601 with an offset or e.g. '12 min ago'")
    lowered = raw.lower()
    if lowered == "now":
        moment = utc(now)
    else:
        relative = _RELATIVE.match(lowered)
        moment = _relative(relative.group(1), now, raw) if relative else _absolute(raw)
    if not allow_future and moment > utc(now) + FUTURE_TOLERANCE:
        raise InvalidInput(f"time {raw!r} is in the future (now is {utc(now).isoformat()})")
    return moment


def _relative(body: str, now: datetime, raw: str) -> datetime:
    seconds = 0.0
    for number, unit in _PART.findall(body):
        if unit not in _UNITS:
            raise InvalidInput(f"unknown time unit {unit!r} in {raw!r}: use s, min, h or d")
        seconds += float(number) * _UNITS[unit]
    return utc(now - timedelta(seconds=seconds))


def _absolute(raw: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(raw.replace(" ", "T", 1) if " " in raw else raw)
    except ValueError:
        raise InvalidInput(
            f"cannot read time {raw!r}: give ISO-8601 with an offset "
            "(2026-11-22T10:03:07Z) or a relative time ('12 min ago')"
        ) from None
    if parsed.tzinfo is None:
        raise InvalidInput(f"time {raw!r} has no offset: add Z for UTC or e.g. +01:00")
    return utc(parsed)
