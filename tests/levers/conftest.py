"""Fixtures for lever tests: a repository, a kubectl/helm/flux stand-in on PATH, an app."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from stanch.services.context import App
from tests.conftest import T0, make_app
from tests.fakes.levers_kube import STATE_ENV, calls, install
from tests.levers.repos import DEPLOYMENT, init_repo

HOSTILE = "x; touch pwned"
QUOTED_FLAG = 'new "quoted" flag\''

REPO_FILES: dict[str, str] = {
    "deploy/checkout.yaml": DEPLOYMENT.format(
        name="checkout", ns="  namespace: shop\n", replicas=3, image="reg/checkout:v41"
    ),
    "deploy/lonely.yaml": DEPLOYMENT.format(
        name="lonely", ns="  namespace: shop\n", replicas=1, image="reg/lonely:v1"
    ),
    "deploy/hostile.yaml": DEPLOYMENT.format(
        name=json.dumps(HOSTILE), ns="  namespace: shop\n", replicas=1, image="reg/x:v1"
    ),
    "deploy/hpa.yaml": "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n"
    "  name: search\n  namespace: shop\nspec:\n  scaleTargetRef: {kind: Deployment, name: search}\n"
    "  minReplicas: 2\n  maxReplicas: 10\n",
    "helmfile.yaml": "releases:\n  - name: web\n    namespace: web\n    chart: ./charts/web\n",
    "flags.json": json.dumps(
        {
            "flags": {
                "new-checkout": {
                    "state": "ENABLED",
                    "variants": {"on": True, "off": False},
                    "defaultVariant": "on",
                    "targeting": {"if": [{"in": [{"var": "tier"}, ["gold"]]}, "on"]},
                },
                QUOTED_FLAG: {
                    "state": "ENABLED",
                    "variants": {"yes": True, "no": False},
                    "defaultVariant": "yes",
                },
            }
        },
        indent=1,
    )
    + "\n",
}

KUBE_STATE: dict[str, Any] = {
    "deployments": {
        "shop/checkout": {"revisions": [1, 2, 3], "replicas": 3},
        "shop/lonely": {"revisions": [1], "replicas": 1},
        f"shop/{HOSTILE}": {"revisions": [4, 5], "replicas": 1},
    },
    "hpas": {"shop/search": {"min": 2, "max": 10}},
    "nodes": {"node-1": {"unschedulable": False}},
    "releases": {
        "web/web": [
            {"revision": 6, "status": "superseded", "chart": "web-1.0.0", "description": "Install"},
            {"revision": 7, "status": "deployed", "chart": "web-1.1.0", "description": "Upgrade"},
        ]
    },
}


@dataclass
class Kube:
    state_file: Path

    def state(self) -> dict[str, Any]:
        return dict(json.loads(self.state_file.read_text()))

    def update(self, **changes: Any) -> None:
        """Change the cluster the stand-in shows (top-level keys replaced)."""
        self.state_file.write_text(json.dumps({**self.state(), **changes}))

    def calls(self) -> list[list[str]]:
        return calls(self.state_file)

    def mutations(self) -> list[list[str]]:
        reads = (["rollout", "history"], ["get"], ["history"], ["list"])
        # kubectl may take --context=… before its verb
        return [c for c in self.calls()
                if not any(_verb(c)[: len(r)] == r for r in reads)]  # fmt: skip


def _verb(call: list[str]) -> list[str]:
    return [part for part in call[1:] if not part.startswith("--context=")]


def install_kube(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Kube:
    """The kubectl/helm stand-in on PATH (for child processes too), with fresh state."""
    bin_dir = tmp_path / "standin-bin"
    state_file = tmp_path / "kube-state.json"
    install(bin_dir, state_file, json.loads(json.dumps(KUBE_STATE)))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv(STATE_ENV, str(state_file))
    return Kube(state_file)


def make_repo(tmp_path: Path) -> Path:
    """The lever tests' repository: manifests, a helmfile, a flagd file, in real git."""
    root = tmp_path / "repo"
    root.mkdir()
    init_repo(root, REPO_FILES)
    return root


@pytest.fixture
def kube(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Kube:
    return install_kube(tmp_path, monkeypatch)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path)


def lever_app(
    project: Path, repo: Path, extra: str = "", url: str | None = None, start: datetime = T0
) -> App:
    (project / "stanch.toml").write_text(
        f'[stanch]\n\n[levers]\nrepo = "{repo}"\nnodes = ["node-1"]\n{extra}'
    )
    return make_app(project, url, start)


@pytest.fixture
def lapp(project: Path, repo: Path, kube: Kube) -> Iterator[App]:
    instance = lever_app(project, repo)
    yield instance
    instance.close()
