"""Shape keys: a line with every digit as 0 and whole-word hex ids as placeholders.

Header recognition and masking look only at whether a character is a digit, never at
which digit, and a whole-word hex id is always masked, whatever its letters; so lines
with the same shape key split and mask the same way. Keys are computed a block of lines
at a time: digits map byte for byte and a newline is a word boundary, so keying the
joined block and cutting it at the newlines gives each line its own key.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_ZEROS = bytes.maketrans(b"123456789", b"000000000")
# A hex id (8+ hex characters, a digit and a letter) as a whole word; matched on keys,
# where every digit is already 0. (`\b` on bytes is the ASCII word boundary.) The mask
# always masks such a word's whole segment, so its letters never change a template.
_HEX_WORD = re.compile(rb"\b(?=0*+[a-fA-F])[0a-fA-F]{8,}+\b")


def _placeholder(match: re.Match[bytes]) -> bytes:
    """Same length, same first character class: `0a000…` or `a000…`; numbers and words
    (no digit, or no letter) stay as they are."""
    word = match.group()
    if b"0" not in word or not word.strip(b"0"):
        return word
    if word[:1] == b"0":
        return b"0a" + b"0" * (len(word) - 2)
    return b"a" + b"0" * (len(word) - 1)


def shape_key(line: str) -> bytes:
    """The full shape key of one line."""
    return _HEX_WORD.sub(_placeholder, line.encode("utf-8", "replace").translate(_ZEROS))


def digit_keys(lines: Sequence[str]) -> list[bytes]:
    """Each line with its digits as 0 (hex ids left as they are): the cheap first key."""
    keys = "\n".join(lines).encode("utf-8", "replace").translate(_ZEROS).split(b"\n")
    if len(keys) == len(lines):
        return keys
    return [line.encode("utf-8", "replace").translate(_ZEROS) for line in lines]


def hex_keys(keys: Sequence[bytes]) -> list[bytes]:
    """Digit keys with their hex ids replaced: the full shape keys. A full key is left
    unchanged, so `hex_keys` of a full key is itself."""
    fixed = _HEX_WORD.sub(_placeholder, b"\n".join(keys)).split(b"\n")
    if len(fixed) == len(keys):
        return fixed
    return [_HEX_WORD.sub(_placeholder, key) for key in keys]
