"""The flagd lever: set a flag's off variant in its file; the way back is the old bytes."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from stanch.levers.executors import Check, Ctx, Done, Plan
from stanch.levers.yamlio import mapping, one


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _parse(path: Path, data: bytes) -> dict[str, Any]:
    text = data.decode("utf-8")
    if path.suffix == ".json":
        return mapping(json.loads(text))
    return mapping(one(text))


def _dump(path: Path, doc: dict[str, Any]) -> bytes:
    if path.suffix == ".json":
        return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode()
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True).encode()


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class FlagdFileExecutor:
    def _path(self, plan: Plan, ctx: Ctx) -> Path:
        return (ctx.repo / str(plan["params"]["file"])).resolve()

    def check(self, plan: Plan, ctx: Ctx) -> Check:
        path = self._path(plan, ctx)
        key, off = str(plan["params"]["key"]), str(plan["params"]["off_variant"])
        try:
            data = path.read_bytes()
            flag = mapping(mapping(_parse(path, data).get("flags")).get(key))
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            return Check(False, f"cannot read {path.name}: {exc}")
        if off not in mapping(flag.get("variants")):
            return Check(False, f"flag {key!r} has no variant {off!r} in {path.name}")
        if not os.access(path.parent, os.W_OK):
            return Check(False, f"{path.parent} is not writable")
        if flag.get("defaultVariant") == off and not flag.get("targeting"):
            return Check(False, f"flag {key!r} is already off")
        return Check(True, f"{path.name} readable and writable; previous bytes will be kept",
                     plan["command"], plan["rollback"], facts={"sha256": _sha(data)})  # fmt: skip

    def apply(self, plan: Plan, ctx: Ctx) -> Done:
        path = self._path(plan, ctx)
        key, off = str(plan["params"]["key"]), str(plan["params"]["off_variant"])
        data = path.read_bytes()
        planned = (plan.get("facts") or {}).get("sha256")
        if planned and planned != _sha(data):
            return Done(False, f"{path.name} changed since the plan: plan again")
        doc = _parse(path, data)
        flag = doc["flags"][key]
        flag["defaultVariant"] = off
        flag.pop("targeting", None)  # targeting would override the default for some users
        new = _dump(path, doc)
        _write_atomically(path, new)
        rollback = {"file": plan["params"]["file"], "change": "restore the exact previous bytes"}
        return Done(True, f"{key} → {off} in {path.name}", rollback=rollback, facts={
            "previous_b64": base64.b64encode(data).decode(), "previous_sha256": _sha(data),
            "written_sha256": _sha(new),
        })  # fmt: skip

    def undo(self, applied: Plan, ctx: Ctx) -> Done:
        path = self._path(applied, ctx)
        facts = applied.get("facts") or {}
        current = path.read_bytes() if path.exists() else b""
        if _sha(current) != facts.get("written_sha256"):
            return Done(False, f"{path.name} changed after the lever was applied; "
                        "restore it by hand from the timeline")  # fmt: skip
        _write_atomically(path, base64.b64decode(str(facts["previous_b64"])))
        return Done(True, f"restored the previous bytes of {path.name}")
