"""The postmortem in the incident file: draft, why-tree, blameless gate, final, close, HTML."""

from __future__ import annotations

from pathlib import Path

import pytest

from stanch.services.context import App
from stanch.timeline.parse import parse
from tests.postmortem.scripted import ID, run_ok, script
from tests.support.cli import cli


def test_final_needs_blameless_wording_trigger_and_items_then_close_works(
    capsys: pytest.CaptureFixture[str], pm_app: App, tmp_path: Path
) -> None:
    app = pm_app
    script(capsys, app)
    closing = cli(capsys, app, "status", "closed", "-i", ID)
    assert closing.code == 1 and "postmortem" in closing.err

    run_ok(capsys, app, "why", ID, "add", "v2.14 shipped a connection pool of size 1",
           "--factor", "trigger", "--category", "binary_push")  # fmt: skip
    run_ok(capsys, app, "why", ID, "add", "The load test did not exercise the pool",
           "--under", "W1", "--factor", "process", "--category", "development_process_failure")  # fmt: skip
    run_ok(capsys, app, "why", ID, "add", "Config review allowed pool_size=1", "--under", "W1",
           "--factor", "config")  # fmt: skip
    run_ok(capsys, app, "why", ID, "add", "Bob forgot to watch the canary", "--factor", "detection")
    run_ok(capsys, app, "postmortem", ID, "--set", "went_well=Rollback took one command",
           "--set", "lucky=Traffic was low on a Sunday", "--set", "users_affected=12000",
           "--set", "supporting=https://grafana.example/d/checkout", "--actor", "dana")  # fmt: skip

    refused = cli(capsys, app, "postmortem", ID, "--final")
    assert refused.code == 1
    assert "'Bob forgot' describes a person's lapse" in refused.err
    assert "at least one action item" in refused.err
    draft = cli(capsys, app, "postmortem", ID, "--json").json()
    assert draft["ready_for_final"] is False
    assert {f["phrase"] for f in draft["blameless"]} == {"Bob forgot", "Bob"}
    assert draft["trigger"] == "binary_push"
    assert draft["root_causes"] == ["development_process_failure"]

    run_ok(capsys, app, "why", ID, "remove", "W4")
    run_ok(capsys, app, "why", ID, "add", "No alert watched canary error ratio", "--factor",
           "detection")  # fmt: skip
    run_ok(capsys, app, "actions", "add", ID, "Alert on canary 5xx ratio above the SLO burn",
           "--owner", "bob", "--kind", "alert", "--due", "14d")  # fmt: skip
    page = tmp_path / "pm.html"
    final = cli(capsys, app, "postmortem", ID, "--final", "--html", str(page), "--json")
    assert final.code == 0, final.err
    assert final.json()["state"] == "final"
    run_ok(capsys, app, "status", "closed", "-i", ID)

    text = app.files.path(ID).read_text()
    assert "## Postmortem" in text and "**Status:** final" in text
    tree = text[text.index("### Causal analysis") : text.index("### Detection")]
    assert "- W1 (trigger [binary_push]): v2.14 shipped a connection pool of size 1" in tree
    assert "  - W2 (process [development_process_failure]): The load test" in tree
    assert "  - W3 (config): Config review allowed pool_size=1" in tree  # the tree branches
    assert "W4" not in tree and "- W5 (detection): No alert watched" in tree
    assert "- Rollback took one command" in text and "- Traffic was low on a Sunday" in text
    assert "| Users affected | 12000 |" in text
    assert "**Authors:** dana, tester" in text
    assert "### Supporting information\n\nhttps://grafana.example/d/checkout" in text
    assert "| A1 | Alert on canary 5xx ratio above the SLO burn | prevent | alert | bob |" in text
    assert not parse(text.encode(), "file").problems  # still a valid, round-tripping file
    html = page.read_text()
    assert html.startswith("<!doctype html>") and "<h3>Causal analysis</h3>" in html
    assert "<td>Users affected</td><td>12000</td>" in html


def test_waive_allows_close_and_is_on_record(
    capsys: pytest.CaptureFixture[str], pm_app: App
) -> None:
    script(capsys, pm_app)
    run_ok(capsys, pm_app, "postmortem", ID, "--waive", "duplicate of a drill")
    run_ok(capsys, pm_app, "status", "closed", "-i", ID)
    assert "postmortem waived: duplicate of a drill" in pm_app.files.path(ID).read_text()


def test_why_errors_are_one_line(capsys: pytest.CaptureFixture[str], pm_app: App) -> None:
    script(capsys, pm_app)
    for args in (
        ["--under", "W9"],
        ["--factor", "luck"],
        ["--factor", "trigger", "--category", "x"],
    ):
        ran = cli(capsys, pm_app, "why", ID, "add", "a reason", *args)
        assert ran.code == 1 and ran.err.startswith("stanch: error:"), args
    assert cli(capsys, pm_app, "why", ID, "remove", "W1").code == 1


def test_bad_postmortem_settings_name_the_key(
    capsys: pytest.CaptureFixture[str], pm_app: App, project: Path
) -> None:
    from stanch.postmortem.config import load

    with pytest.raises(Exception, match="due_hours"):
        load({"postmortem": {"due_hours": -1}})
    with pytest.raises(Exception, match=r"service and objective"):
        load({"postmortem": {"slo": [{"service": "x"}]}})
    with pytest.raises(Exception, match="between 0 and 1"):
        load({"postmortem": {"slo": [{"service": "x", "objective": 100}]}})
    assert (
        float(
            load({"postmortem": {"slo": {"service": "x", "objective": 99.9}}}).slos["x"].objective
        )
        == 0.999
    )
