"""Line sources: plain or gzip files and stdin, read as bounded chunks, never whole.

Each source yields `Line`s (stream name, 1-based line number, text). Bytes are decoded
as UTF-8 with replacement; lines that are mostly not text (NUL bytes, control bytes,
undecodable runs) are counted as binary and skipped. Over-long lines are cut at
`MAX_LINE` bytes and the rest of them skipped, so one 2 GB line costs no memory.
"""

from __future__ import annotations

import gzip
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NamedTuple

from stanch.errors import InvalidInput, classify_os_error

MAX_LINE = 64 * 1024
BLOCK = 1024 * 1024
_CONTROL = bytes(range(32)).replace(b"\t", b"").replace(b"\n", b"").replace(b"\r", b"")
_GZIP_MAGIC = b"\x1f\x8b"


class Line(NamedTuple):
    source: str
    number: int
    text: str
    skipped: bool = False  # a blank or binary line, only yielded when asked for


@dataclass
class ReadStats:
    """What was skipped while reading, so a report can say so."""

    lines: int = 0
    binary: int = 0
    truncated: int = 0
    keep_skipped: bool = False  # yield blank and binary lines as `skipped` Lines

    def add(self, other: ReadStats) -> None:
        self.lines += other.lines
        self.binary += other.binary
        self.truncated += other.truncated


def is_binary(raw: bytes) -> bool:
    """True when a line is not text: a NUL, or over 30% control bytes."""
    if b"\x00" in raw:
        return True
    if not raw:
        return False
    controls = len(raw) - len(raw.translate(None, _CONTROL))
    return controls * 10 > len(raw) * 3


def _raw_blocks(handle: BinaryIO, stats: ReadStats) -> Iterator[list[bytes]]:
    """Lines of at most MAX_LINE bytes, a read block's worth at a time; the rest of a
    longer line is skipped without being kept."""
    pending = b""
    skipping = False
    while block := handle.read(BLOCK):
        if skipping:
            newline = block.find(b"\n")
            if newline < 0:
                continue
            skipping, block = False, block[newline + 1 :]
        lines = (pending + block if pending else block).split(b"\n")
        pending = lines.pop()
        if any(len(line) > MAX_LINE for line in lines):
            stats.truncated += sum(len(line) > MAX_LINE for line in lines)
            lines = [line[:MAX_LINE] for line in lines]
        if len(pending) > MAX_LINE:
            stats.truncated += 1
            lines.append(pending[:MAX_LINE])
            pending, skipping = b"", True
        yield lines
    if pending:
        yield [pending]


def _texts(raws: list[bytes], stats: ReadStats) -> list[str]:
    """Each raw line decoded, or "" for a binary one; a clean block is decoded at once."""
    joined = b"\n".join(raws)
    if b"\x00" not in joined and len(joined.translate(None, _CONTROL)) == len(joined):
        text = joined.decode("utf-8", "replace")
        if "\ufffd" not in text:
            texts = text.split("\n")
            if len(texts) == len(raws):
                return [t.rstrip("\r") for t in texts] if "\r" in text else texts
    return [_text(raw, stats) for raw in raws]


def _text(raw: bytes, stats: ReadStats) -> str:
    body = raw.rstrip(b"\r")
    text = "" if is_binary(body) else body.decode("utf-8", "replace")
    if text.count("\ufffd") * 10 > len(text) * 3 or (body.strip() and not text):
        stats.binary += 1
        text = ""
    return text


def read_handle(handle: BinaryIO, name: str, stats: ReadStats) -> Iterator[Line]:
    """Decode lines from an open binary handle, skipping binary garbage."""
    number = 0
    keep = stats.keep_skipped
    for raws in _raw_blocks(handle, stats):
        stats.lines += len(raws)
        for text in _texts(raws, stats):
            number += 1
            if text and not text.isspace():
                yield Line(name, number, text)
            elif keep:
                yield Line(name, number, "", skipped=True)


def read_path(path: Path, stats: ReadStats) -> Iterator[Line]:
    """Lines of a plain or gzip file ('-' is stdin)."""
    if str(path) == "-":
        yield from read_handle(sys.stdin.buffer, "<stdin>", stats)
        return
    try:
        handle: BinaryIO = path.open("rb")
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path}: is a directory, give log files") from None
    except OSError as exc:
        raise classify_os_error(exc, f"cannot read {path}") from exc
    with handle:
        if handle.read(2) == _GZIP_MAGIC:
            handle.seek(0)
            with gzip.open(handle, "rb") as unzipped:
                try:
                    yield from read_handle(unzipped, str(path), stats)  # type: ignore[arg-type]
                except (OSError, EOFError) as exc:
                    raise InvalidInput(f"{path}: damaged gzip ({exc})") from None
            return
        handle.seek(0)
        yield from read_handle(handle, str(path), stats)


class _Bounded:
    """A binary handle that ends at byte `end`."""

    def __init__(self, handle: BinaryIO, end: int) -> None:
        self._handle, self._left = handle, end - handle.tell()

    def read(self, size: int) -> bytes:
        data = self._handle.read(max(0, min(size, self._left)))
        self._left -= len(data)
        return data


def is_gzip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == _GZIP_MAGIC


def read_range(path: Path, start: int, end: int, stats: ReadStats) -> Iterator[Line]:
    """Lines of bytes [start, end) of a plain file, numbered from 1 within the range."""
    with path.open("rb") as handle:
        handle.seek(start)
        yield from read_handle(_Bounded(handle, end), str(path), stats)  # type: ignore[arg-type]


def line_starts(path: Path, size: int, pieces: int) -> list[int]:
    """Offsets cutting a plain file into `pieces` ranges of about equal size, each at the
    start of a line: [0, …, size]."""
    cuts = [0]
    with path.open("rb") as handle:
        for index in range(1, pieces):
            handle.seek(max(size * index // pieces, cuts[-1]))
            handle.readline()
            if handle.tell() < size and handle.tell() > cuts[-1]:
                cuts.append(handle.tell())
    return [*cuts, size]


def lines_before(path: Path, start: int, span: int = 64 * 1024) -> list[str]:
    """The whole text lines in the `span` bytes just before byte `start`, in order."""
    if start <= 0:
        return []
    begin = max(0, start - span)
    with path.open("rb") as handle:
        handle.seek(begin)
        raws = handle.read(start - begin).split(b"\n")[:-1]
    if begin > 0:
        raws = raws[1:]  # the first is cut
    texts = _texts(raws, ReadStats())
    return [t for t in texts if t and not t.isspace()]
