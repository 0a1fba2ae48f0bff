"""Durations computed from the state's milestones: detection, declaration, mitigation …"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from stanch.model.incident import Incident
from stanch.model.status import Status


@dataclass(frozen=True)
class Durations:
    """Each is None until both ends are known."""

    to_detect: timedelta | None  # onset → detected
    to_declare: timedelta | None  # detected → declared
    to_mitigate: timedelta | None  # onset → first mitigated
    to_resolve: timedelta | None  # onset → resolved
    open_for: timedelta | None  # onset → `as_of`, while not resolved

    def items(self) -> list[tuple[str, timedelta]]:
        named = [
            ("onset→detected", self.to_detect),
            ("detected→declared", self.to_declare),
            ("onset→mitigated", self.to_mitigate),
            ("onset→resolved", self.to_resolve),
            ("open for", self.open_for),
        ]
        return [(name, value) for name, value in named if value is not None]


def durations(state: Incident, as_of: datetime | None = None) -> Durations:
    """Durations from the milestones; `open_for` is measured up to `as_of`."""
    mitigated = state.entered.get(Status.MITIGATED.value)
    open_for = None
    if state.resolved_at is None and as_of is not None:
        open_for = max(as_of - state.onset_at, timedelta(0))
    return Durations(
        to_detect=state.detected_at - state.onset_at,
        to_declare=state.declared_at - state.detected_at,
        to_mitigate=(mitigated - state.onset_at) if mitigated else None,
        to_resolve=(state.resolved_at - state.onset_at) if state.resolved_at else None,
        open_for=open_for,
    )
