"""Confirm and resolve by evidence over HTTP: the flagging signal, one sample, the window.

The same service functions as `stanch signal set|show` and `stanch watch`: a sample is
one reading, recorded and judged (confirmation, relapse) exactly as the CLI's loop does;
the client decides how often to ask. The resolution gate itself sits in the status move.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from stanch.model.clock import iso
from stanch.model.watching import Progress
from stanch.server.deps import Responder, Viewer, app_of
from stanch.services import watch as watch_service
from stanch.services.watch import SampleOutcome

router = APIRouter(prefix="/api/incidents", tags=["signal and watch"])


class SignalIn(BaseModel):
    kind: str = Field(max_length=20, description="promql, http or command.")
    expr: str = Field(min_length=1, max_length=10_000, description="PromQL, a URL, a command.")
    healthy: str | None = Field(None, max_length=64, description="Healthy rule, e.g. '< 0.01'.")
    source: str = Field("", max_length=2_000, description="Prometheus base URL (optional).")
    at: str | None = Field(None, max_length=64)


class SignalSet(BaseModel):
    id: str
    seq: int
    signal: dict[str, Any]


class RecoveryOut(BaseModel):
    window_s: int
    needed_samples: int
    healthy_samples: int
    healthy_for_s: int
    stale: bool
    complete: bool
    explanation: str


class SampleOut(BaseModel):
    id: str
    seq: int
    at: str
    value: float | None
    read: str = Field(description="ok, no_data or error.")
    detail: str
    healthy: bool | None
    confirmed: bool = Field(description="This sample confirmed the mitigation.")
    relapsed: bool = Field(description="This sample declared a relapse.")
    status: str
    recovery: RecoveryOut


class SignalView(BaseModel):
    id: str
    signal: dict[str, Any] | None
    confirmed: bool
    samples: list[dict[str, Any]] = Field(description="The last ten: at, value, healthy.")
    recovery: RecoveryOut


def recovery_out(prog: Progress) -> RecoveryOut:
    return RecoveryOut(
        window_s=int(prog.window.total_seconds()),
        needed_samples=prog.needed_samples,
        healthy_samples=prog.samples,
        healthy_for_s=int(prog.healthy_for.total_seconds()),
        stale=prog.stale,
        complete=prog.complete,
        explanation=prog.explain(),
    )


def sample_out(outcome: SampleOutcome) -> SampleOut:
    return SampleOut(
        id=outcome.incident.id,
        seq=outcome.sampled.seq,
        at=iso(outcome.sampled.occurred_at),
        value=outcome.reading.value,
        read=outcome.reading.status.value,
        detail=outcome.reading.detail,
        healthy=outcome.healthy,
        confirmed=outcome.confirmed is not None,
        relapsed=outcome.relapsed is not None,
        status=outcome.incident.status.value,
        recovery=recovery_out(outcome.progress),
    )


@router.post("/{incident_id}/signal", status_code=201, summary="Record the flagging signal")
def set_signal(request: Request, incident_id: str, body: SignalIn, who: Responder) -> SignalSet:
    done = watch_service.set_signal(
        app_of(request), incident_id, body.kind, body.expr, body.healthy,
        source=body.source, actor=who.name, at=body.at,
    )  # fmt: skip
    return SignalSet(id=done.incident.id, seq=done.event.seq, signal=dict(done.event.data))


@router.get("/{incident_id}/signal", summary="The signal, its last samples, the recovery window")
def show_signal(request: Request, incident_id: str, _who: Viewer) -> SignalView:
    app = app_of(request)
    key, state = watch_service.current(app, incident_id)
    _, prog = watch_service.recovery(app, key)
    last = [{"at": iso(s.at), "value": s.value, "healthy": s.healthy} for s in state.samples[-10:]]
    return SignalView(
        id=key,
        signal=state.signal.to_data() if state.signal else None,
        confirmed=state.confirmed,
        samples=last,
        recovery=recovery_out(prog),
    )


@router.post(
    "/{incident_id}/watch/sample", status_code=201, summary="Sample the signal once and judge"
)
def sample(request: Request, incident_id: str, who: Responder) -> SampleOut:
    return sample_out(watch_service.sample(app_of(request), incident_id, actor=who.name))


@router.get("/{incident_id}/recovery", summary="Where the incident stands against its window")
def recovery(request: Request, incident_id: str, _who: Viewer) -> RecoveryOut:
    _, prog = watch_service.recovery(app_of(request), incident_id)
    return recovery_out(prog)
