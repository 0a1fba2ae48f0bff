"""Deploys, flag flips and config pushes reported by CI or people: a JSON-lines change log.

Changes happen before anyone declares an incident, so they are kept apart from any
incident and read back when one asks "what changed before onset?". Changes recorded
on the incident itself (`change.recorded` events) are read too.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from stanch.errors import InvalidInput, classify_os_error
from stanch.model.clock import from_iso, iso
from stanch.model.events import Event
from stanch.model.evidence import TAXONOMY, Change
from stanch.model.kinds import CHANGE_RECORDED

MAX_FIELD = 2000


def entry(
    kind: str, ref: str, at: datetime, summary: str, services: tuple[str, ...],
    undo: str | None, actor: str,
) -> dict[str, Any]:  # fmt: skip
    """A validated change-log entry (the data of a `change.recorded` event)."""
    if kind not in TAXONOMY:
        raise InvalidInput(f"change kind {kind!r}: expected one of {', '.join(sorted(TAXONOMY))}")
    for name, value in (("ref", ref), ("summary", summary)):
        if not value.strip() or len(value) > MAX_FIELD:
            raise InvalidInput(f"change {name} must be 1–{MAX_FIELD} characters")
    return {
        "kind": kind, "ref": ref.strip(), "service": services[0] if services else "",
        "services": list(services), "at": iso(at), "summary": summary.strip(), "undo": undo,
        "actor": actor,
    }  # fmt: skip


def append(path: Path, data: dict[str, Any]) -> None:
    """Append one entry durably (one write of one line; fsync)."""
    line = (json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n").encode()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise classify_os_error(exc, f"cannot write {path}") from exc


def to_change(data: dict[str, Any], ident: str, fallback_at: datetime, source: str) -> Change:
    services = data.get("services") or ([data["service"]] if data.get("service") else [])
    at = from_iso(str(data["at"])) if data.get("at") else fallback_at
    return Change(
        kind=str(data.get("kind") or "deploy"), id=ident, at=at,
        summary=str(data.get("summary") or data.get("ref") or ""), source=source,
        services=tuple(str(s) for s in services), undo=data.get("undo") or None,
        author=str(data.get("actor") or ""),
    )  # fmt: skip


def read(path: Path) -> list[Change]:
    """Every entry of the change log; damaged lines are named, not skipped silently."""
    if not path.exists():
        return []
    found: list[Change] = []
    try:
        lines = path.read_bytes().splitlines()
    except OSError as exc:
        raise classify_os_error(exc, f"cannot read {path}") from exc
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
            found.append(
                to_change(data, f"change-log:{number}", from_iso(data["at"]), "change-log")
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(f"{path}:{number}: not a change entry ({exc})") from None
    return found


def from_events(events: Iterable[Event]) -> list[Change]:
    """`change.recorded` events of the incident as changes (id `event:<seq>`)."""
    return [
        to_change(e.data, f"event:{e.seq}", e.occurred_at, "event")
        for e in events
        if e.kind == CHANGE_RECORDED
    ]
