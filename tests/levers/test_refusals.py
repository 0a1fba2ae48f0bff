"""What the guard refuses lands on the timeline (`lever.refused`); a dry run is not a refusal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stanch.services.context import App
from tests.levers.conftest import Kube
from tests.levers.test_mitigate import CHECKOUT, DRAIN, declare, events, mitigate
from tests.levers.test_type_rules import declare_typed

LONELY = "rollback:deployment:lonely@shop"
SEARCH = "scale:hpa:search@shop"


def refusals(app: App, incident: str) -> list[dict[str, Any]]:
    return [dict(e.data) for e in events(app, incident, "lever.refused")]


def refused(capsys: pytest.CaptureFixture[str], app: App, incident: str, *args: str) -> str:
    ran = mitigate(capsys, app, incident, *args)
    assert ran.code == 1, ran.out
    assert len(ran.err.strip().splitlines()) == 1 and "Traceback" not in ran.err
    return ran.err


def test_each_guard_rule_records_what_was_tried(
    capsys: pytest.CaptureFixture[str], lapp: App, kube: Kube
) -> None:
    incident = declare(capsys, lapp)
    # no plan yet
    assert "no recorded plan" in refused(capsys, lapp, incident, CHECKOUT, "--apply")
    # planned, but the way back is not verified (a single revision): the plan is no refusal
    assert mitigate(capsys, lapp, incident, LONELY).code == 0
    assert len(refusals(lapp, incident)) == 1
    assert "not verified viable" in refused(capsys, lapp, incident, LONELY, "--apply")
    # one change at a time
    assert mitigate(capsys, lapp, incident, CHECKOUT).code == 0
    assert mitigate(capsys, lapp, incident, CHECKOUT, "--apply").code == 0
    assert mitigate(capsys, lapp, incident, SEARCH).code == 0
    assert "one change at a time" in refused(capsys, lapp, incident, SEARCH, "--apply")
    assert mitigate(capsys, lapp, incident, "--confirmed", "errors back to baseline").code == 0
    # a destructive lever without its second confirmation
    assert mitigate(capsys, lapp, incident, DRAIN).code == 0
    assert "destructive" in refused(capsys, lapp, incident, DRAIN, "--apply")
    assert "destructive" in refused(capsys, lapp, incident, DRAIN, "--apply",
                                    "--confirm-destructive", "--typed", "node/wrong")  # fmt: skip

    found = refusals(lapp, incident)
    assert [(r["lever"], r["rule"]) for r in found] == [
        (CHECKOUT, "planned_and_viable"),
        (LONELY, "planned_and_viable"),
        (SEARCH, "one_at_a_time"),
        (DRAIN, "second_confirmation"),
        (DRAIN, "second_confirmation"),
    ]
    assert found[0]["target"] is None and found[0]["kind"] is None  # never planned
    assert found[1]["target"] == "deployment/lonely -n shop" and found[1]["kind"] == "rollback"
    assert "rollout history shows no previous revision" in found[1]["reason"]
    assert found[2]["rules"] == ["one_at_a_time"] and CHECKOUT in found[2]["reason"]
    assert found[3]["reasons"] == [found[3]["reason"]]
    assert all(e.actor == "tester" for e in events(lapp, incident, "lever.refused"))
    text = Path(lapp.files.path(incident)).read_text()
    assert f"the guard refused {DRAIN}: {DRAIN} is destructive or irreversible" in text
    assert [c for c in kube.mutations() if c[:2] == ["kubectl", "drain"]] == []


def test_a_type_rule_refusal_is_recorded(
    capsys: pytest.CaptureFixture[str], lapp: App, kube: Kube
) -> None:
    incident = declare_typed(capsys, lapp, "security")
    assert mitigate(capsys, lapp, incident, CHECKOUT).code == 0
    assert "preserve evidence first" in refused(capsys, lapp, incident, CHECKOUT, "--apply")
    (only,) = refusals(lapp, incident)
    assert only["rule"] == "incident_type" and only["lever"] == CHECKOUT
    assert "preserve evidence first" in only["reason"]


def test_dry_runs_and_applied_levers_record_no_refusal(
    capsys: pytest.CaptureFixture[str], lapp: App, kube: Kube
) -> None:
    incident = declare(capsys, lapp)
    assert mitigate(capsys, lapp, incident, LONELY).code == 0  # viability FAILED: a dry run
    assert mitigate(capsys, lapp, incident, CHECKOUT).code == 0
    assert mitigate(capsys, lapp, incident, CHECKOUT, "--apply").code == 0
    assert refusals(lapp, incident) == []
