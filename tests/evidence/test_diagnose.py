"""`stanch diagnose`: the recorded evidence in one screen and in JSON."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from stanch.services import incidents
from stanch.services.context import App
from tests.conftest import T0
from tests.evidence.gitrepo import Repo, lines
from tests.evidence.otel_app import App as Shop
from tests.evidence.otel_app import Fault
from tests.support.cli import cli


def test_summary_after_gathering(
    app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    onset = T0 - timedelta(minutes=30)
    key = incidents.declare(app, "checkout 502", severity="SEV2", started=onset.isoformat(),
                            services=["checkout"]).incident.id  # fmt: skip
    empty = cli(capsys, app, "diagnose", key, "--json").json()
    assert empty["missing"] == ["onset", "changes", "traces", "metrics"]
    assert empty["suspects"] == [] and empty["failing_hop"] is None
    repo = Repo(tmp_path / "r")
    repo.commit(onset - timedelta(hours=2), "init", {"README.md": "x\n"})
    bad = repo.commit(
        onset - timedelta(minutes=10),
        "checkout: timeouts",
        {"services/checkout/a.py": lines(20, "a")},
    )
    assert cli(capsys, app, "evidence", "changes", key, "--repo", str(repo.root)).code == 0
    shop = Shop()
    for i in range(10):
        shop.request(Fault(bank_timeout=i % 3 == 0))
    file = shop.write(tmp_path / "t.json")
    assert cli(capsys, app, "evidence", "traces", str(file), key).code == 0
    assert (
        cli(capsys, app, "hypothesis", key, "bank timeouts", "--predict", "bank spans fail").code
        == 0
    )
    found = cli(capsys, app, "diagnose", key, "--json").json()
    assert found["suspects"][0]["id"] == bad and "revert" in found["suspects"][0]["undo"]
    assert found["failing_hop"]["downstream"] == "bank.example"
    assert found["hypotheses"]["open"][0]["id"] == "H1"
    assert found["missing"] == ["onset", "metrics"]
    ran = cli(capsys, app, "diagnose", key)
    assert ran.code == 0
    assert bad[:12] in ran.out and "payments POST → bank.example" in ran.out
    assert "Open hypothesis H1" in ran.out
