"""Turn the timestamp text found by `header.split` into an aware UTC datetime.

Formats without a zone are read in `zone` (UTC unless told otherwise). Formats without
a year (syslog `Mar  3 10:00:00`, `MM.dd`, logcat, a strptime format with no year) take
`year` when it is given; otherwise the year that puts the time closest before `before`
(the window end or now), allowing a day of clock skew, so a December line read in
January is last year's. An unreadable timestamp is None, never an error: one odd line
must not stop a 2 GB read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import partial

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


_YEARLESS = frozenset({"syslog", "mmdd", "logcat"})
_YEAR_DIRECTIVE = re.compile(r"(?<!%)%[YyG]")
SKEW = timedelta(days=1)  # a line this far after the reference still counts as "before" it
NO_REFERENCE_YEAR = 1970  # year-less times with neither a year nor a reference

Reader = Callable[[str, tzinfo, int], datetime]


def _strptime(time_format: str, text: str, zone: tzinfo, year: int) -> datetime:
    """A user's strptime format; without a year directive the year is put in front."""
    text = text.strip()
    if _YEAR_DIRECTIVE.search(time_format):
        moment = datetime.strptime(text, time_format)
    else:
        moment = datetime.strptime(f"{year} {text}", f"%Y {time_format}")
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _closest_before(read: Reader, text: str, zone: tzinfo, before: datetime) -> datetime | None:
    """The latest reading of a year-less time that is not after `before` (plus SKEW)."""
    latest = before + SKEW
    reference = before.astimezone(zone).year
    for year in range(reference + 1, reference - 5, -1):  # Feb 29 may need four years back
        try:
            moment = read(text, zone, year)
        except ValueError:
            continue
        if moment <= latest:
            return moment
    return None


def parse(shape: str | None, text: str | None, *, zone: tzinfo = UTC, year: int | None = None,
          before: datetime | None = None, time_format: str | None = None) -> datetime | None:  # fmt: skip
    """The UTC moment a header timestamp names, or None when it cannot be read.

    `shape` names a built-in TIMESTAMP alternative; with no shape, `time_format` (a
    strptime format) reads the text.
    """
    if not text:
        return None
    read: Reader | None
    if shape is not None:
        read, yearless = _PARSERS.get(shape), shape in _YEARLESS
    elif time_format:
        read = partial(_strptime, time_format)
        yearless = not _YEAR_DIRECTIVE.search(time_format)
    else:
        return None
    if read is None:
        return None
    try:
        if yearless and year is None and before is not None:
            moment = _closest_before(read, text, zone, before)
            return None if moment is None else moment.astimezone(UTC)
        return read(text, zone, NO_REFERENCE_YEAR if year is None else year).astimezone(UTC)
    except (ValueError, KeyError, IndexError, OverflowError):
        return None


def check_time_format(time_format: str) -> str | None:
    """Why a strptime format cannot be used, or None when it can."""
    if "%" not in time_format:
        return "a strptime format needs % directives, e.g. '%d/%m/%Y %H:%M:%S'"
    try:
        datetime.strptime("", time_format)
    except ValueError as exc:
        if "directive" in str(exc) or "stray %" in str(exc):
            return str(exc)
    return None
