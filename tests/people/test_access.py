"""A security incident is invisible to anyone not named on it — on SQLite and real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stanch.services import access
from stanch.services.context import App
from tests.conftest import make_app
from tests.support.cli import Ran, cli

ROSTER = """
[people]
readers = ["ciso"]

[[people.roster]]
name = "Sam Sec"
handle = "@sam"
team = "security"
contact = "sam@example.com"

[[people.roster]]
name = "Mallory"
handle = "@mallory"
team = "payments"
"""


def people_apps(project: Path, database_url: str) -> Iterator[dict[str, App]]:
    (project / "stanch.toml").write_text("[stanch]\n" + ROSTER)
    made: dict[str, App] = {}
    for who in ("alice", "mallory", "bob", "ciso", "sam", "@SAM"):
        made[who] = make_app(project, database_url)
        made[who].viewer = who
    yield made
    for one in made.values():
        one.close()


@pytest.fixture
def apps(project: Path, database_url: str) -> Iterator[dict[str, App]]:
    """One App per person, all on the same store (SQLite, then real PostgreSQL)."""
    yield from people_apps(project, database_url)


@pytest.fixture
def pg_apps(project: Path, pg_url: str) -> Iterator[dict[str, App]]:
    """The same on the team store: real PostgreSQL only."""
    yield from people_apps(project, pg_url)


def declare_breach(capsys: pytest.CaptureFixture[str], alice: App) -> str:
    ran = cli(capsys, alice, "declare", "Unauthorized admin logins", "--type", "security",
              "--slug", "breach", "--actor", "alice", "--json")  # fmt: skip
    assert ran.code == 0, ran.err
    return str(ran.json()["id"])


def refused_like_missing(ran: Ran, key: str) -> None:
    assert ran.code == 1
    assert ran.err.strip() == f"stanch: error: no incident {key!r}"


# Every reading and writing command that takes an id.
GUESSES = [
    ("show", "{id}"), ("show", "{id}", "--json"), ("export", "{id}"), ("verify", "{id}"),
    ("regenerate", "{id}"), ("log", "looking around", "-i", "{id}"),
    ("status", "mitigating", "-i", "{id}"), ("severity", "SEV2", "-i", "{id}"),
    ("assign", "responder", "mallory", "-i", "{id}"), ("team", "-i", "{id}"),
    ("join", "-i", "{id}"), ("ack", "-i", "{id}"), ("access", "grant", "mallory", "-i", "{id}"),
    ("type", "set", "outage", "-i", "{id}"), ("briefing", "due", "-i", "{id}"),
    ("timebox", "-i", "{id}"), ("meeting", "propose", "-i", "{id}"),
    ("preserve", "-c", "true", "-i", "{id}"), ("type", "check-lever", "restart", "-i", "{id}"),
]  # fmt: skip


def test_a_security_incident_is_invisible_to_a_viewer_not_named_on_it(
    capsys: pytest.CaptureFixture[str], pg_apps: dict[str, App]
) -> None:
    apps = pg_apps
    key = declare_breach(capsys, apps["alice"])
    mallory = apps["mallory"]
    before = mallory.store.chain(key)

    listed = cli(capsys, mallory, "list", "--all", "--json")
    assert listed.code == 0 and listed.json() == []
    assert "No open incidents" in cli(capsys, mallory, "list").out
    # The only open incident is not "the one open incident" for mallory either.
    refused = cli(capsys, mallory, "show")
    assert refused.code == 1 and "no open incident" in refused.err

    for args in GUESSES:
        ran = cli(capsys, mallory, *(a.format(id=key) for a in args))
        refused_like_missing(ran, key)
        missing = cli(capsys, mallory, *(a.format(id=key + "-x") for a in args))
        refused_like_missing(missing, key + "-x")  # word for word what a missing id gets
    assert mallory.store.chain(key) == before  # nothing was recorded by any attempt

    # Alice declared it: she sees it; so do the standing reader and the security team.
    for who in ("alice", "ciso", "sam", "@SAM"):
        ran = cli(capsys, apps[who], "show", key, "--json")
        assert ran.code == 0, (who, ran.err)
        assert ran.json()["type"] == "security"
    assert [i["id"] for i in cli(capsys, apps["alice"], "list", "--json").json()] == [key]


def test_naming_someone_opens_it_to_them_and_revoking_closes_it(
    capsys: pytest.CaptureFixture[str], apps: dict[str, App]
) -> None:
    key = declare_breach(capsys, apps["alice"])
    alice, bob = apps["alice"], apps["bob"]
    refused_like_missing(cli(capsys, bob, "show", key), key)

    assert cli(capsys, alice, "assign", "responder", "bob", "carol").code == 0
    assert cli(capsys, bob, "show", key, "--json").code == 0
    assert cli(capsys, bob, "show").code == 0  # the one open incident bob may see

    assert cli(capsys, alice, "access", "revoke", "bob", "-i", key).code == 0
    refused_like_missing(cli(capsys, bob, "show", key), key)

    assert cli(capsys, alice, "access", "grant", "bob", "--reason", "forensics").code == 0
    assert cli(capsys, bob, "log", "pulled auth logs", "-i", key).code == 0


def test_an_outage_is_visible_to_everyone_and_reclassifying_hides_it(
    capsys: pytest.CaptureFixture[str], apps: dict[str, App]
) -> None:
    alice, mallory = apps["alice"], apps["mallory"]
    ran = cli(capsys, alice, "declare", "Login slow", "-s", "SEV3", "--slug", "login", "--json")
    key = ran.json()["id"]
    assert cli(capsys, mallory, "show", key).code == 0
    assert (
        cli(capsys, alice, "type", "set", "security", "-r", "token", "--actor", "alice").code == 0
    )
    refused_like_missing(cli(capsys, mallory, "show", key), key)
    assert not access.can_read(mallory, mallory.store.state(key))
    assert access.can_read(mallory, mallory.store.state(key), viewer="alice")


def test_outbound_notifications_reach_only_people_named_on_it(
    capsys: pytest.CaptureFixture[str], apps: dict[str, App]
) -> None:
    key = declare_breach(capsys, apps["alice"])
    app = apps["alice"]
    state = app.store.state(key)
    everyone = ["alice", "mallory", "bob", "Sam Sec", "ciso"]
    assert access.outbound_recipients(app, state, everyone) == ["alice", "Sam Sec", "ciso"]
