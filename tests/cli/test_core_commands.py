"""The foundation's promise: declare, log, status, severity → file with UTC lines; show --json agrees."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stanch.services.context import App
from tests.conftest import make_app
from tests.support.cli import cli

LINE = re.compile(r"^- (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z) — (\S+) — (.*?) <!-- ev ")

DECLARE = (
    "declare", "Checkout returns 502 for EU users", "--severity", "SEV1",
    "--impact", "~30% of checkout requests fail", "--regions", "eu-west-1",
    "--started", "12 min ago", "--service", "checkout", "--commander", "alice",
)  # fmt: skip


def timeline(path: Path) -> list[tuple[str, str, str]]:
    lines = path.read_text().splitlines()
    return [m.groups() for line in lines if (m := LINE.match(line))]  # type: ignore[misc]


def test_declare_then_act_produces_the_file_and_show_agrees(
    capsys: pytest.CaptureFixture[str], app: App
) -> None:
    declared = cli(capsys, app, *DECLARE, "--json")
    assert declared.code == 0, declared.err
    info = declared.json()
    assert info["id"] == "2026-11-22-checkout-502-eu"
    assert info["channel"] == "inc-2026-11-22-checkout-502-eu"
    assert "stabilize" in info["next"].lower()
    path = Path(info["file"])
    assert path == app.settings.incidents_dir / "2026-11-22-checkout-502-eu.md"

    assert (
        cli(capsys, app, "log", "rolled back checkout-api to v2.13.2", "--actor", "bob").code == 0
    )
    assert cli(capsys, app, "status", "mitigating", "--reason", "rollback running").code == 0
    assert cli(capsys, app, "severity", "P1", "--reason", "errors down to 4%").code == 0
    # 10:00:30+01:00 is 09:00:30Z: before the declaration, so refused (and nothing recorded)
    assert cli(capsys, app, "status", "mitigated", "--at", "2026-11-22T10:00:30+01:00").code == 1
    assert cli(capsys, app, "status", "mitigated", "--at", "2026-11-22T10:00:05Z").code == 0

    lines = timeline(path)
    assert [when for when, _, _ in lines] == [
        "2026-11-22T10:00:00Z", "2026-11-22T10:00:01Z", "2026-11-22T10:00:02Z",
        "2026-11-22T10:00:03Z", "2026-11-22T10:00:05Z",
    ]  # fmt: skip
    assert lines[0][1] == "tester" and lines[1][1] == "bob"
    assert lines[0][2].startswith("declared SEV1: Checkout returns 502 for EU users")
    assert lines[2][2] == "status investigating → mitigating: rollback running"
    assert lines[3][2] == "severity SEV1 → SEV2: errors down to 4%"

    shown = cli(capsys, app, "show", "--json").json()
    assert shown["status"] == "mitigated"
    assert shown["severity"] == 2 and shown["severity_label"] == "SEV2"
    assert shown["onset_at"] == "2026-11-22T09:48:00Z"
    assert shown["impact"]["percent"] == 30.0 and shown["impact"]["regions"] == ["eu-west-1"]
    assert shown["roles"]["commander"] == ["alice"]
    assert shown["file_ok"] is True
    assert [e["text"] for e in shown["timeline"]][2:] == [line[2] for line in lines][2:]
    header = path.read_text()
    assert "| Status | mitigated |" in header
    assert "| Severity | SEV2 (major degradation or major feature broken) |" in header
    assert "onset→mitigated 17m 5s" not in header  # human durations are whole units
    assert "onset→detected 12m" in header


def test_backdated_entry_shows_when_it_was_recorded(
    capsys: pytest.CaptureFixture[str], app: App
) -> None:
    cli(capsys, app, *DECLARE)
    assert cli(capsys, app, "log", "first 502 seen in grafana", "--at", "5 min ago").code == 0
    when, _, what = timeline(app.settings.incidents_dir / "2026-11-22-checkout-502-eu.md")[-1]
    assert when == "2026-11-22T09:55:01Z"
    assert what == "first 502 seen in grafana (recorded 2026-11-22T10:00:01Z)"


def test_id_collision_gets_a_numeric_suffix(capsys: pytest.CaptureFixture[str], app: App) -> None:
    first = cli(capsys, app, *DECLARE, "--json").json()["id"]
    second = cli(capsys, app, *DECLARE, "--json").json()["id"]
    third = cli(capsys, app, *DECLARE, "--json").json()["id"]
    assert (first, second, third) == (
        "2026-11-22-checkout-502-eu", "2026-11-22-checkout-502-eu-2", "2026-11-22-checkout-502-eu-3",
    )  # fmt: skip
    ran = cli(capsys, app, "log", "which one?")
    assert ran.code == 1 and "3 incidents are open" in ran.err


def test_list_filters_and_json(capsys: pytest.CaptureFixture[str], app: App) -> None:
    cli(capsys, app, *DECLARE)
    cli(capsys, app, "declare", "Search slow", "-s", "p2", "--service", "search")
    listed = cli(capsys, app, "list", "--json").json()
    assert [i["id"] for i in listed] == ["2026-11-22-search-slow", "2026-11-22-checkout-502-eu"]
    only = cli(capsys, app, "list", "--service", "search", "--json").json()
    assert [i["severity"] for i in only] == [3]
    cli(capsys, app, "status", "mitigated", "-i", "2026-11-22-search-slow")
    cli(capsys, app, "status", "monitoring", "-i", "2026-11-22-search-slow")
    cli(capsys, app, "status", "resolved", "-i", "2026-11-22-search-slow")
    assert [i["id"] for i in cli(capsys, app, "list", "--json").json()] == [
        "2026-11-22-checkout-502-eu"
    ]
    closed = cli(capsys, app, "list", "--closed", "--json").json()
    assert [i["status"] for i in closed] == ["resolved"]
    text = cli(capsys, app, "list", "--all")
    assert "search-slow" in text.out and "checkout-502-eu" in text.out


def test_roles_and_text_show(capsys: pytest.CaptureFixture[str], app: App) -> None:
    cli(capsys, app, *DECLARE)
    assert cli(capsys, app, "assign", "scribe", "bob").code == 0
    assert cli(capsys, app, "assign", "responder", "dan,erin").code == 0
    assert cli(capsys, app, "assign", "responder", "frank", "--add").code == 0
    shown = cli(capsys, app, "show", "--json").json()
    assert shown["roles"]["responder"] == ["dan", "erin", "frank"]
    assert shown["roles"]["scribe"] == ["bob"]
    text = cli(capsys, app, "show").out
    assert "Checkout returns 502 for EU users" in text and "SEV1" in text and "bob" in text


def test_closing_needs_the_postmortem(capsys: pytest.CaptureFixture[str], app: App) -> None:
    cli(capsys, app, *DECLARE)
    for target in ("mitigated", "monitoring", "resolved"):
        assert cli(capsys, app, "status", target).code == 0
    ran = cli(capsys, app, "status", "closed", "-i", "2026-11-22-checkout-502-eu")
    assert ran.code == 1 and "postmortem" in ran.err
    reopened = cli(capsys, app, "status", "investigating", "-i", "2026-11-22-checkout-502-eu")
    assert reopened.code == 0


def test_amend_corrects_as_a_new_event(capsys: pytest.CaptureFixture[str], app: App) -> None:
    cli(capsys, app, *DECLARE)
    ran = cli(capsys, app, "amend", "--started", "30 min ago", "--percent", "45",
              "--service", "checkout,payments", "--reason", "grafana shows earlier onset")  # fmt: skip
    assert ran.code == 0, ran.err
    shown = cli(capsys, app, "show", "--json").json()
    assert shown["onset_at"] == "2026-11-22T09:30:01Z"
    assert shown["impact"]["percent"] == 45.0
    assert shown["impact"]["regions"] == ["eu-west-1"]
    assert shown["services"] == ["checkout", "payments"]
    assert shown["timeline"][0]["data"]["onset_at"] == "2026-11-22T09:48:00Z"  # history kept
    assert "corrected impact, onset_at, services: grafana shows" in shown["timeline"][1]["text"]
    refused = cli(capsys, app, "amend", "--started", "now")
    assert refused.code == 1 and "is after detection" in refused.err


def test_display_scheme_is_a_setting(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    (project / "stanch.toml").write_text('[stanch]\nseverity_scheme = "p"\n')
    app = make_app(project)
    cli(capsys, app, *DECLARE)
    cli(capsys, app, "severity", "SEV2")
    shown = cli(capsys, app, "show", "--json").json()
    assert shown["severity_label"] == "P1"
    assert [e["text"].split(":")[0] for e in shown["timeline"]] == [
        "declared P0",
        "severity P0 → P1",
    ]
    assert "| Severity | P1 (" in Path(shown["file"]).read_text()
    app.close()
