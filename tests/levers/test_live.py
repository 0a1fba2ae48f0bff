"""Live discovery: helm and kubectl through the recording stand-in, off unless configured."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stanch.services.context import App
from tests.levers.conftest import HOSTILE, Kube, lever_app
from tests.levers.test_mitigate import declare, events, mitigate
from tests.support.cli import Ran, cli

LIVE = (
    '[levers.live]\nhelm = true\nkubectl = true\ncontext = "prod"\nnamespaces = ["shop", "web"]\n'
)
WEB = "rollback:helm:web@web"
CHECKOUT = "rollback:deployment:checkout@shop"


@pytest.fixture
def live_app(project: Path, repo: Path, kube: Kube) -> Iterator[App]:
    kube.update(contexts=["prod"])
    instance = lever_app(project, repo, LIVE)
    yield instance
    instance.close()


def scan(capsys: pytest.CaptureFixture[str], app: App, *args: str) -> dict[str, Any]:
    ran = cli(capsys, app, "levers", "--json", *args)
    assert ran.code == 0, ran.err
    data: dict[str, Any] = ran.json()
    return data


def lever(data: dict[str, Any], lever_id: str) -> dict[str, Any]:
    return next(item for item in data["levers"] if item["id"] == lever_id)


def upgraded_web(kube: Kube, at: str = "2026-11-22T09:40:00Z") -> None:
    """The web release upgraded to revision 7 twenty minutes before T0 (the app's clock)."""
    releases = kube.state()["releases"]
    releases["web/web"][0]["updated"] = "2026-11-20T08:00:00Z"
    releases["web/web"][1]["updated"] = at
    releases["web/web"][1]["app_version"] = "2.4.1"
    releases["shop/cart"] = [{"revision": 1, "status": "deployed", "chart": "cart-0.3.0",
                              "description": "Install complete",
                              "updated": "2026-11-21T12:00:00.5Z"}]  # fmt: skip
    releases["other/elsewhere"] = releases["shop/cart"]
    kube.update(releases=releases)


def test_live_discovery_is_off_unless_configured(
    capsys: pytest.CaptureFixture[str], lapp: App, kube: Kube
) -> None:
    data = scan(capsys, lapp)
    assert data["live"] == {"enabled": False} and data["notes"] == []
    assert kube.calls() == []
    assert not any(s.get("source") == "live" for s in data["surfaces"])


def test_recent_helm_upgrade_ranks_its_exact_rollback_first(
    capsys: pytest.CaptureFixture[str], live_app: App, kube: Kube
) -> None:
    upgraded_web(kube)
    data = scan(capsys, live_app)
    first = data["levers"][0]
    assert first["id"] == WEB
    assert first["command"] == ["helm", "rollback", "web", "6", "-n", "web"]
    assert first["rollback"] == ["helm", "rollback", "web", "7", "-n", "web"]
    assert "upgraded to revision 7 at 2026-11-22 09:40Z" in first["reason"]
    assert first["reason"].count("returns to revision 6") == 1
    # the repo's helmfile release carries the live facts; the cluster-only release is added
    web = next(s for s in data["surfaces"] if s["kind"] == "helm_release" and s["name"] == "web")
    assert web["path"] == "helmfile.yaml" and web["live"]["revision"] == 7
    cart = next(s for s in data["surfaces"] if s["kind"] == "helm_release" and s["name"] == "cart")
    assert cart["source"] == "live" and cart["namespace"] == "shop"
    assert cart["revision"] == 1 and cart["chart"] == "cart-0.3.0" and cart["status"] == "deployed"
    assert cart["updated"] == "2026-11-21T12:00:00Z"
    # a release with a single revision offers no rollback, and says so
    assert not any(item["id"] == "rollback:helm:cart@shop" for item in data["levers"])
    assert any("cart -n shop has a single deployed revision" in n for n in data["notes"])
    # only the configured namespaces and context were read
    assert ["helm", "list", "-n", "shop", "-o", "json", "--kube-context=prod"] in kube.calls()
    assert not any(s["name"] == "elsewhere" for s in data["surfaces"])
    assert kube.mutations() == []


def test_planning_the_live_helm_lever_keeps_one_revision(
    capsys: pytest.CaptureFixture[str], live_app: App, kube: Kube
) -> None:
    upgraded_web(kube)
    incident = declare(capsys, live_app)
    planned = mitigate(capsys, live_app, incident, WEB)
    assert planned.code == 0, planned.err
    (event,) = events(live_app, incident, "lever.planned")
    assert event.data["command"] == ["helm", "rollback", "web", "6", "-n", "web"]
    assert event.data["rollback"] == ["helm", "rollback", "web", "7", "-n", "web"]
    assert kube.mutations() == []


def test_old_upgrade_is_not_recent(
    capsys: pytest.CaptureFixture[str], live_app: App, kube: Kube
) -> None:
    upgraded_web(kube, at="2026-11-21T09:40:00Z")  # a day before onset: outside the window
    data = scan(capsys, live_app)
    web = lever(data, WEB)
    assert "shortly before onset" not in web["reason"]
    assert "revision 7 deployed at 2026-11-21 09:40Z" in web["reason"]
    assert web["rank"] > 1


def rolled_out_checkout(kube: Kube) -> None:
    deps = kube.state()["deployments"]
    deps["shop/checkout"].update(images={"app": "reg/checkout:v42"}, replicas=5,
                                 rollouts={"2": "2026-11-19T10:00:00Z",
                                           "3": "2026-11-22T09:50:00Z"})  # fmt: skip
    deps["shop/lonely"]["images"] = {"app": "reg/lonely:v1"}  # as in the repository
    deps[f"shop/{HOSTILE}"]["images"] = {"app": "reg/x:v1"}
    deps["shop/cart"] = {"revisions": [1, 2], "replicas": 2, "images": {"web": "reg/cart:v9"}}
    deps["kube-system/coredns"] = {"revisions": [1, 2], "replicas": 2}
    kube.update(deployments=deps)


def test_recent_rollout_ranks_undo_first_and_drift_is_evidence(
    capsys: pytest.CaptureFixture[str], live_app: App, kube: Kube
) -> None:
    rolled_out_checkout(kube)
    data = scan(capsys, live_app)
    first = data["levers"][0]
    assert first["id"] == CHECKOUT
    assert first["command"] == ["kubectl", "rollout", "undo", "deployment/checkout", "-n", "shop"]
    assert (
        "rolled out revision 3 at 2026-11-22 09:50Z; undo returns to revision 2"
        in (first["reason"])
    )
    assert "drift: live replicas 5, the repository says 3" in first["reason"]
    assert (
        "drift: container app runs reg/checkout:v42, the repository says reg/checkout:v41"
        in (first["reason"])
    )
    assert first["reason"].count("undo returns to revision 2") == 1
    scale = lever(data, "scale:deployment:checkout@shop")  # from the replicas running now
    assert scale["command"][-3:] == ["--replicas=10", "-n", "shop"]
    assert scale["rollback"][-3:] == ["--replicas=5", "-n", "shop"]
    assert "live replicas 5 → 10" in scale["reason"] and "replicas 3 → 6" not in scale["reason"]
    assert len(data["live"]["drift"]) == 2 and "deploy/checkout.yaml" in data["live"]["drift"][0]
    checkout = next(s for s in data["surfaces"] if s["name"] == "checkout")
    assert checkout["live"] == {"replicas": 5, "ready": 5, "images": ["reg/checkout:v42"],
                                "revision": 3}  # fmt: skip
    # a deployment only the cluster has is listed, with its levers
    cart = next(s for s in data["surfaces"] if s["name"] == "cart" and s["kind"] == "k8s_workload")
    assert cart["source"] == "live" and cart["images"] == ["reg/cart:v9"]
    assert lever(data, "rollback:deployment:cart@shop")["source"] == cart["path"]
    # a single rollout revision: no undo offered, and a note says why
    assert not any(item["id"] == "rollback:deployment:lonely@shop" for item in data["levers"])
    assert any("lonely -n shop has a single rollout revision" in n for n in data["notes"])
    # hostile names stay one argument and the system namespaces are never read
    assert any(item["id"] == f"rollback:deployment:{HOSTILE}@shop" for item in data["levers"])
    assert not any(s["name"] == "coredns" for s in data["surfaces"])
    assert ["kubectl", "--context=prod", "get", "replicasets", "-n", "shop", "-o", "json"] in (
        kube.calls()
    )


def test_all_namespaces_skip_system_ones(
    capsys: pytest.CaptureFixture[str], project: Path, repo: Path, kube: Kube
) -> None:
    rolled_out_checkout(kube)
    app = lever_app(project, repo, "[levers.live]\nkubectl = true\n")
    try:
        data = scan(capsys, app)
    finally:
        app.close()
    assert data["live"]["sources"] == ["kubectl"]
    assert ["kubectl", "get", "deployments", "-A", "-o", "json"] in kube.calls()
    assert not any(s["name"] == "coredns" for s in data["surfaces"])
    assert not any(c[:1] == ["helm"] for c in kube.calls())


def failing(capsys: pytest.CaptureFixture[str], app: App, *args: str) -> tuple[Ran, Ran]:
    as_json = cli(capsys, app, "levers", "--json", *args)
    text = cli(capsys, app, "levers", *args)
    assert as_json.code == 0 and text.code == 0, as_json.err + text.err
    return as_json, text


def test_unreachable_cluster_is_a_note_and_the_repo_scan_goes_on(
    capsys: pytest.CaptureFixture[str], live_app: App, kube: Kube
) -> None:
    kube.update(unreachable=True)
    as_json, text = failing(capsys, live_app)
    data = as_json.json()
    assert len(data["notes"]) == 2
    assert data["notes"][0].startswith("live helm: helm list failed: Error: Kubernetes cluster "
                                       "unreachable")  # fmt: skip
    assert data["notes"][1].startswith("live kubectl: kubectl get deployments failed: "
                                       "The connection to the server")  # fmt: skip
    assert "flag_off:flagd:new-checkout" in [item["id"] for item in data["levers"]]
    assert lever(data, WEB)["command"] == ["helm", "rollback", "web", "-n", "web"]
    assert "note: live kubectl: kubectl get deployments failed" in text.out
    assert "Traceback" not in text.err + text.out


def test_missing_helm_and_bad_json_are_notes(
    capsys: pytest.CaptureFixture[str], live_app: App, kube: Kube, tmp_path: Path
) -> None:
    (tmp_path / "standin-bin" / "helm").unlink()
    kube.update(garbled=True)
    as_json, text = failing(capsys, live_app)
    assert as_json.json()["notes"] == [
        "live helm: helm is not installed (not on PATH)",
        "live kubectl: kubectl get deployments did not print valid JSON",
    ]
    assert "note: live helm: helm is not installed" in text.out


def test_unknown_context_is_a_note(
    capsys: pytest.CaptureFixture[str], live_app: App, kube: Kube
) -> None:
    kube.update(contexts=["staging"])
    data = scan(capsys, live_app)
    assert any('context "prod" does not exist' in note for note in data["notes"])


def test_live_flags_switch_it_on_and_off(
    capsys: pytest.CaptureFixture[str], project: Path, repo: Path, kube: Kube
) -> None:
    app = lever_app(project, repo, LIVE)
    try:
        off = scan(capsys, app, "--no-live")
        assert off["live"] == {"enabled": False} and kube.calls() == []
    finally:
        app.close()
    plain = lever_app(project, repo)
    try:
        forced = scan(capsys, plain, "--live")
    finally:
        plain.close()
    assert forced["live"]["enabled"] is True and forced["live"]["sources"] == ["helm", "kubectl"]
    assert ["helm", "list", "-A", "-o", "json"] in kube.calls()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('kubectl = "yes"', "[levers.live] kubectl must be true or false"),
        ('namespaces = "shop"', "[levers.live] namespaces must be a list"),
        ("timeout_s = 0", "[levers.live] timeout_s must be a positive number"),
        ("clusters = 1", "[levers.live]: unknown setting(s) clusters"),
    ],
)
def test_bad_live_settings_are_one_line(
    capsys: pytest.CaptureFixture[str], project: Path, repo: Path, kube: Kube, table: str,
    message: str,
) -> None:  # fmt: skip
    app = lever_app(project, repo, f"[levers.live]\n{table}\n")
    try:
        ran = cli(capsys, app, "levers", "--json")
    finally:
        app.close()
    assert ran.code != 0 and message in ran.err
    assert len(ran.err.strip().splitlines()) == 1 and "Traceback" not in ran.err
    assert kube.calls() == []


def test_a_large_cluster_is_read_whole(
    capsys: pytest.CaptureFixture[str], project: Path, repo: Path, kube: Kube
) -> None:
    deps = kube.state()["deployments"]
    for i in range(400):
        deps[f"bulk/svc-{i:03d}"] = {"revisions": [1, 2], "replicas": 1}
    kube.update(deployments=deps)
    app = lever_app(project, repo, "[levers.live]\nkubectl = true\n")
    try:
        data = scan(capsys, app)
    finally:
        app.close()
    assert data["notes"] == [
        "deployment/lonely -n shop has a single rollout revision (1): no rollout undo is offered"
    ]
    bulk = [s for s in data["surfaces"] if s.get("namespace") == "bulk"]
    assert len(bulk) == 400 and all(s["source"] == "live" for s in bulk)
