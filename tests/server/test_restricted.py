"""A security incident is invisible through every server door to a token not named on it.

API list/show/guessed id, the remote-mode event API, the web UI, the SSE stream, the
public status page (HTML, JSON, Atom, static export) and comms' built-in status page —
each answers a hidden incident exactly as it answers a missing one, until a responder
publishes a statement (then only the statement goes public).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stanch.errors import GuardRefused
from stanch.model import kinds
from stanch.server.app import create_app
from stanch.server.deps import SESSION_COOKIE
from stanch.services import incidents, outbox, people, statuspage, tokens, types, updates
from stanch.services.context import App

SYMPTOM = "Unauthorized admin logins from a leaked key"
STATEMENT = "We are investigating a security matter affecting sign-in."
MISSING = "2026-01-01-no-such-thing"


@dataclass
class Doors:
    app: App
    client: TestClient
    breach: str  # the security incident alice declared
    plain: str  # an ordinary outage, readable by every token
    alice: str  # responder named on the breach
    mallory: str  # responder not named on it
    vera: str  # viewer not named on it


def _doors(app: App) -> Iterator[Doors]:
    app.viewer = "alice"  # the test's own reads and writes, as alice
    breach = incidents.declare(app, SYMPTOM, severity=None, incident_type="security",
                               services=["checkout"], customer_visible=True, slug="breach",
                               actor="alice").incident.id  # fmt: skip
    plain = incidents.declare(app, "Checkout returns 500", severity="SEV2", services=["checkout"],
                              customer_visible=True, actor="alice").incident.id  # fmt: skip
    made = Doors(app, TestClient(create_app(app)), breach, plain,
                 tokens.create(app, "alice", "responder"), tokens.create(app, "mallory", "responder"),
                 tokens.create(app, "vera", "viewer"))  # fmt: skip
    with made.client:
        yield made


@pytest.fixture
def doors(app: App) -> Iterator[Doors]:
    yield from _doors(app)


@pytest.fixture
def any_doors(any_app: App) -> Iterator[Doors]:
    yield from _doors(any_app)


def _as(d: Doors, token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_api_list_hides_it_from_tokens_not_named_on_it(any_doors: Doors) -> None:
    d = any_doors
    for token, sees in ((d.alice, True), (d.mallory, False), (d.vera, False)):
        ids = [i["id"] for i in d.client.get("/api/incidents", headers=_as(d, token)).json()]
        assert d.plain in ids
        assert (d.breach in ids) is sees


# Every API route that takes an incident id: (method, path, body).
ROUTES = [
    ("GET", "/api/incidents/{id}", None),
    ("GET", "/api/incidents/{id}/state", None),
    ("GET", "/api/incidents/{id}/events", None),
    ("POST", "/api/incidents/{id}/log", {"text": "poking around"}),
    ("POST", "/api/incidents/{id}/status", {"to": "mitigating"}),
    ("POST", "/api/incidents/{id}/severity", {"to": "SEV3"}),
    ("POST", "/api/incidents/{id}/assign", {"role": "responder", "people": ["mallory"]}),
    ("POST", "/api/incidents/{id}/events",
     {"kind": "note", "occurred_at": "2026-01-01T00:00:00Z", "data": {"text": "x"}}),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_a_guessed_id_gets_the_missing_id_answer(
    any_doors: Doors, method: str, path: str, body: dict[str, object] | None
) -> None:
    d = any_doors
    before = d.app.store.state(d.breach).last_seq
    hidden = d.client.request(
        method, path.format(id=d.breach), json=body, headers=_as(d, d.mallory)
    )
    missing = d.client.request(
        method, path.format(id=MISSING), json=body, headers=_as(d, d.mallory)
    )
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text == missing.text.replace(MISSING, d.breach)
    assert d.app.store.state(d.breach).last_seq == before  # nothing was written
    # The person named on it is served.
    named = d.client.request("GET", f"/api/incidents/{d.breach}", headers=_as(d, d.alice))
    assert named.status_code == 200 and named.json()["symptom"] == SYMPTOM


def test_the_web_ui_and_its_live_stream_hide_it(doors: Doors) -> None:
    d = doors
    d.client.cookies.set(SESSION_COOKIE, d.mallory)
    listing = d.client.get("/?all=true")
    assert listing.status_code == 200 and "Checkout returns 500" in listing.text
    assert SYMPTOM not in listing.text and d.breach not in listing.text
    for path in ("/incidents/{id}", "/incidents/{id}/stream"):
        hidden = d.client.get(path.format(id=d.breach))
        missing = d.client.get(path.format(id=MISSING))
        assert hidden.status_code == missing.status_code == 404
        assert hidden.text == missing.text.replace(MISSING, d.breach)
    d.client.cookies.set(SESSION_COOKIE, d.alice)
    assert SYMPTOM in d.client.get("/").text
    page = d.client.get(f"/incidents/{d.breach}")
    assert page.status_code == 200 and SYMPTOM in page.text


def _public_texts(d: Doors, folder: Path) -> list[str]:
    """Every public rendering: /status, JSON, Atom and the static export."""
    texts = [d.client.get(p).text for p in ("/status", "/status.json", "/status/feed.atom")]
    statuspage.export(d.app, ("checkout",), "Status", folder)
    texts += [(folder / n).read_text() for n in ("index.html", "status.json", "feed.atom")]
    return texts


def test_the_status_page_leaves_it_out_until_a_statement_is_published(
    doors: Doors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = doors
    monkeypatch.setattr("stanch.server.routes.status.TTL", 0.0)  # no cached page between reads
    for text in _public_texts(d, tmp_path / "before"):
        assert "Checkout returns 500" in text  # the ordinary incident is public
        assert SYMPTOM not in text and d.breach not in text and "breach" not in text
    before = d.client.get("/status.json").json()
    assert len(before["incidents"]) == 1

    types.publish_statement(d.app, d.breach, STATEMENT, actor="alice")
    for text in _public_texts(d, tmp_path / "after"):
        assert STATEMENT in text  # the statement, and only it, goes public
        assert SYMPTOM not in text and d.breach not in text and "breach" not in text
    after = d.client.get("/status.json").json()
    assert len(after["incidents"]) == 2
    shown = next(i for i in after["incidents"] if i["name"] == STATEMENT)
    assert [u["body"] for u in shown["updates"]] == ["We are investigating this issue."]


def test_the_built_in_comms_page_leaves_it_out_until_a_statement(doors: Doors) -> None:
    d = doors
    draft = updates.compose(d.app, d.plain, message="Sign-in may fail for some users.")
    updates.post(d.app, draft, audience="public", actor="alice", deliver=False)
    # a restricted incident cannot be posted publicly at all before a statement
    seen = len(d.app.store.events(d.breach))
    draft = updates.compose(d.app, d.breach, message="Sign-in may fail for some users.")
    with pytest.raises(GuardRefused, match="statement"):
        updates.post(d.app, draft, audience="both", actor="alice", deliver=False)
    assert len(d.app.store.events(d.breach)) == seen  # nothing recorded, nothing queued
    folder = outbox.config(d.app).status_dir
    page = json.loads((folder / "status.json").read_text())
    html = (folder / "index.html").read_text()
    assert len(page["incidents"]) == 1
    assert SYMPTOM not in html and SYMPTOM not in json.dumps(page)

    types.publish_statement(d.app, d.breach, STATEMENT, actor="alice")
    draft = updates.compose(d.app, d.breach, message="Sign-in may fail for some users.")
    updates.post(d.app, draft, audience="public", actor="alice", deliver=False)
    page = json.loads((folder / "status.json").read_text())
    text = json.dumps(page) + (folder / "index.html").read_text()
    assert len(page["incidents"]) == 2
    assert STATEMENT in text and SYMPTOM not in text


def test_the_live_stream_ends_when_access_is_revoked(doors: Doors) -> None:
    d = doors
    people.grant(d.app, d.breach, "mallory", reason="helping with the logs", actor="alice")
    d.client.cookies.set(SESSION_COOKIE, d.mallory)
    seen: list[str] = []

    def read() -> None:
        with d.client.stream("GET", f"/incidents/{d.breach}/stream") as response:
            assert response.status_code == 200
            for line in response.iter_lines():
                seen.append(line)
                if "granted access to mallory" in line:  # caught up: now take it away
                    people.grant(d.app, d.breach, "mallory", revoke=True, actor="alice")

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=20)
    assert not reader.is_alive(), "the stream kept going after access was revoked"
    data = [line for line in seen if line.startswith("data:")]
    assert any("granted access to mallory" in line for line in data)
    assert not any("revoked" in line.lower() for line in data)


def test_a_posted_change_names_only_the_incidents_the_token_may_read(doors: Doors) -> None:
    d = doors
    body = {"kind": "deploy", "ref": "v2.14.0", "service": "checkout", "summary": "checkout v2.14"}
    for token, sees in ((d.mallory, False), (d.alice, True)):
        posted = d.client.post("/api/changes", json=body, headers=_as(d, token))
        assert posted.status_code == 201
        assert d.plain in posted.json()["recorded_on"]
        assert (d.breach in posted.json()["recorded_on"]) is sees
    # The change is on the restricted incident all the same, for those who may read it.
    assert sum(1 for e in d.app.store.events(d.breach) if e.kind == kinds.CHANGE_RECORDED) == 2
