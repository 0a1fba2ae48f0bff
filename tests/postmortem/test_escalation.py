"""Overdue action items escalate through time (injected clock): owner, then lead, once each."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest

from stanch.model.clock import fixed_clock
from stanch.services import actions
from stanch.services.context import App
from tests.conftest import make_app
from tests.postmortem.scripted import ID, at, run_ok, script
from tests.support.cli import cli


def tick(capsys: pytest.CaptureFixture[str], app: App, when: str) -> list[tuple[str, int, str]]:
    app.clock = fixed_clock(at(when), timedelta(seconds=1))
    out = cli(capsys, app, "actions", "escalate", "--json")
    assert out.code == 0, out.err
    return [(s["item"].split("#")[1], s["level"], s["to"]) for s in out.json()]


def test_overdue_items_escalate_to_owner_then_lead(
    capsys: pytest.CaptureFixture[str], pm_any_app: App
) -> None:
    app = pm_any_app
    script(capsys, app)
    run_ok(capsys, app, "actions", "add", ID, "Add a CI check that rejects pool_size below 4",
           "--owner", "bob", "--kind", "guardrail", "--due", "2026-11-25")  # fmt: skip
    run_ok(capsys, app, "actions", "add", ID, "Page on checkout burn rate over 14.4x",
           "--owner", "dave", "--kind", "alert", "--priority", "P0", "--due", "2026-11-24")  # fmt: skip

    assert tick(capsys, app, "2026-11-24T12:00:00Z") == []
    assert tick(capsys, app, "2026-11-25T00:00:30Z") == [("A2", 1, "dave")]
    assert tick(capsys, app, "2026-11-25T00:05:00Z") == []  # once per level
    app.clock = fixed_clock(at("2026-11-25T00:05:00Z"))
    overdue = cli(capsys, app, "actions", "--overdue", "--json").json()
    assert [(i["item"], i["overdue_s"]) for i in overdue] == [("A2", 301)]
    # three days late: dave has no lead of his own, so the default target is told;
    # items come soonest due first
    assert tick(capsys, app, "2026-11-28T00:00:30Z") == [
        ("A2", 2, "eng-director"), ("A1", 1, "bob")
    ]  # fmt: skip
    run_ok(capsys, app, "actions", "done", f"{ID}#A2", "--note", "alert rule merged")
    assert tick(capsys, app, "2026-11-29T00:00:30Z") == [("A1", 2, "carol")]
    assert tick(capsys, app, "2026-12-30T00:00:00Z") == []
    text = app.files.path(ID).read_text()
    assert f"OVERDUE: action item {ID}#A1 (P1, owner bob) was due 2026-11-25T23:59:59Z" in text
    assert "notified carol (escalation target of bob)" in text
    mine = cli(capsys, app, "actions", "--owner", "bob", "--json").json()
    assert [(i["item"], i["escalated"]) for i in mine] == [("A1", [1, 2])]


def test_two_schedulers_at_once_escalate_each_level_once(
    capsys: pytest.CaptureFixture[str], pm_app: App, project: Path
) -> None:
    script(capsys, pm_app)
    for n in range(3):
        run_ok(capsys, pm_app, "actions", "add", ID, f"Add regression test number {n} for pools",
               "--owner", "bob", "--due", "2026-11-23")  # fmt: skip
    replicas = [make_app(project, start=at("2026-11-24T01:00:00Z")) for _ in range(2)]
    results: list[int] = []

    told: list[str] = []

    def run(app: App) -> None:
        results.append(len(actions.escalate_overdue(app, notify=lambda s: told.append(s.to))))

    threads = [threading.Thread(target=run, args=(a,)) for a in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for replica in replicas:
        replica.close()
    assert sum(results) == 3
    assert told == ["bob", "bob", "bob"]  # each replica notifies only what it recorded
    escalated = [e for e in pm_app.store.events(ID) if e.kind == "action.escalated"]
    assert sorted(e.data["item"] for e in escalated) == ["A1", "A2", "A3"]


def test_vague_or_unowned_items_are_refused(
    capsys: pytest.CaptureFixture[str], pm_app: App
) -> None:
    script(capsys, pm_app)
    vague = cli(
        capsys, pm_app, "actions", "add", ID, "Be more careful with deploys", "--owner", "bob"
    )
    assert vague.code == 1 and "not concrete" in vague.err
    bad = cli(capsys, pm_app, "actions", "add", ID, "Add a schema check to CI", "--owner", "bob",
              "--priority", "urgent")  # fmt: skip
    assert bad.code == 1 and "priority" in bad.err
    missing = cli(capsys, pm_app, "actions", "add", ID, "Add a schema check to CI")
    assert missing.code == 2  # --owner is required
    default = cli(capsys, pm_app, "actions", "add", ID, "Add a schema check to CI", "--owner",
                  "bob", "--priority", "P0", "--json")  # fmt: skip
    assert default.code == 0
    added = at(default.json()["due"]) - pm_app.clock()
    assert timedelta(days=6, hours=23) < added <= timedelta(days=7)  # P0 default: 7 days
