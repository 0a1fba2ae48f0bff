"""Read, list, export, import, verify and regenerate incident records."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stanch.errors import InvalidInput, classify_os_error
from stanch.model.clock import iso
from stanch.model.describe import describe
from stanch.model.durations import durations
from stanch.model.events import Event
from stanch.model.incident import Incident
from stanch.model.naming import check_incident_id
from stanch.model.severity import Severity
from stanch.model.status import Status
from stanch.services import access
from stanch.services.context import App
from stanch.timeline.parse import parse
from stanch.timeline.writer import Verification

MAX_IMPORT_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class Shown:
    incident: Incident
    events: list[Event]
    path: Path
    file: Verification


def show(app: App, incident: str | None, *, verify: bool = True) -> Shown:
    """State, timeline and whether the file still matches the events."""
    key = app.resolve_id(incident)
    state = app.store.state(key)
    events = app.store.events(key)
    check = (
        app.files.verify(key, lambda: events) if verify else Verification(app.files.path(key), True)
    )
    return Shown(state, events, app.files.path(key), check)


def incident_json(app: App, shown: Shown) -> dict[str, Any]:
    """The documented JSON of `stanch show --json` (docs/json.md)."""
    scheme = app.settings.severity_scheme
    state = shown.incident
    data = state.to_dict()
    data["severity_label"] = state.severity.label(scheme)
    data["file"] = str(shown.path)
    data["file_ok"] = shown.file.ok
    data["file_problem"] = shown.file.problem
    data["durations"] = {
        name: int(value.total_seconds())
        for name, value in durations(state, state.last_event_at).items()
    }
    data["timeline"] = [
        {**event.to_record(), "text": describe(event, scheme)} for event in shown.events
    ]
    return data


def listing(
    app: App,
    *,
    include_closed: bool = False,
    only_closed: bool = False,
    severity: str | None = None,
    service: str | None = None,
    status: str | None = None,
) -> list[Incident]:
    """Incidents, newest first, filtered."""
    found = app.store.incidents(open_only=not (include_closed or only_closed or status))
    found = access.visible(app, found)
    if only_closed:
        found = [i for i in found if not i.is_open]
    if severity:
        sev = Severity.parse(severity)
        found = [i for i in found if i.severity == sev]
    if service:
        found = [i for i in found if service in i.services]
    if status:
        wanted = Status.parse(status)
        found = [i for i in found if i.status is wanted]
    return found


def export(app: App, incident: str | None) -> dict[str, Any]:
    """Everything needed to rebuild the incident elsewhere."""
    key = app.resolve_id(incident)
    return {
        "format": "stanch.incident/v1",
        "id": key,
        "state": app.store.state(key).to_dict(),
        "events": [e.to_record() for e in app.store.iter_events(key)],
    }


@dataclass(frozen=True)
class Imported:
    incident: Incident
    added: int
    path: Path
    rewritten: str | None = None  # how the given file differed from its own events


def import_file(app: App, path: Path) -> Imported:
    """Rebuild an incident's events from its file; refuses damaged or diverging files."""
    try:
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise InvalidInput(f"{path}: larger than {MAX_IMPORT_BYTES // 2**20} MiB")
        content = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path}: is a directory") from None
    except OSError as exc:
        raise classify_os_error(exc, f"cannot read {path}") from exc
    parsed = parse(content, str(path))
    if parsed.problems:
        raise InvalidInput(f"{path} is damaged: {'; '.join(parsed.problems[:3])}")
    key = check_incident_id(parsed.marker.incident_id)
    exists = key in app.store.ids()
    if exists and not access.can_read(app, app.store.state(key)):
        raise InvalidInput(f"{path}: incident {key!r} is restricted and not open to "
                           f"{access.viewer_of(app)}: not imported")  # fmt: skip
    before = app.store.chain(key)[0] if exists else 0
    app.files.preflight()
    state = app.store.load(key, parsed.events)
    written = app.files.regenerate(key, app.source(key))
    check = app.files.verify_bytes(key, content, app.source(key))
    return Imported(state, len(parsed.events) - before, written, check.problem)


def verify(app: App, incident: str | None) -> Verification:
    """Does the incident file match the recorded events exactly?"""
    key = app.resolve_id(incident)
    return app.files.verify(key, app.source(key))


def regenerate(app: App, incident: str | None) -> Path:
    """Rewrite the incident file from the store."""
    key = app.resolve_id(incident)
    app.store.state(key)  # NotFound before touching any file
    return app.files.regenerate(key, app.source(key))


def summary_line(app: App, state: Incident) -> str:
    scheme = app.settings.severity_scheme
    return (
        f"{state.id}  {state.severity.label(scheme)}  {state.status.value}  "
        f"declared {iso(state.declared_at)}  {state.symptom}"
    )
