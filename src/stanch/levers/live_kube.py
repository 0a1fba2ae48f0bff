"""Read-only views of the live cluster: Helm releases and their history, Deployments and
their ReplicaSets. Every command goes through the one executor; nothing here mutates.

Parsing is kept apart from running so the formats (helm `-o json`, kubectl JSON lists)
are plain functions of their text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from stanch.executor import Executor, Outcome
from stanch.levers.settings import LiveSettings
from stanch.model.clock import utc

SYSTEM_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease"})
REVISION = "deployment.kubernetes.io/revision"
HISTORY_MAX = 20


class LiveError(Exception):
    """A live source could not be read; the message is one line for the output's notes."""


@dataclass(frozen=True)
class Release:
    name: str
    namespace: str
    chart: str
    app_version: str
    revision: int
    status: str
    updated: datetime | None


@dataclass(frozen=True)
class Revisions:
    """Where a release or deployment is now, where a rollback would return, and since when."""

    current: int
    previous: int | None
    since: datetime | None  # when the current revision was rolled out


@dataclass(frozen=True)
class Workload:
    name: str
    namespace: str
    replicas: int | None
    ready: int | None
    containers: dict[str, str]
    revision: int | None
    kind: str = "Deployment"  # or StatefulSet, DaemonSet


def read_json(runner: Executor, argv: Sequence[str], shown: str) -> Any:
    """Run one read-only command and parse its JSON, or raise LiveError with one line."""
    result = runner.run(list(argv), mutating=False)
    if result.outcome is Outcome.NOT_FOUND:
        raise LiveError(f"{argv[0]} is not installed (not on PATH)")
    if result.outcome is Outcome.TIMEOUT:
        raise LiveError(f"{shown} timed out after {runner.timeout:g}s")
    if not result.ok:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise LiveError(f"{shown} failed: {lines[-1] if lines else f'exit {result.exit_code}'}")
    if "more characters)" in result.stdout[-80:]:
        raise LiveError(f"{shown}: output too large; list [levers.live] namespaces to narrow it")
    try:
        return json.loads(result.stdout)
    except ValueError:
        raise LiveError(f"{shown} did not print valid JSON") from None


def _when(text: Any) -> datetime | None:
    """RFC 3339 (kubectl, helm history) or Go's default time format (helm list)."""
    if not isinstance(text, str) or not text:
        return None
    try:
        parts = text.split(" ")
        if len(parts) >= 3 and parts[2][:1] in "+-":  # 2026-11-22 09:40:00.5 +0000 UTC
            offset = parts[2]
            return utc(datetime.fromisoformat(f"{parts[0]}T{parts[1]}{offset[:3]}:{offset[3:5]}"))
        return utc(datetime.fromisoformat(text))
    except ValueError:
        return None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def parse_releases(data: Any) -> list[Release]:
    """`helm list -o json`: name, namespace, revision (a string), updated, status, chart …"""
    if not isinstance(data, list):
        raise LiveError("helm list did not print a JSON list")
    out = []
    for item in data:
        if not isinstance(item, dict) or not item.get("name"):
            continue
        out.append(Release(str(item["name"]), str(item.get("namespace") or "default"),
                           str(item.get("chart") or ""), str(item.get("app_version") or ""),
                           _int(item.get("revision")) or 0, str(item.get("status") or ""),
                           _when(item.get("updated"))))  # fmt: skip
    return out


def parse_history(data: Any) -> Revisions | None:
    """`helm history -o json`: the deployed revision, the one deployed before it, and when."""
    if not isinstance(data, list):
        raise LiveError("helm history did not print a JSON list")
    entries = [h for h in data if isinstance(h, dict) and _int(h.get("revision")) is not None]
    deployed = [h for h in entries if h.get("status") == "deployed"]
    if not deployed:
        return None
    now = deployed[-1]
    current = int(now["revision"])
    earlier = [int(h["revision"]) for h in entries
               if int(h["revision"]) < current and h.get("status") in ("superseded", "deployed")]  # fmt: skip
    return Revisions(current, max(earlier) if earlier else None, _when(now.get("updated")))


def parse_deployments(data: Any) -> list[Workload]:
    """`kubectl get deployments -o json` (a List): replicas, images, current revision."""
    out = []
    for item in _items(data, "deployments"):
        meta, spec = _map(item.get("metadata")), _map(item.get("spec"))
        pod = _map(_map(_map(spec.get("template")).get("spec")))
        containers = {str(_map(c).get("name")): str(_map(c).get("image"))
                      for c in pod.get("containers") or [] if _map(c).get("image")}  # fmt: skip
        out.append(Workload(
            str(meta.get("name")), str(meta.get("namespace") or "default"),
            _int(spec.get("replicas")), _int(_map(item.get("status")).get("readyReplicas")),
            containers, _int(_map(meta.get("annotations")).get(REVISION)),
        ))  # fmt: skip
    return out


def parse_sets(data: Any) -> list[Workload]:
    """`kubectl get statefulsets,daemonsets -o json`: replicas (desired pods), ready, images."""
    out = []
    for item in _items(data, "statefulsets,daemonsets"):
        kind = str(item.get("kind") or "")
        if kind not in ("StatefulSet", "DaemonSet"):
            continue
        meta, spec, status = _map(item.get("metadata")), _map(item.get("spec")), _map(
            item.get("status"))  # fmt: skip
        pod = _map(_map(_map(spec.get("template")).get("spec")))
        containers = {str(_map(c).get("name")): str(_map(c).get("image"))
                      for c in pod.get("containers") or [] if _map(c).get("image")}  # fmt: skip
        if kind == "StatefulSet":
            replicas, ready = _int(spec.get("replicas")), _int(status.get("readyReplicas"))
        else:
            replicas = _int(status.get("desiredNumberScheduled"))
            ready = _int(status.get("numberReady"))
        out.append(Workload(str(meta.get("name")), str(meta.get("namespace") or "default"),
                            replicas, ready, containers, None, kind))  # fmt: skip
    return out


def parse_replicasets(data: Any) -> dict[tuple[str, str], list[tuple[int, datetime | None]]]:
    """`kubectl get replicasets -o json`: (namespace, deployment) → [(revision, created)]."""
    out: dict[tuple[str, str], list[tuple[int, datetime | None]]] = {}
    for item in _items(data, "replicasets"):
        meta = _map(item.get("metadata"))
        owner = next((_map(o) for o in meta.get("ownerReferences") or []
                      if _map(o).get("kind") == "Deployment"), None)  # fmt: skip
        revision = _int(_map(meta.get("annotations")).get(REVISION))
        if owner is None or revision is None:
            continue
        key = (str(meta.get("namespace") or "default"), str(owner.get("name")))
        out.setdefault(key, []).append((revision, _when(meta.get("creationTimestamp"))))
    return {k: sorted(v, key=lambda pair: pair[0]) for k, v in out.items()}


def rollout(history: list[tuple[int, datetime | None]]) -> Revisions | None:
    """The current ReplicaSet revision, the previous one, and when the current was created."""
    if not history:
        return None
    current, since = history[-1]
    return Revisions(current, history[-2][0] if len(history) > 1 else None, since)


def _items(data: Any, what: str) -> list[dict[str, Any]]:
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise LiveError(f"kubectl get {what} did not print a JSON list of items")
    return [i for i in items if isinstance(i, dict) and _map(i.get("metadata")).get("name")]


def _map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _scopes(live: LiveSettings) -> list[tuple[str, ...]]:
    return [("-n", ns) for ns in live.namespaces] or [("-A",)]


def helm_releases(runner: Executor, live: LiveSettings) -> list[Release]:
    """Every release in the configured namespaces (or all of them)."""
    context = (f"--kube-context={live.context}",) if live.context else ()
    found: list[Release] = []
    for scope in _scopes(live):
        found.extend(parse_releases(read_json(runner, ["helm", "list", *scope, "-o", "json",
                                                       *context], "helm list")))  # fmt: skip
    return [r for r in found if live.namespaces or r.namespace not in SYSTEM_NAMESPACES]


def helm_history(runner: Executor, live: LiveSettings, release: Release) -> Revisions | None:
    context = (f"--kube-context={live.context}",) if live.context else ()
    argv = ["helm", "history", release.name, "-n", release.namespace, "-o", "json",
            f"--max={HISTORY_MAX}", *context]  # fmt: skip
    return parse_history(read_json(runner, argv, "helm history"))


def deployments(runner: Executor, live: LiveSettings) -> list[Workload]:
    """Live Deployments: replicas, images, current revision."""
    found: list[Workload] = []
    for scope in _scopes(live):
        got = read_json(runner, ["kubectl", *_context(live), "get", "deployments", *scope, "-o",
                                 "json"], "kubectl get deployments")  # fmt: skip
        found.extend(parse_deployments(got))
    return [w for w in found if live.namespaces or w.namespace not in SYSTEM_NAMESPACES]


def sets(runner: Executor, live: LiveSettings) -> list[Workload]:
    """Live StatefulSets and DaemonSets (`kubectl rollout undo` works for both)."""
    found: list[Workload] = []
    for scope in _scopes(live):
        got = read_json(runner, ["kubectl", *_context(live), "get", "statefulsets,daemonsets",
                                 *scope, "-o", "json"], "kubectl get statefulsets,daemonsets")  # fmt: skip
        found.extend(parse_sets(got))
    return [w for w in found if live.namespaces or w.namespace not in SYSTEM_NAMESPACES]


def rollouts(runner: Executor, live: LiveSettings) -> dict[tuple[str, str], Revisions]:
    """(namespace, deployment) → its rollout revisions, read from the ReplicaSets."""
    history: dict[tuple[str, str], list[tuple[int, datetime | None]]] = {}
    for scope in _scopes(live):
        got = read_json(runner, ["kubectl", *_context(live), "get", "replicasets", *scope, "-o",
                                 "json"], "kubectl get replicasets")  # fmt: skip
        history.update(parse_replicasets(got))
    out = {}
    for key, pairs in history.items():
        found = rollout(pairs)
        if found is not None:
            out[key] = found
    return out


def _context(live: LiveSettings) -> tuple[str, ...]:
    return (f"--context={live.context}",) if live.context else ()
