"""Streaming signature grouping: one pass, memory bounded by the number of signatures.

A line's signature is its message (header removed by `header.split`) with the variable
parts masked (`mask.mask`). The id is a short hash of that template, so the same
statement gets the same id in every file, every run and every process: ids from two
workers, or from yesterday's run, can be compared directly.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from stanch.evidence.logs.header import Split, split
from stanch.evidence.logs.mask import mask

MAX_MESSAGE = 4096  # longer messages are grouped on their first 4 KiB


def signature_id(template: str) -> str:
    """Stable 12-hex-digit id of a template."""
    return hashlib.blake2b(template.encode("utf-8", "replace"), digest_size=6).hexdigest()


@dataclass(frozen=True, slots=True)
class Parsed:
    """One line, cut and grouped."""

    header: Split
    template: str
    signature: str


class Miner:
    """Assigns each message its signature; caches template → id so hashing is paid once."""

    def __init__(self) -> None:
        self._ids: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def template(self, message: str) -> str:
        return mask(message[:MAX_MESSAGE].strip())

    def signature(self, template: str) -> str:
        known = self._ids.get(template)
        if known is None:
            known = self._ids[template] = signature_id(template)
        return known

    def parse(self, line: str) -> Parsed:
        """Header, template and signature of one raw line."""
        header = split(line)
        template = self.template(header.message)
        return Parsed(header, template, self.signature(template))

    def templates(self) -> dict[str, str]:
        """Signature id → template, for every signature seen."""
        return {sig: template for template, sig in self._ids.items()}
