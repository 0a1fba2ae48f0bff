"""The comms commands through the real CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from stanch.services.context import App
from tests.comms.clock import ManualClock
from tests.conftest import T0
from tests.fakes.comms_pagerduty import FakePagerDuty
from tests.fakes.comms_slack import FakeSlack
from tests.support.cli import cli


def declare(capsys: pytest.CaptureFixture[str], app: App) -> str:
    app.clock = ManualClock(T0)
    ran = cli(capsys, app, "declare", "Checkout returns 502", "-s", "SEV1", "--service",
              "checkout", "--impact", "30% of requests", "--customer-visible", "--json")  # fmt: skip
    assert ran.code == 0, ran.err
    return str(ran.json()["id"])


def test_update_draft_then_post_and_updates_view(
    capsys: pytest.CaptureFixture[str], any_app: App
) -> None:
    key = declare(capsys, any_app)
    draft = cli(capsys, any_app, "update", key, "--did", "rolled back to v41", "--json")
    assert draft.code == 0, draft.err
    assert "Just did: rolled back to v41" in draft.json()["internal"]
    assert draft.json()["posted"] is False
    owed = cli(capsys, any_app, "updates", key, "--json").json()
    assert owed["updates_due"][0]["reason"] == "declaration"
    clock = any_app.clock
    assert isinstance(clock, ManualClock)
    clock.advance(minutes=16)
    owed = cli(capsys, any_app, "updates", key, "--json").json()
    assert owed["overdue"] is True
    assert [t["code"] for t in owed["escalation_due"]] == ["unmitigated"]
    text = cli(capsys, any_app, "updates", key)
    assert "OVERDUE" in text.out and "escalation due: SEV1 not mitigated 15 min" in text.out
    posted = cli(capsys, any_app, "update", key, "--post", "--audience", "both", "--json")
    assert posted.code == 0, posted.err
    owed = cli(capsys, any_app, "updates", key, "--json").json()
    assert owed["overdue"] is False
    assert cli(capsys, any_app, "verify", key).code == 0
    shown = cli(capsys, any_app, "show", key)
    assert "public update:" in shown.out and "internal update:" in shown.out


def test_escalate_without_owner_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], app: App
) -> None:
    key = declare(capsys, app)
    ran = cli(capsys, app, "escalate", key)
    assert ran.code == 1
    assert "no owner known" in ran.err and "Traceback" not in ran.err
    assert cli(capsys, app, "handoff", key).code == 1


def test_escalate_and_deliver_through_cli(
    capsys: pytest.CaptureFixture[str], wired: App, pd: FakePagerDuty, slack: FakeSlack
) -> None:
    key = declare(capsys, wired)
    pd.outage = 1
    ran = cli(capsys, wired, "escalate", key, "--reason", "payments gateway suspected",
              "--next", "ask payments to fail over", "--json")  # fmt: skip
    assert ran.code == 0, ran.err
    out = ran.json()
    assert out["team"] == "payments" and out["handoff"]["next"] == "ask payments to fail over"
    assert {"provider": "pagerduty", "status": "retry"}.items() <= next(
        d for d in out["deliveries"] if d["provider"] == "pagerduty").items()  # fmt: skip
    pending = cli(capsys, wired, "updates", key)
    assert "delivery pending: pagerduty trigger → payments" in pending.out
    clock = wired.clock
    assert isinstance(clock, ManualClock)
    clock.advance(minutes=2)
    delivered = cli(capsys, wired, "deliver", key, "--json").json()
    assert any(d["provider"] == "pagerduty" and d["status"] == "ok"
               for d in delivered["deliveries"])  # fmt: skip
    assert len(pd.alerts) == 1
    channel = cli(capsys, wired, "channel", key, "--json")
    assert channel.code == 0, channel.err
    assert slack.channels[0].name == channel.json()["channel"]
    handoff = cli(capsys, wired, "handoff", key, "--to", "bob", "--next", "watch p99")
    assert "Hand-off to bob" in handoff.out
    assert any("Hand-off to bob" in m for m in slack.channels[0].messages)
    assert cli(capsys, wired, "status-page").code == 0
    assert cli(capsys, wired, "verify", key).code == 0


def test_show_says_what_is_due(capsys: pytest.CaptureFixture[str], app: App) -> None:
    key = declare(capsys, app)
    clock = app.clock
    assert isinstance(clock, ManualClock)
    clock.advance(minutes=20)
    shown = cli(capsys, app, "show", key)
    assert shown.code == 0, shown.err
    assert "internal update OVERDUE since 2026-11-22T10:00:00Z (declaration)" in shown.out
    assert "public update OVERDUE since 2026-11-22T10:15:00Z (customer-visible)" in shown.out
    assert "escalation due: SEV1 not mitigated 15 min after declaration" in shown.out
    notices = cli(capsys, app, "show", key, "--json").json()["notices"]
    assert any(line.startswith("escalation due") for line in notices)
    assert cli(capsys, app, "status", "mitigated", "-i", key).code == 0
    cli(capsys, app, "update", key, "--post", "--audience", "both")
    after = cli(capsys, app, "show", key).out
    assert "escalation due" not in after and "OVERDUE" not in after


def test_escalate_with_no_pager_configured_queues_nothing(
    capsys: pytest.CaptureFixture[str], app: App
) -> None:
    key = declare(capsys, app)
    ran = cli(capsys, app, "escalate", key, "--to", "payments", "--json")
    assert ran.code == 0, ran.err
    assert ran.json()["queued"] == 0
    assert "delivery pending" not in cli(capsys, app, "show", key).out
