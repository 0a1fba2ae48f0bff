"""Deploys from Helm release history and Kubernetes ReplicaSets, each with its rollback."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any

from stanch.errors import InvalidInput
from stanch.executor import Executor
from stanch.model.clock import from_iso
from stanch.model.evidence import Change

_FRACTION = re.compile(r"(\.\d{6})\d+")


def _when(text: str) -> datetime:
    # Go writes nanoseconds; Python reads at most microseconds.
    return from_iso(_FRACTION.sub(r"\1", text.replace("Z", "+00:00")))


@dataclass(frozen=True)
class HelmSource:
    """One release: `namespace/name` or `name` (the current namespace)."""

    release: str
    executor: Executor

    def changes(self) -> list[Change]:
        namespace, _, name = self.release.rpartition("/")
        argv = ["helm", "history", name, "--max", "50", "-o", "json"]
        argv += ["-n", namespace] if namespace else []
        result = self.executor.run(argv, mutating=False, timeout=60)
        if not result.ok:
            detail = (result.stderr.strip().splitlines() or [result.outcome.value])[-1]
            raise InvalidInput(f"helm history {self.release}: {detail}")
        try:
            rows = sorted(json.loads(result.stdout), key=lambda r: int(r["revision"]))
            return [
                self._change(prev, row, namespace, name)
                for prev, row in zip([None, *rows], rows, strict=False)
                if prev
            ]
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(f"helm history {self.release}: unexpected output ({exc})") from None

    def _change(
        self, prev: dict[str, object] | None, row: dict[str, object], namespace: str, name: str
    ) -> Change:
        assert prev is not None
        undo = ["helm", "rollback", name, str(prev["revision"])]
        undo += ["-n", namespace] if namespace else []
        chart = str(row.get("chart", ""))
        service = chart.rsplit("-", 1)[0] if "-" in chart else chart
        summary = f"helm {name} r{row['revision']}: {chart} {row.get('app_version', '')} — {row.get('description', '')}"
        return Change(
            kind="deploy", id=f"helm:{self.release}:{row['revision']}", at=_when(str(row["updated"])),
            summary=summary.strip(), source=f"helm:{self.release}",
            services=tuple(dict.fromkeys(s for s in (name, service) if s)), undo=" ".join(undo),
        )  # fmt: skip


def _image_service(image: str) -> str:
    """'registry.example/shop/checkout:v2.14@sha256:…' → 'checkout'."""
    return image.split("@", maxsplit=1)[0].rsplit("/", 1)[-1].split(":", maxsplit=1)[0]


@dataclass(frozen=True)
class RolloutSource:
    """One Deployment (`namespace/name` or `name`): each ReplicaSet revision is a rollout.

    `kubectl rollout history` has no times, so the ReplicaSets are read instead: their
    revision annotation, creation time and images (which also name the services).
    """

    deployment: str
    executor: Executor

    def changes(self) -> list[Change]:
        namespace, _, name = self.deployment.rpartition("/")
        argv = ["kubectl", "get", "replicasets", "-o", "json"]
        argv += ["-n", namespace] if namespace else []
        result = self.executor.run(argv, mutating=False, timeout=60)
        if not result.ok:
            detail = (result.stderr.strip().splitlines() or [result.outcome.value])[-1]
            raise InvalidInput(f"kubectl get replicasets ({self.deployment}): {detail}")
        try:
            items = json.loads(result.stdout)["items"]
            owned = [rs for rs in items if any(
                o.get("kind") == "Deployment" and o.get("name") == name
                for o in rs["metadata"].get("ownerReferences") or ()
            )]  # fmt: skip
            owned.sort(
                key=lambda rs: int(
                    rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(f"kubectl get replicasets: unexpected output ({exc})") from None
        return [self._change(prev, rs, namespace, name) for prev, rs in pairwise(owned)]

    def _change(
        self, prev: dict[str, Any], rs: dict[str, Any], namespace: str, name: str
    ) -> Change:
        def revision(item: dict[str, Any]) -> str:
            return str(item["metadata"]["annotations"]["deployment.kubernetes.io/revision"])

        images = [c.get("image", "") for c in rs["spec"]["template"]["spec"].get("containers", [])]
        undo = [
            "kubectl",
            "rollout",
            "undo",
            f"deployment/{name}",
            f"--to-revision={revision(prev)}",
        ]
        undo += ["-n", namespace] if namespace else []
        cause = rs["metadata"]["annotations"].get("kubernetes.io/change-cause", "")
        return Change(
            kind="deploy", id=f"k8s:{self.deployment}:{revision(rs)}",
            at=_when(str(rs["metadata"]["creationTimestamp"])),
            summary=f"rollout {name} revision {revision(rs)}: {', '.join(images)} {cause}".strip(),
            source=f"k8s:{self.deployment}",
            services=tuple(dict.fromkeys([name, *(_image_service(i) for i in images if i)])),
            undo=" ".join(undo),
        )  # fmt: skip
