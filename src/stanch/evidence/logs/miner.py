"""Streaming signature grouping: one pass, memory bounded by the number of signatures.

A line's signature is its message (header removed by `header.split`) with the variable
parts masked (`mask.mask`). The id is a short hash of that template, so the same
statement gets the same id in every file, every run and every process: ids from two
workers, or from yesterday's run, can be compared directly.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from stanch.evidence.logs.header import Split, split
from stanch.evidence.logs.mask import mask
from stanch.evidence.logs.shape_keys import digit_keys, hex_keys, shape_key

MAX_MESSAGE = 4096  # longer messages are grouped on their first 4 KiB
SHAPE_CACHE = 100_000  # line shapes remembered; cleared when full so it follows the stream
MESSAGE_CACHE = 50_000  # message shapes remembered, likewise
_DIGIT = re.compile(r"\d")
_RUN = re.compile(rb"0{4,}")  # in a shape key: a run of four or more digits
BLOCK = 2048  # lines keyed at once: a few C calls per block instead of per line
# The one digit header recognition reads by value: epoch seconds start with 1 (`1\d{9}`),
# at the line start or after a source name. A line with a ten-digit token there is
# remembered under its key and which of those tokens start with 1.
_TEN_DIGITS = re.compile(r"\[?(\d)\d{9}(?:\.\d{1,9})?\]?\s")
_SOURCE = re.compile(r"\S+\s+")


def signature_id(template: str) -> str:
    """Stable 12-hex-digit id of a template."""
    return hashlib.blake2b(template.encode("utf-8", "replace"), digest_size=6).hexdigest()


class Parsed(NamedTuple):
    """One line, cut and grouped."""

    header: Split
    template: str
    signature: str


# What an analysis reads of a line: signature, template, level, timestamp shape and text.
Facts = tuple[str, str, str | None, str | None, str | None]


def facts_of(parsed: Parsed) -> Facts:
    header = parsed.header
    return parsed.signature, parsed.template, header.level, header.shape, header.timestamp


@dataclass(frozen=True, slots=True)
class _Shape:
    """How a line of one digit-shape splits: valid for every line of that shape."""

    template: str
    signature: str
    level: str | None
    shape: str | None
    stamp: tuple[int, int]
    message_at: int


class Miner:
    """Assigns each message its signature; caches template → id so hashing is paid once.

    Header recognition and masking look only at whether a character is a digit, never
    at which digit (but for the leading 1 of epoch seconds, remembered with the shape),
    so two lines that differ only in their digits split and mask the same way; a
    whole-word hex id is always masked, whatever its letters. The miner
    remembers that per line shape (digits written as 0, hex ids as a placeholder of the
    same length) and answers repeated shapes without re-parsing, whenever the template
    itself holds no digit.
    """

    def __init__(self, splitter: Callable[[str], Split] | None = None) -> None:
        """`splitter` replaces header recognition (a user's `--log-format`); lines are then
        cut by it and the line-shape cache, which relies on the built-in recognition, is off."""
        self._ids: dict[str, str] = {}
        self._shapes: dict[bytes, _Shape] = {}
        self._messages: dict[bytes, str] = {}
        self._epochs: dict[tuple[bytes, bytes], _Shape] = {}  # shapes an epoch digit decides
        self._split = splitter or split
        self._by_shape = splitter is None

    def __len__(self) -> int:
        return len(self._ids)

    def template(self, message: str, key: bytes | None = None) -> str:
        """The masked message; answered from the message-shape cache when it can be.

        Masking depends on digits only through "starts with a digit", "a digit follows"
        and "three or more digits in a segment", so digit runs capped at three keep every
        decision. When a template holds no digit, every digit sat in a masked segment and
        every literal segment is digit-free: any message of the same capped shape masks
        to the same template. `key`, when given, is the message's shape key (cut from its
        line's key).
        """
        if len(message) > MAX_MESSAGE or not message.isascii():
            return mask(message[:MAX_MESSAGE].strip())
        key = _RUN.sub(b"000", shape_key(message) if key is None else key)
        known = self._messages.get(key)
        if known is None:
            known = mask(message.strip())
            if not _DIGIT.search(known):
                if len(self._messages) >= MESSAGE_CACHE:
                    self._messages.clear()
                self._messages[key] = known
        return known

    def signature(self, template: str) -> str:
        known = self._ids.get(template)
        if known is None:
            known = self._ids[template] = signature_id(template)
        return known

    def signatures(self, lines: Sequence[str]) -> list[str]:
        """The signature of each line, in order, keyed a block at a time."""
        if not self._by_shape:
            return [self._parse(line, b"").signature for line in lines]
        found: list[str] = []
        late = self._late_signature
        for start in range(0, len(lines), BLOCK):
            block = lines[start : start + BLOCK]
            shapes, keys = self._known(block)
            found += [shape.signature if shape is not None else late(line, key)
                      for line, key, shape in zip(block, keys, shapes, strict=True)]  # fmt: skip
        return found

    def _late_signature(self, line: str, key: bytes) -> str:
        """A line not known when its block was looked up: maybe learned since, else parsed."""
        known = self._shapes.get(key)
        return known.signature if known is not None else self._parse(line, key).signature

    def facts_many(self, lines: Sequence[str]) -> list[Facts]:
        """What an analysis needs of each line, without building its parts: a remembered
        shape costs one slice and one tuple."""
        if not self._by_shape:
            return [facts_of(self._parse(line, b"")) for line in lines]
        shapes, keys = self._known(lines)
        get, parse = self._shapes.get, self._parse
        out: list[Facts] = []
        for line, key, known in zip(lines, keys, shapes, strict=True):
            if known is None and (known := get(key)) is None:
                out.append(facts_of(parse(line, key)))
            else:
                out.append((known.signature, known.template, known.level, known.shape,
                            line[known.stamp[0] : known.stamp[1]] if known.shape else None))  # fmt: skip
        return out

    def _known(self, block: Sequence[str]) -> tuple[list[_Shape | None], list[bytes]]:
        """Each line's remembered shape (None when new) and its shape key.

        Most lines are found by their digit key alone; only the lines it misses pay for
        the hex-id pass. Every remembered key is a hex key, and the hex pass leaves a hex
        key unchanged, so a digit key that is found is its line's hex key too.
        """
        keys = digit_keys(block)
        get = self._shapes.get
        shapes = [get(key) for key in keys]
        missing = [index for index, shape in enumerate(shapes) if shape is None]
        if missing:
            fixed = hex_keys([keys[index] for index in missing])
            for index, key in zip(missing, fixed, strict=True):
                keys[index] = key
                shapes[index] = get(key)
        return shapes, keys

    def parse(self, line: str) -> Parsed:
        """Header, template and signature of one raw line."""
        return self._parse(line, shape_key(line) if self._by_shape else b"")

    def _parse(self, line: str, key: bytes) -> Parsed:
        known = self._shapes.get(key)
        if known is None and self._epochs and (marks := _epoch_marks(line)):
            known = self._epochs.get((key, marks))
        if known is not None:
            start, end = known.stamp
            header = Split(line[start:end] if known.shape else None, known.shape, known.level,
                           line[known.message_at :], start)  # fmt: skip
            return Parsed(header, known.template, known.signature)
        header = self._split(line)
        template = self.template(header.message, _message_key(line, key, header.message))
        parsed = Parsed(header, template, self.signature(template))
        if self._by_shape and line.isascii() and not _DIGIT.search(template):
            self._remember(key, line, parsed)
        return parsed

    def _remember(self, key: bytes, line: str, parsed: Parsed) -> None:
        if len(self._shapes) + len(self._epochs) >= SHAPE_CACHE:
            self._shapes.clear()
            self._epochs.clear()
        header = parsed.header
        stamp = (header.stamp_at, header.stamp_at + len(header.timestamp or ""))
        shape = _Shape(parsed.template, parsed.signature, header.level, header.shape, stamp,
                       len(line) - len(header.message))  # fmt: skip
        marks = _epoch_marks(line)
        if marks:
            self._epochs[(key, marks)] = shape
        else:
            self._shapes[key] = shape

    def templates(self) -> dict[str, str]:
        """Signature id → template, for every signature seen."""
        return {sig: template for template, sig in self._ids.items()}


def _message_key(line: str, key: bytes, message: str) -> bytes | None:
    """The message's shape key cut from its line's, when the cut cannot move a word
    boundary (the message starts the line or follows a separator); else None."""
    at = len(line) - len(message)
    if len(key) != len(line) or (at and (line[at - 1].isalnum() or line[at - 1] == "_")):
        return None
    return key[at:]


def _epoch_marks(line: str) -> bytes:
    """Empty when no ten-digit token stands where epoch seconds are read; else, per such
    token (at the start, after a source name), whether it starts with 1."""
    marks = b""
    first = _TEN_DIGITS.match(line)
    if first is not None:
        marks += b"1" if first.group(1) == "1" else b"0"
    source = _SOURCE.match(line)
    if source is not None and source.end() < 200:
        second = _TEN_DIGITS.match(line, source.end())
        if second is not None:
            marks += b"s1" if second.group(1) == "1" else b"s0"
    return marks
