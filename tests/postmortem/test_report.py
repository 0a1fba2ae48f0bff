"""`stanch report`: MTTx means, taxonomy mix next to the baseline, completion rate, SVG plots."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import pytest

from stanch.model.clock import fixed_clock
from stanch.services.context import App
from tests.postmortem.scripted import ID, at, run_ok, script
from tests.support.cli import cli


def test_report_means_mix_and_plots(capsys: pytest.CaptureFixture[str], pm_app: App,
                                    tmp_path: Path) -> None:  # fmt: skip
    app = pm_app
    script(capsys, app)  # SEV2 checkout: detect 12m, ack 3m, mitigate 45m, resolve 2h
    run_ok(capsys, app, "why", ID, "add", "v2.14 shipped a pool of size 1", "--factor",
           "trigger", "--category", "binary_push")  # fmt: skip
    run_ok(capsys, app, "actions", "add", ID, "Add a CI check for pool_size below 4",
           "--owner", "bob", "--due", "2026-11-30")  # fmt: skip
    run_ok(capsys, app, "actions", "add", ID, "Alert on checkout burn rate above 14.4x",
           "--owner", "bob", "--due", "2026-11-23")  # fmt: skip
    run_ok(capsys, app, "actions", "done", f"{ID}#A1")
    app.clock = fixed_clock(at("2026-11-25T12:00:00Z"), timedelta(seconds=1))
    run_ok(capsys, app, "declare", "Checkout slow", "-s", "SEV2", "--service", "checkout",
           "--started", "2026-11-25T09:00:00Z", "--detected", "2026-11-25T09:04:00Z",
           "--at", "2026-11-25T09:10:00Z", "--slug", "slow")  # fmt: skip
    run_ok(
        capsys, app, "status", "mitigated", "-i", "2026-11-25-slow", "--at", "2026-11-25T09:15:00Z"
    )
    run_ok(capsys, app, "why", "2026-11-25-slow", "add", "flag flip raised timeouts",
           "--factor", "trigger", "--category", "configuration_push")  # fmt: skip

    ran = cli(capsys, app, "report", "--json", "--plots", str(tmp_path / "plots"))
    assert ran.code == 0, ran.err
    data = ran.json()
    sev2 = data["by_severity"]["SEV2"]
    assert sev2["incidents"] == 2
    assert sev2["MTTD"] == {"mean_s": (12 * 60 + 4 * 60) // 2, "n": 2}
    assert sev2["MTTA"] == {"mean_s": 180, "n": 1}
    assert sev2["MTTM"] == {"mean_s": (45 * 60 + 15 * 60) // 2, "n": 2}
    assert sev2["MTTR"] == {"mean_s": 7200, "n": 1}
    triggers = {r["category"]: (r["count"], r["share"], r["baseline"]) for r in data["triggers"]}
    assert triggers["binary_push"] == (1, 0.5, 0.37)
    assert triggers["configuration_push"] == (1, 0.5, 0.31)
    assert triggers["hardware"] == (0, 0.0, 0.02)
    assert data["action_items"] == {"total": 2, "done": 1, "completion_rate": 0.5, "overdue": 1}
    for plot in data["plots"]:
        root = ET.parse(plot).getroot()  # well-formed SVG
        assert root.tag.endswith("svg")
    assert "binary_push" in (tmp_path / "plots" / "triggers.svg").read_text()

    since = cli(capsys, app, "report", "--since", "2026-11-24T00:00:00Z", "--json").json()
    assert since["overall"]["incidents"] == 1
    text = cli(capsys, app, "report")
    assert text.code == 0 and "Action items: 1/2 done (50%), 1 overdue" in text.out
