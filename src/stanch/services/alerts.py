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
from stanch.model.events import NewEvent
from stanch.model.incident import Incident
from stanch.server.config import ServerConfig
from stanch.services import changes, incidents
from stanch.services.context import App, record
from stanch.store.engine import WRITE, translated
from stanch.store.schema import server_alert_groups as groups
from stanch.store.schema import server_alerts_seen as seen

PENDING = ""  # a claim row whose incident is being opened or whose alert is being recorded
STALE_CLAIM = timedelta(seconds=60)
_LOCAL = threading.Lock()  # one writer per process; claims make it safe across replicas


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
    """Record every new alert of the notification on its group's incident."""
    result = Intake()
    by_group: dict[str, list[Alert]] = defaultdict(list)
    for alert in note.alerts:
        by_group[group_key(alert, config.group_by)].append(alert)
    with _LOCAL, translated(app.store.url):
        for key, alerts in by_group.items():
            _ingest_group(app, config, note, key, alerts, actor, result)
    return result


def _ingest_group(
    app: App,
    config: ServerConfig,
    note: Notification,
    key: str,
    alerts: list[Alert],
    actor: str,
    result: Intake,
) -> None:
    firing = [a for a in alerts if a.status == "firing"]
    resolved = [a for a in alerts if a.status == "resolved"]
    if firing:
        incident = _incident_for(app, config, note, key, firing[0], actor, result)
        _record(app, incident, key, ALERT_FIRED, firing, note.source, actor, result)
    if resolved:
        current = _current_incident(app, key)
        if current is None:
            result.unmatched_resolved += len(resolved)
        else:
            _record(app, current, key, ALERT_RESOLVED, resolved, note.source, actor, result)


def _record(
    app: App,
    incident: str,
    key: str,
    kind: str,
    alerts: list[Alert],
    source: str,
    actor: str,
    result: Intake,
) -> None:
    """Record the alerts not seen before. Their dedup keys are written in the event's own
    transaction: a key is marked seen exactly when its alert is on the incident, so a
    crash in between loses nothing and the sender's retry records it."""
    unseen = _unseen(app, key, alerts)
    fresh: list[Alert] = []

    def mark_seen(conn: Connection) -> None:
        fresh.clear()
        for alert in unseen:
            row = {"dedup_key": alert.dedup_key(key), "incident_id": incident}
            if conn.execute(_insert_ignore(conn, row)).first() is not None:
                fresh.append(alert)

    def decide(_state: Incident) -> NewEvent:
        if not fresh:
            raise _AllSeen  # another replica recorded them a moment ago
        now = app.clock()
        data = {
            "source": source,
            "group_key": key,
            "summary": describe_alerts(kind, fresh),
            "alerts": [a.to_data() for a in fresh],
        }
        return NewEvent(kind, actor[:100], now, now, data)

    if unseen:
        try:
            record(app, incident, decide, within=mark_seen)
        except _AllSeen:
            fresh.clear()
    result.duplicates += len(alerts) - len(fresh)
    if fresh:
        result.attached[incident] = result.attached.get(incident, 0) + len(fresh)


class _AllSeen(Exception):
    """Every alert was recorded meanwhile: write nothing."""


def _unseen(app: App, key: str, alerts: list[Alert]) -> list[Alert]:
    """The alerts whose dedup key is not known yet (repeats are the common case: a read)."""
    keys = [alert.dedup_key(key) for alert in alerts]
    with app.store.engine.connect() as conn:
        known = {
            r.dedup_key
            for r in conn.execute(select(seen.c.dedup_key).where(seen.c.dedup_key.in_(keys)))
        }
    return [alert for alert, dedup in zip(alerts, keys, strict=True) if dedup not in known]


def _insert_ignore(conn: Connection, row: dict[str, str]) -> Any:
    if conn.dialect.name == "postgresql":
        statement: Any = pg_insert(seen).values(**row).on_conflict_do_nothing()
    else:
        statement = sqlite_insert(seen).values(**row).on_conflict_do_nothing()
    return statement.returning(seen.c.dedup_key)


def _current_incident(app: App, key: str) -> str | None:
    with app.store.engine.connect() as conn:
        row = conn.execute(select(groups.c.incident_id).where(groups.c.group_key == key)).first()
    return str(row.incident_id) if row is not None and row.incident_id else None


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
