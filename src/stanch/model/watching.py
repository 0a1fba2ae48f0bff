"""Confirm, relapse and recovery-window decisions over the flagging signal's samples.

Pure: a fold over the incident's events plus the clock. A mitigation is confirmed after
a few consecutive healthy samples; a confirmed incident relapses after a few consecutive
unhealthy ones; `resolved` needs the signal healthy for the whole recovery window of
the current severity, sampled many times. A sample with no data never counts as
healthy, and never as a relapse either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from stanch.errors import InvalidInput
from stanch.model.events import Event, Kind
from stanch.model.kinds import (
    LEVER_APPLIED,
    MITIGATION_CONFIRMED,
    RELAPSE,
    SIGNAL_SAMPLED,
    SIGNAL_SET,
)
from stanch.model.severity import Severity
from stanch.model.signal import Signal
from stanch.model.status import Status

# A resolution that skipped the recovery window, with the reason someone gave.
RESOLVE_OVERRIDDEN = "resolve.overridden"  # {"reason", "summary"}

DEFAULT_WINDOWS = {
    Severity(1): timedelta(minutes=30),
    Severity(2): timedelta(minutes=20),
    Severity(3): timedelta(minutes=10),
    Severity(4): timedelta(minutes=5),
}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNIT = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}
MITIGATED_LIKE = (Status.MITIGATED, Status.MONITORING, Status.RESOLVED)


def parse_duration(text: str | float, what: str = "duration") -> timedelta:
    """'30s', '5m', '1.5h', or a number of seconds."""
    if isinstance(text, int | float):
        seconds = float(text)
    else:
        found = _DURATION.match(str(text))
        if not found:
            raise InvalidInput(f"bad {what} {text!r}: write e.g. 30s, 5m or 1h")
        seconds = float(found.group(1)) * _UNIT[found.group(2)]
    if seconds <= 0:
        raise InvalidInput(f"{what} must be positive, not {text!r}")
    return timedelta(seconds=seconds)


@dataclass(frozen=True)
class RecoveryPolicy:
    """How many samples and how long the signal must stay healthy."""

    windows: dict[Severity, timedelta] = field(default_factory=lambda: dict(DEFAULT_WINDOWS))
    min_samples: int = 5  # in the recovery window: never one data point
    confirm_samples: int = 3  # consecutive healthy samples that confirm a mitigation
    relapse_samples: int = 2  # consecutive unhealthy samples that mean a relapse
    stale_after: timedelta = timedelta(minutes=10)  # a last sample older than this proves nothing

    def window(self, severity: Severity) -> timedelta:
        return self.windows.get(severity, DEFAULT_WINDOWS[severity])


@dataclass(frozen=True)
class Sample:
    seq: int
    at: datetime
    value: float | None
    healthy: bool | None  # None: no data or the reader failed


@dataclass(frozen=True)
class WatchState:
    """What the watch needs from the incident's events."""

    signal: Signal | None = None
    samples: tuple[Sample, ...] = ()  # since the signal was set
    reset_seq: int = 0  # last event after which a mitigation must be (re)confirmed
    confirmed_seq: int = 0  # last confirmation after the reset, 0 when unconfirmed
    settled_seq: int = 0  # last confirmation or move into mitigated/monitoring/resolved
    lever: str = ""  # the latest lever applied, if any

    @property
    def confirmed(self) -> bool:
        return self.confirmed_seq > self.reset_seq

    def since(self, seq: int) -> tuple[Sample, ...]:
        return tuple(s for s in self.samples if s.seq > seq)


def fold_watch(events: Iterable[Event]) -> WatchState:
    """The watch state after these events."""
    state = WatchState()
    for event in events:
        state = _step(state, event)
    return state


def _step(state: WatchState, event: Event) -> WatchState:
    kind, data, seq = event.kind, event.data, event.seq
    if kind == SIGNAL_SET:
        return WatchState(Signal.from_data(data), (), seq, 0, state.settled_seq, state.lever)
    changes: dict[str, Any] = {}
    if kind == SIGNAL_SAMPLED and state.signal is not None:
        value, healthy = data.get("value"), data.get("healthy")
        sample = Sample(seq, event.occurred_at, None if value is None else float(value),
                        None if healthy is None else bool(healthy))  # fmt: skip
        changes = {"samples": (*state.samples, sample)}
    elif kind == LEVER_APPLIED and not data.get("dry_run"):
        changes = {"reset_seq": seq, "lever": str(data.get("lever") or "")}
    elif kind == RELAPSE:
        changes = {"reset_seq": seq}
    elif kind == MITIGATION_CONFIRMED:
        changes = {"confirmed_seq": seq, "settled_seq": seq}
    elif kind == Kind.STATUS and Status(str(data["to"])) in MITIGATED_LIKE:
        changes = {"settled_seq": seq}
    return _with(state, **changes) if changes else state


def _with(state: WatchState, **changes: Any) -> WatchState:
    values = {**state.__dict__, **changes}
    return WatchState(**values)


def _tail(samples: tuple[Sample, ...], count: int) -> tuple[Sample, ...]:
    return samples[-count:] if len(samples) >= count else ()


def should_confirm(state: WatchState, policy: RecoveryPolicy) -> bool:
    """Unconfirmed, and the last few samples since the last change are all healthy."""
    if state.signal is None or state.confirmed:
        return False
    tail = _tail(state.since(state.reset_seq), policy.confirm_samples)
    return bool(tail) and all(s.healthy is True for s in tail)


def should_relapse(state: WatchState, status: Status, policy: RecoveryPolicy) -> bool:
    """Mitigated (or later) and the last few samples since then are all unhealthy."""
    if state.signal is None or status not in MITIGATED_LIKE:
        return False
    tail = _tail(state.since(state.settled_seq), policy.relapse_samples)
    return bool(tail) and all(s.healthy is False for s in tail)


@dataclass(frozen=True)
class Progress:
    """How far the signal is through its recovery window."""

    window: timedelta
    needed_samples: int
    samples: int  # consecutive healthy samples at the end, since the last change
    healthy_for: timedelta
    last_at: datetime | None
    stale: bool
    complete: bool

    def remaining(self) -> timedelta:
        return max(self.window - self.healthy_for, timedelta(0))

    def explain(self) -> str:
        if self.complete:
            return (
                f"healthy for {_fmt(self.healthy_for)} over {self.samples} samples "
                f"(window {_fmt(self.window)}): may resolve"
            )
        if self.stale:
            return "the last sample is stale: keep watching before resolving"
        return (
            f"healthy for {_fmt(self.healthy_for)} over {self.samples} samples; the window "
            f"needs {_fmt(self.window)} and at least {self.needed_samples} samples"
        )


def _fmt(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def progress(
    state: WatchState, severity: Severity, policy: RecoveryPolicy, now: datetime
) -> Progress:
    """The trailing run of healthy samples against the severity's recovery window."""
    window = policy.window(severity)
    streak: list[Sample] = []
    for sample in reversed(state.since(state.reset_seq)):
        if sample.healthy is not True:
            break
        streak.append(sample)
    streak.reverse()
    last_at = state.samples[-1].at if state.samples else None
    stale = last_at is None or now - last_at > policy.stale_after
    healthy_for = streak[-1].at - streak[0].at if streak else timedelta(0)
    complete = not stale and len(streak) >= policy.min_samples and healthy_for >= window
    return Progress(window, policy.min_samples, len(streak), healthy_for, last_at, stale,
                    complete)  # fmt: skip
