"""Alert intake: firing alerts open an incident or attach to the open one of their group.

Resolved alerts are recorded on the incident; they never resolve it by themselves.
Duplicates (Alertmanager repeats, HA replicas) are dropped on (group, fingerprint,
status, startsAt) with a seen row written in the same transaction as the alert's event,
so two replicas never both record one alert and a crash never leaves a key seen whose
alert was not recorded.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from stanch.errors import Conflict
from stanch.model.alerts import (
    ALERT_FIRED,
    ALERT_RESOLVED,
    Alert,
    Notification,
    describe_alerts,
    group_key,
    severity_of,
    symptom_of,
)
from stanch.model.clock import from_iso, iso
from stanch.model.events import Event, NewEvent
from stanch.model.incident import Incident
from stanch.model.status import Status
from stanch.server.config import ServerConfig
from stanch.services import changes, incidents
from stanch.services.context import App
from stanch.store.engine import WRITE, translated
from stanch.store.schema import incidents as incidents_table
from stanch.store.schema import server_alert_groups as groups
from stanch.store.schema import server_alerts_seen as seen

PENDING = ""  # a claim row whose incident is being opened or whose alert is being recorded
STALE_CLAIM = timedelta(seconds=60)
_LOCAL = threading.Lock()  # one writer per process; claims make it safe across replicas
# Openings queue on their own lock, so alerts of groups already open are not held up by a
# slow declaration, and a request never waits on a claim held by its own process.
_OPENING = threading.Lock()
_FILES = ThreadPoolExecutor(max_workers=8, thread_name_prefix="stanch-incident-files")


@dataclass
class Intake:
    """What one notification did."""

    opened: list[str] = field(default_factory=list)
    attached: dict[str, int] = field(default_factory=dict)  # incident id → alerts recorded
    duplicates: int = 0
    unmatched_resolved: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "opened": self.opened,
            "attached": self.attached,
            "duplicates": self.duplicates,
            "unmatched_resolved": self.unmatched_resolved,
        }


def _write(app: App) -> Connection:
    return app.store.engine.connect().execution_options(**{WRITE: True})


def ingest(app: App, config: ServerConfig, note: Notification, actor: str) -> Intake:
    """Record every new alert of the notification on its group's incident.

    The whole notification costs one read of its dedup keys, one read of its groups and
    one write transaction for all its alerts (one durable commit), then one append per
    incident file it touched. Opening a new group's incident happens before, under its
    own lock and claim.
    """
    result = Intake()
    by_group: dict[str, list[Alert]] = defaultdict(list)
    for alert in note.alerts:
        by_group[group_key(alert, config.group_by)].append(alert)
    with translated(app.store.url):
        known = _known(app, [a.dedup_key(key) for key, found in by_group.items() for a in found])
        current = _groups(app, list(by_group))
        planned: list[_Planned] = []
        for key, found in by_group.items():
            planned += _plan(app, config, note, key, found, actor, result, current.get(key))
        for plan in planned:
            plan.unseen = [a for a in plan.alerts if a.dedup_key(plan.key) not in known]
        with _LOCAL:
            _record_all(app, planned, note.source, actor)
    for plan in planned:
        result.duplicates += len(plan.alerts) - len(plan.fresh)
        if plan.fresh:
            result.attached[plan.incident] = result.attached.get(plan.incident, 0) + len(plan.fresh)
    return result


@dataclass
class _Planned:
    """Alerts of one group and status, bound for one incident."""

    incident: str
    key: str
    kind: str
    alerts: list[Alert]
    unseen: list[Alert] = field(default_factory=list)
    fresh: list[Alert] = field(default_factory=list)  # recorded by this notification


def _plan(
    app: App,
    config: ServerConfig,
    note: Notification,
    key: str,
    alerts: list[Alert],
    actor: str,
    result: Intake,
    group: tuple[str, bool] | None,
) -> list[_Planned]:
    """Which incident the group's firing and resolved alerts go to (opening one if needed)."""
    firing = [a for a in alerts if a.status == "firing"]
    resolved = [a for a in alerts if a.status == "resolved"]
    planned: list[_Planned] = []
    incident = group[0] if group is not None and group[0] != PENDING else None
    if firing:
        if group is None or not group[1]:  # no open incident yet: claim and open one
            with _OPENING:
                incident = _incident_for(app, config, note, key, firing[0], actor, result)
        assert incident is not None
        planned.append(_Planned(incident, key, ALERT_FIRED, firing))
    if resolved:
        if incident is None:
            result.unmatched_resolved += len(resolved)
        else:
            planned.append(_Planned(incident, key, ALERT_RESOLVED, resolved))
    return planned


def _record_all(app: App, planned: list[_Planned], source: str, actor: str) -> None:
    """Record the unseen alerts of every plan in one transaction, then project the files.

    Each alert's dedup key is written in that same transaction: a key is marked seen
    exactly when its alert is on the incident, so a crash in between loses nothing and
    the sender's retry records it."""
    todo = [plan for plan in planned if plan.unseen]
    if not todo:
        return
    app.files.preflight()
    items = [(plan.incident, _decider(app, plan, source, actor), _marker(plan)) for plan in todo]
    done = [pair for pair in app.store.append_many(items) if pair is not None]
    _project(app, done)


def _project(app: App, done: list[tuple[Event, Incident]]) -> None:
    """Append the events to their incident files, one file per worker: the files' fsyncs
    overlap instead of queueing. Each file still gets its events in order, under its lock;
    every file is tried and the first failure is reported."""
    by_incident: dict[str, list[tuple[Event, Incident]]] = defaultdict(list)
    for event, state in done:
        by_incident[state.id].append((event, state))

    def write(pairs: list[tuple[Event, Incident]]) -> None:
        for event, state in pairs:
            app.files.append(state, event, app.source(state.id))

    if len(by_incident) == 1:
        write(done)
        return
    futures = [_FILES.submit(write, pairs) for pairs in by_incident.values()]
    failed = [exc for exc in (f.exception() for f in futures) if exc is not None]
    if failed:
        raise failed[0]


def _marker(plan: _Planned) -> Callable[[Connection], None]:
    def mark_seen(conn: Connection) -> None:
        plan.fresh.clear()
        for alert in plan.unseen:
            row = {"dedup_key": alert.dedup_key(plan.key), "incident_id": plan.incident}
            if conn.execute(_insert_ignore(conn, row)).first() is not None:
                plan.fresh.append(alert)  # another replica did not record it a moment ago

    return mark_seen


def _decider(
    app: App, plan: _Planned, source: str, actor: str
) -> Callable[[Incident], NewEvent | None]:
    def decide(_state: Incident) -> NewEvent | None:
        if not plan.fresh:
            return None  # every alert was recorded meanwhile: write nothing
        now = app.clock()
        data = {
            "source": source,
            "group_key": plan.key,
            "summary": describe_alerts(plan.kind, plan.fresh),
            "alerts": [a.to_data() for a in plan.fresh],
        }
        return NewEvent(plan.kind, actor[:100], now, now, data)

    return decide


def _known(app: App, keys: list[str]) -> set[str]:
    """The dedup keys already seen (repeats are the common case: one read)."""
    with app.store.engine.connect() as conn:
        return {
            str(r.dedup_key)
            for r in conn.execute(select(seen.c.dedup_key).where(seen.c.dedup_key.in_(keys)))
        }


def _groups(app: App, keys: list[str]) -> dict[str, tuple[str, bool]]:
    """Each known group's incident id (PENDING while being opened) and whether it is open."""
    query = (
        select(groups.c.group_key, groups.c.incident_id, incidents_table.c.status)
        .select_from(
            groups.outerjoin(incidents_table, incidents_table.c.id == groups.c.incident_id)
        )
        .where(groups.c.group_key.in_(keys))
    )
    with app.store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return {
        str(r.group_key): (
            str(r.incident_id or PENDING),
            r.status is not None and Status(r.status).is_open,
        )
        for r in rows
    }


def _insert_ignore(conn: Connection, row: dict[str, str]) -> Any:
    if conn.dialect.name == "postgresql":
        statement: Any = pg_insert(seen).values(**row).on_conflict_do_nothing()
    else:
        statement = sqlite_insert(seen).values(**row).on_conflict_do_nothing()
    return statement.returning(seen.c.dedup_key)


def _incident_for(
    app: App,
    config: ServerConfig,
    note: Notification,
    key: str,
    alert: Alert,
    actor: str,
    result: Intake,
) -> str:
    """The open incident of this group, or a new one (exactly one replica opens it)."""
    for _ in range(200):
        now = app.clock()
        with app.store.engine.connect() as conn:
            row = conn.execute(select(groups).where(groups.c.group_key == key)).first()
        if row is None:
            if not _try(
                app, insert(groups).values(group_key=key, incident_id=PENDING, claimed_at=iso(now))
            ):
                continue
        elif row.incident_id == PENDING:
            if from_iso(row.claimed_at) > now - STALE_CLAIM or not _swap(app, key, PENDING, now):
                time.sleep(0.02)  # another replica is opening it right now
                continue
        elif app.store.state(row.incident_id).is_open:
            return str(row.incident_id)
        elif not _swap(app, key, str(row.incident_id), now):
            continue
        return _open(app, config, note, key, alert, actor, result)
    raise Conflict("alert group is being opened elsewhere; retry")


def _try(app: App, statement: Any) -> bool:
    try:
        with _write(app) as conn, conn.begin():
            conn.execute(statement)
    except IntegrityError:
        return False
    return True


def _swap(app: App, key: str, old: str, now: datetime) -> bool:
    """Compare-and-set the group's incident to PENDING: only one replica wins."""
    with _write(app) as conn, conn.begin():
        done = conn.execute(
            update(groups)
            .where(groups.c.group_key == key, groups.c.incident_id == old)
            .values(incident_id=PENDING, claimed_at=iso(now))
        )
    return bool(done.rowcount)


def _open(
    app: App,
    config: ServerConfig,
    note: Notification,
    key: str,
    alert: Alert,
    actor: str,
    result: Intake,
) -> str:
    service = alert.labels.get("service") or alert.labels.get("job")
    try:
        done = incidents.declare(
            app,
            symptom_of(alert, note.common_annotations),
            severity=severity_of(alert, config.severity_labels, config.default_severity).label(),
            started=iso(min(alert.starts_at, app.clock())),
            services=[service] if service else None,
            actor=actor,
            slug=None,
        )
    except BaseException:
        with _write(app) as conn, conn.begin():
            conn.execute(
                delete(groups).where(groups.c.group_key == key, groups.c.incident_id == PENDING)
            )
        raise
    with _write(app) as conn, conn.begin():
        conn.execute(
            update(groups).where(groups.c.group_key == key).values(incident_id=done.incident.id)
        )
    result.opened.append(done.incident.id)
    changes.attach_recent(app, done.incident, config.change_lookback_minutes)
    return done.incident.id
