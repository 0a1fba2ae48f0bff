"""One pass over any number of line streams: window, signatures, onset counts, first occurrences.

Lines without a timestamp (stack traces, continuation lines) take the time of the last
timed line of the same stream; before any timed line they have no time and are kept
only when no window is asked for. Memory holds one entry per signature plus the last
`context` lines of each stream, whatever the number of lines.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo

from stanch.evidence.logs.header_format import HeaderFormat
from stanch.evidence.logs.miner import BLOCK, Facts, Miner
from stanch.evidence.logs.sources import Line
from stanch.evidence.logs.timestamps import parse as parse_time

# Structured lines carry their level in the message: logfmt `level=error`, JSON `"level":"error"`.
_INLINE_LEVEL = re.compile(r"""\b(?:level|lvl|severity)"?\s*[=:]\s*"?([A-Za-z]+)""", re.IGNORECASE)
TIME_CACHE = 4096
_SEVERE = {"ERROR", "ERR", "CRIT", "CRITICAL", "FATAL", "SEVERE", "ALERT", "EMERG"}


@dataclass(frozen=True)
class Options:
    """What to look at: the window [start, end), the onset, how much context; how to read.

    Year-less timestamps take `year` when set, else the year that puts them closest
    before `before` (the window end or now). `header` is a user's `--log-format`; it is
    picklable, so worker processes use it too.
    """

    start: datetime | None = None
    end: datetime | None = None
    onset: datetime | None = None
    context: int = 5
    zone: tzinfo = UTC
    year: int | None = None
    before: datetime | None = None
    header: HeaderFormat | None = None


@dataclass(frozen=True)
class Occurrence:
    source: str
    line: int
    at: datetime | None
    text: str
    preceding: tuple[str, ...] = ()


@dataclass
class Signature:
    """Everything known about one signature in the window."""

    id: str
    template: str
    level: str | None = None
    count: int = 0
    before: int = 0  # lines before onset
    after: int = 0  # lines at or after onset
    untimed: int = 0  # lines with no time at all
    first: Occurrence | None = None
    first_after_onset: Occurrence | None = None
    last_at: datetime | None = None

    @property
    def is_new(self) -> bool:
        """Seen after onset and never before it."""
        return self.after > 0 and self.before == 0

    @property
    def severe(self) -> bool:
        return (self.level or "").upper() in _SEVERE


@dataclass
class _Stream:
    last_at: datetime | None = None
    recent: deque[str] = field(default_factory=deque)


@dataclass
class Analysis:
    """The running state of one analysis; feed lines, then read `signatures`."""

    options: Options = field(default_factory=Options)
    miner: Miner = field(init=False)
    signatures: dict[str, Signature] = field(default_factory=dict)
    lines_in_window: int = 0
    lines_outside: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    _streams: dict[str, _Stream] = field(default_factory=dict)
    _times: dict[str, datetime | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.miner = Miner(self.options.header)

    def drop_streams(self) -> None:
        """Forget per-stream context (before sending the result to another process)."""
        self._streams.clear()
        self._times.clear()
        self.miner = Miner(self.options.header)

    def prime(self, source: str, texts: Sequence[str]) -> None:
        """Take `texts` as the lines just before a stream's first: context for the first
        occurrences and the time of untimed lines, without counting them."""
        stream = self._stream(source)
        for text, facts in zip(texts, self.miner.facts_many(texts), strict=True):
            stream.last_at = self._time(facts[3], facts[4]) or stream.last_at
            stream.recent.append(text)

    def shift_lines(self, offset: int) -> None:
        """Add `offset` to every recorded line number (a range read from inside a file)."""
        if not offset:
            return
        for sig in self.signatures.values():
            if sig.first is not None:
                sig.first = replace(sig.first, line=sig.first.line + offset)
            if sig.first_after_onset is not None:
                sig.first_after_onset = replace(
                    sig.first_after_onset, line=sig.first_after_onset.line + offset
                )

    def merge(self, other: Analysis) -> None:
        """Fold in an analysis of other streams (another file, another worker)."""
        self.lines_in_window += other.lines_in_window
        self.lines_outside += other.lines_outside
        for moment in (other.first_at, other.last_at):
            if moment is not None:
                self.first_at = moment if self.first_at is None else min(self.first_at, moment)
                self.last_at = moment if self.last_at is None else max(self.last_at, moment)
        for sig in other.signatures.values():
            mine = self.signatures.get(sig.id)
            if mine is None:
                self.signatures[sig.id] = sig
                continue
            mine.count += sig.count
            mine.before += sig.before
            mine.after += sig.after
            mine.untimed += sig.untimed
            if sig.last_at is not None and (mine.last_at is None or sig.last_at > mine.last_at):
                mine.last_at = sig.last_at
            if sig.first is not None and (
                mine.first is None or _earlier(sig.first.at, mine.first.at)
            ):
                mine.first = sig.first
            later = sig.first_after_onset
            if later is not None and (
                mine.first_after_onset is None or _earlier(later.at, mine.first_after_onset.at)
            ):
                mine.first_after_onset = later

    def feed(self, lines: Iterable[Line]) -> None:
        for _ in self.added(lines):
            pass

    def added(self, lines: Iterable[Line]) -> Iterator[str | None]:
        """`add` each line, in order, yielding what `add` returns; lines are parsed a
        block at a time (the miner keys a whole block in a few calls)."""
        block: list[Line] = []
        for line in lines:
            block.append(line)
            if len(block) >= BLOCK:
                yield from self._add_block(block)
                block = []
        yield from self._add_block(block)

    def _add_block(self, block: list[Line]) -> Iterator[str | None]:
        facts = iter(self.miner.facts_many([line.text for line in block if not line.skipped]))
        for line in block:
            yield None if line.skipped else self._account(line, next(facts))

    def add(self, line: Line) -> str | None:
        """Account one line; returns its signature id, or None when outside the window."""
        if line.skipped:
            return None
        return self._account(line, self.miner.facts_many([line.text])[0])

    def _account(self, line: Line, facts: Facts) -> str | None:
        signature, template, level, shape, stamp = facts
        stream = self._stream(line.source)
        at = self._time(shape, stamp)
        if at is None:
            at = stream.last_at
        else:
            stream.last_at = at
        inside = self._inside(at)
        if inside:
            self._count(line, at, signature, template, level, stream)
        stream.recent.append(line.text)
        return signature if inside else None

    def _stream(self, source: str) -> _Stream:
        stream = self._streams.get(source)
        if stream is None:
            stream = self._streams[source] = _Stream(recent=deque(maxlen=self.options.context))
        return stream

    def _time(self, shape: str | None, text: str | None) -> datetime | None:
        """Parse a header timestamp; busy logs repeat the same second, so remember a few."""
        if text is None:
            return None
        known = self._times.get(text)
        if known is None:
            opts = self.options
            time_format = opts.header.time_format if opts.header else None
            known = parse_time(shape, text, zone=opts.zone, year=opts.year, before=opts.before,
                               time_format=time_format)  # fmt: skip
            if len(self._times) >= TIME_CACHE:
                self._times.clear()
            self._times[text] = known
        return known

    def _inside(self, at: datetime | None) -> bool:
        start, end = self.options.start, self.options.end
        if at is None:
            inside = start is None and end is None
        else:
            inside = (start is None or at >= start) and (end is None or at < end)
        if inside:
            self.lines_in_window += 1
        else:
            self.lines_outside += 1
        return inside

    def _count(self, line: Line, at: datetime | None, sig: str, template: str,
               level: str | None, stream: _Stream) -> None:  # fmt: skip
        found = self.signatures.get(sig)
        if found is None:
            if level is None and (inline := _INLINE_LEVEL.search(line.text[:2000])):
                level = inline.group(1).upper()
            found = self.signatures[sig] = Signature(sig, template, level)
        found.count += 1
        if at is not None:
            self.first_at = at if self.first_at is None else min(self.first_at, at)
            self.last_at = at if self.last_at is None else max(self.last_at, at)
            found.last_at = at if found.last_at is None else max(found.last_at, at)
        onset = self.options.onset
        if at is None:
            found.untimed += 1
        elif onset is not None and at < onset:
            found.before += 1
        else:
            found.after += 1
        if found.first is None or _earlier(at, found.first.at):
            found.first = Occurrence(line.source, line.number, at, line.text, tuple(stream.recent))
        after_onset = onset is not None and at is not None and at >= onset
        if after_onset and (
            found.first_after_onset is None or _earlier(at, found.first_after_onset.at)
        ):
            found.first_after_onset = Occurrence(
                line.source, line.number, at, line.text, tuple(stream.recent)
            )


def _earlier(at: datetime | None, than: datetime | None) -> bool:
    """Strictly earlier; a known time beats an unknown one, ties keep the first seen."""
    if at is None:
        return False
    return than is None or at < than
