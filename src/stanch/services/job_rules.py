"""The periodic jobs every capability needs from the server's scheduler.

Each job is one pass over the incidents, as of the App's clock, recording what is due.
Every pass is safe to repeat (a replica that died mid-pass is replaced by another that
runs the pass again): what each records is decided on the events as read, once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from stanch.errors import StanchError
from stanch.model.actions import Escalation
from stanch.model.clock import iso
from stanch.model.events import Event, NewEvent
from stanch.model.incident import Incident
from stanch.model.jobs import POSTMORTEM_OVERDUE, SCHEDULER, overdue_summary
from stanch.model.status import Status
from stanch.model.watching import MITIGATED_LIKE, fold_watch
from stanch.postmortem.config import load as postmortem_settings
from stanch.services import (
    action_notices,
    actions,
    briefing_send,
    postmortem,
    timebox,
    timers,
    watch,
)
from stanch.services.actions import Nothing, new_event, record_seen
from stanch.services.context import App
from stanch.watch.base import SignalReader


@dataclass(frozen=True)
class JobContext:
    """What the jobs send and read through; None: the adapters stanch.toml configures."""

    readers: Mapping[str, SignalReader] | None = None  # watch: signal readers by kind
    notifiers: Any = None  # comms: notifiers by provider name
    on_action_escalated: Callable[[Escalation], None] | None = None


@dataclass(frozen=True)
class Outcome:
    done: int  # things recorded or delivered
    errors: list[str] = field(default_factory=list)  # per incident, the pass went on


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[App, JobContext], Outcome]
    what: str  # one line for docs and `--json`


def comms(app: App, ctx: JobContext) -> Outcome:
    """Deliver the outbox and, with auto_page, page for triggers that fire by themselves."""
    ticks = timers.tick(app, ctx.notifiers, actor=SCHEDULER)
    return Outcome(sum(t.delivered + (1 if t.paged else 0) for t in ticks))


def overdue_actions(app: App, ctx: JobContext) -> Outcome:
    """Escalate overdue action items: owner first, then the lead (each level once)."""
    notify = ctx.on_action_escalated or action_notices.outbox_notifier(app, SCHEDULER)
    done = actions.escalate_overdue(app, actor=SCHEDULER, notify=notify)
    return Outcome(len(done))


def _postmortem_late(app: App, state: Incident, due_after: timedelta) -> bool:
    """Cheap pre-check before building the draft: resolved, past due, not yet said."""
    if state.status is not Status.RESOLVED or state.resolved_at is None:
        return False
    if state.resolved_at + due_after > app.clock():
        return False
    return not any(e.kind == POSTMORTEM_OVERDUE for e in app.store.iter_events(state.id))


def postmortem_due(app: App, _ctx: JobContext) -> Outcome:
    """Record once when a resolved incident's postmortem passes its due date."""
    due_after = postmortem_settings(app.settings.raw).due_after
    recorded, errors = 0, []
    for state in app.store.incidents():
        if not _postmortem_late(app, state, due_after):
            continue
        try:
            draft = postmortem.build(app, state.id)
            late = draft.overdue_by
            if late is None or draft.due is None:
                continue
            data: dict[str, object] = {"due": iso(draft.due),
                                       "overdue_s": int(late.total_seconds()),
                                       "summary": overdue_summary(late)}  # fmt: skip
            record_seen(app, state.id, _once(POSTMORTEM_OVERDUE, data, app))
            recorded += 1
        except Nothing:
            continue
        except StanchError as exc:
            errors.append(f"{state.id}: {exc.message}")
    return Outcome(recorded, errors)


def _once(
    kind: str, data: dict[str, object], app: App
) -> Callable[[Incident, list[Event]], NewEvent]:
    now = app.clock()

    def build(_state: Incident, events: list[Event]) -> NewEvent:
        if any(e.kind == kind for e in events):
            raise Nothing  # another replica said it first
        return new_event(kind, SCHEDULER, now, now, data)

    return build


def _watched(app: App, state: Incident) -> bool:
    """A flagging signal is set and a mitigation is in play (a lever, or mitigated)."""
    seen = fold_watch(app.store.iter_events(state.id))
    return seen.signal is not None and (bool(seen.lever) or state.status in MITIGATED_LIKE)


def watch_samples(app: App, ctx: JobContext) -> Outcome:
    """Sample the signal of every open incident with a mitigation in play; confirm or relapse."""
    sampled, errors = 0, []
    for state in app.store.incidents(open_only=True):
        if not _watched(app, state):
            continue
        try:
            watch.sample(app, state.id, readers=ctx.readers, actor=SCHEDULER)
            sampled += 1
        except StanchError as exc:
            errors.append(f"{state.id}: {exc.message}")
    return Outcome(sampled, errors)


def timeboxes(app: App, _ctx: JobContext) -> Outcome:
    """Remind to mitigate when diagnosis ran past the time-box with a reversible lever unused."""
    reminded, errors = 0, []
    for state in app.store.incidents(open_only=True):
        if state.status is not Status.INVESTIGATING:
            continue
        try:
            reminded += timebox.check(app, state.id, actor=SCHEDULER).seq is not None
        except StanchError as exc:
            errors.append(f"{state.id}: {exc.message}")
    return Outcome(reminded, errors)


def briefings(app: App, _ctx: JobContext) -> Outcome:
    """Brief the stakeholders directly when a briefing is due (SEV1 by default)."""
    sent, errors = 0, []
    for state in app.store.incidents(open_only=True):
        try:
            sent += briefing_send.send_due(app, state.id, SCHEDULER) is not None
        except StanchError as exc:
            errors.append(f"{state.id}: {exc.message}")
    return Outcome(sent, errors)


def default_jobs(app: App, tick: timedelta) -> list[Job]:
    """Every capability's periodic job; the comms pass runs every scheduler tick."""
    minute = timedelta(minutes=1)
    return [
        Job("comms", tick, comms, "outbox delivery and auto-page ([comms])"),
        Job("action-escalation", minute, overdue_actions, "overdue action items escalate"),
        Job("postmortem-due", minute, postmortem_due, "postmortems past their due date"),
        Job(
            "watch-sample",
            watch.settings_of(app).interval,
            watch_samples,
            "sample the flagging signal after a mitigation",
        ),
        Job("timebox", minute, timeboxes, "diagnosis time-box reminders"),
        Job("briefing", minute, briefings, "stakeholder briefings due on the cadence"),
    ]
