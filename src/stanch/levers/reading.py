"""Reading repository files for discovery: whatever a file is, it becomes text or one note.

Broken YAML/JSON/TOML/HCL, binary content under a text name, huge files, symlink loops,
FIFOs and unreadable files never stop a scan: each is reported once, as
`PATH: what was wrong; skipped`, and the rest of the repository is read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from stanch.levers.yamlio import PROBLEMS

MAX_BYTES = 2 * 1024 * 1024  # bigger files are data, not configuration
# What a parser may raise on input nobody anticipated; the file is skipped with a note.
_UNEXPECTED = (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError)


class Reader:
    """Reads files under `root`; remembers one note per file that could not be read."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: dict[str, str] = {}

    def text(self, path: str) -> str | None:
        """The file's text, or None (with a note) when it is not a readable text file."""
        full = os.path.join(self.root, path)
        try:
            info = os.stat(full)  # follows symlinks: a loop raises ELOOP here
            if stat.S_ISDIR(info.st_mode):
                return None  # a submodule or a symlink to a folder: nothing to read, no fault
            data = b"" if _unreadable(info) else _head(full)
        except OSError as exc:
            self.skip(path, f"could not be read ({exc.strerror or exc})")
            return None
        why = _unreadable(info) or _not_text(data)
        if why:
            self.skip(path, why)
            return None
        return data.decode("utf-8", "replace")

    def skip(self, path: str, why: str) -> None:
        """Note that `path` was skipped, and why (the first reason wins)."""
        self.problems.setdefault(path, f"{why}; skipped")

    @contextmanager
    def watch(self, path: str) -> Iterator[None]:
        """Read one file: a parse problem or an unexpected error becomes its note."""
        found: list[str] = []
        token = PROBLEMS.set(found)
        try:
            yield
        except _UNEXPECTED as exc:
            self._failed(path, exc)
        finally:
            PROBLEMS.reset(token)
        if found:
            self.skip(path, found[0])

    def each(self, path: str, read: Callable[[str], None]) -> None:
        """`read(path)` as `watch` does it, without a context manager (the per-file loop)."""
        found: list[str] = []
        token = PROBLEMS.set(found)
        try:
            read(path)
        except _UNEXPECTED as exc:
            self._failed(path, exc)
        finally:
            PROBLEMS.reset(token)
        if found:
            self.skip(path, found[0])

    def _failed(self, path: str, exc: Exception) -> None:
        detail = str(exc).splitlines()[0][:120] if str(exc) else ""
        self.skip(path, f"could not be read ({type(exc).__name__}"
                         + (f": {detail})" if detail else ")"))  # fmt: skip

    def notes(self) -> list[str]:
        return [f"{path}: {why}" for path, why in self.problems.items()]


def _head(full: str) -> bytes:
    with open(full, "rb") as handle:
        return handle.read(MAX_BYTES + 1)


def _unreadable(info: os.stat_result) -> str | None:
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a FIFO, socket or device)"
    if info.st_size > MAX_BYTES:
        return f"larger than {MAX_BYTES // (1024 * 1024)} MiB"
    return None


def _not_text(data: bytes) -> str | None:
    if len(data) > MAX_BYTES:  # it grew while it was read
        return f"larger than {MAX_BYTES // (1024 * 1024)} MiB"
    return "binary content" if b"\0" in data[:8192] else None
