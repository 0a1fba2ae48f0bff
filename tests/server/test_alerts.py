"""Alert intake over HTTP: open or attach, dedup, resolved never resolves, auth, rate limit."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from stanch.model.alerts import ALERT_FIRED, ALERT_RESOLVED
from stanch.server.app import create_app
from stanch.services.context import App
from tests.server.conftest import Server


def alert(
    name: str = "HighErrorRate",
    service: str = "checkout",
    status: str = "firing",
    fingerprint: str = "c6eadffa33fcdf37",
    severity: str = "page",
    starts: str = "2026-11-22T09:58:00.000Z",
) -> dict[str, Any]:
    return {
        "status": status,
        "labels": {"alertname": name, "service": service, "severity": severity},
        "annotations": {"summary": f"{service} 5xx ratio above SLO"},
        "startsAt": starts,
        "endsAt": "0001-01-01T00:00:00Z" if status == "firing" else "2026-11-22T10:20:00Z",
        "generatorURL": "http://prometheus:9090/graph",
        "fingerprint": fingerprint,
    }


def notification(*alerts: dict[str, Any], version: str = "4") -> dict[str, Any]:
    body: dict[str, Any] = {
        "version": version,
        "groupKey": '{}:{alertname="x"}',
        "status": "firing",
        "receiver": "stanch",
        "groupLabels": {},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://am",
        "alerts": list(alerts),
    }
    if version == "1":
        body.update(orgId=1, title="[FIRING:1]", state="alerting", message="m")
    return body


def post(s: Server, body: dict[str, Any], path: str = "alertmanager") -> Any:
    response = s.client.post(f"/api/alerts/{path}", json=body, headers=s.auth(s.responder))
    assert response.status_code == 200, response.text
    return response.json()


def kinds(s: Server, key: str) -> list[str]:
    return [e.kind for e in s.app.store.events(key)]


def test_firing_opens_then_attaches_and_duplicates_are_dropped(any_server: Server) -> None:
    s = any_server
    first = post(s, notification(alert()))
    assert len(first["opened"]) == 1
    key = first["opened"][0]
    state = s.app.store.state(key)
    assert state.severity.label() == "SEV2" and state.services == ("checkout",)
    assert state.symptom == "checkout 5xx ratio above SLO"
    again = post(s, notification(alert()))  # Alertmanager's repeat_interval resend
    assert again == {"opened": [], "attached": {}, "duplicates": 1, "unmatched_resolved": 0}
    second = post(
        s,
        notification(
            alert(fingerprint="aaaaaaaaaaaaaaaa"), alert(name="Other", fingerprint="b" * 16)
        ),
    )
    assert second["opened"] != [] and second["attached"][key] == 1  # same group attaches
    assert kinds(s, key) == ["incident.declared", ALERT_FIRED, ALERT_FIRED]


def test_resolved_is_recorded_but_never_resolves(server: Server) -> None:
    s = server
    key = post(s, notification(alert()))["opened"][0]
    done = post(s, notification(alert(status="resolved")))
    assert done["attached"] == {key: 1}
    assert s.app.store.state(key).status.value == "investigating"
    assert kinds(s, key)[-1] == ALERT_RESOLVED
    stray = post(s, notification(alert(service="search", status="resolved")))
    assert stray["unmatched_resolved"] == 1


def test_fires_after_resolution_open_a_new_incident(server: Server) -> None:
    s = server
    key = post(s, notification(alert()))["opened"][0]
    for target in ("mitigated", "monitoring", "resolved"):
        s.client.post(
            f"/api/incidents/{key}/status", json={"to": target}, headers=s.auth(s.responder)
        )
    again = post(s, notification(alert(starts="2026-11-22T11:00:00Z")))
    assert again["opened"] and again["opened"][0] != key


def test_grafana_payload(server: Server) -> None:
    s = server
    body = notification(alert(severity="critical"), version="1")
    body["alerts"][0].update(values={"B": 0.12}, dashboardURL="", panelURL="", silenceURL="")
    done = post(s, body, "grafana")
    assert s.app.store.state(done["opened"][0]).severity.label() == "SEV1"
    event = s.app.store.events(done["opened"][0])[-1]
    assert event.data["source"] == "grafana"


@pytest.mark.parametrize(
    "body",
    [
        {"version": "3", "alerts": [alert()]},
        {"version": "4", "alerts": []},
        {"version": "4", "alerts": [{"status": "firing", "labels": {}}]},
        {"version": "4", "alerts": [{**alert(), "startsAt": "yesterday"}]},
        [1, 2],
    ],
)
def test_bad_payloads_are_4xx_and_record_nothing(server: Server, body: Any) -> None:
    s = server
    response = s.client.post("/api/alerts/alertmanager", json=body, headers=s.auth(s.responder))
    assert response.status_code == 422, response.text
    assert s.app.store.ids() == []


def test_auth_bearer_basic_and_refusals(server: Server) -> None:
    s = server
    assert s.client.post("/api/alerts/alertmanager", json=notification(alert())).status_code == 401
    viewer = s.client.post(
        "/api/alerts/alertmanager", json=notification(alert()), headers=s.auth(s.viewer)
    )
    assert viewer.status_code == 403
    basic = base64.b64encode(f"alertmanager:{s.responder}".encode()).decode()
    ok = s.client.post(
        "/api/alerts/alertmanager",
        json=notification(alert()),
        headers={"Authorization": f"Basic {basic}"},
    )
    assert ok.status_code == 200 and ok.json()["opened"]


def test_rate_limit_answers_429_with_retry_after(app: App) -> None:
    from fastapi.testclient import TestClient

    from stanch.server.config import ServerConfig
    from stanch.services import tokens

    token = tokens.create(app, "am", "responder")
    with TestClient(create_app(app, ServerConfig(rate_per_second=0.01, rate_burst=2))) as client:
        codes = [
            client.post(
                "/api/alerts/alertmanager",
                json=notification(alert()),
                headers={"Authorization": f"Bearer {token}"},
            ).status_code
            for _ in range(4)
        ]
        assert codes == [200, 200, 429, 429]
        limited = client.post(
            "/api/alerts/alertmanager", json={}, headers={"Authorization": f"Bearer {token}"}
        )
        assert int(limited.headers["Retry-After"]) >= 1
