"""Cadence and escalation triggers, driven through time with an injected clock."""

from __future__ import annotations

from datetime import timedelta

from stanch.model.cadence import CadencePolicy, owed
from stanch.model.escalation import EscalationPolicy, triggers
from stanch.model.kinds import LEVER_PLANNED
from stanch.model.severity import Severity
from stanch.services import escalation, incidents, updates
from stanch.services.context import App
from tests.comms.clock import ManualClock
from tests.conftest import T0

POLICY = CadencePolicy()


def start(app: App, severity: str = "SEV1", visible: bool = False) -> tuple[str, ManualClock]:
    clock = ManualClock(T0)
    app.clock = clock
    done = incidents.declare(app, "Checkout returns 502", severity=severity,
                             customer_visible=visible, services=["checkout"])  # fmt: skip
    return done.incident.id, clock


def due_now(app: App, key: str) -> list[tuple[str, str, bool]]:
    agenda = updates.agenda(app, key)
    return [(d.audience, d.reason, d.overdue(agenda.now)) for d in agenda.owed]


def post(app: App, key: str, audience: str = "internal") -> None:
    updates.post(app, updates.compose(app, key), audience=audience, deliver=False)


def test_declaration_update_is_due_at_once_then_every_30_minutes(app: App) -> None:
    key, clock = start(app)
    assert due_now(app, key)[0] == ("internal", "declaration", False)
    clock.advance(seconds=1)
    assert due_now(app, key)[0] == ("internal", "declaration", True)
    post(app, key)
    assert due_now(app, key) == [("internal", "SEV1 cadence", False)]
    clock.advance(minutes=30)
    assert due_now(app, key) == [("internal", "SEV1 cadence", False)]
    clock.advance(seconds=1)
    assert due_now(app, key) == [("internal", "SEV1 cadence", True)]
    post(app, key)
    assert due_now(app, key) == [("internal", "SEV1 cadence", False)]


def test_every_state_change_calls_for_an_update(app: App) -> None:
    key, clock = start(app, "SEV3")
    post(app, key)
    assert due_now(app, key) == []  # SEV3: no timer by default
    for status in ("mitigating", "mitigated", "monitoring", "resolved"):
        clock.advance(minutes=5)
        incidents.set_status(app, key, status)
        assert due_now(app, key)[0][1] == f"status changed to {status}"
        post(app, key)
    assert due_now(app, key) == []


def test_customer_visible_needs_public_update_within_15_minutes(app: App) -> None:
    key, clock = start(app, "SEV2", visible=True)
    post(app, key)
    clock.advance(minutes=15)
    assert ("public", "customer-visible", False) in due_now(app, key)
    clock.advance(seconds=1)
    assert ("public", "customer-visible", True) in due_now(app, key)
    post(app, key, "public")
    assert all(d[0] == "internal" for d in due_now(app, key))


def test_intervals_are_configurable_per_severity(app: App) -> None:
    key, _ = start(app, "SEV3")
    state = app.store.state(key)
    policy = CadencePolicy(every={Severity.SEV3: timedelta(minutes=60)})
    events = app.store.events(key)
    [first, timer] = owed(state, events, policy, T0)
    assert timer.due_at == T0 + timedelta(minutes=60)
    assert first.reason == "declaration"


def test_sev1_unmitigated_after_15_minutes_then_answered_by_a_page(app: App) -> None:
    key, clock = start(app)
    clock.advance(minutes=14, seconds=59)
    assert escalation.due_triggers(app, key)[1] == []
    clock.advance(seconds=1)
    [trigger] = escalation.due_triggers(app, key)[1]
    assert trigger.code == "unmitigated"
    assert trigger.since == T0 + timedelta(minutes=15)
    escalation.escalate(app, key, to="payments", deliver=False)
    assert escalation.due_triggers(app, key)[1] == []
    incidents.set_status(app, key, "mitigated")
    clock.advance(hours=2)
    assert escalation.due_triggers(app, key)[1] == []


def test_thresholds_destructive_and_foreign_cause(app: App) -> None:
    key, _ = start(app, "SEV2")
    state = app.store.state(key)
    events = app.store.events(key)
    policy = EscalationPolicy(
        unmitigated_after={Severity.SEV2: timedelta(minutes=5)},
        no_lever_after={Severity.SEV2: timedelta(minutes=3)},
        owned_services=frozenset({"cart"}),
    )
    codes = {t.code for t in triggers(state, events, policy, T0 + timedelta(minutes=5))}
    assert codes == {"unmitigated", "no_lever", "foreign_cause"}
    from stanch.model.events import NewEvent
    from stanch.services.context import record

    record(app, key, lambda s: NewEvent(LEVER_PLANNED, "tester", T0, T0,
                                        {"lever": "drop-table", "destructive": True}))  # fmt: skip
    found = triggers(app.store.state(key), app.store.events(key), policy, T0)
    assert sorted(t.code for t in found) == ["destructive", "foreign_cause"]


def test_flagged_trigger(app: App) -> None:
    key, _ = start(app, "SEV3")
    escalation.flag(app, key, "access", "need prod database access")
    [trigger] = escalation.due_triggers(app, key)[1]
    assert (trigger.code, trigger.reason) == ("access", "need prod database access")
