"""Reading: gzip, stdin, binary garbage, over-long lines, and a 2 GB file streamed."""

from __future__ import annotations

import gzip
import io
import os
import sys
import tracemalloc
from pathlib import Path

import pytest

from stanch.errors import InvalidInput
from stanch.evidence.logs.sources import MAX_LINE, ReadStats, read_path
from tests.evidence_logs.helpers import analyse, by_template

GIB = 1024**3


def test_gzip_is_read_by_its_magic_not_its_name(tmp_path: Path) -> None:
    path = tmp_path / "rotated.1"
    path.write_bytes(gzip.compress(b"2026-11-23T10:00:00Z ERROR disk full on /dev/sda1\n" * 3))
    assert by_template(analyse(path)) == {"disk full on <*>": 3}


def test_damaged_gzip_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.gz"
    path.write_bytes(gzip.compress(b"x\n" * 1000)[:30])
    with pytest.raises(InvalidInput, match="damaged gzip"):
        list(read_path(path, ReadStats()))


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"2026-11-23T10:00:00Z ERROR boom 1\n2026-11-23T10:00:01Z ERROR boom 2\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    lines = list(read_path(Path("-"), ReadStats()))
    assert [(x.source, x.number) for x in lines] == [("<stdin>", 1), ("<stdin>", 2)]


def test_binary_garbage_is_skipped_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "mixed.log"
    garbage = bytes(range(256)) * 4
    path.write_bytes(
        b"2026-11-23T10:00:00Z ERROR before garbage 1\n" + garbage + b"\n"
        + b"\x00\x01\x02\x03\xff\xfe\n" + "2026-11-23T10:00:01Z ERROR caf\u00e9 latin \xe9 ok 2\n".encode("utf-8", "surrogateescape")
        + b"2026-11-23T10:00:02Z ERROR after garbage 3\n"
    )  # fmt: skip
    stats = ReadStats()
    lines = list(read_path(path, stats))
    assert stats.binary >= 2
    assert [x.text.split(" ", 2)[-1] for x in lines if "garbage" in x.text] == [
        "before garbage 1", "after garbage 3",
    ]  # fmt: skip


def test_overlong_line_is_cut_and_the_next_line_still_read(tmp_path: Path) -> None:
    path = tmp_path / "long.log"
    path.write_bytes(b"2026-11-23T10:00:00Z INFO " + b"a" * (5 * MAX_LINE) + b"\nnext line 1\n")
    stats = ReadStats()
    lines = list(read_path(path, stats))
    assert stats.truncated == 1
    assert lines[-1].text == "next line 1" and lines[-1].number == 2
    assert len(lines[0].text) <= MAX_LINE


def test_two_gib_file_is_streamed_in_bounded_memory(tmp_path: Path) -> None:
    """A sparse 2 GiB file: real lines, a 2 GiB hole of NUL bytes, real lines after it."""
    path = tmp_path / "huge.log"
    head = b"".join(b"2026-11-23T10:00:%02dZ INFO request ok id=%d\n" % (i, i) for i in range(50))
    tail = b"".join(
        b"2026-11-23T10:05:%02dZ ERROR payment timeout id=%d\n" % (i, i) for i in range(50)
    )
    with path.open("wb") as handle:
        handle.write(head + b"\n")
        handle.seek(2 * GIB)
        handle.write(b"\n" + tail)
    if os.stat(path).st_blocks * 512 > 64 * 1024**2:
        pytest.skip("this file system does not keep sparse files sparse")
    assert path.stat().st_size > 2 * GIB
    tracemalloc.start()
    try:
        analysis = analyse(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert by_template(analysis) == {"request ok id=<*>": 50, "payment timeout id=<*>": 50}
    assert peak < 16 * 1024**2, f"peak {peak} bytes"
    timeout = next(s for s in analysis.signatures.values() if s.template.startswith("payment"))
    assert timeout.first is not None and timeout.first.line == 53
