"""`[logs] format` / `time_format`, and a user format on worker processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from stanch.errors import InvalidInput
from stanch.evidence.logs.analyze import Analysis, Options
from stanch.evidence.logs.header_format import compile_format
from stanch.evidence.logs.parallel import analyse_files
from stanch.evidence.logs.settings import LogsSettings, load
from stanch.evidence.logs.sources import ReadStats, read_path
from tests.evidence_logs.helpers import write

FORMAT = "<Date> <Time> <Level> <Content>"


def test_format_settings_are_read_and_the_command_overrides_them() -> None:
    conf = load({"logs": {"format": FORMAT, "time_format": "%d/%m/%Y %H:%M:%S"}})
    header = conf.header()
    assert header is not None and (header.text, header.time_format) == (FORMAT, "%d/%m/%Y %H:%M:%S")
    mine = conf.header("<Timestamp> <Content>", "%Y%m%d%H%M%S")
    assert mine is not None
    assert (mine.text, mine.time_format) == ("<Timestamp> <Content>", "%Y%m%d%H%M%S")
    assert LogsSettings().header() is None


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"format": "<Date> <Time>"}, r"stanch.toml \[logs\] format: no message"),
        ({"format": 3}, r"\[logs\] format: expected text"),
        ({"time_format": "%H:%M"}, r"stanch.toml \[logs\] time_format: needs format"),
        ({"format": FORMAT, "time_format": "%H:%Q"}, r"\[logs\] time_format: 'Q' is a bad"),
    ],
)
def test_bad_format_settings_are_refused(table: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        load({"logs": table})


def test_worker_processes_use_the_user_format(tmp_path: Path) -> None:
    lines = [f"23/11/2026 10:0{s}:00 ERROR disk full at {s}%" for s in range(4)]
    files = [write(tmp_path / f"w{n}.log", *lines) for n in range(2)]
    options = Options(header=compile_format(FORMAT, "%d/%m/%Y %H:%M:%S"))
    merged, _ = analyse_files(files, options, workers=2)
    alone = Analysis(options)
    for path in files:
        alone.feed(read_path(path, ReadStats()))
    counts = {s.template: (s.count, s.level) for s in merged.signatures.values()}
    assert counts == {s.template: (s.count, s.level) for s in alone.signatures.values()}
    assert sum(count for count, _ in counts.values()) == 8
    assert {level for _, level in counts.values()} == {"ERROR"}  # the format's level
    assert (merged.first_at, merged.last_at) == (alone.first_at, alone.last_at)
    assert merged.first_at is not None and merged.first_at.minute == 0
