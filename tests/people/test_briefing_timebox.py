"""Stakeholder briefings, the diagnosis time-box (injected clock) and evidence preservation."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from stanch.model import kinds
from stanch.model.people import Person
from stanch.model.timebox import diagnosis_reminder
from stanch.services import briefing, incidents, job_rules, outbox, timebox, types
from stanch.services.briefing import SendResult, SendStatus
from stanch.services.context import App, record
from stanch.services.types import evidence_dir
from stanch.settings import load_settings
from stanch.sim.receiver import Receiver
from tests.conftest import T0
from tests.support.cli import cli

ROSTER = """
[people]
briefing_cadence_minutes = 30
diagnosis_timebox_minutes = 10

[[people.roster]]
name = "Vera VP"
team = "leadership"
contact = "vera@example.com"

[[people.roster]]
name = "Cass CS"
team = "customer-success"
contact = "cass@example.com"

[[people.roster]]
name = "Alice"
team = "sre"
"""


@dataclass
class Hands:
    """A clock the test moves by hand."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Outbox:
    name: str = "outbox"
    sent: list[tuple[list[str], str]] = field(default_factory=list)

    def send(self, recipients: Sequence[Person], text: str) -> SendResult:
        self.sent.append(([p.name for p in recipients], text))
        return SendResult(SendStatus.OK, self.name)


@pytest.fixture
def hands() -> Hands:
    return Hands()


@pytest.fixture
def team_app(project: Path, hands: Hands) -> App:
    (project / "stanch.toml").write_text("[stanch]\n" + ROSTER)
    settings = load_settings(cwd=project, env={"STANCH_ACTOR": "alice"})
    return App(settings, clock=hands)


def test_a_briefing_speaks_business_to_the_stakeholder_teams_on_a_cadence(
    team_app: App, hands: Hands
) -> None:
    key = incidents.declare(team_app, "Checkout fails", severity="SEV1").incident.id
    assert briefing.due(team_app, key) == T0  # SEV1: owed from the declaration
    hands.now += timedelta(minutes=5)
    outbox = Outbox()
    done = briefing.brief(team_app, key, "~€40k/h of orders lost", "30 min",
                          ["approve a status-page post"], sender=outbox)  # fmt: skip
    assert [p.name for p in done.recipients] == ["Vera VP", "Cass CS"]
    assert outbox.sent == [(["Vera VP", "Cass CS"], done.text)]
    for line in ("Business impact: ~€40k/h of orders lost", "ETA: 30 min",
                 "- approve a status-page post", "Incident commander: alice",
                 "Next briefing by: 2026-11-22T10:35:00Z"):  # fmt: skip
        assert line in done.text
    event = done.recorded.event
    assert event.kind == kinds.UPDATE_POSTED and event.data["audience"] == "stakeholders"
    assert event.data["channels"] == ["outbox"]
    assert briefing.due(team_app, key) == T0 + timedelta(minutes=35)
    incidents.set_severity(team_app, key, "SEV3")
    assert briefing.due(team_app, key) is None  # not briefed directly below SEV1


def test_a_security_briefing_goes_only_to_stakeholders_named_on_it(team_app: App) -> None:
    key = incidents.declare(team_app, "Leaked keys", severity=None,
                            incident_type="security").incident.id  # fmt: skip
    incidents.assign(team_app, key, "responder", ["Vera VP"], add=True)
    outbox = Outbox()
    done = briefing.brief(team_app, key, "possible data exposure", "unknown", sender=outbox)
    assert [p.name for p in done.recipients] == ["Vera VP"]
    assert [p.name for p in done.withheld] == ["Cass CS"]
    assert outbox.sent[0][0] == ["Vera VP"]


def test_the_time_box_reminds_to_mitigate_first_on_the_strongest_correlation(
    capsys: pytest.CaptureFixture[str], team_app: App, hands: Hands
) -> None:
    key = incidents.declare(team_app, "API 500s", severity="SEV2", started="3 min ago",
                            services=["api"]).incident.id  # fmt: skip
    state = team_app.store.state(key)

    def add(kind: str, data: dict[str, object]) -> None:
        from stanch.model.events import NewEvent

        record(team_app, key, lambda s: NewEvent(kind, "alice", hands.now, hands.now, data))

    add(kinds.CHANGE_RECORDED, {"kind": "deploy", "ref": "cache-v2", "service": "cache",
                                "at": "2026-11-22T09:50:00Z", "summary": "deploy cache-v2"})  # fmt: skip
    add(kinds.CHANGE_RECORDED, {"kind": "deploy", "ref": "api-v7", "service": "api",
                                "at": "2026-11-22T09:56:00Z", "summary": "deploy api-v7"})  # fmt: skip
    add(kinds.LEVER_PLANNED, {"lever": "flag-off new-cache", "command": ["x"],
                              "rollback": ["y"], "destructive": False})  # fmt: skip
    add(kinds.LEVER_PLANNED, {"lever": "rollback api", "command": ["x"], "rollback": ["y"],
                              "destructive": False})  # fmt: skip
    add(kinds.LEVER_PLANNED, {"lever": "restart api", "command": ["x"], "rollback": [],
                              "destructive": True})  # fmt: skip

    hands.now = state.declared_at + timedelta(minutes=9, seconds=59)
    assert timebox.check(team_app, key).reminder is None  # still inside the time-box
    hands.now = state.declared_at + timedelta(minutes=10)
    fired = timebox.check(team_app, key)
    assert fired.reminder is not None and fired.seq is not None
    assert fired.reminder.levers == ("rollback api", "flag-off new-cache")
    assert fired.reminder.correlation == "deploy api-v7"
    assert "Mitigate first: rollback api (strongest correlation: deploy api-v7)" in (
        fired.reminder.text
    )
    hands.now += timedelta(minutes=5)
    assert timebox.check(team_app, key).reminder is None  # once per time-box
    hands.now += timedelta(minutes=5)
    ran = cli(capsys, team_app, "timebox", "--json")
    assert ran.json()["levers"] == ["rollback api", "flag-off new-cache"]

    add(kinds.LEVER_APPLIED, {"lever": "rollback api", "command": ["x"], "rollback": ["y"]})
    hands.now += timedelta(minutes=30)
    assert timebox.check(team_app, key).reminder is None  # mitigation under way


def test_no_reminder_without_a_lever_or_once_mitigating(team_app: App, hands: Hands) -> None:
    key = incidents.declare(team_app, "API 500s", severity="SEV2").incident.id
    hands.now += timedelta(minutes=20)
    state, events = team_app.store.state(key), team_app.store.events(key)
    assert diagnosis_reminder(state, events, hands.now) is None  # escalate instead
    assert diagnosis_reminder(state, events, hands.now, levers=["scale-out api"]) is not None
    incidents.set_status(team_app, key, "mitigating")
    state = team_app.store.state(key)
    assert diagnosis_reminder(state, events, hands.now, levers=["scale-out api"]) is None


def test_preserve_keeps_copies_command_output_and_state_with_their_hashes(
    capsys: pytest.CaptureFixture[str], team_app: App, tmp_path: Path
) -> None:
    key = incidents.declare(team_app, "Odd logins", severity=None,
                            incident_type="security").incident.id  # fmt: skip
    log = tmp_path / "auth.log"
    log.write_bytes(b"09:58 admin login from 203.0.113.9\n")
    ran = cli(capsys, team_app, "preserve", "-f", str(log), "-c", "echo 'pods; rm -rf /'",
              "--note", "before any restart", "--json")  # fmt: skip
    assert ran.code == 0, ran.err
    data = ran.json()["data"]
    folder = evidence_dir(team_app, key)
    copied, command = data["items"]
    assert (folder / copied["copy"]).read_bytes() == log.read_bytes()
    assert copied["sha256"] == hashlib.sha256(log.read_bytes()).hexdigest()
    assert command["argv"] == ["echo", "pods; rm -rf /"]  # one argument, no shell
    assert (folder / command["copy"]).read_text() == "pods; rm -rf /\n"
    assert command["outcome"] == "ok"
    snapshots = list(folder.glob("*-state.json"))
    assert len(snapshots) == 1
    assert data["state_sha256"] == hashlib.sha256(snapshots[0].read_bytes()).hexdigest()
    missing = cli(capsys, team_app, "preserve", "-f", str(tmp_path / "nope.log"))
    assert missing.code == 1 and "no such file" in missing.err
    assert cli(capsys, team_app, "preserve").code == 1
    assert types.evidence_dir(team_app, key).name == f"{key}.evidence"


def test_a_due_briefing_is_sent_by_the_schedule_to_each_stakeholder(
    project: Path, hands: Hands, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STANCH_TEST_WEBHOOK_SECRET", "s3cret-for-tests")
    with Receiver("s3cret-for-tests") as pager:
        (project / "stanch.toml").write_text(
            "[stanch]\n" + ROSTER + f'\n[comms.webhook]\nurl = "{pager.url}/hooks"\n'
            'key_env = "STANCH_TEST_WEBHOOK_SECRET"\n'
        )
        app = App(load_settings(cwd=project, env={"STANCH_ACTOR": "alice"}), clock=hands)
        try:
            key = incidents.declare(app, "Checkout fails", severity="SEV1").incident.id
            hands.now += timedelta(minutes=1)
            assert job_rules.briefings(app, job_rules.JobContext()).done == 1
            assert job_rules.briefings(app, job_rules.JobContext()).done == 0  # not due again
            outbox.deliver(app, key)
        finally:
            app.close()
    sent = {r["payload"]["to"]: r["payload"]["text"] for r in pager.received}
    assert set(sent) == {"vera@example.com", "cass@example.com"}
    assert all("Business impact:" in text for text in sent.values())
    assert {r["payload"]["action"] for r in pager.received} == {"briefing"}
