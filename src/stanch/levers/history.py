"""Recent changes from git history, and the release commit a revert would undo."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from stanch.executor import Executor
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
    roots = {s.path for s in surfaces if s.kind in (
        "k8s_workload", "helm_chart", "feature_flags", "kustomize", "compose_service", "hpa",
        "terraform", "gitops")}  # fmt: skip
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
