"""Live StatefulSets and DaemonSets, and the note when live flags have no service to read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.levers.conftest import REPO_FILES, Kube, lever_app
from tests.levers.repos import init_repo
from tests.support.cli import cli

STATEFULSET = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: shop
spec:
  replicas: 3
  serviceName: db
  template:
    spec:
      containers:
        - name: db
          image: reg/db:v1
"""
LIVE = '[levers.live]\nkubectl = true\ncontext = "prod"\nnamespaces = ["shop"]\n'


def scan(capsys: pytest.CaptureFixture[str], project: Path, repo: Path,
         extra: str) -> dict[str, Any]:  # fmt: skip
    app = lever_app(project, repo, extra)
    try:
        ran = cli(capsys, app, "levers", "--json")
    finally:
        app.close()
    assert ran.code == 0, ran.err
    data: dict[str, Any] = ran.json()
    return data


def test_statefulsets_and_daemonsets_are_read_live(
    capsys: pytest.CaptureFixture[str], project: Path, tmp_path: Path, kube: Kube
) -> None:
    repo = tmp_path / "sets-repo"
    repo.mkdir()
    init_repo(repo, {**REPO_FILES, "deploy/db.yaml": STATEFULSET})
    kube.update(contexts=["prod"], sets={
        "shop/db": {"kind": "StatefulSet", "replicas": 5, "images": {"db": "reg/db:v2"}},
        "shop/agent": {"kind": "DaemonSet", "replicas": 4, "ready": 3,
                       "images": {"agent": "reg/agent:v3"}},
        "other/elsewhere": {"kind": "DaemonSet", "replicas": 1, "images": {"x": "x:1"}},
    })  # fmt: skip
    data = scan(capsys, project, repo, LIVE)
    assert ["kubectl", "--context=prod", "get", "statefulsets,daemonsets", "-n", "shop", "-o",
            "json"] in kube.calls()  # fmt: skip
    by_name = {s["name"]: s for s in data["surfaces"] if s["kind"] == "k8s_workload"}
    db = by_name["db"]
    assert db["path"] == "deploy/db.yaml" and db["workload_kind"] == "StatefulSet"
    assert db["live"] == {"replicas": 5, "ready": 5, "images": ["reg/db:v2"], "revision": None}
    assert (
        "statefulset/db -n shop (deploy/db.yaml): drift: live replicas 5, the repository "
        "says 3" in data["live"]["drift"]
    )
    levers = {item["id"]: item for item in data["levers"]}
    scale = levers["scale:statefulset:db@shop"]  # from the replicas running now
    assert scale["command"] == ["kubectl", "scale", "statefulset/db", "--replicas=10", "-n",
                                "shop"]  # fmt: skip
    assert scale["rollback"][-3:] == ["--replicas=5", "-n", "shop"]
    assert levers["rollback:statefulset:db@shop"]["command"] == [
        "kubectl", "rollout", "undo", "statefulset/db", "-n", "shop"]  # fmt: skip
    # a DaemonSet only the cluster has: listed, rolled back, never scaled
    agent = by_name["agent"]
    assert agent["source"] == "live" and agent["workload_kind"] == "DaemonSet"
    assert agent["path"] == "kube://prod/shop/daemonset/agent"
    assert agent["replicas"] == 4 and agent["images"] == ["reg/agent:v3"]
    assert levers["rollback:daemonset:agent@shop"]["command"] == [
        "kubectl", "rollout", "undo", "daemonset/agent", "-n", "shop"]  # fmt: skip
    assert "scale:daemonset:agent@shop" not in levers
    assert "elsewhere" not in by_name  # outside the configured namespaces


def test_live_flags_without_a_flag_service_is_a_note(
    capsys: pytest.CaptureFixture[str], project: Path, repo: Path, kube: Kube
) -> None:
    data = scan(capsys, project, repo, "[levers.live]\nflags = true\n")
    assert data["notes"] == [
        "live flags: no flag service is configured ([levers.unleash] or [levers.launchdarkly]);"
        " flag state was not read"
    ]
    assert data["live"]["sources"] == []
    assert kube.calls() == []
