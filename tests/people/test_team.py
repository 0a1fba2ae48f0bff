"""The response team: several people per role, roster, pages/acks/joins as events, MTTA."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from stanch.errors import InvalidInput
from stanch.model import kinds
from stanch.model.people import load_roster, time_to_acknowledge
from stanch.services.context import App
from stanch.services.people_config import parse_people
from tests.conftest import T0, make_app
from tests.support.cli import cli


def test_assign_takes_several_responders_per_role(
    capsys: pytest.CaptureFixture[str], app: App
) -> None:
    ran = cli(capsys, app, "declare", "API errors", "-s", "SEV2", "--json")
    key = ran.json()["id"]
    assert cli(capsys, app, "assign", "responder", "bob", "carol,dan").code == 0
    assert cli(capsys, app, "assign", "responder", "erin", "--add").code == 0
    assert app.store.state(key).roles["responder"] == ("bob", "carol", "dan", "erin")
    assert "| Responders | bob, carol, dan, erin |" in app.files.path(key).read_text()


def test_pages_acks_and_joins_are_events_that_give_mtta(
    capsys: pytest.CaptureFixture[str], app: App
) -> None:
    ran = cli(capsys, app, "declare", "API errors", "-s", "SEV2", "--json")
    key = ran.json()["id"]
    assert cli(capsys, app, "page", "payments-oncall", "-r", "owner", "--service", "api").code == 0
    assert (
        cli(
            capsys,
            app,
            "ack",
            "bob",
            "--target",
            "payments-oncall",
            "--at",
            (T0 + timedelta(minutes=4)).isoformat(),
        ).code
        != 0
    )  # in the future for the clock
    assert cli(capsys, app, "ack", "bob", "--target", "payments-oncall").code == 0
    assert cli(capsys, app, "join", "--role", "scribe").code == 0
    assert cli(capsys, app, "join", "zed", "--role", "janitor").code == 1

    events = app.store.events(key)
    kinds_seen = [e.kind for e in events[1:]]
    assert kinds_seen == [kinds.PAGE_SENT, kinds.PAGE_ACKNOWLEDGED, kinds.RESPONDER_JOINED]
    page, ack, joined = events[1:]
    assert page.data["target"] == "payments-oncall" and page.data["provider"] == "manual"
    assert page.data["dedup_key"] == f"{key}:payments-oncall"
    assert ack.data == {"by": "bob", "target": "payments-oncall",
                        "summary": "bob acknowledged the page for payments-oncall"}  # fmt: skip
    assert joined.data["who"] == "tester" and joined.data["role"] == "scribe"
    state = app.store.state(key)
    assert time_to_acknowledge(state, events) == ack.occurred_at - state.declared_at

    team = cli(capsys, app, "team", "--json").json()
    assert team["mtta_seconds"] == int((ack.occurred_at - state.declared_at).total_seconds())
    assert [p["who"] for p in team["paged"]] == ["payments-oncall"]
    assert set(team["named"]) >= {"tester", "payments-oncall", "bob"}
    assert "paged payments-oncall: owner" in app.files.path(key).read_text()
    assert cli(capsys, app, "verify", key).code == 0  # the file still matches its events
    shown = cli(capsys, app, "team").out
    assert "acknowledged: bob at" in shown and "MTTA:" in shown


def test_the_roster_is_read_from_settings_and_checked(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    (project / "stanch.toml").write_text(
        '[stanch]\n[[people.roster]]\nname = "Alice Ng"\nhandle = "@alice"\nteam = "sre"\n'
        'contact = "alice@example.com"\n'
    )
    app = make_app(project)
    listed = cli(capsys, app, "roster", "--json").json()
    assert listed == [{"name": "Alice Ng", "handle": "@alice", "team": "sre",
                       "contact": "alice@example.com"}]  # fmt: skip
    roster = load_roster({"roster": listed})
    found = roster.find("ALICE")
    assert found is not None and found.email == "alice@example.com"
    assert roster.find("@alice") == roster.find("alice@example.com") == found
    cases: list[tuple[dict[str, Any], str]] = [
        ({"roster": {"name": "x"}}, "array of tables"),
        ({"roster": [{"handle": "@x"}]}, "name is required"),
        ({"roster": [{"name": "x", "phone": "1"}]}, "unknown key 'phone'"),
        ({"roster": [{"name": 3}]}, "must be text"),
        ({"colour": 1}, "unknown setting 'colour'"),
        ({"diagnosis_timebox_minutes": 0}, "from 1 to 240"),
        ({"briefing_direct": ["SEV9"]}, "unknown severity"),
    ]
    for bad, message in cases:
        with pytest.raises(InvalidInput, match=message):
            parse_people(bad)
    (project / "stanch.toml").write_text("[stanch]\n[people]\nmeeting_hour_utc = 25\n")
    ran = cli(capsys, make_app(project), "roster")
    assert ran.code == 1 and "people.meeting_hour_utc must be a number from 0 to 23" in ran.err
