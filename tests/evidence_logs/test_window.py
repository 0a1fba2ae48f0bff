"""Window filtering with mixed timestamp formats and zones, and lines with no timestamp."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from stanch.evidence.logs.header import split
from stanch.evidence.logs.timestamps import parse
from tests.evidence_logs.helpers import T0, analyse, by_template, write


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2026-11-23T10:00:05Z ERROR x", T0 + timedelta(seconds=5)),
        ("2026-11-23T12:00:05+02:00 ERROR x", T0 + timedelta(seconds=5)),
        ("2026-11-23 05:00:05,250 -0500 INFO x", T0 + timedelta(seconds=5, milliseconds=250)),
        ("2026-11-23 10:00:05.5 INFO x", T0 + timedelta(seconds=5, milliseconds=500)),
        ("[Mon Nov 23 10:00:05 2026] [error] x", T0 + timedelta(seconds=5)),
        ("Nov 23 10:00:05 web-1 app[12]: x", T0 + timedelta(seconds=5)),
        ("23/Nov/2026:11:00:05 +0100 x", T0 + timedelta(seconds=5)),
        ("26/11/23 10:00:05 INFO a.B: x", T0 + timedelta(seconds=5)),
        ("261123 100005 42 INFO a.B: x", T0 + timedelta(seconds=5)),
        ("20261123-10:0:5:120|comp|42|x", T0 + timedelta(seconds=5, milliseconds=120)),
        ("[11.23 10:00:05] prog - x", T0 + timedelta(seconds=5)),
        ("11-23 10:00:05.000  1702  2395 E ActivityManager: x", T0 + timedelta(seconds=5)),
        ("2026-11-23 10:00:05, Info                  CBS    x", T0 + timedelta(seconds=5)),
        (f"{int((T0 + timedelta(seconds=5)).timestamp())}.25 x", T0 + timedelta(seconds=5.25)),
    ],
)
def test_timestamp_shapes_read_as_utc(line: str, expected: datetime) -> None:
    header = split(line)
    assert parse(header.shape, header.timestamp, year=2026) == expected
    assert header.message.endswith("x")


@pytest.mark.parametrize(
    ("line", "level", "message"),
    [
        (
            "2026-11-23 10:00:05,978 INFO [main] org.example.App: Started in 3 s",
            "INFO",
            "Started in 3 s",
        ),
        (
            "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure",
            None,
            "authentication failure",
        ),
        (
            "11-23 10:00:05.811  1702  2395 D WindowManager: freezing display",
            "D",
            "freezing display",
        ),
        (
            "2026-11-23 10:00:05,747 - WARN  [Worker:1:Cnx@765] - Interrupting worker",
            "WARN",
            "Interrupting worker",
        ),
        (
            "svc.log.1 2026-11-23 10:00:05.008 25746 INFO nova.api.server [req-1 - -] GET /x",
            "INFO",
            "GET /x",
        ),
        (
            "20261123-10:00:05:606|Step_LSC|30002312|onStandStepChanged 3579",
            None,
            "onStandStepChanged 3579",
        ),
        ("no header at all: just text", None, "no header at all: just text"),
    ],
)
def test_headers_are_recognised_without_a_format(
    line: str, level: str | None, message: str
) -> None:
    header = split(line)
    assert (header.level, header.message) == (level, message)


def test_zone_less_timestamps_take_the_configured_zone() -> None:
    header = split("2026-11-23 11:00:05 INFO x")
    at = parse(header.shape, header.timestamp, zone=ZoneInfo("Europe/Berlin"))
    assert at == T0 + timedelta(seconds=5)


def test_window_across_files_with_mixed_formats_and_zones(tmp_path: Path) -> None:
    # Zone-less lines (syslog, Apache) are New York time; the window is 10:00:10 ≤ t < 10:00:30 UTC.
    iso = write(tmp_path / "a.log", "2026-11-23T11:59:59+02:00 ERROR payment timeout id=1",
                "2026-11-23T12:00:10+02:00 ERROR payment timeout id=2",
                "2026-11-23T12:00:29.999+02:00 ERROR payment timeout id=3",
                "2026-11-23T12:00:30+02:00 ERROR payment timeout id=4")  # fmt: skip
    syslog = write(tmp_path / "b.log", "Nov 23 04:59:59 web-1 api[7]: db conn refused 10.0.0.1",
                   "Nov 23 05:00:10 web-1 api[7]: db conn refused 10.0.0.2",
                   "Nov 23 05:00:30 web-1 api[7]: db conn refused 10.0.0.3")  # fmt: skip
    apache = write(tmp_path / "c.log", "[Mon Nov 23 05:00:20 2026] [error] cache miss 7",
                   "[Mon Nov 23 05:00:40 2026] [error] cache miss 8")  # fmt: skip
    analysis = analyse(
        iso, syslog, apache, start=T0 + timedelta(seconds=10), end=T0 + timedelta(seconds=30),
        zone=ZoneInfo("America/New_York"), year=2026,
    )  # fmt: skip
    assert by_template(analysis) == {
        "payment timeout id=<*>": 2, "db conn refused <*>": 1, "cache miss <*>": 1,
    }  # fmt: skip
    assert analysis.lines_in_window == 4
    assert analysis.lines_outside == 5


def test_untimed_lines_follow_the_last_timed_line_of_their_stream(tmp_path: Path) -> None:
    log = write(tmp_path / "app.log",
                "a stack frame before any time",  # no time yet: outside any window
                "2026-11-23T09:59:00Z ERROR NullPointerException in handler",
                "    at com.example.Handler.run(Handler.java:42)",  # 09:59 → outside
                "2026-11-23T10:00:01Z ERROR NullPointerException in handler",
                "    at com.example.Handler.run(Handler.java:42)")  # 10:00:01 → inside  # fmt: skip
    analysis = analyse(log, start=T0, end=T0 + timedelta(minutes=5))
    counts = by_template(analysis)
    assert counts == {"NullPointerException in handler": 1, "at com.example.Handler.run(<*>)": 1}
    trace = next(
        s for s in analysis.signatures.values() if s.template == "at com.example.Handler.run(<*>)"
    )
    assert trace.first is not None and trace.first.line == 5


def test_without_a_window_untimed_lines_count_as_untimed(tmp_path: Path) -> None:
    log = write(tmp_path / "plain.log", "worker started", "worker started", "worker stopped")
    analysis = analyse(log, onset=datetime(2026, 1, 1, tzinfo=UTC))
    started = next(s for s in analysis.signatures.values() if s.template == "worker started")
    assert (started.count, started.untimed, started.before, started.after) == (2, 2, 0, 0)
