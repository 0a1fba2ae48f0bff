"""Timers that fire once across replicas: stored rows, leases, and a check on takeover.

Each tick plans (inserts the timers open incidents need; the id makes it idempotent)
and fires what is due: a replica takes a timer with a compare-and-set lease, records
`timer.fired`, then marks it fired. A replica that dies mid-way leaves a lease that
expires; the next one first looks for the event it may already have written.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from stanch.errors import StanchError
from stanch.model.clock import iso
from stanch.model.events import NewEvent
from stanch.model.incident import Incident
from stanch.model.jobs import JOB_PREFIX
from stanch.model.timers import TIMER_FIRED, Due, TimerPolicy, wanted
from stanch.services import jobs
from stanch.services.context import App, record
from stanch.services.job_rules import Job, JobContext
from stanch.store.engine import WRITE, translated
from stanch.store.schema import server_timers as timers

BATCH = 100
CANCELLED = "cancelled"


@dataclass(frozen=True)
class Tick:
    planned: int
    fired: list[str]
    cancelled: list[str]


def _write(app: App) -> Connection:
    return app.store.engine.connect().execution_options(**{WRITE: True})


def plan(app: App, policy: TimerPolicy) -> int:
    """Insert the timers open incidents need; existing ones are left alone."""
    added = 0
    for incident in app.store.incidents(open_only=True):
        for due in wanted(incident, app.store.events(incident.id), policy):
            try:
                with _write(app) as conn, conn.begin():
                    conn.execute(
                        insert(timers).values(
                            id=due.id[:200],
                            incident_id=incident.id,
                            rule=due.rule,
                            due_at=iso(due.due_at),
                            attempts=0,
                        )
                    )
                added += 1
            except IntegrityError:
                continue
    return added


def _claim(app: App, timer_id: str, owner: str, now: datetime, lease: timedelta) -> bool:
    with _write(app) as conn, conn.begin():
        done = conn.execute(
            update(timers)
            .where(
                timers.c.id == timer_id,
                timers.c.fired_at.is_(None),
                or_(timers.c.lease_until.is_(None), timers.c.lease_until < iso(now)),
            )
            .values(lease_owner=owner, lease_until=iso(now + lease), attempts=timers.c.attempts + 1)
        )
    return bool(done.rowcount)


def _finish(app: App, timer_id: str, owner: str, now: datetime, outcome: str | None) -> None:
    with _write(app) as conn, conn.begin():
        conn.execute(
            update(timers)
            .where(timers.c.id == timer_id, timers.c.lease_owner == owner)
            .values(fired_at=iso(now), lease_owner=outcome or owner)
        )


def _already_fired(app: App, incident_id: str, timer_id: str) -> bool:
    return any(
        e.kind == TIMER_FIRED and e.data.get("timer") == timer_id
        for e in app.store.events(incident_id)
    )


def _still_wanted(app: App, incident_id: str, timer_id: str, policy: TimerPolicy) -> Due | None:
    incident = app.store.state(incident_id)
    if not incident.is_open:
        return None
    return next(
        (
            d
            for d in wanted(incident, app.store.events(incident_id), policy)
            if d.id[:200] == timer_id
        ),
        None,
    )


def _fired(data: dict[str, str], now: datetime) -> Callable[[Incident], NewEvent]:
    return lambda _state: NewEvent(TIMER_FIRED, "stanch-scheduler", now, now, data)


def fire_due(
    app: App,
    policy: TimerPolicy,
    owner: str,
    now: datetime,
    lease: timedelta = timedelta(seconds=60),
) -> tuple[list[str], list[str]]:
    """Fire every due timer this replica manages to lease; (fired, cancelled) ids."""
    with app.store.engine.connect() as conn:
        rows = conn.execute(
            select(timers.c.id, timers.c.incident_id, timers.c.attempts)
            .where(
                timers.c.fired_at.is_(None),
                timers.c.due_at <= iso(now),
                ~timers.c.id.startswith(JOB_PREFIX),  # periodic jobs: services/jobs.py
                or_(timers.c.lease_until.is_(None), timers.c.lease_until < iso(now)),
            )
            .order_by(timers.c.due_at)
            .limit(BATCH)
        ).all()
    fired: list[str] = []
    cancelled: list[str] = []
    for row in rows:
        if not _claim(app, row.id, owner, now, lease):
            continue  # another replica has it
        if row.attempts > 0 and _already_fired(app, row.incident_id, row.id):
            _finish(app, row.id, owner, now, None)  # the last owner recorded it, then died
            continue
        due = _still_wanted(app, row.incident_id, row.id, policy)
        if due is None:
            _finish(app, row.id, owner, now, CANCELLED)
            cancelled.append(row.id)
            continue
        data = {
            "timer": row.id,
            "rule": due.rule,
            "due_at": iso(due.due_at),
            "summary": due.summary,
        }
        record(app, row.incident_id, _fired(data, now))
        _finish(app, row.id, owner, now, None)
        fired.append(row.id)
    return fired, cancelled


def tick(
    app: App,
    policy: TimerPolicy,
    owner: str,
    now: datetime | None = None,
    lease: timedelta = timedelta(seconds=60),
) -> Tick:
    """One round: plan, then fire what is due at `now` (the app's clock by default)."""
    moment = now or app.clock()
    with translated(app.store.url):
        planned = plan(app, policy)
        fired, cancelled = fire_due(app, policy, owner, moment, lease)
    return Tick(planned, fired, cancelled)


class SchedulerThread(threading.Thread):
    """Ticks in the background of `stanch serve`: incident timers, then every periodic job
    (services/job_rules.py). Errors are kept in `last_error`, never fatal."""

    def __init__(self, app: App, policy: TimerPolicy, owner: str, every: float,
                 lease: timedelta, periodic: list[Job] | None = None,
                 ctx: JobContext | None = None) -> None:  # fmt: skip
        super().__init__(name="stanch-scheduler", daemon=True)
        self.app, self.policy, self.owner, self.every, self.lease = app, policy, owner, every, lease
        self.periodic = periodic if periodic is not None else []
        self.ctx = ctx or JobContext()
        self.stopping = threading.Event()
        self.last_error: str | None = None

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                tick(jobs.system_app(self.app, None), self.policy, self.owner, lease=self.lease)
                ran = jobs.run_due(self.app, self.periodic, self.owner, lease=self.lease,
                                   ctx=self.ctx)  # fmt: skip
                errors = [f"{r.job}: {e}" for r in ran for e in r.errors]
                self.last_error = errors[0] if errors else None
            except StanchError as exc:
                self.last_error = exc.message  # e.g. database down: try again next tick
            self.stopping.wait(self.every)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)
