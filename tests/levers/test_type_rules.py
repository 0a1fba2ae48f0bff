"""The incident's type reaches the lever guard: security preserves evidence first and
treats pod-replacing levers as destructive; data integrity stops writes before a repair."""

from __future__ import annotations

from pathlib import Path

import pytest

from stanch.services.context import App
from tests.levers.conftest import Kube
from tests.levers.test_mitigate import CHECKOUT, events, mitigate
from tests.support.cli import cli

SCALE = "scale:deployment:checkout@shop"


def declare_typed(capsys: pytest.CaptureFixture[str], app: App, kind: str) -> str:
    ran = cli(capsys, app, "declare", "Suspicious admin logins", "--type", kind,
              "--slug", kind.replace("_", "-"), "--json")  # fmt: skip
    assert ran.code == 0, ran.err
    return str(ran.json()["id"])


def test_security_preserves_evidence_first_then_needs_a_second_confirmation(
    capsys: pytest.CaptureFixture[str], lapp: App, kube: Kube, tmp_path: Path
) -> None:
    incident = declare_typed(capsys, lapp, "security")
    assert mitigate(capsys, lapp, incident, CHECKOUT).code == 0
    early = mitigate(capsys, lapp, incident, CHECKOUT, "--apply")
    assert early.code == 1 and "preserve evidence first" in early.err
    assert kube.mutations() == []
    log = tmp_path / "auth.log"
    log.write_text("admin login from 203.0.113.9\n")
    kept = cli(capsys, lapp, "preserve", "-i", incident, "--file", str(log))
    assert kept.code == 0, kept.err
    # a rollback replaces the pods that hold the evidence: destructive for this type
    refused = mitigate(capsys, lapp, incident, CHECKOUT, "--apply")
    assert refused.code == 1 and "destructive" in refused.err
    assert kube.mutations() == []
    done = mitigate(capsys, lapp, incident, CHECKOUT, "--apply", "--confirm-destructive",
                    "--typed", "deployment/checkout -n shop", "--json")  # fmt: skip
    assert done.code == 0, done.err
    (applied,) = events(lapp, incident, "lever.applied")
    assert applied.data["destructive"] is True
    assert applied.data["confirmed_by"] == ["tester (typed confirmation)"]


def test_a_scale_out_is_not_destructive_for_security(
    capsys: pytest.CaptureFixture[str], lapp: App, kube: Kube, tmp_path: Path
) -> None:
    incident = declare_typed(capsys, lapp, "security")
    (tmp_path / "state.txt").write_text("snapshot\n")
    assert cli(capsys, lapp, "preserve", "-i", incident, "--file",
               str(tmp_path / "state.txt")).code == 0  # fmt: skip
    assert mitigate(capsys, lapp, incident, SCALE).code == 0
    done = mitigate(capsys, lapp, incident, SCALE, "--apply")
    assert done.code == 0, done.err


def test_an_outage_rollback_needs_no_second_confirmation(
    capsys: pytest.CaptureFixture[str], lapp: App, kube: Kube
) -> None:
    incident = declare_typed(capsys, lapp, "outage")
    assert mitigate(capsys, lapp, incident, CHECKOUT).code == 0
    assert mitigate(capsys, lapp, incident, CHECKOUT, "--apply").code == 0
