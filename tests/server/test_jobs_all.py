"""Every capability's periodic job runs from the server's scheduler: once per slot across
replicas (SQLite and real PostgreSQL), none lost when a replica dies holding the lease."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from stanch.model import kinds
from stanch.model.actions import ACTION_ESCALATED
from stanch.model.events import NewEvent
from stanch.model.jobs import POSTMORTEM_OVERDUE, SCHEDULER, next_slot, slot_start
from stanch.model.kinds import PAGE_SENT
from stanch.model.signal import Signal
from stanch.model.timebox import TIMEBOX_REMINDED
from stanch.model.timers import TimerPolicy
from stanch.services import actions, incidents, jobs, watch
from stanch.services.context import App, record
from stanch.services.job_rules import Job, JobContext, Outcome, default_jobs
from stanch.services.scheduler import SchedulerThread
from stanch.watch.base import Reading
from tests.comms.clock import ManualClock
from tests.comms.conftest import (  # noqa: F401 — fixtures: the comms fakes and a wired project
    _og_server,
    _pd_server,
    _slack_server,
    _sp_server,
    og,
    pd,
    slack,
    sp,
    wired,
)
from tests.conftest import T0, make_app
from tests.fakes.comms_pagerduty import FakePagerDuty

TICK = timedelta(seconds=5)


class Healthy:
    """A signal reader answering a fixed value (the real ones are tested in tests/watch)."""

    def __init__(self, value: float) -> None:
        self.value, self.asked = value, 0

    def read(self, _signal: Signal) -> Reading:
        self.asked += 1
        return Reading.ok(self.value)


def kinds_of(app: App, key: str, kind: str) -> int:
    return sum(1 for e in app.store.iter_events(key) if e.kind == kind)


def resolve(app: App, key: str, actor: str | None = None) -> None:
    for step in ("mitigated", "monitoring"):
        incidents.set_status(app, key, step, actor=actor)
    incidents.set_status(app, key, "resolved", actor=actor, override="test: no signal here")


def named(app: App, name: str) -> list[Job]:
    return [j for j in default_jobs(app, TICK) if j.name == name]


@pytest.fixture
def replicas(project: Path, database_url: str) -> Iterator[tuple[App, App]]:
    """Two Apps on one store, as two server replicas are (SQLite, then real PostgreSQL)."""
    one, two = make_app(project, database_url), make_app(project, database_url)
    yield one, two
    one.close()
    two.close()


def test_slots_are_aligned_so_replicas_agree() -> None:
    at = datetime.fromisoformat("2026-11-22T10:03:07+00:00")
    assert slot_start(at, timedelta(minutes=1)).isoformat() == "2026-11-22T10:03:00+00:00"
    assert next_slot(at, timedelta(seconds=30)).isoformat() == "2026-11-22T10:03:30+00:00"


def test_overdue_postmortem_is_recorded_once_across_racing_replicas(
    replicas: tuple[App, App],
) -> None:
    one, two = replicas
    key = incidents.declare(one, "Checkout down", severity="SEV2").incident.id
    resolve(one, key)
    resolved = one.store.state(key).resolved_at
    assert resolved is not None
    early = jobs.run_due(one, named(one, "postmortem-due"), "a", resolved + timedelta(hours=47))
    assert [r.done for r in early] == [0]  # not due yet: ran, found nothing
    later = resolved + timedelta(hours=49)
    barrier, results = threading.Barrier(2), []

    def race(app: App, owner: str) -> None:
        barrier.wait()
        results.extend(jobs.run_due(app, named(app, "postmortem-due"), owner, later))

    threads = [threading.Thread(target=race, args=(a, o)) for a, o in ((one, "a"), (two, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 1 and results[0].done == 1  # one replica took the slot
    assert kinds_of(one, key, POSTMORTEM_OVERDUE) == 1
    event = next(e for e in one.store.events(key) if e.kind == POSTMORTEM_OVERDUE)
    assert event.actor == SCHEDULER and "postmortem overdue by 1 h" in event.data["summary"]
    # The next slot runs again and records nothing new.
    again = jobs.run_due(two, named(two, "postmortem-due"), "b", later + timedelta(minutes=1))
    assert [r.done for r in again] == [0]
    assert kinds_of(one, key, POSTMORTEM_OVERDUE) == 1


def test_a_replica_dying_with_the_lease_loses_nothing(replicas: tuple[App, App]) -> None:
    one, two = replicas
    key = incidents.declare(one, "Search slow", severity="SEV3").incident.id
    resolve(one, key)
    job = named(one, "postmortem-due")[0]
    dead = job.__class__(job.name, job.every, _dies, job.what)
    at = T0 + timedelta(days=3)
    with pytest.raises(RuntimeError):
        jobs.run_due(one, [dead], "a", at)  # replica a took the lease, then died
    assert jobs.run_due(two, [job], "b", at + timedelta(seconds=30)) == []  # a still holds it
    assert kinds_of(one, key, POSTMORTEM_OVERDUE) == 0
    [ran] = jobs.run_due(two, [job], "b", at + timedelta(seconds=61))  # lease expired
    assert ran.done == 1 and ran.slot == "2026-11-25T10:00:00Z"
    assert kinds_of(one, key, POSTMORTEM_OVERDUE) == 1


def _dies(_app: App, _ctx: JobContext) -> Outcome:
    raise RuntimeError("replica lost mid-pass")


def test_overdue_action_items_escalate_once_per_level(app: App) -> None:
    key = incidents.declare(app, "Checkout down", severity="SEV2").incident.id
    item = actions.add(app, key, actions.NewItem("Add a canary stage to the checkout deploy",
                                                 "alice", due="2"))  # fmt: skip
    job = named(app, "action-escalation")
    assert [r.done for r in jobs.run_due(app, job, "a", item.due - timedelta(minutes=1))] == [0]
    [ran] = jobs.run_due(app, job, "a", item.due + timedelta(minutes=2))
    assert ran.done == 1
    assert jobs.run_due(app, job, "b", item.due + timedelta(minutes=2, seconds=30)) == []
    [again] = jobs.run_due(app, job, "b", item.due + timedelta(minutes=3))
    assert again.done == 0  # the owner was told once
    escalated = [e for e in app.store.events(key) if e.kind == ACTION_ESCALATED]
    assert [(e.data["level"], e.data["to"], e.actor) for e in escalated] == [
        (1, "alice", SCHEDULER)
    ]


def test_watch_samples_only_after_a_mitigation_and_confirms_it(app: App) -> None:
    key = incidents.declare(app, "Checkout 5xx", severity="SEV2").incident.id
    watch.set_signal(app, key, "promql", "sum(rate(errors[5m]))", "< 0.01")
    reader = Healthy(0.001)
    job, ctx = named(app, "watch-sample"), JobContext(readers={"promql": reader})
    at = T0 + timedelta(hours=1)
    assert [r.done for r in jobs.run_due(app, job, "a", at, ctx=ctx)] == [0]
    assert reader.asked == 0  # still diagnosing: nothing to confirm yet
    incidents.set_status(app, key, "mitigated")
    for n in range(1, 4):
        [ran] = jobs.run_due(app, job, "a", at + n * timedelta(seconds=30), ctx=ctx)
        assert ran.done == 1
    assert reader.asked == kinds_of(app, key, kinds.SIGNAL_SAMPLED) == 3
    assert kinds_of(app, key, kinds.MITIGATION_CONFIRMED) == 1


def test_the_time_box_reminder_fires_from_the_scheduler(app: App) -> None:
    key = incidents.declare(app, "API 500s", severity="SEV2").incident.id
    declared = app.store.state(key).declared_at
    record(app, key, lambda _s: NewEvent(kinds.LEVER_PLANNED, "alice", declared, declared,
                                         {"lever": "rollback api", "command": ["x"],
                                          "rollback": ["y"], "destructive": False}))  # fmt: skip
    job = named(app, "timebox")
    assert [r.done for r in jobs.run_due(app, job, "a", declared + timedelta(minutes=9))] == [0]
    [ran] = jobs.run_due(app, job, "a", declared + timedelta(minutes=11))
    assert ran.done == 1 and ran.errors == []
    assert kinds_of(app, key, TIMEBOX_REMINDED) == 1


def test_jobs_see_restricted_incidents(app: App) -> None:
    app.viewer = "alice"
    key = incidents.declare(app, "Leaked key", severity=None, incident_type="security",
                            actor="alice").incident.id  # fmt: skip
    resolve(app, key, actor="alice")
    app.viewer = "mallory"  # the server's own reader is nobody in particular
    [ran] = jobs.run_due(app, named(app, "postmortem-due"), "a", T0 + timedelta(days=3))
    assert ran.done == 1 and ran.errors == []


def test_the_comms_pass_pages_once_and_delivers(
    wired: App,  # noqa: F811
    pd: FakePagerDuty,  # noqa: F811
) -> None:
    toml = Path(wired.settings.root / "stanch.toml")
    toml.write_text(toml.read_text().replace("[comms.escalation]\n",
                                             "[comms.escalation]\nauto_page = true\n"))  # fmt: skip
    one, two = make_app(wired.settings.root), make_app(wired.settings.root)
    one.clock = two.clock = ManualClock(T0)
    try:
        key = incidents.declare(one, "Checkout down", severity="SEV1",
                                services=["checkout"]).incident.id  # fmt: skip
        early = T0 + timedelta(minutes=14)
        assert [r.done for r in jobs.run_due(one, named(one, "comms"), "a", early)] == [0]
        due = T0 + timedelta(minutes=16)
        ran = jobs.run_due(one, named(one, "comms"), "a", due)
        ran += jobs.run_due(two, named(two, "comms"), "b", due)  # same slot: already taken
        assert [r.job for r in ran] == ["comms"] and ran[0].done >= 1
        assert len(pd.alerts) == 1
        assert kinds_of(one, key, PAGE_SENT) == 2  # PagerDuty and Opsgenie
        jobs.run_due(two, named(two, "comms"), "b", due + TICK)
        assert len(pd.alerts) == 1  # the page answered the trigger
    finally:
        one.close()
        two.close()


def test_the_server_scheduler_thread_runs_the_jobs(app: App) -> None:
    ran = threading.Event()

    def mark(_app: App, _ctx: JobContext) -> Outcome:
        ran.set()
        return Outcome(1)

    thread = SchedulerThread(app, TimerPolicy(), "a", 0.05, timedelta(seconds=60),
                             [Job("mark", timedelta(hours=1), mark, "test")])  # fmt: skip
    thread.start()
    try:
        assert ran.wait(timeout=10)
    finally:
        thread.stop()
    assert thread.last_error is None
