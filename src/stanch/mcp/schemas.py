"""Typed inputs and outputs of the MCP tools (their JSON schemas are what agents see)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from stanch.model.incident import Incident
from stanch.model.severity import Scheme

Outcome = Literal["ok", "approval_required", "refused"]


class IncidentSummary(BaseModel):
    id: str
    status: str
    severity: str = Field(description="Label in the organisation's scheme (SEV1… or P0…)")
    symptom: str
    file: str = Field(description="Path of the incident's timeline file")
    last_seq: int

    @classmethod
    def of(cls, state: Incident, file: str, scheme: Scheme) -> IncidentSummary:
        return cls(id=state.id, status=state.status.value, severity=state.severity.label(scheme),
                   symptom=state.symptom, file=file, last_seq=state.last_seq)  # fmt: skip


class IncidentList(BaseModel):
    incidents: list[IncidentSummary]


class ActionResult(BaseModel):
    """What a mutating tool did: acted, asked a human, or was refused (and why)."""

    outcome: Outcome
    message: str
    incident: IncidentSummary | None = None
    event_seq: int | None = None
    request_id: str | None = Field(
        default=None, description="When approval is required: what a human must approve"
    )


class TimelineEntry(BaseModel):
    seq: int
    at: str
    actor: str
    kind: str
    text: str


class IncidentView(BaseModel):
    incident: IncidentSummary
    impact: str
    roles: dict[str, list[str]]
    channel: str
    timeline: list[TimelineEntry]


class Recovery(BaseModel):
    window_s: int
    needed_samples: int
    healthy_samples: int
    healthy_for_s: int
    stale: bool
    complete: bool
    explanation: str


class SampleOut(BaseModel):
    seq: int
    at: str
    value: float | None
    read: str = Field(description="ok, no_data or error")
    healthy: bool | None
    confirmed: bool
    relapsed: bool
    status: str


class WatchResult(BaseModel):
    outcome: Outcome
    message: str
    stopped: str = ""
    samples: list[SampleOut] = Field(default_factory=list)
    recovery: Recovery | None = None
