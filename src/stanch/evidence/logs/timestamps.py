"""Turn the timestamp text found by `header.split` into an aware UTC datetime.

Formats without a zone are read in `default_zone` (UTC unless told otherwise); formats
without a year take `default_year`. An unreadable timestamp is None, never an error:
one odd line must not stop a 2 GB read.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo

_MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}
_NUMBERS = re.compile(r"\d+")
_ZONE = re.compile(r"(Z|UTC|GMT|[+-]\d{2}:?\d{2})$")
_FRACTION = re.compile(r"[.,](\d{1,9})")


def _zone(text: str, default: tzinfo) -> tzinfo:
    match = _ZONE.search(text.strip())
    if not match:
        return default
    value = match.group(1)
    if value in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if value[0] == "-" else 1
    digits = value[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _micro(text: str) -> int:
    match = _FRACTION.search(text)
    return int(match.group(1)[:6].ljust(6, "0")) if match else 0


def _iso(text: str, zone: tzinfo, _: int) -> datetime:
    try:  # the C parser handles the common forms; the rest is read by hand below
        quick = datetime.fromisoformat(text)
    except ValueError:
        pass
    else:
        return quick if quick.tzinfo is not None else quick.replace(tzinfo=zone)
    body = _ZONE.sub("", text.strip()).strip()
    y, mo, d, h, mi, s = (int(n) for n in _NUMBERS.findall(body)[:6])
    return datetime(y, mo, d, h, mi, s, _micro(body[19:]), tzinfo=_zone(text, zone))


def _ctime(text: str, zone: tzinfo, _: int) -> datetime:
    parts = text.split()
    h, mi, s = (int(float(n)) for n in parts[3].split(":"))
    return datetime(int(parts[4]), _MONTHS[parts[1]], int(parts[2]), h, mi, s, tzinfo=zone)


def _clf(text: str, zone: tzinfo, _: int) -> datetime:
    day, month, rest = text.split("/", 2)
    y, h, mi, s = (int(n) for n in _NUMBERS.findall(rest.split()[0]))
    return datetime(y, _MONTHS[month], int(day), h, mi, s, tzinfo=_zone(text, zone))


def _syslog(text: str, zone: tzinfo, year: int) -> datetime:
    parts = text.split()
    h, mi, s = (int(float(n)) for n in parts[2].split(":"))
    return datetime(year, _MONTHS[parts[0]], int(parts[1]), h, mi, s, tzinfo=zone)


def _slash(text: str, zone: tzinfo, _: int) -> datetime:
    y, mo, d, h, mi, s = (int(n) for n in _NUMBERS.findall(text)[:6])
    year = y + 2000 if y < 100 else y
    return datetime(year, mo, d, h, mi, s, tzinfo=_zone(text, zone))


def _compact(text: str, zone: tzinfo, _: int) -> datetime:
    date, clock = text.split("-", 1)
    parts = [int(n) for n in clock.split(":")]
    h, mi, s = parts[:3]
    milli = parts[3] if len(parts) > 3 else 0
    return datetime(
        int(date[:4]), int(date[4:6]), int(date[6:8]), h, mi, s, milli * 1000, tzinfo=zone
    )


def _yymmdd(text: str, zone: tzinfo, _: int) -> datetime:
    date, clock = text.split()
    return datetime(
        2000 + int(date[:2]), int(date[2:4]), int(date[4:6]),
        int(clock[:2]), int(clock[2:4]), int(clock[4:6]), tzinfo=zone,
    )  # fmt: skip


def _mmdd(text: str, zone: tzinfo, year: int) -> datetime:
    mo, d, h, mi, s = (int(n) for n in _NUMBERS.findall(text))
    return datetime(year, mo, d, h, mi, s, tzinfo=zone)


def _logcat(text: str, zone: tzinfo, year: int) -> datetime:
    mo, d, h, mi, s = (int(n) for n in _NUMBERS.findall(text)[:5])
    return datetime(year, mo, d, h, mi, s, _micro(text[14:]), tzinfo=zone)


def _epoch(text: str, _zone_: tzinfo, __: int) -> datetime:
    return datetime.fromtimestamp(float(text), UTC)


_PARSERS = {
    "iso": _iso, "ctime": _ctime, "clf": _clf, "syslog": _syslog, "slash": _slash,
    "compact": _compact, "yymmdd": _yymmdd, "mmdd": _mmdd, "logcat": _logcat, "epoch": _epoch,
}  # fmt: skip


def parse(shape: str | None, text: str | None, *, zone: tzinfo = UTC,
          year: int = 1970) -> datetime | None:  # fmt: skip
    """The UTC moment a header timestamp names, or None when it cannot be read."""
    if not shape or not text:
        return None
    try:
        return _PARSERS[shape](text, zone, year).astimezone(UTC)
    except (ValueError, KeyError, IndexError, OverflowError):
        return None
