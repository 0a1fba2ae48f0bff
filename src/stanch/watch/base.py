"""What every signal reader promises: one reading, with an explicit status."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from stanch.model.signal import Signal


class ReadStatus(enum.StrEnum):
    OK = "ok"
    NO_DATA = "no_data"  # the source answered but had nothing (empty vector, NaN)
    ERROR = "error"  # the source could not be asked or refused the question


@dataclass(frozen=True)
class Reading:
    """One sample of a signal: a value when the status is ok, a reason otherwise."""

    status: ReadStatus
    value: float | None = None
    detail: str = ""

    @classmethod
    def ok(cls, value: float, detail: str = "") -> Reading:
        return cls(ReadStatus.OK, value, detail)

    @classmethod
    def no_data(cls, detail: str) -> Reading:
        return cls(ReadStatus.NO_DATA, None, detail)

    @classmethod
    def error(cls, detail: str) -> Reading:
        return cls(ReadStatus.ERROR, None, detail)


class SignalReader(Protocol):
    """Reads one value of a signal now; never raises for the source's own failures."""

    def read(self, signal: Signal) -> Reading: ...
