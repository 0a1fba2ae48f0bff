"""The git lever: revert the release commit, checked first in a scratch worktree."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from stanch.levers.executors import Check, Ctx, Done, Plan


def _git(ctx: Ctx, *args: str, mutating: bool = False, cwd: Path | None = None) -> Any:
    return ctx.runner.run(["git", "-C", str(cwd or ctx.repo), *args], mutating=mutating)


def _merge_args(ctx: Ctx, sha: str) -> list[str]:
    parents = _git(ctx, "rev-list", "--parents", "-n", "1", sha).stdout.split()
    return ["-m", "1"] if len(parents) > 2 else []


class GitRevertExecutor:
    def check(self, plan: Plan, ctx: Ctx) -> Check:
        sha = str(plan["params"]["commit"])
        with tempfile.TemporaryDirectory(prefix="stanch-revert-") as scratch:
            where = Path(scratch) / "wt"
            added = _git(ctx, "worktree", "add", "--detach", str(where), "HEAD")
            if not added.ok:
                return Check(False, f"no scratch worktree: {added.stderr.strip()[:200]}",
                             results=(added.to_dict(),))  # fmt: skip
            try:
                tried = ctx.runner.run(
                    ["git", "-c", "user.name=stanch", "-c", "user.email=stanch@localhost",
                     "-C", str(where), "revert", "--no-edit", *_merge_args(ctx, sha), sha],
                    mutating=False,
                )  # fmt: skip
            finally:
                _git(ctx, "worktree", "remove", "--force", str(where))
        if not tried.ok:
            return Check(False, f"{sha[:12]} does not revert cleanly", results=(tried.to_dict(),))
        command = ["git", "-C", str(ctx.repo), "revert", "--no-edit", *_merge_args(ctx, sha), sha]
        return Check(True, f"{sha[:12]} reverts cleanly in a scratch worktree", command,
                     plan.get("rollback"), (tried.to_dict(),))  # fmt: skip

    def apply(self, plan: Plan, ctx: Ctx) -> Done:
        result = ctx.runner.run([str(p) for p in plan["command"]])
        if not result.ok:
            return Done(False, f"git revert failed: {result.stderr.strip()[:200]}",
                        (result.to_dict(),))  # fmt: skip
        head = _git(ctx, "rev-parse", "HEAD").stdout.strip()
        back = ["git", "-C", str(ctx.repo), "revert", "--no-edit", head]
        return Done(True, f"reverted as {head[:12]} (push it to deploy)", (result.to_dict(),),
                    back, {"revert_commit": head})  # fmt: skip

    def undo(self, applied: Plan, ctx: Ctx) -> Done:
        result = ctx.runner.run([str(p) for p in applied["rollback"]])
        detail = "re-applied the reverted commit" if result.ok else result.stderr.strip()[:200]
        return Done(result.ok, detail, (result.to_dict(),))
