"""Recent changes from git history, and the release commit a revert would undo."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from stanch.executor import Executor
from stanch.levers import yamlio
from stanch.levers.k8s import manifest_surfaces
from stanch.model.levers import GIT, Action, Change, Lever, Surface

MAX_COMMITS = 300


def git_changes(repo: Path, runner: Executor) -> list[Change]:
    """The last commits with the paths they touched (newest first); [] outside git."""
    if not (repo / ".git").exists():
        return []
    result = runner.run(
        ["git", "-C", str(repo), "log", f"-n{MAX_COMMITS}", "--no-renames", "--name-only",
         "--format=%x1e%H%x1f%ct%x1f%P%x1f%s"],
        mutating=False,
    )  # fmt: skip
    if not result.ok:
        return []
    out = []
    for block in result.stdout.split("\x1e"):
        lines = block.strip("\n").split("\n")
        head = lines[0].split("\x1f") if lines and lines[0] else []
        if len(head) != 4:
            continue
        sha, stamp, parents, subject = head
        at = datetime.fromtimestamp(int(stamp), UTC)
        paths = tuple(p for p in lines[1:] if p.strip())
        out.append(Change(at, sha, subject, paths + (("<merge>",) if " " in parents else ())))
    return out


def revert_lever(
    repo: Path, changes: list[Change], surfaces: list[Surface], onset: datetime
) -> Lever | None:
    """A `git revert` of the newest commit before onset that touched the control surface."""
    kinds = ("k8s_workload", "helm_chart", "kustomize", "compose_service", "hpa", "terraform",
             "gitops")  # fmt: skip
    roots = {s.path for s in surfaces if s.kind in kinds
             or (s.kind == "feature_flags" and s.details.get("provider") == "flagd")}  # fmt: skip
    for change in changes:
        if change.at > onset:
            continue
        touched = [p for p in change.paths if any(p == r or p.startswith(r + "/") for r in roots)]
        if not touched:
            continue
        sha = change.ref
        return Lever(
            id=f"rollback:git:{sha[:12]}", kind="rollback", target=f"commit {sha[:12]}",
            command=Action(("git", "-C", str(repo), "revert", "--no-edit", sha)),
            rollback=Action(("git", "-C", str(repo), "revert", "--no-edit", "HEAD")),
            executor=GIT, eta_s=600, source=touched[0],
            evidence=(f"release commit '{change.summary}' touched {', '.join(touched[:3])}",
                      "takes effect once the revert is pushed and deployed"),
            params={"commit": sha},
        )  # fmt: skip
    return None


def prior_image_levers(
    repo: Path, runner: Executor, changes: list[Change], surfaces: list[Surface],
    onset: datetime, window: timedelta,
) -> list[Lever]:  # fmt: skip
    """Redeploy the image a workload ran before a recent commit changed it."""
    out: list[Lever] = []
    recent = [c for c in changes if onset - window <= c.at <= onset]
    for s in surfaces:
        kind = str(s.details.get("workload_kind", "")).lower()
        if s.kind != "k8s_workload" or kind not in ("deployment", "statefulset", "daemonset"):
            continue
        change = next((c for c in recent if s.path in c.paths), None)
        if change is None:
            continue
        before = runner.run(["git", "-C", str(repo), "show", f"{change.ref}^:{s.path}"],
                            mutating=False)  # fmt: skip
        if not before.ok:
            continue
        olds = [o for o in manifest_surfaces(before.stdout, s.path) if o.kind == "k8s_workload"]
        # kustomize may have added a prefix or suffix to the name in the file
        old = next((o for o in olds if o.name == s.name), None) or next(
            (o for o in olds if o.name in s.name), None
        )
        if old is None:
            continue
        out.extend(_image_levers(s, kind, old.details.get("containers", {}), change))
    return out


def _image_levers(s: Surface, kind: str, old: dict[str, str], change: Change) -> list[Lever]:
    ns = s.details.get("namespace")
    where = ("-n", str(ns)) if ns else ()
    out = []
    for container, image in s.details.get("containers", {}).items():
        prior = old.get(container)
        if not prior or prior == image:
            continue
        ref = f"{kind}/{s.name}"
        out.append(Lever(
            id=f"rollback:image:{s.name}" + (f"@{ns}" if ns else "") + f":{container}",
            kind="rollback", target=f"{ref} container {container}",
            command=Action(("kubectl", "set", "image", ref, *where, f"{container}={prior}")),
            rollback=Action(("kubectl", "set", "image", ref, *where, f"{container}={image}")),
            viability=Action(("kubectl", "get", ref, *where, "-o", "name")),
            eta_s=120, source=s.path,
            evidence=(f"{change.ref[:10]} changed the image {prior} → {image}",),
            params={"commit": change.ref},
        ))  # fmt: skip
    return out


def _flags_at(repo: Path, runner: Executor, rev: str, path: str) -> dict[str, Any] | None:
    shown = runner.run(["git", "-C", str(repo), "show", f"{rev}:{path}"], mutating=False)
    if not shown.ok:
        return {}  # the file did not exist then
    try:
        flags = yamlio.mapping(yamlio.one(shown.stdout)).get("flags")
    except (ValueError, yaml.YAMLError):
        return None
    return flags if isinstance(flags, dict) else None


def with_flag_keys(
    repo: Path, runner: Executor, changes: list[Change], flag_files: list[str], since: datetime
) -> list[Change]:
    """Say which flag keys each recent change to a flagd file altered (unknown: left out)."""
    out = []
    for change in changes:
        touched = [p for p in change.paths if p in flag_files]
        if change.at < since or not touched:
            out.append(change)
            continue
        keys: dict[str, frozenset[str]] = {}
        for path in touched:
            after = _flags_at(repo, runner, change.ref, path)
            before = _flags_at(repo, runner, f"{change.ref}^", path)
            if after is None or before is None:
                continue
            names = set(after) | set(before)
            keys[path] = frozenset(k for k in names if after.get(k) != before.get(k))
        out.append(replace(change, flag_keys=keys))
    return out
