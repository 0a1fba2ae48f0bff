"""A recording stand-in for kubectl, helm and flux: checks argv, prints their real formats.

Installed on PATH by `install(bin_dir, state_file)` as three executables. Each call is
appended to `<state>.log.jsonl` exactly as received (argv list), so tests can prove a
hostile name arrived as one argument. State (deployments, HPAs, nodes, releases) lives
in a JSON file and changes as the real cluster would.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

STATE_ENV = "FAKE_KUBE_STATE"
LISTABLE = ("deployments", "deployment", "deploy", "replicasets", "replicaset", "rs",
            "statefulsets,daemonsets")  # fmt: skip
HELM_OPTS = {"n", "o", "all-namespaces", "kube-context", "max", "wait", "timeout", "dry-run"}


def install(bin_dir: Path, state_file: Path, state: dict[str, Any]) -> None:
    bin_dir.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps(state))
    source = Path(__file__).read_text()
    for tool in ("kubectl", "helm", "flux"):
        path = bin_dir / tool
        path.write_text(f"#!{sys.executable}\n" + source)
        path.chmod(0o755)


def calls(state_file: Path) -> list[list[str]]:
    log = state_file.with_suffix(".log.jsonl")
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


class Fail(Exception):
    pass


def _opts(args: list[str]) -> tuple[list[str], dict[str, str]]:
    pos: list[str] = []
    opts: dict[str, str] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-n", "--namespace", "-o", "--output", "-p", "--patch"):
            if i + 1 >= len(args):
                raise Fail(f"error: flag needs an argument: {arg}")
            opts[arg.lstrip("-")[:1]] = args[i + 1]
            i += 2
            continue
        if arg == "-A":
            opts["all-namespaces"] = ""
        elif arg.startswith("--"):
            key, _, value = arg[2:].partition("=")
            opts[key] = value
        else:
            pos.append(arg)
        i += 1
    return pos, opts


def _deployment(state: dict[str, Any], ref: str, ns: str) -> tuple[str, dict[str, Any]]:
    kind, _, name = ref.partition("/")
    if kind not in ("deployment", "deployments", "deploy") or not name:
        raise Fail(f'error: the server doesn\'t have a resource type "{kind}"')
    found = state["deployments"].get(f"{ns}/{name}")
    if found is None:
        raise Fail(f'Error from server (NotFound): deployments.apps "{name}" not found')
    return name, found


def kubectl(state: dict[str, Any], args: list[str]) -> str:  # noqa: PLR0911, PLR0912
    pos, o = _opts(args)
    ns = o.get("n", "default")
    allowed = {
        "n",
        "o",
        "p",
        "to-revision",
        "replicas",
        "type",
        "ignore-daemonsets",
        "delete-emptydir-data",
        "timeout",
        "dry-run",
        "all-namespaces",
        "context",
    }
    unknown = set(o) - allowed
    if unknown:
        raise Fail(f"error: unknown flag: --{sorted(unknown)[0]}")
    _reachable(state, o.get("context"))
    verb = pos[:2] if pos[:1] == ["rollout"] else pos[:1]
    if verb == ["rollout", "history"]:
        name, dep = _deployment(state, pos[2], ns)
        rows = "\n".join(f"{r:<10}<none>" for r in dep["revisions"])
        return f"deployment.apps/{name}\nREVISION  CHANGE-CAUSE\n{rows}\n"
    if verb == ["rollout", "undo"]:
        name, dep = _deployment(state, pos[2], ns)
        revs = dep["revisions"]
        to = int(o.get("to-revision") or 0) or (revs[-2] if len(revs) > 1 else 0)
        if to not in revs or to == revs[-1]:
            raise Fail(f"error: unable to find specified revision {to} in history")
        revs.remove(to)
        revs.append(max(revs) + 1 if revs else 1)
        dep.setdefault("templates", []).append(to)
        return f"deployment.apps/{name} rolled back\n"
    if verb == ["scale"]:
        name, dep = _deployment(state, pos[1], ns)
        dep["replicas"] = int(o["replicas"])
        return f"deployment.apps/{name} scaled\n"
    if verb == ["get"] and len(pos) == 2 and pos[1] in LISTABLE:
        return _listed(state, pos[1], ns, o)
    if verb == ["get"]:
        return _get(state, pos[1:], ns, o.get("o", ""))
    if verb == ["patch"]:
        return _patch_hpa(state, pos, ns, o)
    if verb == ["set"] and pos[1:2] == ["image"]:
        name, dep = _deployment(state, pos[2], ns)
        for pair in pos[3:]:
            container, _, image = pair.partition("=")
            dep.setdefault("images", {})[container] = image
        return f"deployment.apps/{name} image updated\n"
    if verb == ["set"] and pos[1:2] == ["env"]:
        name, dep = _deployment(state, pos[2], ns)
        for pair in pos[3:]:
            if pair.endswith("-"):
                dep.setdefault("env", {}).pop(pair[:-1], None)
            else:
                key, _, value = pair.partition("=")
                dep.setdefault("env", {})[key] = value
        return f"deployment.apps/{name} env updated\n"
    if verb[0] in ("cordon", "uncordon", "drain"):
        node = state["nodes"].get(pos[1])
        if node is None:
            raise Fail(f'Error from server (NotFound): nodes "{pos[1]}" not found')
        node["unschedulable"] = verb[0] != "uncordon"
        done = {"cordon": "cordoned", "uncordon": "uncordoned", "drain": "drained"}[verb[0]]
        return f"node/{pos[1]} {done}\n"
    raise Fail(f'error: unknown command "{" ".join(pos[:2])}" for "kubectl"')


def _reachable(state: dict[str, Any], context: str | None) -> None:
    """A named context must exist; an unreachable cluster fails as kubectl does."""
    if context is not None and context not in state.get("contexts", [context]):
        raise Fail(f'error: context "{context}" does not exist')
    if state.get("unreachable"):
        raise Fail("The connection to the server 127.0.0.1:6443 was refused - did you specify "
                   "the right host or port?")  # fmt: skip


def _in_scope(key: str, ns: str, every: bool) -> bool:
    return every or key.split("/", 1)[0] == ns


def _deployment_json(key: str, dep: dict[str, Any]) -> dict[str, Any]:
    ns, name = key.split("/", 1)
    images = dep.get("images") or {"app": f"reg/{name}:latest"}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "generation": len(dep["revisions"]),
                     "annotations": {
                         "deployment.kubernetes.io/revision": str(dep["revisions"][-1])}},
        "spec": {"replicas": dep["replicas"], "template": {"spec": {"containers": [
            {"name": c, "image": i} for c, i in images.items()]}}},
        "status": {"replicas": dep["replicas"], "readyReplicas": dep.get("ready", dep["replicas"]),
                   "updatedReplicas": dep["replicas"], "observedGeneration": 1},
    }  # fmt: skip


def _set_json(key: str, one: dict[str, Any]) -> dict[str, Any]:
    """A StatefulSet or DaemonSet as `kubectl get … -o json` prints it (status differs)."""
    ns, name = key.split("/", 1)
    kind, replicas = one["kind"], one.get("replicas", 1)
    ready = one.get("ready", replicas)
    status: dict[str, Any] = (
        {"replicas": replicas, "readyReplicas": ready, "currentReplicas": replicas,
         "updatedReplicas": replicas, "currentRevision": f"{name}-5d8f7c9b6",
         "updateRevision": f"{name}-5d8f7c9b6", "observedGeneration": 1, "collisionCount": 0}
        if kind == "StatefulSet" else
        {"currentNumberScheduled": replicas, "desiredNumberScheduled": replicas,
         "numberAvailable": ready, "numberMisscheduled": 0, "numberReady": ready,
         "observedGeneration": 1, "updatedNumberScheduled": replicas}
    )  # fmt: skip
    spec: dict[str, Any] = {"template": {"spec": {"containers": [
        {"name": c, "image": i} for c, i in one["images"].items()]}}}  # fmt: skip
    if kind == "StatefulSet":
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": kind,
            "metadata": {"name": name, "namespace": ns, "generation": 1}, "spec": spec,
            "status": status}  # fmt: skip


def _replicasets_json(key: str, dep: dict[str, Any]) -> list[dict[str, Any]]:
    ns, name = key.split("/", 1)
    created = dep.get("rollouts", {})
    return [{
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {
            "name": f"{name}-{rev:x}7d9f8b6c5d"[:63], "namespace": ns,
            "creationTimestamp": created.get(str(rev), "2026-11-01T00:00:00Z"),
            "annotations": {"deployment.kubernetes.io/revision": str(rev)},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name,
                                 "controller": True, "blockOwnerDeletion": True}],
        },
        "spec": {"replicas": dep["replicas"] if rev == dep["revisions"][-1] else 0},
    } for rev in dep["revisions"]]  # fmt: skip


def _listed(state: dict[str, Any], what: str, ns: str, o: dict[str, str]) -> str:
    if o.get("o") != "json":
        raise Fail("error: this stand-in lists objects as JSON only (-o json)")
    every = "all-namespaces" in o
    if what == "statefulsets,daemonsets":
        sets = state.get("sets", {})
        items = [_set_json(k, sets[k]) for k in sorted(sets) if _in_scope(k, ns, every)]
        return json.dumps({"apiVersion": "v1", "items": items, "kind": "List",
                           "metadata": {"resourceVersion": ""}}, indent=4) + "\n"  # fmt: skip
    found = {k: d for k, d in state["deployments"].items() if _in_scope(k, ns, every)}
    items = []
    for key, dep in sorted(found.items()):
        if what in ("deployments", "deployment", "deploy"):
            items.append(_deployment_json(key, dep))
        else:
            items.extend(_replicasets_json(key, dep))
    return json.dumps({"apiVersion": "v1", "items": items, "kind": "List",
                       "metadata": {"resourceVersion": ""}}, indent=4) + "\n"  # fmt: skip


def _get(state: dict[str, Any], pos: list[str], ns: str, output: str) -> str:
    if pos[0] == "hpa":
        hpa = state["hpas"].get(f"{ns}/{pos[1]}")
        if hpa is None:
            raise Fail(
                f'Error from server (NotFound): horizontalpodautoscalers.autoscaling "{pos[1]}" not found'
            )
        return (
            str(hpa["min"])
            if "minReplicas" in output
            else f"horizontalpodautoscaler.autoscaling/{pos[1]}\n"
        )
    if pos[0] == "node":
        if pos[1] not in state["nodes"]:
            raise Fail(f'Error from server (NotFound): nodes "{pos[1]}" not found')
        return f"node/{pos[1]}\n"
    name, dep = _deployment(state, pos[0], ns)
    return str(dep["replicas"]) if "replicas" in output else f"deployment.apps/{name}\n"


def _patch_hpa(state: dict[str, Any], pos: list[str], ns: str, o: dict[str, str]) -> str:
    if pos[1:2] != ["hpa"] or o.get("type") != "merge":
        raise Fail("error: this stand-in only patches hpa with --type=merge")
    hpa = state["hpas"].get(f"{ns}/{pos[2]}")
    if hpa is None:
        raise Fail(
            f'Error from server (NotFound): horizontalpodautoscalers.autoscaling "{pos[2]}" not found'
        )
    wanted = json.loads(o["p"])["spec"]["minReplicas"]
    if wanted > hpa["max"] or wanted < 1:
        raise Fail(f'The HorizontalPodAutoscaler "{pos[2]}" is invalid: spec.minReplicas')
    hpa["min"] = wanted
    return f"horizontalpodautoscaler.autoscaling/{pos[2]} patched\n"


def _helm_time(stamp: str) -> str:
    """RFC 3339 (history JSON) as `helm list` prints it: Go's "2006-01-02 15:04:05.999999999 -0700 MST"."""
    when = datetime.fromisoformat(stamp).astimezone(UTC)
    fraction = f".{when.microsecond:06d}".rstrip("0").rstrip(".")
    return f"{when:%Y-%m-%d %H:%M:%S}{fraction} +0000 UTC"


def _entry(h: dict[str, Any]) -> dict[str, Any]:
    return {"revision": h["revision"], "updated": h.get("updated", "2026-11-01T00:00:00Z"),
            "status": h["status"], "chart": h["chart"], "app_version": h.get("app_version", ""),
            "description": h.get("description", "")}  # fmt: skip


def _helm_list(state: dict[str, Any], ns: str, o: dict[str, str]) -> str:
    if o.get("o") != "json":
        raise Fail("Error: this stand-in lists releases as JSON only (-o json)")
    out = []
    for key, history in sorted(state["releases"].items()):
        if not _in_scope(key, ns, "all-namespaces" in o):
            continue
        rel_ns, name = key.split("/", 1)
        shown = next((h for h in reversed(history) if h["status"] in ("deployed", "failed")),
                     history[-1])  # fmt: skip
        entry = _entry(shown)
        out.append({"name": name, "namespace": rel_ns, "revision": str(entry["revision"]),
                    "updated": _helm_time(entry["updated"]), "status": entry["status"],
                    "chart": entry["chart"], "app_version": entry["app_version"]})  # fmt: skip
    return json.dumps(out) + "\n"


def helm(state: dict[str, Any], args: list[str]) -> str:
    pos, o = _opts(args)
    ns = o.get("n", "default")
    unknown = set(o) - HELM_OPTS
    if unknown:
        raise Fail(f"Error: unknown flag: --{sorted(unknown)[0]}")
    if state.get("unreachable"):
        raise Fail("Error: Kubernetes cluster unreachable: Get \"https://127.0.0.1:6443/version\": "
                   "dial tcp 127.0.0.1:6443: connect: connection refused")  # fmt: skip
    context = o.get("kube-context")
    if context is not None and context not in state.get("contexts", [context]):
        raise Fail(f'Error: Kubernetes cluster unreachable: context "{context}" does not exist')
    if pos[:1] in (["list"], ["ls"]):
        return _helm_list(state, ns, o)
    history = state["releases"].get(f"{ns}/{pos[1]}") if len(pos) > 1 else None
    if history is None:
        raise Fail("Error: release: not found")
    if pos[0] == "history":
        if o.get("o") != "json":
            raise Fail("Error: this stand-in prints history as JSON only (-o json)")
        shown = [_entry(h) for h in history][-int(o.get("max") or 256) :]
        return json.dumps(shown) + "\n"
    if pos[0] == "rollback":
        to = int(pos[2]) if len(pos) > 2 else 0
        if to not in [h["revision"] for h in history]:
            raise Fail(f"Error: release has no {to} version")
        for h in history:
            if h["status"] == "deployed":
                h["status"] = "superseded"
        history.append(
            {
                "revision": history[-1]["revision"] + 1,
                "status": "deployed",
                "chart": history[-1]["chart"],
                "description": f"Rollback to {to}",
            }
        )
        return "Rollback was a success! Happy Helming!\n"
    raise Fail(f'Error: unknown command "{pos[0]}" for "helm"')


def flux(state: dict[str, Any], args: list[str]) -> str:
    pos, o = _opts(args)
    if pos[:1] not in (["suspend"], ["resume"]) or len(pos) != 3:
        raise Fail("✗ unknown flux command")
    state.setdefault("suspended", {})[f"{pos[1]}/{pos[2]}"] = pos[0] == "suspend"
    return f"► {pos[0]}ing {pos[1]} {pos[2]} in {o.get('n', 'flux-system')} namespace\n"


def main() -> int:
    tool = Path(sys.argv[0]).name
    args = sys.argv[1:]
    state_file = Path(os.environ[STATE_ENV])
    with state_file.with_suffix(".log.jsonl").open("a") as log:
        log.write(json.dumps([tool, *args]) + "\n")
    state = json.loads(state_file.read_text())
    try:
        out = {"kubectl": kubectl, "helm": helm, "flux": flux}[tool](state, args)
    except Fail as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    state_file.write_text(json.dumps(state))
    if state.get("garbled") and "json" in args:
        out = out[: len(out) // 2]  # a truncated answer, as from a dropped connection
    sys.stdout.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
