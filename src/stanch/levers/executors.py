"""Lever executors: one per way of acting, all behind the same small Protocol.

A plan is the JSON of a lever as recorded on the timeline (`lever.planned`); an
executor checks that its way back exists (`check`), pulls it (`apply`) and pushes it
back (`undo`). Every outside command goes through stanch.executor.Executor.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from stanch.executor import Executor, Result

Plan = dict[str, Any]


@dataclass
class Ctx:
    """What an executor may use: the one command runner, the repository, flag settings."""

    runner: Executor
    repo: Path
    services: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    """The viability check's verdict, and the exact command and rollback it implies."""

    ok: bool
    detail: str
    command: Any = None  # refined command JSON (e.g. with the exact revision)
    rollback: Any = None
    results: tuple[dict[str, Any], ...] = ()
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Done:
    """How applying (or undoing) went; `rollback` is the exact way back now known."""

    ok: bool
    detail: str
    results: tuple[dict[str, Any], ...] = ()
    rollback: Any = None
    facts: dict[str, Any] = field(default_factory=dict)


class LeverExecutor(Protocol):
    def check(self, plan: Plan, ctx: Ctx) -> Check: ...
    def apply(self, plan: Plan, ctx: Ctx) -> Done: ...
    def undo(self, applied: Plan, ctx: Ctx) -> Done: ...


def _argv(data: Any) -> list[str]:
    if not isinstance(data, list):
        raise ValueError(f"not an argv list: {data!r}")
    return [str(part) for part in data]


def _run_all(ctx: Ctx, commands: list[Any]) -> tuple[bool, list[Result]]:
    results = []
    for command in commands:
        result = ctx.runner.run(_argv(command), cwd=ctx.repo)
        results.append(result)
        if not result.ok and result.outcome.value != "dry_run":
            return False, results
    return True, results


def _line(result: Result) -> str:
    text = (result.stderr or result.stdout).strip().splitlines()
    return text[-1] if text else result.outcome.value


class ArgvExecutor:
    """kubectl, helm, flux, argocd: argv lists, read-only viability first."""

    def check(self, plan: Plan, ctx: Ctx) -> Check:
        viability = plan.get("viability")
        if not viability:
            return Check(False, "no viability check is known for this lever")
        result = ctx.runner.run(_argv(viability), cwd=ctx.repo, mutating=False)
        if not result.ok:
            return Check(False, f"{' '.join(result.argv[:3])}: {_line(result)}",
                         results=(result.to_dict(),))  # fmt: skip
        return _refine(plan, result)

    def apply(self, plan: Plan, ctx: Ctx) -> Done:
        commands = [*plan.get("prelude", []), plan["command"]]
        ok, results = _run_all(ctx, commands)
        if not ok and plan.get("prelude"):
            _run_all(ctx, list(plan.get("postlude", [])))  # never leave GitOps suspended
        detail = "applied" if ok else f"failed: {_line(results[-1])}"
        return Done(ok, detail, tuple(r.to_dict() for r in results), plan.get("rollback"))

    def undo(self, applied: Plan, ctx: Ctx) -> Done:
        ok, results = _run_all(ctx, [applied["rollback"], *applied.get("postlude", [])])
        detail = "rolled back" if ok else f"failed: {_line(results[-1])}"
        return Done(ok, detail, tuple(r.to_dict() for r in results))


_REVISION = re.compile(r"^\s*(\d+)\s", re.MULTILINE)


def _refine(plan: Plan, result: Result) -> Check:
    """Read the live state the viability check printed and make command/rollback exact."""
    command, rollback = list(plan["command"]), list(plan["rollback"])
    out = result.stdout
    shown = (result.to_dict(),)
    if command[:3] == ["kubectl", "rollout", "undo"]:
        revisions = [int(r) for r in _REVISION.findall(out)]
        if len(revisions) < 2:
            return Check(False, "rollout history shows no previous revision", results=shown)
        current, previous = revisions[-1], revisions[-2]
        return Check(True, f"revision {current} → {previous}",
                     [*command, f"--to-revision={previous}"],
                     [*rollback, f"--to-revision={current}"], shown,
                     {"current": current, "previous": previous})  # fmt: skip
    if command[:2] == ["helm", "rollback"]:
        return _helm(command, rollback, out, shown)
    if command[:2] == ["kubectl", "scale"] or command[:3] == ["kubectl", "patch", "hpa"]:
        return _counted(command, rollback, out.strip(), shown)
    return Check(True, "target exists", command, rollback, shown)


def _helm(command: list[str], rollback: list[str], out: str, shown: Any) -> Check:
    try:
        history = [h for h in json.loads(out or "[]") if isinstance(h, dict)]
    except ValueError:
        return Check(False, "helm history did not print JSON", results=shown)
    deployed = [h for h in history if h.get("status") == "deployed"]
    if not deployed:
        return Check(False, "no deployed revision in helm history", results=shown)
    current = int(deployed[-1]["revision"])
    earlier = [int(h["revision"]) for h in history
               if int(h["revision"]) < current and h.get("status") == "superseded"]  # fmt: skip
    if not earlier:
        return Check(False, f"revision {current} has no earlier revision to return to",
                     results=shown)  # fmt: skip
    previous = max(earlier)
    # a lever read from the live history already names revisions: the check's are fresher
    cmd = [*command[:3], str(previous), *_after_revision(command)]
    back = [*rollback[:3], str(current), *_after_revision(rollback)]
    return Check(True, f"release revision {current} → {previous}", cmd, back, shown,
                 {"current": current, "previous": previous})  # fmt: skip


def _after_revision(argv: list[str]) -> list[str]:
    return argv[4:] if len(argv) > 3 and argv[3].isdigit() else argv[3:]


def _counted(command: list[str], rollback: list[str], out: str, shown: Any) -> Check:
    if not out.isdigit():
        return Check(False, f"could not read the current count ({out[:40]!r})", results=shown)
    old = int(out)
    if command[1] == "scale":
        wanted = int(command[3].split("=", 1)[1])
        new = max(wanted, old * 2, 2)
        cmd = [*command[:3], f"--replicas={new}", *command[4:]]
        back = [*rollback[:3], f"--replicas={old}", *rollback[4:]]
        return Check(True, f"replicas {old} → {new}", cmd, back, shown, {"old": old, "new": new})
    wanted = json.loads(command[-1])["spec"]["minReplicas"]
    new = max(int(wanted), old + 1)
    cmd = [*command[:-1], json.dumps({"spec": {"minReplicas": new}}, separators=(",", ":"))]
    back = [*rollback[:-1], json.dumps({"spec": {"minReplicas": old}}, separators=(",", ":"))]
    return Check(True, f"minReplicas {old} → {new}", cmd, back, shown, {"old": old, "new": new})
