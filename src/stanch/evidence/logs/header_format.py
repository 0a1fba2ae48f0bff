"""A header layout given by the user (`--log-format`), compiled once into a line splitter.

Two forms are accepted:

- a Loghub-style format, placeholders in angle brackets:
  `<Date> <Time> <Pid> <Level> <Component>: <Content>`. Text between placeholders is a
  regular-expression fragment as in Loghub's benchmark formats (`\\[<Time>\\]`,
  `(\\[<Pid>\\])?`), with two conveniences: a run of spaces matches any run of
  whitespace, and a bare `[` or `]` is taken literally. The whole line must match.
- a Python regular expression with named groups, matched from the line start:
  `(?P<timestamp>\\S+ \\S+) (?P<level>\\w+) (?P<message>.*)` (`(?<name>…)` works too).

Names are read without regard to case: `Content`/`Message`/`Msg` is the message (required);
`Level`/`Severity` the level; `Timestamp`/`Datetime`/`Ts` the whole timestamp, or else
`Date`, `Time`, `Month`, `Day`, `Year` together (from the first to the last of them, as
written in the line). A line starting with an RFC 3339 time a collector put in front
(Loki's entry time, `kubectl logs --timestamps`) is matched after it when that finds a
readable time or none; a line the format does not match falls back to the built-in
recognition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from stanch.errors import InvalidInput
from stanch.evidence.logs.header import TIMESTAMP, Split, split
from stanch.evidence.logs.timestamps import check_time_format
from stanch.evidence.logs.timestamps import parse as parse_time

SHAPE_CACHE = 4096  # timestamp digit shapes remembered; cleared when full
# TIMESTAMP reads digits only as `\d`, but for the leading 1 of epoch seconds: every other
# digit may stand for any, so texts equal under this mapping have the same shape.
_DIGIT_CLASS = str.maketrans("023456789", "000000000")
_PLACEHOLDER = re.compile(r"<([^<>]*)>")
_COLLECTOR_TIME = re.compile(
    r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})) "
)
_NAME = re.compile(r"[A-Za-z_]\w*")
_OTHER_NAMED = re.compile(r"\(\?<(?=[A-Za-z_])")  # `(?<name>…)`, as PCRE, Go and JS write it
MESSAGE_NAMES = frozenset({"content", "message", "msg"})
LEVEL_NAMES = frozenset({"level", "severity", "lvl", "loglevel"})
STAMP_NAMES = frozenset({"timestamp", "datetime", "ts"})
PART_NAMES = frozenset({"date", "time", "month", "day", "year"})


@dataclass(frozen=True)
class HeaderFormat:
    """A compiled `--log-format`; calling it splits one line. Picklable for worker processes."""

    text: str
    pattern: re.Pattern[str]
    message: str  # the message group's name
    level: str | None
    stamp: tuple[str, ...]  # the group names that together hold the timestamp
    time_format: str | None = None  # strptime format of the timestamp text, if given
    _shapes: dict[str, tuple[str | None, int, int]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @cached_property
    def _stamp_groups(self) -> tuple[int, ...]:
        return tuple(self.pattern.groupindex[name] for name in self.stamp)

    def __call__(self, line: str) -> Split:
        prefix = _COLLECTOR_TIME.match(line)
        if prefix is not None and (after := self._after(line, prefix)) is not None:
            return after
        match = self.pattern.match(line)
        return split(line) if match is None else self._split(match, 0)

    def _after(self, line: str, prefix: re.Match[str]) -> Split | None:
        """The line after a collector's time (Loki's entry time, `kubectl logs --timestamps`).

        Taken when the format matches what follows and finds a readable time there, or
        none (then the collector's time stands in); otherwise the time in front may be
        the line's own, and the whole line is tried.
        """
        match = self.pattern.match(line[prefix.end() :])
        if match is None:
            return None
        header = self._split(match, prefix.end())
        if header.timestamp is None:
            return Split(prefix[1], "iso", header.level, header.message, 0)
        return header if self._readable(header) else None

    def _readable(self, header: Split) -> bool:
        if self.time_format is None:
            return header.shape is not None
        return (
            parse_time(None, header.timestamp, year=2000, time_format=self.time_format) is not None
        )

    def _split(self, match: re.Match[str], offset: int) -> Split:
        stamp, shape, at = self._stamp(match)
        level = match[self.level] if self.level else None
        return Split(stamp, shape, (level or "").strip() or None, match[self.message] or "",
                     at + offset if at >= 0 else at)  # fmt: skip

    def _stamp(self, match: re.Match[str]) -> tuple[str | None, str | None, int]:
        """The timestamp text, its built-in shape (None with a strptime format) and offset."""
        regs = match.regs
        spans = [regs[group] for group in self._stamp_groups if regs[group][0] >= 0]
        if not spans:
            return None, None, -1
        start, end = spans[0][0], spans[-1][1]
        if len(spans) > 1:
            start, end = min(s for s, _ in spans), max(e for _, e in spans)
        text = match.string[start:end]
        if text[:1].isspace() or text[-1:].isspace():
            stripped = text.strip()
            start, text = start + len(text) - len(text.lstrip()), stripped
        if not text:
            return None, None, -1
        if self.time_format:
            return text, None, start
        shape, low, high = self._shape(text)
        if shape is None:
            return text, None, start
        return text[low:high], shape, start + low  # without enclosing brackets

    def _shape(self, text: str) -> tuple[str | None, int, int]:
        """Which built-in shape the whole text is, and where; remembered per digit shape."""
        key = text.translate(_DIGIT_CLASS)
        known = self._shapes.get(key)
        if known is None:
            found = TIMESTAMP.match(text + " ")  # the epoch shape wants a space after it
            shape = found.lastgroup if found and found.end() == len(text) else None
            known = (None, 0, 0) if found is None or shape is None else (
                shape, found.start(shape), found.end(shape))  # fmt: skip
            if len(self._shapes) >= SHAPE_CACHE:
                self._shapes.clear()
            self._shapes[key] = known
        return known


def compile_format(text: str, time_format: str | None = None, *, origin: str = "--log-format",
                   time_origin: str = "--time-format") -> HeaderFormat:  # fmt: skip
    """Compile a Loghub-style format or a named-group regex; a mistake is one InvalidInput."""
    if not text.strip():
        raise InvalidInput(f"{origin}: the format is empty")
    if "(?P<" in text or _OTHER_NAMED.search(text):
        source = _OTHER_NAMED.sub("(?P<", text)
    else:
        source = _loghub_regex(text, origin)
    try:
        pattern = re.compile(source)
    except re.error as exc:
        raise InvalidInput(f"{origin}: not a valid pattern ({exc.msg})") from None
    names = list(pattern.groupindex)
    message = _pick(names, MESSAGE_NAMES)
    if message is None:
        raise InvalidInput(
            f"{origin}: no message in the format; name it <Content> (or (?P<message>…) in a regex)"
        )
    stamp = _stamp_names(names)
    if time_format is not None:
        if not stamp:
            raise InvalidInput(f"{time_origin}: {origin} has no <Timestamp>, <Date> or <Time>")
        problem = check_time_format(time_format)
        if problem:
            raise InvalidInput(f"{time_origin}: {problem}")
    return HeaderFormat(text, pattern, message, _pick(names, LEVEL_NAMES), stamp, time_format)


def _pick(names: list[str], wanted: frozenset[str]) -> str | None:
    return next((name for name in names if name.lower() in wanted), None)


def _stamp_names(names: list[str]) -> tuple[str, ...]:
    whole = _pick(names, STAMP_NAMES)
    if whole is not None:
        return (whole,)
    return tuple(name for name in names if name.lower() in PART_NAMES)


def _loghub_regex(text: str, origin: str) -> str:
    """`<Date> <Time> <Level> <Component>: <Content>` as an anchored regex with named groups."""
    pieces = _PLACEHOLDER.split(text)
    if len(pieces) == 1:
        raise InvalidInput(f"{origin}: no <placeholders>; e.g. '<Date> <Time> <Level> <Content>'")
    names: set[str] = set()
    out = [r"^\s*"]  # Loghub strips the line first
    last = len(pieces) - 2
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            out.append(_literal(piece))
            continue
        name = piece.strip()
        if not _NAME.fullmatch(name):
            raise InvalidInput(
                f"{origin}: <{piece}> is not a placeholder name (letters, digits, _)"
            )
        if name in names:
            raise InvalidInput(f"{origin}: <{name}> appears twice")
        names.add(name)
        # The message is usually last: it takes the rest of the line, whatever it holds.
        greedy = index == last and name.lower() in MESSAGE_NAMES
        out.append(f"(?P<{name}>.*)" if greedy else f"(?P<{name}>.*?)")
    return "".join(out) + "$"


def _literal(text: str) -> str:
    """Loghub's literal text: regex as written, spaces as `\\s+`, bare brackets literal."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            out.append(text[index : index + 2])
            index += 2
            continue
        if char == " ":
            while index + 1 < len(text) and text[index + 1] == " ":
                index += 1
            out.append(r"\s+")
        elif char in "[]":
            out.append("\\" + char)
        else:
            out.append(char)
        index += 1
    return "".join(out)
