"""Build the simulated production: a shop repository with a deploy history and a fault.

Times are relative to `onset`, passed in, so the demo and the tests can place the
incident anywhere; git commit dates are set from them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from stanch.errors import EnvironmentProblem
from stanch.executor import Executor

FLAG = "new-payment-path"
SERVICE = "checkout"
FLAG_FILE = Path("flags/flags.flagd.json")

_MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
  namespace: shop
  labels: {app: checkout}
spec:
  replicas: 6
  selector:
    matchLabels: {app: checkout}
  template:
    metadata:
      labels: {app: checkout}
    spec:
      containers:
        - name: checkout
          image: registry.example.com/shop/checkout:v2.14.0
          env:
            - name: FLAGD_SOURCE
              value: /etc/flags/flags.flagd.json
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: checkout
  namespace: shop
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: checkout}
  minReplicas: 6
  maxReplicas: 30
"""

_MAKEFILE = """\
# Deploy and roll back the shop services.
deploy:
\tkubectl apply -f deploy/k8s/
rollback:
\tkubectl rollout undo deployment/checkout -n shop
restart:
\tkubectl rollout restart deployment/checkout -n shop
"""

_WORKFLOW = """\
name: deploy
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make deploy
"""

_RULES = """\
groups:
  - name: checkout
    rules:
      - record: checkout:http_errors:ratio_rate15s
        expr: sum(rate(http_requests_total{service="checkout",code=~"5.."}[15s])) / sum(rate(http_requests_total{service="checkout"}[15s]))
      - alert: CheckoutErrorRatioHigh
        expr: checkout:http_errors:ratio_rate15s > 0.01
        for: 2m
        labels: {severity: critical, service: checkout}
"""

_RUNBOOK = """\
# checkout runbook

- Error ratio above 1%: check the latest flag flips in `flags/flags.flagd.json` and the
  latest deploy; turn the flag off or `make rollback`.
- The payment gateway is owned by the payments team (see CODEOWNERS).
"""

_CATALOG = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
spec:
  type: service
  lifecycle: production
  owner: group:shop/payments-team
"""


def flag_document(on: bool) -> str:
    flags = {
        "$schema": "https://flagd.dev/schema/v0/flags.json",
        "flags": {
            FLAG: {
                "state": "ENABLED",
                "variants": {"on": True, "off": False},
                "defaultVariant": "on" if on else "off",
            },
            "dark-mode": {
                "state": "ENABLED",
                "variants": {"on": True, "off": False},
                "defaultVariant": "off",
            },
        },
    }
    return json.dumps(flags, indent=2) + "\n"


def flag_is_on(repo: Path) -> bool:
    """What the deployed service sees: the flag file in the repository's working tree."""
    try:
        document = json.loads((repo / FLAG_FILE).read_text())
        flag = document["flags"][FLAG]
        return bool(flag["state"] == "ENABLED" and flag["variants"][flag["defaultVariant"]])
    except (OSError, ValueError, KeyError, TypeError):
        return False


@dataclass(frozen=True)
class World:
    root: Path
    repo: Path
    onset: datetime
    culprit: str  # sha of the flag-flip commit
    flag_flipped_at: datetime


def _commit(run: Executor, repo: Path, message: str, at: datetime) -> str:
    stamp = at.strftime("%Y-%m-%dT%H:%M:%S+0000")
    env = {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    git = Executor(env={**run.env, **env}, timeout=30)
    for argv in (["git", "add", "-A"], ["git", "commit", "-q", "-m", message]):
        result = git.run(argv, cwd=repo)
        if not result.ok:
            raise EnvironmentProblem(f"git failed building the demo repository: {result.stderr}")
    sha = git.run(["git", "rev-parse", "HEAD"], cwd=repo, mutating=False)
    return sha.stdout.strip()


def _write(repo: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def build(root: Path, onset: datetime) -> World:
    """Create `root/shop` with its history; the flag flip lands 20 seconds before onset.

    A CI-only commit 3 minutes before onset and a docs commit before it are the red
    herrings: recent, but touching nothing the failing service runs.
    """
    repo = root / "shop"
    repo.mkdir(parents=True, exist_ok=True)
    run = Executor(
        env={
            "GIT_AUTHOR_NAME": "Deploy Bot", "GIT_AUTHOR_EMAIL": "deploy@example.com",
            "GIT_COMMITTER_NAME": "Deploy Bot", "GIT_COMMITTER_EMAIL": "deploy@example.com",
            "HOME": os.environ.get("HOME", str(root)),
        }
    )  # fmt: skip
    init = run.run(["git", "init", "-q", "-b", "main", str(repo)])
    if not init.ok:
        raise EnvironmentProblem(f"git is needed for the demo: {init.stderr or init.outcome}")
    _write(repo, {
        str(FLAG_FILE): flag_document(on=False),
        "deploy/k8s/checkout.yaml": _MANIFEST.replace("v2.14.0", "v2.13.2"),
        "deploy/prometheus/rules.yml": _RULES,
        "Makefile": _MAKEFILE,
        ".github/workflows/deploy.yml": _WORKFLOW,
        ".github/CODEOWNERS": "* @shop/platform\n/services/checkout/ @shop/payments-team\n"
                              "/flags/ @shop/payments-team\n",
        "catalog-info.yaml": _CATALOG,
        "docs/runbooks/checkout.md": _RUNBOOK,
        "services/checkout/app.py": "RETRIES = 1\n",
    })  # fmt: skip
    _commit(run, repo, "shop: initial services, manifests and flags", onset - timedelta(days=3))
    _write(
        repo, {"deploy/k8s/checkout.yaml": _MANIFEST, "services/checkout/app.py": "RETRIES = 2\n"}
    )
    _commit(run, repo, "checkout: v2.14.0 retry budget for payments", onset - timedelta(hours=2))
    _write(repo, {"docs/runbooks/checkout.md": _RUNBOOK.replace("Error ratio", "Error-ratio")})
    _commit(run, repo, "docs: runbook wording", onset - timedelta(minutes=25))
    workflow = _WORKFLOW.replace(
        "- run: make deploy", "- run: pip download -d .cache .\n      - run: make deploy"
    )
    _write(repo, {".github/workflows/deploy.yml": workflow})
    _commit(run, repo, "ci: cache pip downloads", onset - timedelta(minutes=3))
    flipped = onset - timedelta(seconds=20)
    _write(repo, {str(FLAG_FILE): flag_document(on=True)})
    culprit = _commit(run, repo, f"flags: enable {FLAG} for all users", flipped)
    return World(root, repo, onset, culprit, flipped)
