"""Periodic jobs that run once per slot across replicas: one leased row per job.

Each job has one `server_timers` row (`job:<name>`) holding when it is next due. A
replica takes a due job with a compare-and-set lease, runs the pass, then moves the row
to the next slot and drops the lease. A replica that dies mid-pass leaves a lease that
expires; the next replica runs the pass again (every pass is safe to repeat), so no slot
is lost and none runs twice at once. A slot missed while no replica ran is caught up by
the next pass, which handles everything due by then.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from stanch.errors import StanchError
from stanch.model.clock import iso
from stanch.model.jobs import JOB_PREFIX, next_slot, slot_start
from stanch.services.access import SYSTEM
from stanch.services.context import App
from stanch.services.job_rules import Job, JobContext
from stanch.store.engine import WRITE, translated
from stanch.store.schema import server_timers as rows


@dataclass(frozen=True)
class Ran:
    job: str
    slot: str  # the due time this pass answered
    done: int
    errors: list[str]


def _write(app: App) -> Connection:
    return app.store.engine.connect().execution_options(**{WRITE: True})


def job_id(name: str) -> str:
    return f"{JOB_PREFIX}{name}"


def _plan(app: App, jobs: Sequence[Job], now: datetime) -> None:
    """One row per job, due in the current slot; existing rows are left alone."""
    with app.store.engine.connect() as conn:
        have = set(
            conn.execute(select(rows.c.id).where(rows.c.id.startswith(JOB_PREFIX))).scalars()
        )
    for job in jobs:
        if job_id(job.name) in have:
            continue
        try:
            with _write(app) as conn, conn.begin():
                conn.execute(insert(rows).values(
                    id=job_id(job.name), incident_id="", rule=job_id(job.name),
                    due_at=iso(slot_start(now, job.every)), attempts=0,
                ))  # fmt: skip
        except IntegrityError:
            continue  # another replica planned it first


def _claim(app: App, job: Job, owner: str, now: datetime, lease: timedelta) -> str | None:
    """Take the job if it is due and nobody holds it; the due time it answers, or None."""
    with _write(app) as conn, conn.begin():
        due = conn.execute(select(rows.c.due_at).where(rows.c.id == job_id(job.name))).scalar()
        if due is None or due > iso(now):
            return None
        taken = conn.execute(
            update(rows)
            .where(
                rows.c.id == job_id(job.name),
                rows.c.due_at == due,
                or_(rows.c.lease_until.is_(None), rows.c.lease_until < iso(now)),
            )
            .values(lease_owner=owner, lease_until=iso(now + lease), attempts=rows.c.attempts + 1)
        )
    return str(due) if taken.rowcount else None


def _finish(app: App, job: Job, owner: str, now: datetime) -> None:
    """Move the job to its next slot and let go of it."""
    with _write(app) as conn, conn.begin():
        conn.execute(
            update(rows)
            .where(rows.c.id == job_id(job.name), rows.c.lease_owner == owner)
            .values(
                due_at=iso(next_slot(now, job.every)),
                fired_at=iso(now),
                lease_owner=None,
                lease_until=None,
                attempts=0,
            )
        )


def system_app(app: App, now: datetime | None) -> App:
    """The App the jobs run as: reads every incident (restricted too), at `now` if given."""
    app.store  # noqa: B018 — open once, so the copy shares it
    clock = (lambda: now) if now is not None else app.clock
    return dataclasses.replace(app, viewer=SYSTEM, clock=clock)


def run_due(
    app: App,
    jobs: Sequence[Job],
    owner: str,
    now: datetime | None = None,
    lease: timedelta = timedelta(seconds=60),
    ctx: JobContext | None = None,
) -> list[Ran]:
    """Run every job that is due and that this replica manages to lease."""
    moment = now or app.clock()
    runner = system_app(app, now)
    done: list[Ran] = []
    with translated(app.store.url):
        _plan(app, jobs, moment)
        for job in jobs:
            due = _claim(app, job, owner, moment, lease)
            if due is None:
                continue  # not due, or another replica has it
            try:
                outcome = job.run(runner, ctx or JobContext())
            except StanchError as exc:  # the lease expires and a replica tries again
                done.append(Ran(job.name, due, 0, [exc.message]))
                continue
            _finish(app, job, owner, moment)
            done.append(Ran(job.name, due, outcome.done, outcome.errors))
    return done
