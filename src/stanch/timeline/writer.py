"""Write incident files: O(1) appends in place, atomic regeneration, verification."""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from stanch.errors import classify_os_error
from stanch.model.events import Event, next_chain
from stanch.model.incident import Incident
from stanch.model.naming import check_incident_id
from stanch.model.severity import Scheme
from stanch.timeline.parse import line_record, read_marker
from stanch.timeline.render import TIMELINE_HEADING, event_line, header_block, render_file

EventSource = Callable[[], Iterable[Event]]
_TAIL = 65536


@dataclass(frozen=True)
class Verification:
    path: Path
    ok: bool
    problem: str | None = None


class TimelineWriter:
    """Owns the incidents directory; every write holds the incident's file lock."""

    def __init__(self, directory: Path, scheme: Scheme = Scheme.SEV) -> None:
        self.directory = directory
        self.scheme = scheme

    def path(self, incident_id: str) -> Path:
        return self.directory / f"{check_incident_id(incident_id)}.md"

    def preflight(self) -> None:
        """Fail before anything is recorded if the directory cannot take a write."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(dir=self.directory, prefix=".preflight-")
            os.close(handle)
            os.unlink(name)
        except OSError as exc:
            raise classify_os_error(
                exc, f"cannot write incident files in {self.directory}"
            ) from exc

    @contextlib.contextmanager
    def _locked(self, incident_id: str) -> Iterator[None]:
        lock = self.directory / f".{check_incident_id(incident_id)}.lock"
        with lock.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def append(self, state: Incident, event: Event, source: EventSource) -> Path:
        """Add one event; fall back to regeneration whenever the file is not exactly current."""
        path = self.path(state.id)
        try:
            with self._locked(state.id):
                if not self._append_in_place(path, state, event):
                    self._regenerate(path, source)
        except OSError as exc:
            raise classify_os_error(
                exc,
                f"recorded in the store, but {path} could not be written "
                "(run `stanch regenerate` once fixed)",
            ) from exc
        return path

    def _append_in_place(self, path: Path, state: Incident, event: Event) -> bool:
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            return False
        try:
            size = os.fstat(fd).st_size
            marker = read_marker(os.pread(fd, min(size, _TAIL), 0))
            if marker is None or marker.incident_id != state.id:
                return False
            if (
                marker.events != event.seq - 1
                or next_chain(marker.chain, event.to_record()) != event.chain
            ):
                return False
            if not self._tail_is(fd, size, marker.events):
                return False
            header, reserve = header_block(state, self.scheme, event.chain, marker.reserve)
            if reserve != marker.reserve:
                return False  # the header outgrew its block: rewrite the whole file
            line = event_line(event, self.scheme)
            try:
                _write_all(fd, line, size)
                os.fsync(fd)
                _write_all(fd, header, 0)
                os.fsync(fd)
            except OSError:
                os.ftruncate(fd, size)  # never leave half a line behind
                raise
            return True
        finally:
            os.close(fd)

    @staticmethod
    def _tail_is(fd: int, size: int, seq: int) -> bool:
        start = max(0, size - _TAIL)
        tail = os.pread(fd, size - start, start)
        if not tail.endswith(b"\n"):
            return False
        last = tail[:-1].rsplit(b"\n", 1)[-1]
        record = line_record(last)
        return record is not None and record.get("seq") == seq

    def regenerate(self, incident_id: str, source: EventSource) -> Path:
        """Rewrite the file from the events, atomically."""
        path = self.path(incident_id)
        try:
            with self._locked(incident_id):
                self._regenerate(path, source)
        except OSError as exc:
            raise classify_os_error(exc, f"cannot write {path}") from exc
        return path

    def _regenerate(self, path: Path, source: EventSource) -> None:
        atomic_write(path, render_file(source(), self.scheme))

    def verify(self, incident_id: str, source: EventSource) -> Verification:
        """Compare the file with what the events say it must be, byte for byte."""
        path = self.path(incident_id)
        try:
            actual = path.read_bytes()
        except FileNotFoundError:
            return Verification(path, False, "the file is missing")
        except OSError as exc:
            raise classify_os_error(exc, f"cannot read {path}") from exc
        return self.verify_bytes(incident_id, actual, source)

    def verify_bytes(self, incident_id: str, actual: bytes, source: EventSource) -> Verification:
        """Compare given file content with what the events say it must be."""
        expected = render_file(source(), self.scheme)
        if actual == expected:
            return Verification(self.path(incident_id), True)
        return Verification(self.path(incident_id), False, _first_difference(actual, expected))


def _first_difference(actual: bytes, expected: bytes) -> str:
    got, want = actual.split(b"\n"), expected.split(b"\n")
    for number, (a, b) in enumerate(zip(got, want, strict=False), start=1):
        if a != b:
            return f"line {number} differs from the recorded events"
    if len(got) < len(want):
        return f"the file is missing its last {len(want) - len(got)} line(s)"
    return f"the file has {len(got) - len(want)} line(s) the events do not have"


def _write_all(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view = view[written:]
        offset += written


def atomic_write(path: Path, content: bytes) -> None:
    """Temp file in the same directory, fsync, rename, fsync the directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        try:
            os.fchmod(fd, 0o644)
            _write_all(fd, content, 0)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


__all__ = ["TIMELINE_HEADING", "TimelineWriter", "Verification", "atomic_write"]
