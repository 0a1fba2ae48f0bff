"""The public status page as data, HTML and Atom; exportable as static files."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from jinja2 import Environment, FileSystemLoader, select_autoescape

from stanch.errors import classify_os_error
from stanch.model.events import Event
from stanch.model.incident import Incident
from stanch.model.kinds import UPDATE_POSTED
from stanch.model.statuspage import public_view
from stanch.model.types import GENERIC_OUTBOUND, public_allowed, public_statement, type_of
from stanch.services.context import App
from stanch.services.people_config import people_config
from stanch.timeline.writer import atomic_write

TEMPLATES = Path(__file__).resolve().parents[1] / "server" / "templates"
_ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def masked(incident: Incident, events: Sequence[Event]) -> tuple[Incident, list[Event]]:
    """A restricted incident as the public may see it: its published statement as the
    title, an id that does not spell the symptom, and only the stock status lines."""
    public_id = "incident-" + hashlib.sha256(incident.id.encode()).hexdigest()[:12]
    title = public_statement(events) or GENERIC_OUTBOUND
    shown = dataclasses.replace(incident, id=public_id, symptom=title)
    return shown, [e for e in events if e.kind != UPDATE_POSTED]


def publishable(app: App, incidents: Sequence[Incident]) -> list[tuple[Incident, list[Event]]]:
    """The incidents the public may see, with their events: a restricted type (security)
    only once a responder published a statement, and then only as `masked`."""
    rules = people_config(app.settings).rules
    out: list[tuple[Incident, list[Event]]] = []
    for incident in incidents:
        events = app.store.events(incident.id)
        if not public_allowed(incident, events, rules):
            continue
        detail = rules[type_of(incident)].outbound_detail
        out.append((incident, events) if detail else masked(incident, events))
    return out


def view(app: App, components: tuple[str, ...], title: str) -> dict[str, Any]:
    """Public fields only (see model/statuspage.py)."""
    candidates = [i for i in app.store.incidents() if i.customer_visible]
    allowed = publishable(app, candidates[:50])
    events = {i.id: e for i, e in allowed}
    return public_view([i for i, _ in allowed], events, components, title, app.clock())


def html(data: dict[str, Any], base: str = "/status") -> str:
    return _ENV.get_template("status.html").render(page=data, base=base)


def atom(data: dict[str, Any], self_url: str) -> str:
    """One entry per public update, newest first."""
    entries = []
    for incident in data["incidents"]:
        for number, update in enumerate(reversed(incident["updates"]), start=1):
            entries.append((update["at"], incident, number, update))
    entries.sort(key=lambda e: e[0], reverse=True)
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{escape(data['title'])}</title>",
        f"<id>{escape(self_url)}</id>",
        f'<link rel="self" href="{escape(self_url)}"/>',
        f"<updated>{data['updated_at']}</updated>",
    ]
    for at, incident, number, update in entries[:100]:
        parts += [
            "<entry>",
            f"<title>{escape(incident['name'])} — {escape(update['status'])}</title>",
            f"<id>{escape(self_url)}#{escape(incident['id'])}-{number}</id>",
            f"<updated>{at}</updated>",
            "<author><name>status</name></author>",
            f'<content type="text">{escape(update["body"])}</content>',
            "</entry>",
        ]
    parts.append("</feed>")
    return "\n".join(parts) + "\n"


def export(
    app: App, components: tuple[str, ...], title: str, folder: Path, public_url: str = ""
) -> list[Path]:
    """index.html, status.json and feed.atom for any static web server."""
    data = view(app, components, title)
    files = {
        "index.html": html(data, base="."),
        "status.json": json.dumps(data, indent=2, ensure_ascii=False) + "\n",
        "feed.atom": atom(data, f"{public_url}/status/feed.atom" if public_url else "feed.atom"),
    }
    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            atomic_write(folder / name, text.encode())
            written.append(folder / name)
    except OSError as exc:
        raise classify_os_error(exc, f"cannot write the status page into {folder}") from exc
    return written
