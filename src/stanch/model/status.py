"""The incident status machine and its legal moves."""

from __future__ import annotations

import enum

from stanch.errors import IllegalTransition, InvalidInput


class Status(enum.StrEnum):
    INVESTIGATING = "investigating"
    MITIGATING = "mitigating"
    MITIGATED = "mitigated"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @classmethod
    def parse(cls, text: str) -> Status:
        try:
            return cls(text.strip().lower())
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise InvalidInput(f"unknown status {text!r}: use one of {names}") from None

    @property
    def is_open(self) -> bool:
        return self not in (Status.RESOLVED, Status.CLOSED)


_S = Status
# Forward moves follow the process; backward moves (a relapse, a wrong call) are legal
# and recorded. Closing needs the postmortem, which the service checks.
ALLOWED: dict[Status, tuple[Status, ...]] = {
    _S.INVESTIGATING: (_S.MITIGATING, _S.MITIGATED),
    _S.MITIGATING: (_S.MITIGATED, _S.INVESTIGATING),
    _S.MITIGATED: (_S.MONITORING, _S.MITIGATING, _S.INVESTIGATING),
    _S.MONITORING: (_S.RESOLVED, _S.MITIGATING, _S.INVESTIGATING),
    _S.RESOLVED: (_S.CLOSED, _S.MONITORING, _S.MITIGATING, _S.INVESTIGATING),
    _S.CLOSED: (),
}

_ORDER = list(Status)


def is_backward(current: Status, target: Status) -> bool:
    """A move against the process order (e.g. monitoring → mitigating on relapse)."""
    return _ORDER.index(target) < _ORDER.index(current)


def check_transition(current: Status, target: Status) -> None:
    """Raise IllegalTransition naming the allowed next states when the move is illegal."""
    if target == current:
        raise IllegalTransition(f"incident is already {current.value}")
    allowed = ALLOWED[current]
    if target not in allowed:
        nxt = ", ".join(s.value for s in allowed) or "nothing (closed is final)"
        raise IllegalTransition(
            f"cannot go from {current.value} to {target.value}; allowed next: {nxt}"
        )
