"""Set the flagging signal, sample it, confirm mitigations and catch relapses."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from stanch.errors import Conflict, NotFound
from stanch.model import decide
from stanch.model.events import Event, NewEvent
from stanch.model.incident import Incident
from stanch.model.kinds import MITIGATION_CONFIRMED, RELAPSE, SIGNAL_SAMPLED, SIGNAL_SET
from stanch.model.signal import Signal, make_signal
from stanch.model.status import Status
from stanch.model.watching import Progress, WatchState, fold_watch, progress
from stanch.model.watching import should_confirm as _should_confirm
from stanch.model.watching import should_relapse as _should_relapse
from stanch.services import incidents
from stanch.services.context import App, record
from stanch.services.incidents import Recorded
from stanch.watch import settings as watch_settings
from stanch.watch.base import Reading, ReadStatus, SignalReader
from stanch.watch.checks import CommandCheckReader, HttpCheckReader
from stanch.watch.prometheus import PrometheusReader

# Called after a mitigation is confirmed by the signal: (app, incident id, the event).
# Other capabilities (levers: "the change worked, the next one may go") append here.
ConfirmedHook = Callable[[App, str, Event], None]
on_confirmed: list[ConfirmedHook] = []


def settings_of(app: App) -> watch_settings.WatchSettings:
    return watch_settings.load(app.settings.raw)


def default_readers(app: App) -> dict[str, SignalReader]:
    """One reader per signal kind, configured from [watch]."""
    conf = settings_of(app)
    timeout = conf.timeout.total_seconds()
    token = os.environ.get(conf.token_env) if conf.token_env else None
    return {
        "promql": PrometheusReader(conf.prometheus_url, timeout=timeout, token=token),
        "http": HttpCheckReader(timeout=timeout),
        "command": CommandCheckReader(timeout=timeout),
    }


def set_signal(app: App, incident: str | None, kind: str, expr: str, healthy: str | None = None,
               *, source: str = "", actor: str | None = None, at: str | None = None) -> Recorded:  # fmt: skip
    """Record the signal that flagged the incident and its healthy rule."""
    key = app.resolve_id(incident)
    signal = make_signal(kind, expr, healthy, source)
    now = app.clock()
    moment = incidents.when(app, at, now)
    who = actor or app.settings.actor
    data = {**signal.to_data(), "summary": f"flagging signal: {signal.describe()}"}

    def decision(state: Incident) -> NewEvent:
        decide.checked_text(signal.expr, "signal expression")
        return NewEvent(SIGNAL_SET, who, moment, now, data)

    event, state = record(app, key, decision)
    return Recorded(state, event, app.files.path(key))


def current(app: App, incident: str | None) -> tuple[str, WatchState]:
    key = app.resolve_id(incident)
    return key, fold_watch(app.store.iter_events(key))


@dataclass(frozen=True)
class SampleOutcome:
    """One round of watching: the reading and what it led to."""

    incident: Incident
    signal: Signal
    reading: Reading
    healthy: bool | None
    sampled: Event
    confirmed: Event | None
    relapsed: Event | None
    progress: Progress


def _sample_data(signal: Signal, reading: Reading) -> dict[str, object]:
    healthy = None if reading.value is None else signal.is_healthy(reading.value)
    if reading.status is ReadStatus.OK and reading.value is not None:
        verdict = "healthy" if healthy else "UNHEALTHY"
        summary = f"signal {reading.value:g}: {verdict} (healthy when {signal.rule()})"
    else:
        summary = f"signal: {reading.status.value.replace('_', ' ')} ({reading.detail})"
    return {"value": reading.value, "healthy": healthy, "status": reading.status.value,
            "detail": reading.detail[:500], "summary": summary}  # fmt: skip


def sample(app: App, incident: str | None, *, readers: Mapping[str, SignalReader] | None = None,
           actor: str | None = None) -> SampleOutcome:  # fmt: skip
    """Read the signal once, record it, then confirm or declare a relapse when due."""
    key, before = current(app, incident)
    if before.signal is None:
        raise NotFound(
            f"{key} has no flagging signal",
            hint="stanch signal set promql '<expr>' --healthy '< 0.01'",
        )
    signal = before.signal
    reading = (readers or default_readers(app))[signal.kind].read(signal)
    now = app.clock()
    who = actor or app.settings.actor
    data = _sample_data(signal, reading)
    sampled, _ = record(app, key, lambda s: NewEvent(SIGNAL_SAMPLED, who, now, now, data))
    confirmed, relapsed = _judge(app, key, who)
    state = app.store.state(key)
    after = fold_watch(app.store.iter_events(key))
    conf = settings_of(app)
    prog = progress(after, state.severity, conf.policy, now)
    healthy = data["healthy"] if isinstance(data["healthy"], bool) else None
    return SampleOutcome(state, signal, reading, healthy, sampled, confirmed, relapsed, prog)


def _judge(app: App, key: str, who: str) -> tuple[Event | None, Event | None]:
    """Confirm an unconfirmed mitigation, or move a mitigated incident back on relapse."""
    watch = fold_watch(app.store.iter_events(key))
    policy = settings_of(app).policy
    state = app.store.state(key)
    if _should_confirm(watch, policy):
        return _confirm(app, key, watch, state, who), None
    if _should_relapse(watch, state.status, policy):
        return None, _relapse(app, key, watch, who)
    return None, None


def _unchanged(expected_seq: int) -> Callable[[Incident], None]:
    def check(state: Incident) -> None:
        # Another watcher recorded something meanwhile: its judgement stands, not ours.
        if state.last_seq != expected_seq:
            raise Conflict("the incident changed while judging the signal; sample again")

    return check


def _confirm(app: App, key: str, watch: WatchState, state: Incident, who: str) -> Event:
    policy = settings_of(app).policy
    tail = watch.samples[-policy.confirm_samples :]
    span = tail[-1].at - tail[0].at
    lever = watch.lever
    latest = tail[-1].value
    what = f"lever {lever}" if lever else "mitigation"
    data = {
        "lever": lever, "samples": len(tail), "window_s": int(span.total_seconds()),
        "value": latest,
        "summary": f"{what} confirmed by the signal: {len(tail)} healthy samples in a row "
                   f"(latest {latest:g})",
    }  # fmt: skip
    check = _unchanged(state.last_seq)
    now = app.clock()

    def decision(current_state: Incident) -> NewEvent:
        check(current_state)
        return NewEvent(MITIGATION_CONFIRMED, who, tail[-1].at, now, data)

    event, _ = record(app, key, decision)
    if state.status in (Status.INVESTIGATING, Status.MITIGATING):
        incidents.set_status(app, key, Status.MITIGATED.value, "confirmed by the flagging signal",
                             actor=who)  # fmt: skip
    for hook in list(on_confirmed):
        hook(app, key, event)
    return event


def _relapse(app: App, key: str, watch: WatchState, who: str) -> Event:
    assert watch.signal is not None
    policy = settings_of(app).policy
    tail = watch.samples[-policy.relapse_samples :]
    value = tail[-1].value
    data = {
        "value": value, "samples": len(tail),
        "summary": f"RELAPSE: signal {value:g} breaches healthy {watch.signal.rule()} for "
                   f"{len(tail)} samples; back to mitigating",
    }  # fmt: skip
    state = app.store.state(key)
    check = _unchanged(state.last_seq)
    now = app.clock()

    def decision(current_state: Incident) -> NewEvent:
        check(current_state)
        return NewEvent(RELAPSE, who, tail[-1].at, now, data)

    event, _ = record(app, key, decision)
    incidents.set_status(app, key, Status.MITIGATING.value,
                         f"relapse: signal {value:g} is unhealthy again", actor=who)  # fmt: skip
    return event


@dataclass(frozen=True)
class WatchReport:
    outcomes: tuple[SampleOutcome, ...]
    stopped: str  # recovered | relapsed | confirmed | max_samples
    resolved: Recorded | None = None


def watch(app: App, incident: str | None, *, interval: timedelta | None = None,
          max_samples: int | None = None, until: str = "recovered", resolve: bool = False,
          readers: Mapping[str, SignalReader] | None = None,
          on_sample: Callable[[SampleOutcome], None] | None = None,
          sleep: Callable[[float], None] = time.sleep,
          actor: str | None = None) -> WatchReport:  # fmt: skip
    """Sample every `interval` until the recovery window is complete, a relapse, or a limit.

    `actor` names who records the samples (default: the settings' actor).
    """
    key = app.resolve_id(incident)
    pause = (interval or settings_of(app).interval).total_seconds()
    outcomes: list[SampleOutcome] = []
    while True:
        outcome = sample(app, key, readers=readers, actor=actor)
        outcomes.append(outcome)
        if on_sample:
            on_sample(outcome)
        stop = _stop_reason(outcome, until, len(outcomes), max_samples)
        if stop:
            break
        sleep(pause)
    done = _resolve(app, key) if resolve and stop == "recovered" else None
    return WatchReport(tuple(outcomes), stop, done)


def _stop_reason(outcome: SampleOutcome, until: str, count: int, limit: int | None) -> str:
    if outcome.relapsed is not None:
        return "relapsed"
    if until == "confirmed" and outcome.confirmed is not None:
        return "confirmed"
    if until == "recovered" and outcome.progress.complete:
        return "recovered"
    if limit is not None and count >= limit:
        return "max_samples"
    return ""


def _resolve(app: App, key: str) -> Recorded:
    state = app.store.state(key)
    reason = "the signal stayed healthy for the full recovery window"
    if state.status in (Status.INVESTIGATING, Status.MITIGATING):
        incidents.set_status(app, key, Status.MITIGATED.value, reason)
        state = app.store.state(key)
    if state.status is Status.MITIGATED:
        incidents.set_status(app, key, Status.MONITORING.value, reason)
    return incidents.set_status(app, key, Status.RESOLVED.value, reason)


def recovery(app: App, incident: str | None, now: datetime | None = None) -> tuple[str, Progress]:
    """Where the incident stands against its recovery window."""
    key, state = current(app, incident)
    severity = app.store.state(key).severity
    return key, progress(state, severity, settings_of(app).policy, now or app.clock())
