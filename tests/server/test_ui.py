"""Web UI over HTTP: login, roles, CSRF on every form, errors shown in the page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.server.conftest import Server


def _login(s: Server, token: str) -> TestClient:
    client = s.client
    response = client.post("/login", data={"token": token}, follow_redirects=False)
    assert response.status_code == 303
    return client


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found
    return found.group(1)


def test_login_required_and_bad_token_refused(server: Server) -> None:
    s = server
    assert s.client.get("/", follow_redirects=False).headers["location"] == "/login"
    bad = s.client.post("/login", data={"token": "stn_nope"})
    assert bad.status_code == 401 and "not valid" in bad.text


def test_declare_and_act_from_forms_with_csrf(server: Server) -> None:
    s = server
    client = _login(s, s.responder)
    page = client.get("/")
    assert "Declare an incident" in page.text
    form = {
        "symptom": "Login fails",
        "severity": "SEV2",
        "impact": "all users",
        "csrf_token": _csrf(page.text),
    }
    forged = client.post(
        "/incidents", data={**form, "csrf_token": "0" * 64}, follow_redirects=False
    )
    assert forged.status_code == 403 and s.app.store.ids() == []
    made = client.post("/incidents", data=form, follow_redirects=False)
    assert made.status_code == 303
    key = made.headers["location"].rsplit("/", 1)[1]
    page = client.get(f"/incidents/{key}")
    assert "Login fails" in page.text and 'aria-live="polite"' in page.text
    assert "no update for 30 min" in page.text  # the SEV2's update cadence is shown as due
    act = client.post(
        f"/incidents/{key}/act",
        data={"action": "note", "text": "restarted auth", "csrf_token": _csrf(page.text)},
    )
    assert "restarted auth" in act.text
    wrong = client.post(
        f"/incidents/{key}/act",
        data={"action": "status", "target": "closed", "csrf_token": _csrf(page.text)},
    )
    assert "cannot go from investigating to closed" in wrong.text


def test_viewer_sees_no_forms_and_cannot_post(server: Server) -> None:
    s = server
    client = _login(s, s.viewer)
    page = client.get("/")
    assert "Declare an incident" not in page.text
    refused = client.post(
        "/incidents", data={"symptom": "x", "severity": "SEV3", "csrf_token": "x"}
    )
    assert refused.status_code == 403


def test_secrets_are_never_rendered(server: Server) -> None:
    s = server
    client = _login(s, s.admin)
    assert s.admin not in client.get("/").text
