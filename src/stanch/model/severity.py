"""Severity on both scales: SEV1–SEV4 and P0–P3 (SEV1 = P0 … SEV4 = P3)."""

from __future__ import annotations

import enum
import re

from stanch.errors import InvalidInput

_MEANING = {
    1: "total outage",
    2: "major degradation or major feature broken",
    3: "minor problem, degraded experience",
    4: "minor, workaround exists",
}

_PATTERN = re.compile(r"^\s*(?:(sev)[\s_-]?([1-4])|(p)[\s_-]?([0-3]))\s*$", re.IGNORECASE)


class Scheme(enum.StrEnum):
    """How severities are displayed; both are always accepted as input."""

    SEV = "sev"
    P = "p"


class Severity(enum.IntEnum):
    """Lower number is worse, as on both scales."""

    SEV1 = 1
    SEV2 = 2
    SEV3 = 3
    SEV4 = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Parse 'SEV1', 'sev-2', 'P0', 'p3' … case-insensitively."""
        match = _PATTERN.match(text or "")
        if not match:
            raise InvalidInput(
                f"unknown severity {text!r}: use SEV1–SEV4 or P0–P3 (SEV1 = P0 … SEV4 = P3)"
            )
        if match.group(1):
            return cls(int(match.group(2)))
        return cls(int(match.group(4)) + 1)

    def label(self, scheme: Scheme = Scheme.SEV) -> str:
        """Display label in the organisation's scheme."""
        return f"SEV{self.value}" if scheme is Scheme.SEV else f"P{self.value - 1}"

    @property
    def meaning(self) -> str:
        return _MEANING[self.value]

    def raised(self) -> Severity:
        """One level more severe (SEV1 stays SEV1)."""
        return Severity(max(1, self.value - 1))
