"""Slack channel set-up and Statuspage updates through the outbox, against the fakes."""

from __future__ import annotations

import json
from pathlib import Path

from stanch.model.kinds import UPDATE_POSTED
from stanch.model.types import GENERIC_OUTBOUND
from stanch.services import channel, incidents, outbox, updates
from stanch.services.context import App
from tests.comms.clock import ManualClock
from tests.comms.conftest import SP_COMPONENT, USERS
from tests.conftest import T0
from tests.fakes.comms_slack import FakeSlack
from tests.fakes.comms_statuspage import FakeStatuspage


def declare(app: App, visible: bool = True) -> str:
    app.clock = ManualClock(T0)
    return incidents.declare(
        app, "Checkout returns 502 for EU users", severity="SEV2", services=["checkout"],
        impact="30% of checkout requests fail on db-3.prod.internal", regions=["eu-west-1"],
        customer_visible=visible, commander="alice",
    ).incident.id  # fmt: skip


def test_channel_is_created_with_topic_invites_and_declaration(
    wired: App, slack: FakeSlack
) -> None:
    key = declare(wired)
    state, attempts = channel.open_channel(wired, key, invite=list(USERS))
    assert [a.delivery.status.value for a in attempts] == ["ok"] * 4
    [made] = slack.channels
    assert made.name == state.channel
    assert made.topic.startswith("SEV2 | investigating | IC: alice")
    assert set(USERS) <= made.members
    assert made.messages[0].startswith("Declared SEV2")


def test_name_taken_reuses_the_existing_channel(wired: App, slack: FakeSlack) -> None:
    key = declare(wired)
    for n in range(3):  # the fake lists two per page: the client must paginate
        slack.add_channel(f"other-{n}")
    existing = slack.add_channel(wired.store.state(key).channel)
    channel.open_channel(wired, key)
    assert len(slack.channels) == 4
    assert existing.messages and existing.topic


def test_slack_429_waits_at_least_retry_after(wired: App, slack: FakeSlack) -> None:
    key = declare(wired)
    slack.throttle = 1
    slack.retry_after = "120"
    _, attempts = channel.open_channel(wired, key)
    assert [a.delivery.status.value for a in attempts] == ["retry"]
    clock = wired.clock
    assert isinstance(clock, ManualClock)
    clock.advance(seconds=119)
    assert outbox.deliver(wired, key) == []  # held back: Retry-After not over
    clock.advance(seconds=2)
    assert [a.delivery.status.value for a in outbox.deliver(wired, key)] == ["ok"] * 3
    assert slack.channels[0].messages


def test_wrong_slack_token_is_refused_not_retried(
    wired: App, slack: FakeSlack, monkeypatch: object
) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-wrong")
    key = declare(wired)
    channel.open_channel(wired, key)
    state = outbox.state(wired, key)
    assert state.abandoned[0].last_error == "slack: invalid_auth"
    assert not slack.channels


def test_public_updates_drive_statuspage_and_the_builtin_page(
    wired: App, sp: FakeStatuspage
) -> None:
    key = declare(wired)
    first = updates.compose(wired, key, message="Some payments fail; we are on it.", eta="1 hour")
    updates.post(wired, first, audience="public")
    [incident] = sp.incidents.values()
    assert incident["status"] == "investigating"
    assert sp.components[SP_COMPONENT] == "partial_outage"
    for status in ("mitigated", "monitoring", "resolved"):
        incidents.set_status(wired, key, status)
        updates.post(wired, updates.compose(wired, key), audience="public")
    assert [u["status"] for u in incident["incident_updates"]] == [
        "investigating", "monitoring", "monitoring", "resolved"]  # fmt: skip
    assert sp.components[SP_COMPONENT] == "operational"
    assert len(sp.incidents) == 1
    page = Path(wired.settings.root / "status")
    doc = json.loads((page / "status.json").read_text())
    assert doc["status"] == "All systems operational"
    assert doc["incidents"][0]["status"] == "resolved"
    text = (page / "status.json").read_text() + (page / "index.html").read_text()
    for internal in ("db-3.prod.internal", "alice", key, "checkout"):
        assert internal not in text
    posted = [e for e in wired.store.events(key) if e.kind == UPDATE_POSTED]
    assert {e.data["audience"] for e in posted} == {"public"}


def test_statuspage_outage_keeps_updates_in_order(wired: App, sp: FakeStatuspage) -> None:
    key = declare(wired)
    sp.outage = 1
    updates.post(wired, updates.compose(wired, key), audience="public")
    incidents.set_status(wired, key, "mitigating")
    updates.post(wired, updates.compose(wired, key), audience="public")
    assert sp.incidents == {}  # the second waits behind the first
    pending = [m for m in outbox.state(wired, key).pending if m.provider == "statuspage"]
    assert len(pending) == 2
    clock = wired.clock
    assert isinstance(clock, ManualClock)
    clock.advance(minutes=1)
    outbox.deliver(wired, key)
    [incident] = sp.incidents.values()
    assert [u["status"] for u in incident["incident_updates"]] == ["investigating", "identified"]


def test_a_security_update_leaves_stanch_without_detail(wired: App, slack: FakeSlack) -> None:
    wired.viewer = "alice"  # restricted: only the people named on it may read it
    key = incidents.declare(wired, "Admin tokens used from 203.0.113.9", incident_type="security",
                            severity=None, actor="alice").incident.id  # fmt: skip
    slack.add_channel(wired.store.state(key).channel)
    draft = updates.compose(wired, key, did="rotated the admin tokens on db-7")
    updates.post(wired, draft, audience="internal", actor="alice")
    [chan] = slack.channels
    assert chan.messages == [GENERIC_OUTBOUND]
    # the full text stays on the record, for the people named on the incident
    posted = [e for e in wired.store.events(key) if e.kind == "update.posted"]
    assert "rotated the admin tokens on db-7" in str(posted[-1].data["text"])


def test_a_security_channel_is_private_and_says_nothing_of_the_incident(
    wired: App, slack: FakeSlack
) -> None:
    wired.viewer = "alice"
    symptom = "Admin tokens used from 203.0.113.9"
    key = incidents.declare(wired, symptom, incident_type="security", severity=None,
                            commander="alice", actor="alice").incident.id  # fmt: skip
    channel.open_channel(wired, key, invite=list(USERS))
    [made] = slack.channels
    assert made.is_private
    assert "admin" not in made.name and "203" not in made.name  # the name spells nothing
    assert "203.0.113.9" not in made.topic and made.topic.startswith("SEV1 | investigating")
    assert all("203.0.113.9" not in m and "Admin tokens" not in m for m in made.messages)
