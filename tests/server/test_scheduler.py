"""Timers: fire on time, once, across replicas on one PostgreSQL and across restarts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from stanch.model.clock import iso
from stanch.model.timers import TIMER_FIRED, TimerPolicy
from stanch.services import incidents
from stanch.services.context import App
from stanch.services.scheduler import plan, tick
from stanch.store.schema import server_timers
from tests.conftest import T0

POLICY = TimerPolicy()


def fired(app: App) -> list[str]:
    return [
        e.data["timer"]
        for key in app.store.ids()
        for e in app.store.events(key)
        if e.kind == TIMER_FIRED
    ]


def test_sev1_escalation_fires_at_15_minutes_not_before(app: App) -> None:
    key = incidents.declare(app, "Checkout down", severity="SEV1").incident.id
    assert tick(app, POLICY, "a", T0 + timedelta(minutes=14)).fired == []
    done = tick(app, POLICY, "a", T0 + timedelta(minutes=16))
    assert done.fired == [f"{key}:escalate-sev1"]
    event = app.store.events(key)[-1]
    assert event.kind == TIMER_FIRED and "escalate" in event.data["summary"]
    assert tick(app, POLICY, "a", T0 + timedelta(minutes=20)).fired == []  # once


def test_mitigation_in_time_cancels_the_escalation(app: App) -> None:
    key = incidents.declare(app, "Checkout down", severity="SEV1").incident.id
    plan(app, POLICY)
    incidents.set_status(app, key, "mitigated")
    done = tick(app, POLICY, "a", T0 + timedelta(minutes=16))
    assert f"{key}:escalate-sev1" in done.cancelled
    assert fired(app) == []


def test_update_cadence_restarts_after_each_status_change(app: App) -> None:
    key = incidents.declare(
        app, "Search slow", severity="SEV2", at="2026-11-22T09:30:00Z"
    ).incident.id
    plan(app, POLICY)  # first reminder due at T0
    incidents.set_status(app, key, "mitigating", at="2026-11-22T09:50:00Z")
    done = tick(app, POLICY, "a", T0 + timedelta(minutes=19))
    assert done.fired == [] and done.cancelled == [f"{key}:update:2026-11-22T09:30:00Z"]
    assert tick(app, POLICY, "a", T0 + timedelta(minutes=21)).fired == [
        f"{key}:update:2026-11-22T09:50:00Z"
    ]


def test_a_dead_replicas_lease_expires_and_the_timer_is_not_lost(app: App) -> None:
    key = incidents.declare(app, "Checkout down", severity="SEV1").incident.id
    plan(app, POLICY)
    due = T0 + timedelta(minutes=16)
    with app.store.engine.begin() as conn:  # replica "dead" took the lease, then was killed
        conn.execute(
            update(server_timers)
            .where(server_timers.c.id == f"{key}:escalate-sev1")
            .values(lease_owner="dead", lease_until=iso(due + timedelta(seconds=60)), attempts=1)
        )
    assert tick(app, POLICY, "b", due).fired == []  # still leased
    assert tick(app, POLICY, "b", due + timedelta(seconds=61)).fired == [f"{key}:escalate-sev1"]
    assert fired(app).count(f"{key}:escalate-sev1") == 1


def test_a_replica_that_died_after_recording_is_not_repeated(app: App) -> None:
    key = incidents.declare(app, "Checkout down", severity="SEV1").incident.id
    due = T0 + timedelta(minutes=16)
    tick(app, POLICY, "a", due)
    with app.store.engine.begin() as conn:  # as if "a" died before marking it fired
        conn.execute(
            update(server_timers)
            .where(server_timers.c.id == f"{key}:escalate-sev1")
            .values(fired_at=None, lease_owner="a", lease_until=iso(due))
        )
    tick(app, POLICY, "b", due + timedelta(minutes=2))
    assert fired(app).count(f"{key}:escalate-sev1") == 1
