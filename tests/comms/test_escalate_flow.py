"""Escalation end to end against the PagerDuty and Opsgenie fakes, with outages and retries."""

from __future__ import annotations

import pytest

from stanch.model.kinds import PAGE_SENT
from stanch.model.outbox import DELIVERED, FAILED
from stanch.services import escalation, incidents, outbox, updates
from stanch.services.context import App
from tests.comms.clock import ManualClock
from tests.comms.conftest import PD_KEY
from tests.conftest import T0, make_app
from tests.fakes.comms_opsgenie import FakeOpsgenie
from tests.fakes.comms_pagerduty import FakePagerDuty


def declare(app: App) -> str:
    clock = ManualClock(T0)
    app.clock = clock
    done = incidents.declare(app, "Checkout returns 502", severity="SEV1", services=["checkout"],
                             impact="30% of requests fail")  # fmt: skip
    return done.incident.id


def kinds(app: App, key: str) -> list[str]:
    return [e.kind for e in app.store.events(key)]


def test_escalate_pages_owner_from_catalog_with_handoff(
    wired: App, pd: FakePagerDuty, og: FakeOpsgenie
) -> None:
    key = declare(wired)
    incidents.log(wired, key, "rolled back checkout to v41: no change")
    done = escalation.escalate(wired, key, next_step="check the payment gateway")
    assert done.team == "payments"
    assert done.owner is not None and done.owner.source == "catalog"
    [alert] = pd.alerts
    assert (alert.routing_key, alert.dedup_key) == (PD_KEY, f"stanch/{key}")
    [og_alert] = og.alerts
    assert og_alert.responders == [{"type": "team", "name": "payments-oncall"}]
    assert og_alert.priority == "P1"
    events = wired.store.events(key)
    pages = [e for e in events if e.kind == PAGE_SENT]
    assert {p.data["provider"] for p in pages} == {"pagerduty", "opsgenie"}
    handoff = next(e for e in events if e.kind == "handoff.recorded")
    assert handoff.data["next"] == "check the payment gateway"
    assert handoff.data["owner"] == "payments"
    # the routing key never lands in the events or the file
    assert PD_KEY not in wired.files.path(key).read_text()


def pd_outcomes(attempts: list[outbox.Attempt]) -> list[str]:
    return [a.delivery.status.value for a in attempts if a.message.provider == "pagerduty"]


def test_pager_outage_loses_nothing_and_retries_with_backoff(
    wired: App, pd: FakePagerDuty, og: FakeOpsgenie
) -> None:
    key = declare(wired)
    clock = wired.clock
    assert isinstance(clock, ManualClock)
    pd.outage = 2
    done = escalation.escalate(wired, key, to="payments", reason="SEV1 not mitigated")
    assert [a.delivery.status.value for a in done.attempts if a.message.provider == "pagerduty"] \
        == ["retry"]  # fmt: skip
    assert not pd.alerts
    agenda = updates.agenda(wired, key)
    assert "pagerduty" in [m.provider for m in agenda.outbox.pending]
    # not due yet: nothing is sent before the backoff expires
    assert pd_outcomes(outbox.deliver(wired, key)) == []
    clock.advance(seconds=31)
    assert pd_outcomes(outbox.deliver(wired, key)) == ["retry"]
    clock.advance(seconds=61)
    assert pd_outcomes(outbox.deliver(wired, key)) == ["ok"]
    assert len(pd.alerts) == 1
    assert "pagerduty" not in [m.provider for m in outbox.state(wired, key).pending]
    failed = [e for e in wired.store.events(key) if e.kind == FAILED]
    assert [e.data["attempt"] for e in failed if e.data["provider"] == "pagerduty"] == [1, 2]


def test_rate_limit_honours_retry_after(wired: App, pd: FakePagerDuty) -> None:
    key = declare(wired)
    pd.throttle = 1
    pd.retry_after = "300"
    escalation.escalate(wired, key, to="payments")
    [pending] = [m for m in outbox.state(wired, key).pending if m.provider == "pagerduty"]
    assert pending.retry_at is not None
    assert (pending.retry_at - wired.clock()).total_seconds() == 300


def test_rejected_page_is_not_retried(
    wired: App, pd: FakePagerDuty, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAYMENTS_PD_KEY", "0" * 32)  # well-formed but wrong key
    key = declare(wired)
    escalation.escalate(wired, key, to="payments")
    state = outbox.state(wired, key)
    assert [m.provider for m in state.abandoned] == ["pagerduty"]
    assert "Invalid routing key" in state.abandoned[0].last_error
    assert not pd.alerts


def test_resolving_resolves_the_alert(wired: App, pd: FakePagerDuty, og: FakeOpsgenie) -> None:
    key = declare(wired)
    escalation.escalate(wired, key, to="payments")
    for status in ("mitigated", "monitoring", "resolved"):
        incidents.set_status(wired, key, status)
    draft = updates.compose(wired, key)
    updates.post(wired, draft, audience="internal")
    assert pd.alerts[0].status == "resolved"
    assert og.alerts[0].status == "closed"
    assert sum(1 for k in kinds(wired, key) if k == DELIVERED) >= 4


def test_escalate_check_lists_due_triggers(wired: App) -> None:
    key = declare(wired)
    clock = wired.clock
    assert isinstance(clock, ManualClock)
    _, due = escalation.due_triggers(wired, key)
    assert due == []
    clock.advance(minutes=15)
    _, due = escalation.due_triggers(wired, key)
    assert [t.code for t in due] == ["unmitigated"]


def test_opsgenie_async_failure_is_reported(wired: App, og: FakeOpsgenie) -> None:
    from tests.conftest import make_app

    toml = wired.settings.root / "stanch.toml"
    toml.write_text(toml.read_text().replace('opsgenie_team = "payments-oncall"',
                                             'opsgenie_team = "no-such-team"'))  # fmt: skip
    app = make_app(wired.settings.root)
    try:
        key = declare(app)
        escalation.escalate(app, key, to="payments")
        [failed] = [m for m in outbox.state(app, key).abandoned if m.provider == "opsgenie"]
        assert "Team no-such-team does not exist" in failed.last_error
        assert not og.alerts
    finally:
        app.close()


def test_a_security_page_carries_no_internal_detail(
    wired: App, pd: FakePagerDuty, og: FakeOpsgenie
) -> None:
    config = wired.settings.root / "stanch.toml"
    config.write_text(config.read_text() + '\n[comms.teams.security-oncall]\n'
                      'pagerduty_routing_key_env = "PAYMENTS_PD_KEY"\n')  # fmt: skip
    app = make_app(wired.settings.root)
    app.viewer = "alice"
    key = incidents.declare(app, "Admin tokens used from 203.0.113.9", severity="SEV1",
                            incident_type="security", services=["checkout"],
                            actor="alice").incident.id  # fmt: skip
    done = escalation.escalate(app, key, reason="tokens leaked via db-7 backup",
                               actor="alice")  # fmt: skip
    app.close()
    assert done.team == "security-oncall"  # the type's target, not the service's owner
    [alert] = pd.alerts
    assert "203.0.113.9" not in alert.summary and "db-7" not in alert.summary
    assert alert.summary.startswith("[SEV1] security incident")
    for og_alert in og.alerts:  # whatever reached Opsgenie says nothing either
        assert "203.0.113.9" not in og_alert.message and "Admin" not in og_alert.message
