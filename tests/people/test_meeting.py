"""The postmortem meeting: an .ics a standard parser reads, everyone involved, within 48 h."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from stanch.model.meeting import REST, slot
from stanch.services import meeting
from stanch.services.context import App
from tests.conftest import T0, make_app
from tests.support.cli import cli

ROSTER = """
[[people.roster]]
name = "Alice Ng"
handle = "@alice"
contact = "alice@example.com"

[[people.roster]]
name = "Bob Li"
handle = "bob"
contact = "bob@example.com"

[[people.roster]]
name = "Carol"
contact = "carol@example.com"

[[people.roster]]
name = "Dan"
contact = "dan@example.com"
"""


@pytest.fixture
def team_app(project: Path) -> App:
    (project / "stanch.toml").write_text("[stanch]\n[people]\n" + ROSTER)
    return make_app(project)


def run_incident(capsys: pytest.CaptureFixture[str], app: App, *declare: str) -> str:
    ran = cli(capsys, app, "declare", "Checkout 502", "-s", "SEV1", "--commander", "alice",
              "--actor", "alice", "--json", *declare)  # fmt: skip
    key = str(ran.json()["id"])
    steps = [
        ("assign", "scribe", "bob"), ("page", "carol", "--reason", "payments owner"),
        ("ack", "carol"), ("join", "erin"), ("log", "rolled back", "--actor", "bob"),
        ("status", "mitigated"), ("status", "monitoring"), ("status", "resolved"),
    ]  # fmt: skip
    for step in steps:
        ran = cli(capsys, app, *step)
        assert ran.code == 0, (step, ran.err)
    return key


def attendees_of(path: Path) -> tuple[datetime, datetime, dict[str, str], Calendar]:
    calendar = Calendar.from_ical(path.read_bytes())
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    people = event.get("attendee")
    people = people if isinstance(people, list) else [people]
    found = {str(p.params["CN"]): str(p) for p in people}
    return event.decoded("dtstart"), event.decoded("dtend"), found, calendar


def test_the_ics_opens_in_icalendar_with_everyone_involved_within_48_hours(
    capsys: pytest.CaptureFixture[str], team_app: App
) -> None:
    key = run_incident(capsys, team_app)
    resolved = team_app.store.state(key).resolved_at
    assert resolved is not None
    ran = cli(capsys, team_app, "meeting", "propose", "--json")  # the one resolved
    assert ran.code == 0, ran.err
    path = Path(ran.json()["file"])
    assert path == team_app.settings.incidents_dir / f"{key}.postmortem.ics"

    start, end, people, calendar = attendees_of(path)
    assert resolved < start <= resolved + timedelta(hours=48)
    assert end - start == timedelta(minutes=60)
    assert end <= resolved + timedelta(hours=48)
    # Everyone on the timeline: commander, scribe, the paged-and-acknowledged owner and the
    # actor who logged; the recorded actor (tester) and erin have no roster e-mail.
    assert people == {
        "Alice Ng": "mailto:alice@example.com",
        "Bob Li": "mailto:bob@example.com",
        "Carol": "mailto:carol@example.com",
    }
    assert "Dan" not in people
    event = calendar.walk("VEVENT")[0]
    assert str(event["organizer"]) == "mailto:alice@example.com"
    assert str(event["summary"]) == "Postmortem: Checkout 502"
    assert str(calendar["method"]) == "REQUEST"
    listed = {a["name"]: a["email"] for a in ran.json()["attendees"]}
    assert listed["erin"] is None and listed["tester"] is None

    last = team_app.store.events(key)[-1]
    assert last.kind == "meeting.proposed"
    assert last.data["start"] == start.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_no_meeting_before_resolution_and_a_chosen_start_must_be_in_the_window(
    capsys: pytest.CaptureFixture[str], team_app: App
) -> None:
    ran = cli(capsys, team_app, "declare", "x", "-s", "SEV3", "--json")
    key = ran.json()["id"]
    refused = cli(capsys, team_app, "meeting", "propose")
    assert refused.code == 1 and "not resolved" in refused.err
    assert not (team_app.settings.incidents_dir / f"{ran.json()['id']}.postmortem.ics").exists()
    for step in (("status", "mitigated"), ("status", "monitoring"), ("status", "resolved")):
        assert cli(capsys, team_app, *step).code == 0
    late = (T0 + timedelta(hours=60)).isoformat()
    assert "within" in cli(capsys, team_app, "meeting", "propose", "-i", key, "--start", late).err


def test_a_security_postmortem_invite_is_private_and_names_no_detail(
    capsys: pytest.CaptureFixture[str], team_app: App
) -> None:
    team_app.viewer = "alice"  # the commander; the local actor is not named on it
    key = run_incident(capsys, team_app, "--type", "security")
    done = meeting.propose(team_app, key)
    _, _, _, calendar = attendees_of(Path(done.result.location))
    event = calendar.walk("VEVENT")[0]
    assert str(event["class"]) == "PRIVATE"
    assert "Checkout" not in str(event["summary"])


@pytest.mark.parametrize("hours", [0, 5, 9, 13, 17, 23])
@pytest.mark.parametrize("day", range(7))
def test_the_slot_is_always_after_rest_and_inside_the_window(hours: int, day: int) -> None:
    resolved = datetime(2026, 11, 23, hours, 17, tzinfo=UTC) + timedelta(days=day)
    start, end = slot(resolved, timedelta(hours=48), 15, timedelta(hours=1))
    assert resolved + REST <= start and end <= resolved + timedelta(hours=48)
    assert (start.hour, start.minute) == (15, 0)
    if resolved.weekday() in (0, 1, 2):  # a weekday slot always fits after Mon–Wed
        assert start.weekday() < 5


def test_resolution_proposes_the_meeting_by_itself_once(
    capsys: pytest.CaptureFixture[str], team_app: App
) -> None:
    key = run_incident(capsys, team_app)
    proposed = [e for e in team_app.store.events(key) if e.kind == "meeting.proposed"]
    assert len(proposed) == 1
    invite = team_app.settings.incidents_dir / f"{key}.postmortem.ics"
    _, _, people, _ = attendees_of(invite)
    assert "Carol" in people
    # reopened and resolved again: no second invite
    steps = ("mitigating", "mitigated", "monitoring", "resolved")
    for step in steps:
        assert cli(capsys, team_app, "status", step, "-i", key).code == 0
    again = [e for e in team_app.store.events(key) if e.kind == "meeting.proposed"]
    assert len(again) == 1
