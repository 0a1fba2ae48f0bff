"""The public status page shows public fields only; JSON, Atom and the static export agree."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from fastapi.testclient import TestClient

from stanch.model.events import NewEvent
from stanch.model.kinds import UPDATE_POSTED
from stanch.server.app import create_app
from stanch.server.config import ServerConfig
from stanch.services import incidents, statuspage
from stanch.services.context import App, record

SECRETS = ("db-primary-7 OOM", "alice", "inc-2026", "Internal only: rollback of 4f2a")


CONFIG = ServerConfig(components=("checkout", "search"), status_title="Acme status")


def _incidents(app: App) -> tuple[str, str]:
    public = incidents.declare(
        app,
        "Checkout fails for some users",
        severity="SEV2",
        impact="db-primary-7 OOM",
        services=["checkout", "internal-db"],
        customer_visible=True,
        commander="alice",
    ).incident.id
    incidents.log(app, public, "Internal only: rollback of 4f2a")
    now = app.clock()
    record(
        app,
        public,
        lambda _s: NewEvent(
            UPDATE_POSTED,
            "comms",
            now,
            now,
            {
                "audience": "public",
                "text": "Some checkouts fail; we are on it.",
                "channels": ["status"],
            },
        ),
    )
    hidden = incidents.declare(app, "Batch job slow", severity="SEV1").incident.id
    return public, hidden


def _client(app: App) -> TestClient:
    return TestClient(create_app(app, CONFIG))


def test_public_fields_only_and_no_login(app: App) -> None:
    public, hidden = _incidents(app)
    with _client(app) as client:
        page = client.get("/status")
        data = client.get("/status.json").json()
        feed = client.get("/status/feed.atom")
    assert page.status_code == 200 and "Acme status" in page.text
    for text in (page.text, str(data), feed.text):
        assert "Checkout fails for some users" in text
        assert "Some checkouts fail; we are on it." in text
        assert "Batch job slow" not in text  # not customer-visible
        for secret in SECRETS:
            assert secret not in text, secret
    assert data["components"] == [
        {"name": "checkout", "status": "partial_outage"},
        {"name": "search", "status": "operational"},
    ]
    [shown] = data["incidents"]
    assert (
        shown["id"] == public and shown["status"] == "investigating" and shown["impact"] == "major"
    )
    assert shown["components"] == ["checkout"]  # internal services are not named
    assert set(shown) == {
        "id",
        "name",
        "status",
        "impact",
        "started_at",
        "resolved_at",
        "components",
        "updates",
    }
    root = ET.fromstring(feed.content)
    assert len(root.findall("{http://www.w3.org/2005/Atom}entry")) == 2
    assert hidden not in str(data)


def test_status_follows_the_incident_and_export_matches(app: App, tmp_path: Path) -> None:
    public, _ = _incidents(app)
    incidents.set_status(app, public, "mitigated")
    with _client(app) as client:
        data = client.get("/status.json").json()
    assert data["incidents"][0]["status"] == "monitoring"
    assert data["components"][0]["status"] == "degraded_performance"
    written = statuspage.export(app, CONFIG.components, CONFIG.status_title, tmp_path / "site")
    assert sorted(p.name for p in written) == ["feed.atom", "index.html", "status.json"]
    html = (tmp_path / "site" / "index.html").read_text()
    assert "Checkout fails for some users" in html and "db-primary-7" not in html
    assert 'href="./feed.atom"' in html
