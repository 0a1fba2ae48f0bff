"""The built-in public status page: static HTML and JSON, servable by any file server.

Only public-update dictionaries (allow-listed fields) go in; incident ids do not.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from stanch.model.clock import iso
from stanch.model.public import ALLOWED_FIELDS


def _atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def document(feed: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    """The JSON the page shows: current incidents and their updates, newest first."""
    incidents = []
    for item in feed:
        # newest first; events of the same second keep their recorded order
        updates = [{k: v for k, v in u.items() if k in ALLOWED_FIELDS}
                   for u in reversed(item["updates"])]  # fmt: skip
        updates.sort(key=lambda u: str(u.get("posted_at")), reverse=True)
        incidents.append({"open": bool(item["open"]), "title": updates[0]["title"],
                          "status": updates[0]["status"], "updates": updates})  # fmt: skip
    ongoing = [i for i in incidents if i["open"]]
    overall = "All systems operational" if not ongoing else f"{len(ongoing)} ongoing incident(s)"
    return {"generated_at": iso(now), "status": overall, "incidents": incidents}


def render_html(doc: dict[str, Any]) -> str:
    esc = html.escape
    parts = [
        "<!doctype html><html lang=en><meta charset=utf-8>",
        "<meta name=viewport content='width=device-width,initial-scale=1'>",
        f"<title>Status</title><h1>{esc(doc['status'])}</h1>",
        f"<p><small>Updated {esc(doc['generated_at'])}</small></p>",
    ]
    for incident in doc["incidents"]:
        state = "ongoing" if incident["open"] else "past"
        parts.append(f"<section class={state}><h2>{esc(incident['title'])} — "
                     f"{esc(incident['status'])}</h2>")  # fmt: skip
        for update in incident["updates"]:
            line = esc(update.get("message") or update.get("status") or "")
            impact = f" Impact: {esc(update['impact'])}." if update.get("impact") else ""
            parts.append(f"<p><b>{esc(str(update.get('posted_at')))}</b> "
                         f"{esc(str(update.get('status')))}: {line}{impact}</p>")  # fmt: skip
        parts.append("</section>")
    return "\n".join(parts) + "\n"


def write(directory: Path, feed: list[dict[str, Any]], now: datetime) -> Path:
    """Write status.json and index.html atomically; returns the directory."""
    doc = document(feed, now)
    _atomic(directory / "status.json", json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    _atomic(directory / "index.html", render_html(doc))
    return directory
