"""Type-specific steps: reclassify, preserve evidence, stop the write path, publish, count."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from stanch.errors import InvalidInput, classify_os_error
from stanch.executor import Executor
from stanch.model import type_events
from stanch.model.types import IncidentType
from stanch.services.context import App, record
from stanch.services.incidents import Recorded, record_as, when

MAX_EVIDENCE_BYTES = 256 * 1024 * 1024


def set_type(app: App, incident: str | None, target: str, reason: str = "", *,
             actor: str | None = None, at: str | None = None) -> Recorded:  # fmt: skip
    """Change the incident's type; the old type stays in the record."""
    kind = IncidentType.parse(target)
    return record_as(app, incident, lambda s, who, moment, now: type_events.change_type(
        s, kind, reason, who, moment, now), actor, at)  # fmt: skip


def evidence_dir(app: App, incident_id: str) -> Path:
    """Where preserved evidence of an incident is kept, beside its timeline file."""
    return app.files.path(incident_id).with_suffix(".evidence")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy(source: Path, folder: Path, stamp: str) -> dict[str, Any]:
    try:
        if not source.is_file():
            raise InvalidInput(f"{source}: no such file")
        if source.stat().st_size > MAX_EVIDENCE_BYTES:
            raise InvalidInput(f"{source}: larger than {MAX_EVIDENCE_BYTES // 2**20} MiB")
        target = folder / f"{stamp}-{source.name}"
        shutil.copy2(source, target)
    except OSError as exc:
        raise classify_os_error(exc, f"cannot preserve {source}") from exc
    return {"name": source.name, "source": str(source), "copy": target.name,
            "sha256": _sha256(target), "bytes": target.stat().st_size}  # fmt: skip


def _capture(argv: Sequence[str], executor: Executor, folder: Path, stamp: str,
             number: int) -> dict[str, Any]:  # fmt: skip
    # Reading state (kubectl get/logs …) changes nothing, so it runs even in dry-run.
    result = executor.run(argv, mutating=False)
    target = folder / f"{stamp}-command-{number}.txt"
    body = result.stdout + (f"\n--- stderr ---\n{result.stderr}" if result.stderr else "")
    target.write_text(body)
    return {"name": " ".join(result.argv)[:80], "argv": list(result.argv), "copy": target.name,
            "outcome": result.outcome.value, "exit_code": result.exit_code,
            "sha256": _sha256(target), "bytes": target.stat().st_size}  # fmt: skip


def preserve(app: App, incident: str | None, files: Sequence[Path] = (),
             commands: Sequence[Sequence[str]] = (), *, note: str = "",
             executor: Executor | None = None, actor: str | None = None) -> Recorded:  # fmt: skip
    """Snapshot logs, command output and the incident state before any mitigation."""
    key = app.resolve_id(incident)
    if not files and not commands:
        raise InvalidInput("nothing to preserve: name a --file or a --command")
    now = app.clock()
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    folder = evidence_dir(app, key)
    app.files.preflight()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        items = [_copy(Path(f), folder, stamp) for f in files]
        run = executor or Executor()
        items += [_capture(argv, run, folder, stamp, n) for n, argv in enumerate(commands, 1)]
        snapshot = folder / f"{stamp}-state.json"
        state_json = json.dumps(app.store.state(key).to_dict(), sort_keys=True, indent=2)
        snapshot.write_text(state_json + "\n")
    except OSError as exc:
        raise classify_os_error(exc, f"cannot write evidence in {folder}") from exc
    who = actor or app.settings.actor
    state_sha = _sha256(snapshot)
    event, state = record(
        app, key, lambda s: type_events.preserved(s, items, state_sha, note, who, now, now)
    )
    return Recorded(state, event, app.files.path(key))


def write_path(app: App, incident: str | None, *, stop: bool, how: str,
               actor: str | None = None, at: str | None = None) -> Recorded:  # fmt: skip
    """Record that the write path was stopped (or resumed)."""
    return record_as(app, incident, lambda s, who, moment, now: type_events.write_path(
        s, stop, how, who, moment, now), actor, at)  # fmt: skip


def publish_statement(app: App, incident: str | None, text: str, *,
                      actor: str | None = None) -> Recorded:  # fmt: skip
    """A responder explicitly approves the public statement of a restricted incident."""
    key = app.resolve_id(incident)
    now = app.clock()
    who = actor or app.settings.actor
    event, state = record(app, key, lambda s: type_events.statement(s, text, who, now, now))
    return Recorded(state, event, app.files.path(key))


def count_affected(app: App, incident: str | None, *, records: int | None, users: int | None,
                   actor: str | None = None, at: str | None = None) -> Recorded:  # fmt: skip
    """How many records and users the wrong data reached."""
    key = app.resolve_id(incident)
    now = app.clock()
    moment: datetime = when(app, at, now)
    who = actor or app.settings.actor
    event, state = record(
        app, key, lambda s: type_events.affected(s, records, users, who, moment, now)
    )
    return Recorded(state, event, app.files.path(key))
