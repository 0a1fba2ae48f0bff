"""Streaming signature grouping: one pass, memory bounded by the number of signatures.

A line's signature is its message (header removed by `header.split`) with the variable
parts masked (`mask.mask`). The id is a short hash of that template, so the same
statement gets the same id in every file, every run and every process: ids from two
workers, or from yesterday's run, can be compared directly.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from stanch.evidence.logs.header import Split, split
from stanch.evidence.logs.mask import mask

MAX_MESSAGE = 4096  # longer messages are grouped on their first 4 KiB
SHAPE_CACHE = 100_000  # line shapes remembered; cleared when full so it follows the stream
MESSAGE_CACHE = 50_000  # message shapes remembered, likewise
_ZEROS = bytes.maketrans(b"123456789", b"000000000")
_DIGIT = re.compile(r"\d")
# A hex id (8+ hex characters, 3+ digits, a letter) as a whole word is always masked,
# whatever its letters: the shape keeps its length and first character class only.
# (`\b` on bytes is the ASCII word boundary: the same test as look-arounds, and faster.)
_HEX_WORD = re.compile(rb"\b[0-9a-fA-F]{8,}\b")


def _hex_shape(match: re.Match[bytes]) -> bytes:
    word = match.group()
    if word.count(b"0") < 3 or word.isdigit():
        return word
    if word[:1] == b"0":
        return b"0a" + b"0" * (len(word) - 2)
    return b"a" + b"0" * (len(word) - 1)


_RUN = re.compile(rb"0{4,}")  # in a shape key: a run of four or more digits


def _shape_key(line: str) -> bytes:
    """The line with every digit as 0 and whole-word hex ids as placeholders."""
    return _HEX_WORD.sub(_hex_shape, line.encode("utf-8", "replace").translate(_ZEROS))


def signature_id(template: str) -> str:
    """Stable 12-hex-digit id of a template."""
    return hashlib.blake2b(template.encode("utf-8", "replace"), digest_size=6).hexdigest()


@dataclass(frozen=True, slots=True)
class Parsed:
    """One line, cut and grouped."""

    header: Split
    template: str
    signature: str


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
    at which digit, so two lines that differ only in their digits split and mask the
    same way; a whole-word hex id is always masked, whatever its letters. The miner
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
        self._split = splitter or split
        self._by_shape = splitter is None

    def __len__(self) -> int:
        return len(self._ids)

    def template(self, message: str) -> str:
        """The masked message; answered from the message-shape cache when it can be.

        Masking depends on digits only through "starts with a digit", "a digit follows"
        and "three or more digits in a segment", so digit runs capped at three keep every
        decision. When a template holds no digit, every digit sat in a masked segment and
        every literal segment is digit-free: any message of the same capped shape masks
        to the same template.
        """
        if len(message) > MAX_MESSAGE or not message.isascii():
            return mask(message[:MAX_MESSAGE].strip())
        key = _RUN.sub(b"000", _shape_key(message))
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

    def signature_of(self, line: str) -> str:
        """The signature of one raw line: `parse(line).signature`, without building parts.

        The hot path for per-line output and bulk grouping: a repeated shape costs one
        key computation and one dictionary lookup, nothing allocated but the key.
        """
        if not self._by_shape:
            return self._parse(line, b"").signature
        key = _shape_key(line)
        known = self._shapes.get(key)
        return known.signature if known is not None else self._parse(line, key).signature

    def parse(self, line: str) -> Parsed:
        """Header, template and signature of one raw line."""
        return self._parse(line, _shape_key(line) if self._by_shape else b"")

    def _parse(self, line: str, key: bytes) -> Parsed:
        known = self._shapes.get(key)
        if known is not None:
            start, end = known.stamp
            header = Split(line[start:end] if known.shape else None, known.shape, known.level,
                           line[known.message_at :], start)  # fmt: skip
            return Parsed(header, known.template, known.signature)
        header = self._split(line)
        template = self.template(header.message)
        parsed = Parsed(header, template, self.signature(template))
        if self._by_shape and line.isascii() and not _DIGIT.search(template):
            self._remember(key, line, parsed)
        return parsed

    def _remember(self, key: bytes, line: str, parsed: Parsed) -> None:
        if len(self._shapes) >= SHAPE_CACHE:
            self._shapes.clear()
        header = parsed.header
        stamp = (header.stamp_at, header.stamp_at + len(header.timestamp or ""))
        self._shapes[key] = _Shape(parsed.template, parsed.signature, header.level, header.shape,
                                   stamp, len(line) - len(header.message))  # fmt: skip

    def templates(self) -> dict[str, str]:
        """Signature id → template, for every signature seen."""
        return {sig: template for template, sig in self._ids.items()}
