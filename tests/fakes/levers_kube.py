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
from pathlib import Path
from typing import Any

STATE_ENV = "FAKE_KUBE_STATE"


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
        if arg.startswith("--"):
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
    }
    unknown = set(o) - allowed
    if unknown:
        raise Fail(f"error: unknown flag: --{sorted(unknown)[0]}")
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


def helm(state: dict[str, Any], args: list[str]) -> str:
    pos, o = _opts(args)
    ns = o.get("n", "default")
    history = state["releases"].get(f"{ns}/{pos[1]}") if len(pos) > 1 else None
    if history is None:
        raise Fail("Error: release: not found")
    if pos[0] == "history":
        if o.get("o") != "json":
            raise Fail("Error: this stand-in prints history as JSON only (-o json)")
        return json.dumps(history)
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
    sys.stdout.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
