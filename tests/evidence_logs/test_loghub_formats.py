"""Loghub's own benchmark format strings, given as --log-format, split every line as Loghub does."""

from __future__ import annotations

import csv

import pytest

from stanch.evidence.logs.header_format import compile_format
from stanch.evidence.logs.timestamps import parse
from tests.evidence_logs.test_loghub import loghub_root

FORMATS = {
    "HDFS": "<Date> <Time> <Pid> <Level> <Component>: <Content>",
    "Hadoop": r"<Date> <Time> <Level> \[<Process>\] <Component>: <Content>",
    "Spark": "<Date> <Time> <Level> <Component>: <Content>",
    "Zookeeper": r"<Date> <Time> - <Level>  \[<Node>:<Component>@<Id>\] - <Content>",
    "OpenStack": r"<Logrecord> <Date> <Time> <Pid> <Level> <Component> \[<ADDR>\] <Content>",
    "Apache": r"\[<Time>\] \[<Level>\] <Content>",
    "HealthApp": r"<Time>\|<Component>\|<Pid>\|<Content>",
    "Proxifier": r"\[<Time>\] <Program> - <Content>",
}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_benchmark_formats_give_loghubs_content_and_a_readable_time(name: str) -> None:
    root = loghub_root()
    if root is None or not (root / name).is_dir():
        pytest.skip("Loghub-2k not found: set STANCH_LOGHUB to the loghub-2k folder")
    splitter = compile_format(FORMATS[name])
    lines = (root / name / f"{name}_2k.log").read_text(encoding="utf-8").splitlines()
    with (root / name / f"{name}_2k.log_structured.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(lines) == len(rows) == 2000
    for line, row in zip(lines, rows, strict=True):
        header = splitter(line)
        assert header.message.rstrip() == row["Content"], line
        assert parse(header.shape, header.timestamp, year=2026) is not None, line
        if "Level" in row:
            assert header.level == row["Level"], line
