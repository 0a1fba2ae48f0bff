"""A user format on lines with a collector's time in front: Loki entries, `kubectl --timestamps`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from stanch.evidence.logs.analyze import Analysis, Options
from stanch.evidence.logs.header import Split
from stanch.evidence.logs.header_format import compile_format
from stanch.evidence.logs.loki import LokiSource
from stanch.evidence.logs.timestamps import parse
from tests.evidence_logs.helpers import T0
from tests.fakes.logs_loki import FakeLoki, running


def test_loki_lines_are_read_with_the_format_after_lokis_time() -> None:
    fake = FakeLoki()
    for second in range(4):  # the app writes day-first times; Loki stamps them a bit later
        written = T0 + timedelta(seconds=second)
        fake.add({"app": "pay"}, written + timedelta(milliseconds=300),
                 f"{written:%d/%m/%Y %H:%M:%S} web-{second} ERROR declined code={second}")  # fmt: skip
    header = compile_format("<Date> <Time> <Host> <Level> <Content>", "%d/%m/%Y %H:%M:%S")
    analysis = Analysis(Options(header=header, onset=T0 + timedelta(seconds=2)))
    with running(fake):
        analysis.feed(LokiSource(fake.url).lines('{app="pay"}', T0, T0 + timedelta(minutes=1)))
    (declined,) = analysis.signatures.values()
    assert (declined.template, declined.level) == ("declined code=<*>", "ERROR")
    assert (declined.before, declined.after) == (2, 2)
    assert analysis.first_at == T0  # the app's own time, not Loki's


@pytest.mark.parametrize(
    ("log_format", "line", "expected"),
    [
        ("<Level> <Content>",  # no time in the format: the collector's stands in
         "2026-11-23T10:00:00.123456789Z ERROR pool exhausted",
         Split("2026-11-23T10:00:00.123456789Z", "iso", "ERROR", "pool exhausted", 0)),
        ("<Timestamp> <Level> <Content>",  # kubectl's time, then the app's own
         "2026-11-23T10:00:00.5Z 2026-11-23T09:59:59.9Z WARN slow call",
         Split("2026-11-23T09:59:59.9Z", "iso", "WARN", "slow call", 23)),
        ("<Timestamp> <Level> <Content>",  # the line's own RFC 3339 time is not a prefix
         "2026-11-23T10:00:00Z ERROR upstream timeout",
         Split("2026-11-23T10:00:00Z", "iso", "ERROR", "upstream timeout", 0)),
    ],
)  # fmt: skip
def test_a_collectors_time_in_front(log_format: str, line: str, expected: Split) -> None:
    assert compile_format(log_format)(line) == expected


def test_kubectl_timestamps_with_a_time_format() -> None:
    splitter = compile_format("<Date> <Time> <Level> <Content>", "%d/%m/%Y %H:%M:%S")
    header = splitter("2026-11-23T10:00:01.000000001Z 23/11/2026 10:00:00 INFO ready")
    assert (header.timestamp, header.level, header.message) == (
        "23/11/2026 10:00:00",
        "INFO",
        "ready",
    )
    moment = parse(header.shape, header.timestamp, time_format=splitter.time_format)
    assert moment == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
