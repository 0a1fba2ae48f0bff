"""File-change levers: exact edits at known offsets; the way back is the previous bytes.

Discovery records the file's sha256 and each edit (offset, old text, new text); the lever
is viable only while the file is exactly as it was when the levers were listed.
A Terraform lever also names the `terraform apply` argv that makes the edit take effect.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import Any

from stanch.levers.executors import Check, Ctx, Done, Plan
from stanch.levers.flagd_file import _write_atomically

SWITCH = "switch"  # executor name for config switches and Terraform weights


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def edited(text: str, edits: list[dict[str, Any]]) -> str | None:
    """The text with every edit made; None when an edit no longer matches."""
    out = text
    for edit in sorted(edits, key=lambda e: int(e["offset"]), reverse=True):
        start, old, new = int(edit["offset"]), str(edit["old"]), str(edit["new"])
        if out[start : start + len(old)] != old:
            return None
        out = out[:start] + new + out[start + len(old) :]
    return out


class FileEditExecutor:
    def _path(self, plan: Plan, ctx: Ctx) -> Path:
        path = (ctx.repo / str(plan["params"]["file"])).resolve()
        if not path.is_relative_to(ctx.repo.resolve()):
            raise ValueError(f"{plan['params']['file']} is outside the repository")
        return path

    def _read(self, plan: Plan, ctx: Ctx) -> tuple[Path, bytes, str] | str:
        """The file's bytes and edited text, or why the lever is not viable."""
        try:
            path = self._path(plan, ctx)
            data = path.read_bytes()
            text = data.decode("utf-8")
        except (OSError, ValueError) as exc:
            return f"cannot read {plan['params'].get('file')}: {exc}"
        if sha(data) != plan["params"].get("sha256"):
            return f"{path.name} changed since the levers were listed: list them again"
        new = edited(text, list(plan["params"].get("edits", [])))
        if new is None:
            return f"{path.name} no longer holds the planned values"
        if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
            return f"{path} is not writable"
        return path, data, new

    def check(self, plan: Plan, ctx: Ctx) -> Check:
        found = self._read(plan, ctx)
        if isinstance(found, str):
            return Check(False, found)
        path, data, _ = found
        return Check(True, f"{path.name} readable, writable and unchanged; previous bytes "
                     "will be kept", plan["command"], plan["rollback"],
                     facts={"sha256": sha(data)})  # fmt: skip

    def apply(self, plan: Plan, ctx: Ctx) -> Done:
        found = self._read(plan, ctx)
        if isinstance(found, str):
            return Done(False, found)
        path, data, text = found
        new = text.encode("utf-8")
        _write_atomically(path, new)
        facts = {"previous_b64": base64.b64encode(data).decode(), "previous_sha256": sha(data),
                 "written_sha256": sha(new)}  # fmt: skip
        rollback = {"file": plan["params"]["file"], "change": "restore the exact previous bytes"}
        argv = plan["params"].get("apply_argv")
        if not argv:
            return Done(True, f"edited {path.name}", rollback=rollback, facts=facts)
        result = ctx.runner.run([str(a) for a in argv], cwd=ctx.repo)
        if not result.ok and result.outcome.value != "dry_run":
            _write_atomically(path, data)
            return Done(False, f"{argv[0]} failed, previous bytes restored: {_line(result)}",
                        (result.to_dict(),))  # fmt: skip
        return Done(True, f"edited {path.name} and ran {argv[0]} apply", (result.to_dict(),),
                    rollback, facts)  # fmt: skip

    def undo(self, applied: Plan, ctx: Ctx) -> Done:
        path = self._path(applied, ctx)
        facts = applied.get("facts") or {}
        current = path.read_bytes() if path.exists() else b""
        if sha(current) != facts.get("written_sha256"):
            return Done(False, f"{path.name} changed after the lever was applied; "
                        "restore it by hand from the timeline")  # fmt: skip
        _write_atomically(path, base64.b64decode(str(facts["previous_b64"])))
        argv = applied.get("params", {}).get("apply_argv")
        if not argv:
            return Done(True, f"restored the previous bytes of {path.name}")
        result = ctx.runner.run([str(a) for a in argv], cwd=ctx.repo)
        ok = result.ok or result.outcome.value == "dry_run"
        detail = f"restored the previous bytes of {path.name} and ran {argv[0]} apply"
        if not ok:
            detail = (
                f"restored the previous bytes of {path.name}; {argv[0]} failed: {_line(result)}"
            )
        return Done(ok, detail, (result.to_dict(),))


def _line(result: Any) -> str:
    text = (result.stderr or result.stdout).strip().splitlines()
    return str(text[-1]) if text else str(result.outcome.value)
