"""Timestamps without a year take the year that puts them closest before the reference."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stanch.evidence.logs.header import split
from stanch.evidence.logs.timestamps import parse
from tests.evidence_logs.helpers import analyse, write

NEW_YEAR = datetime(2027, 1, 5, 12, 0, tzinfo=UTC)


def _read(line: str, before: datetime, **options: object) -> datetime | None:
    header = split(line)
    return parse(header.shape, header.timestamp, before=before, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("line", "before", "expected"),
    [
        ("Dec 31 23:00:00 host cron: a December line read in January",
         NEW_YEAR, datetime(2026, 12, 31, 23, 0, tzinfo=UTC)),
        ("Jan  3 08:00:00 host cron: a line from this January",
         NEW_YEAR, datetime(2027, 1, 3, 8, 0, tzinfo=UTC)),
        ("Jan  5 20:00:00 host cron: hours ahead of the reference (clock skew)",
         NEW_YEAR, datetime(2027, 1, 5, 20, 0, tzinfo=UTC)),
        ("Jan  1 00:30:00 host cron: just past midnight, read just before it",
         datetime(2026, 12, 31, 23, 50, tzinfo=UTC), datetime(2027, 1, 1, 0, 30, tzinfo=UTC)),
        ("Jan  9 08:00:00 host cron: days after the reference is last year",
         NEW_YEAR, datetime(2026, 1, 9, 8, 0, tzinfo=UTC)),
        ("Feb 29 10:00:00 host cron: leap day",
         NEW_YEAR, datetime(2024, 2, 29, 10, 0, tzinfo=UTC)),
        ("12-31 23:59:58.120 1702 1702 D Tag: logcat has no year either",
         NEW_YEAR, datetime(2026, 12, 31, 23, 59, 58, 120000, tzinfo=UTC)),
        ("12.31 23:59:58 proxy.exe - MM.dd has no year either",
         NEW_YEAR, datetime(2026, 12, 31, 23, 59, 58, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_year_less_times_land_closest_before_the_reference(
    line: str, before: datetime, expected: datetime
) -> None:
    assert _read(line, before) == expected


def test_the_year_is_judged_in_the_log_zone() -> None:
    # 00:30 UTC on 1 January is still 31 December in New York: a 19:00 line is that evening.
    before = datetime(2027, 1, 1, 0, 30, tzinfo=UTC)
    at = _read("Dec 31 19:00:00 host app: x", before, zone=ZoneInfo("America/New_York"))
    assert at == datetime(2027, 1, 1, 0, 0, tzinfo=UTC)


def test_an_explicit_year_wins_and_years_in_the_text_are_kept() -> None:
    assert _read("Dec 31 23:00:00 h a: x", NEW_YEAR, year=2019) == datetime(
        2019, 12, 31, 23, 0, tzinfo=UTC
    )
    assert _read("2027-12-31T23:00:00Z app: x", NEW_YEAR) == datetime(
        2027, 12, 31, 23, 0, tzinfo=UTC
    )


def test_a_strptime_format_without_a_year_follows_the_same_rule() -> None:
    at = parse(None, "31/12 23:00", before=NEW_YEAR, time_format="%d/%m %H:%M")
    assert at == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    assert parse(None, "29/02 10:00", before=NEW_YEAR, time_format="%d/%m %H:%M") == datetime(
        2024, 2, 29, 10, 0, tzinfo=UTC
    )


def test_a_window_across_new_year_keeps_syslog_lines_in_order(tmp_path: Path) -> None:
    path = write(
        tmp_path / "syslog",
        "Dec 31 23:59:50 web-1 nginx[12]: upstream timed out",
        "Jan  1 00:00:10 web-1 nginx[12]: upstream timed out",
        "Jan  1 00:00:20 web-1 nginx[12]: no live upstreams",
    )
    start = datetime(2026, 12, 31, 23, 59, tzinfo=UTC)
    end = datetime(2027, 1, 1, 0, 1, tzinfo=UTC)
    analysis = analyse(path, start=start, end=end, before=end)
    assert analysis.lines_in_window == 3
    assert (analysis.first_at, analysis.last_at) == (
        datetime(2026, 12, 31, 23, 59, 50, tzinfo=UTC),
        datetime(2027, 1, 1, 0, 0, 20, tzinfo=UTC),
    )


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@given(
    moment=st.datetimes(datetime(1990, 1, 1), datetime(2090, 1, 1)).map(
        lambda m: m.replace(microsecond=0, tzinfo=UTC)
    ),
    # The reference from just under a day before the time (clock skew) to just under 364
    # days after it: a day later still, next year's reading is within the skew allowed.
    lead=st.integers(-86_399, 364 * 86_400 - 1),
)
def test_a_syslog_time_within_the_year_before_the_reference_reads_back_exactly(
    moment: datetime, lead: int
) -> None:
    text = f"{_MONTHS[moment.month - 1]} {moment.day:2d} {moment:%H:%M:%S}"
    assert parse("syslog", text, before=moment + timedelta(seconds=lead)) == moment
