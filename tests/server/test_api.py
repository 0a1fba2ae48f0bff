"""REST API for the core, on both stores: every call goes through HTTP and the real store."""

from __future__ import annotations

from stanch.model.kinds import CHANGE_RECORDED
from tests.server.conftest import Server


def _declare(s: Server, **extra: object) -> str:
    body = {
        "symptom": "Checkout returns 502 for EU users",
        "severity": "SEV1",
        "impact": "~30% of checkout requests",
        "services": ["checkout"],
        **extra,
    }
    response = s.client.post("/api/incidents", json=body, headers=s.auth(s.responder))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_declare_log_status_severity_assign_show_list(any_server: Server) -> None:
    s = any_server
    key = _declare(s)
    h = s.auth(s.responder)
    assert (
        s.client.post(f"/api/incidents/{key}/log", json={"text": "rolled back"}, headers=h).json()[
            "seq"
        ]
        == 2
    )
    moved = s.client.post(
        f"/api/incidents/{key}/status", json={"to": "mitigating", "reason": "rb"}, headers=h
    )
    assert moved.json()["status"] == "mitigating"
    assert (
        s.client.post(f"/api/incidents/{key}/severity", json={"to": "P1"}, headers=h).json()[
            "severity"
        ]
        == 2
    )
    assigned = s.client.post(
        f"/api/incidents/{key}/assign", json={"role": "scribe", "people": ["bob"]}, headers=h
    )
    assert assigned.status_code == 201
    shown = s.client.get(f"/api/incidents/{key}", headers=s.auth(s.viewer)).json()
    assert shown["roles"]["scribe"] == ["bob"]
    assert [e["kind"] for e in shown["timeline"]] == [
        "incident.declared",
        "note",
        "status.changed",
        "severity.changed",
        "role.assigned",
    ]
    assert shown["timeline"][1]["actor"] == "rory"  # the token's name is the actor
    listed = s.client.get("/api/incidents", headers=s.auth(s.viewer)).json()
    assert [i["id"] for i in listed] == [key]
    assert "rolled back" in s.app.files.path(key).read_text()  # projected into the file


def test_errors_are_one_line_json_with_the_right_code(server: Server) -> None:
    s = server
    key = _declare(s)
    h = s.auth(s.responder)
    illegal = s.client.post(f"/api/incidents/{key}/status", json={"to": "closed"}, headers=h)
    assert illegal.status_code == 409 and "allowed next" in illegal.json()["error"]
    bad = s.client.post("/api/incidents", json={"symptom": "x", "severity": "SEV9"}, headers=h)
    assert bad.status_code == 422 and "unknown severity" in bad.json()["error"]
    missing = s.client.get("/api/incidents/nope", headers=s.auth(s.viewer))
    assert missing.status_code == 404


def test_roles_and_tokens(server: Server) -> None:
    s = server
    assert s.client.get("/api/incidents").status_code == 401
    assert s.client.get("/api/incidents", headers=s.auth("stn_forged")).status_code == 401
    viewer_write = s.client.post(
        "/api/incidents", json={"symptom": "x", "severity": "SEV3"}, headers=s.auth(s.viewer)
    )
    assert viewer_write.status_code == 403
    from stanch.services import tokens

    stored = str(tokens.listing(s.app))
    assert s.responder not in stored and "digest" not in stored
    tokens.revoke(s.app, "rory")
    assert s.client.get("/api/incidents", headers=s.auth(s.responder)).status_code == 401


def test_changes_feed_open_incidents_and_later_declarations(any_server: Server) -> None:
    s = any_server
    h = s.auth(s.responder)
    before = s.client.post(
        "/api/changes",
        json={
            "kind": "deploy",
            "ref": "v2.14.0",
            "service": "checkout",
            "at": "2026-11-22T09:55:00Z",
        },
        headers=h,
    )
    assert before.status_code == 201 and before.json()["recorded_on"] == []
    key = _declare(s, started="2026-11-22T09:58:00Z")
    other = s.client.post(
        "/api/changes", json={"kind": "flag", "ref": "new-cart", "service": "search"}, headers=h
    )
    assert other.json()["recorded_on"] == []  # another service's change stays out
    during = s.client.post(
        "/api/changes",
        json={"kind": "rollback", "ref": "v2.13.2", "service": "checkout"},
        headers=h,
    )
    assert during.json()["recorded_on"] == [key]
    timeline = s.client.get(f"/api/incidents/{key}", headers=h).json()["timeline"]
    refs = [e["data"]["ref"] for e in timeline if e["kind"] == CHANGE_RECORDED]
    assert refs == ["v2.14.0", "v2.13.2"]
    bad = s.client.post("/api/changes", json={"kind": "bogus", "ref": "x"}, headers=h)
    assert bad.status_code == 422


def test_openapi_lists_the_core(server: Server) -> None:
    spec = server.client.get("/openapi.json").json()
    for path in (
        "/api/incidents",
        "/api/incidents/{incident_id}/log",
        "/api/changes",
        "/api/alerts/alertmanager",
        "/status.json",
    ):
        assert path in spec["paths"], path
