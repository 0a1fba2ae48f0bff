"""`stanch levers` and `stanch mitigate` end to end, through the kubectl/helm stand-in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stanch.services.context import App
from tests.levers.conftest import HOSTILE, QUOTED_FLAG, Kube
from tests.support.cli import Ran, cli

CHECKOUT = "rollback:deployment:checkout@shop"
DRAIN = "failover:drain:node-1"


def declare(capsys: pytest.CaptureFixture[str], app: App, slug: str = "checkout") -> str:
    ran = cli(capsys, app, "declare", "Checkout fails", "--severity", "SEV2", "--slug", slug,
              "--json")  # fmt: skip
    assert ran.code == 0, ran.err
    return str(ran.json()["id"])


def events(app: App, incident: str, kind: str | None = None) -> list[Any]:
    return [e for e in app.store.events(incident) if kind is None or e.kind == kind]


def mitigate(capsys: pytest.CaptureFixture[str], app: App, *args: str) -> Ran:
    return cli(capsys, app, "mitigate", *args)


def test_levers_json_is_the_documented_schema(
    capsys: pytest.CaptureFixture[str], lapp: App
) -> None:
    ran = cli(capsys, lapp, "levers", "--json")
    assert ran.code == 0, ran.err
    data = ran.json()
    assert set(data) >= {"surfaces", "levers"}
    for surface in data["surfaces"]:
        assert {"kind", "path"} <= set(surface)
    ranks = []
    for lever in data["levers"]:
        assert {"kind", "target", "command", "rollback", "reversible", "destructive", "rank",
                "reason"} <= set(lever)  # fmt: skip
        assert lever["kind"] in ("rollback", "flag_off", "scale", "failover")
        for action in (lever["command"], lever["rollback"]):
            assert (isinstance(action, list) and all(isinstance(p, str) for p in action)) or (
                isinstance(action, dict) and "change" in action)  # fmt: skip
        ranks.append(lever["rank"])
    assert ranks == list(range(1, len(ranks) + 1))
    assert not data["levers"][0]["destructive"]
    assert data["levers"][-1]["id"] == DRAIN


def test_levers_text_says_none_found(capsys: pytest.CaptureFixture[str], lapp: App) -> None:
    ran = cli(capsys, lapp, "levers")
    assert ran.code == 0, ran.err
    assert "none found" in ran.out and "kubectl rollout undo" in ran.out


def test_plan_is_a_dry_run_with_exact_revisions(
    capsys: pytest.CaptureFixture[str], lapp: App, kube: Kube
) -> None:
    incident = declare(capsys, lapp)
    ran = mitigate(capsys, lapp, incident, CHECKOUT)
    assert ran.code == 0, ran.err
    assert "Dry run" in ran.out
    assert kube.mutations() == []
    (planned,) = events(lapp, incident, "lever.planned")
    assert planned.data["command"][-1] == "--to-revision=2"
    assert planned.data["rollback"][-1] == "--to-revision=3"
    assert planned.data["viable"] is True
    text = Path(lapp.files.path(incident)).read_text()
    assert "planned rollback:deployment:checkout@shop" in text


def test_apply_undo_confirm_and_one_at_a_time(
    capsys: pytest.CaptureFixture[str], lapp: App, kube: Kube
) -> None:
    incident = declare(capsys, lapp)
    refused = mitigate(capsys, lapp, incident, CHECKOUT, "--apply")
    assert refused.code == 1 and "no recorded plan" in refused.err
    assert mitigate(capsys, lapp, incident, CHECKOUT).code == 0
    applied = mitigate(capsys, lapp, incident, CHECKOUT, "--apply", "--json")
    assert applied.code == 0, applied.err
    assert kube.state()["deployments"]["shop/checkout"]["revisions"] == [1, 3, 4]
    assert lapp.store.state(incident).status.value == "mitigating"
    # a second change while the first is unconfirmed is refused
    assert mitigate(capsys, lapp, incident, "scale:hpa:search@shop").code == 0
    second = mitigate(capsys, lapp, incident, "scale:hpa:search@shop", "--apply")
    assert second.code == 1 and "one change at a time" in second.err
    # undo runs the recorded rollback, exactly
    undone = mitigate(capsys, lapp, incident, "--undo")
    assert undone.code == 0, undone.err
    assert kube.calls()[-1] == ["kubectl", "rollout", "undo", "deployment/checkout", "-n", "shop",
                                "--to-revision=3"]  # fmt: skip
    # now the HPA lever may go, and a responder confirms it with evidence
    assert mitigate(capsys, lapp, incident, "scale:hpa:search@shop", "--apply").code == 0
    assert kube.state()["hpas"]["shop/search"]["min"] == 4
    ok = mitigate(capsys, lapp, incident, "--confirmed", "p99 back under 300ms for 10 min")
    assert ok.code == 0, ok.err
    assert lapp.store.state(incident).status.value == "mitigated"
    (confirmed,) = events(lapp, incident, "mitigation.confirmed")
    assert confirmed.data["lever"] == "scale:hpa:search@shop" and confirmed.data["by"] == "tester"


def test_viability_failure_blocks_apply(
    capsys: pytest.CaptureFixture[str], lapp: App, kube: Kube
) -> None:
    incident = declare(capsys, lapp)
    planned = mitigate(capsys, lapp, incident, "rollback:deployment:lonely@shop")
    assert planned.code == 0 and "viability FAILED" in planned.out
    refused = mitigate(capsys, lapp, incident, "rollback:deployment:lonely@shop", "--apply")
    assert refused.code == 1 and "not verified viable" in refused.err
    assert kube.mutations() == []


def test_destructive_needs_a_second_confirmation(
    capsys: pytest.CaptureFixture[str], lapp: App, kube: Kube
) -> None:
    incident = declare(capsys, lapp)
    assert mitigate(capsys, lapp, incident, DRAIN).code == 0
    assert mitigate(capsys, lapp, incident, DRAIN, "--apply").code == 1
    wrong = mitigate(capsys, lapp, incident, DRAIN, "--apply", "--confirm-destructive",
                     "--typed", "node-2")  # fmt: skip
    assert wrong.code == 1 and "destructive" in wrong.err
    # approving your own lever does not count
    assert mitigate(capsys, lapp, incident, DRAIN, "--approve").code == 0
    assert mitigate(capsys, lapp, incident, DRAIN, "--apply").code == 1
    assert kube.mutations() == []
    assert mitigate(capsys, lapp, incident, DRAIN, "--approve", "--actor", "bob").code == 0
    done = mitigate(capsys, lapp, incident, DRAIN, "--apply", "--json")
    assert done.code == 0, done.err
    assert done.json()["confirmed_by"] == ["bob"]
    assert kube.state()["nodes"]["node-1"]["unschedulable"] is True


def test_typed_confirmation_is_recorded(
    capsys: pytest.CaptureFixture[str], lapp: App, kube: Kube
) -> None:
    incident = declare(capsys, lapp)
    assert mitigate(capsys, lapp, incident, DRAIN).code == 0
    done = mitigate(capsys, lapp, incident, DRAIN, "--apply", "--confirm-destructive",
                    "--typed", "node/node-1", "--json")  # fmt: skip
    assert done.code == 0, done.err
    assert done.json()["confirmed_by"] == ["tester (typed confirmation)"]


def test_helm_rollback_uses_exact_revisions(
    capsys: pytest.CaptureFixture[str], lapp: App, kube: Kube
) -> None:
    incident = declare(capsys, lapp)
    assert mitigate(capsys, lapp, incident, "rollback:helm:web@web").code == 0
    assert mitigate(capsys, lapp, incident, "rollback:helm:web@web", "--apply").code == 0
    assert kube.calls()[-1] == ["helm", "rollback", "web", "6", "-n", "web"]
    assert mitigate(capsys, lapp, incident, "--undo").code == 0
    assert kube.calls()[-1] == ["helm", "rollback", "web", "7", "-n", "web"]


def test_hostile_names_never_reach_a_shell(
    capsys: pytest.CaptureFixture[str], lapp: App, kube: Kube, repo: Path
) -> None:
    incident = declare(capsys, lapp)
    lever = f"rollback:deployment:{HOSTILE}@shop"
    assert mitigate(capsys, lapp, incident, lever).code == 0
    assert mitigate(capsys, lapp, incident, lever, "--apply").code == 0
    assert ["kubectl", "rollout", "undo", f"deployment/{HOSTILE}", "-n", "shop",
            "--to-revision=4"] in kube.calls()  # fmt: skip
    assert not (repo / "pwned").exists() and not Path("pwned").exists()
    assert mitigate(capsys, lapp, incident, "--undo").code == 0
    # a flag key with quotes: edited as data, restored byte for byte
    before = (repo / "flags.json").read_bytes()
    flag = f"flag_off:flagd:{QUOTED_FLAG}"
    assert mitigate(capsys, lapp, incident, flag).code == 0
    assert mitigate(capsys, lapp, incident, flag, "--apply").code == 0
    assert json.loads((repo / "flags.json").read_text())["flags"][QUOTED_FLAG][
        "defaultVariant"] == "no"  # fmt: skip
    assert mitigate(capsys, lapp, incident, "--undo").code == 0
    assert (repo / "flags.json").read_bytes() == before
