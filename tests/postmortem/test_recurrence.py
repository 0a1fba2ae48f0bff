"""A repeat of a past incident is flagged at declaration; open action items raise severity."""

from __future__ import annotations

from datetime import timedelta

import pytest

from stanch.model.clock import fixed_clock
from stanch.model.recurrence import RECURRENCE
from stanch.services import recurrence
from stanch.services.context import App
from tests.postmortem.scripted import ID, at, foreign, run_ok, script
from tests.support.cli import cli


def declare(capsys: pytest.CaptureFixture[str], app: App, when: str, symptom: str, slug: str,
            severity: str = "SEV3", service: str = "checkout") -> dict[str, object]:  # fmt: skip
    app.clock = fixed_clock(at(when), timedelta(seconds=1))
    ran = cli(capsys, app, "declare", symptom, "-s", severity, "--service", service,
              "--slug", slug, "--json")  # fmt: skip
    assert ran.code == 0, ran.err
    data: dict[str, object] = ran.json()
    return data


def flags(app: App, key: str) -> list[dict[str, object]]:
    return [e.data for e in app.store.events(key) if e.kind == RECURRENCE]


def test_repeat_with_open_items_is_raised_one_level(
    capsys: pytest.CaptureFixture[str], pm_any_app: App
) -> None:
    app = pm_any_app
    script(capsys, app)
    run_ok(capsys, app, "actions", "add", ID, "Add a CI check that rejects pool_size below 4",
           "--owner", "bob", "--due", "2026-12-20")  # fmt: skip

    again = declare(capsys, app, "2026-12-01T08:00:00Z", "Checkout returns 502", "again")
    assert again["severity"] == 2  # SEV3 raised to SEV2
    (flag,) = flags(app, str(again["id"]))
    assert flag["of"] == ID and flag["open_items"] == [f"{ID}#A1"]
    assert flag["matched_on"] == ["service checkout", "same symptom"]
    events = app.store.events(str(again["id"]))
    raise_event = events[-1]
    assert raise_event.kind == "severity.changed"
    assert raise_event.data["from"] == 3 and raise_event.data["to"] == 2
    assert f"recurrence of {ID}" in str(raise_event.data["reason"])
    assert raise_event.occurred_at == at("2026-12-01T08:00:00Z")  # at declaration
    text = app.files.path(str(again["id"])).read_text()
    assert f"repeats {ID} (service checkout; same symptom), see {ID}.md" in text
    assert flag["link"] == f"{ID}.md"

    # another service with the same words is not a repeat
    other = declare(capsys, app, "2026-12-01T09:00:00Z", "Checkout returns 502", "other-svc",
                    service="search")  # fmt: skip
    assert flags(app, str(other["id"])) == [] and other["severity"] == 3

    # once the earlier items are done, a repeat is flagged but not raised
    run_ok(capsys, app, "actions", "done", f"{ID}#A1")
    third = declare(capsys, app, "2026-12-02T08:00:00Z", "Checkout returns 502", "third")
    assert third["severity"] == 3
    assert {f["of"] for f in flags(app, str(third["id"]))} == {ID, str(again["id"])}


def test_trigger_and_log_signature_match_after_declaration(
    capsys: pytest.CaptureFixture[str], pm_app: App
) -> None:
    app = pm_app
    script(capsys, app)
    run_ok(capsys, app, "why", ID, "add", "v2.14 shipped a pool of size 1", "--factor", "trigger",
           "--category", "binary_push")  # fmt: skip
    foreign(app, "evidence.logs", "2026-11-22T10:05:00Z", signature="PoolTimeout: no connection")
    new = declare(capsys, app, "2026-12-05T08:00:00Z", "Payment latency above 2 s", "latency")
    key = str(new["id"])
    assert flags(app, key) == []  # nothing in common yet but the service

    app.clock = fixed_clock(at("2026-12-05T08:30:00Z"), timedelta(seconds=1))
    run_ok(capsys, app, "why", key, "add", "v2.20 rolled out with a new driver", "--factor",
           "trigger", "--category", "binary-push")  # fmt: skip
    (flag,) = flags(app, key)
    assert flag["matched_on"] == ["service checkout", "trigger binary_push"]
    assert app.store.state(key).severity.value == 3  # no open items on the earlier incident

    # a pair is flagged only once
    assert recurrence.check(app, key) == []
    assert len(flags(app, key)) == 1

    # the same log signature, found by evidence after declaration
    sig = declare(capsys, app, "2026-12-06T08:00:00Z", "Orders stuck in pending", "stuck")
    foreign(app, "evidence.logs", "2026-12-06T08:05:00Z", incident=str(sig["id"]),
            signatures=["PoolTimeout: no connection", "other"])  # fmt: skip
    (found,) = recurrence.check(app, str(sig["id"]))
    assert found.of == ID
    assert found.matched_on == ["service checkout", "log signature 'PoolTimeout: no connection'"]
