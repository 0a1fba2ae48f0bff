"""The signal and watch routes on their own: who may call them, refusals, what they return."""

from __future__ import annotations

from pathlib import Path

from stanch.services.context import App
from tests.conftest import make_app
from tests.server.conftest import make_server
from tests.watch.servers import running_service

CONFIG = """\
[watch]
min_samples = 3
confirm_samples = 2
[watch.recovery_window]
SEV2 = "2s"
"""


def test_set_sample_show_and_recovery_over_http(project: Path) -> None:
    (project / "stanch.toml").write_text(CONFIG)
    app: App = make_app(project)
    server = make_server(app)
    responder, viewer = server.auth(server.responder), server.auth(server.viewer)
    with server.client as http, running_service() as service:
        made = http.post("/api/incidents", headers=responder,
                         json={"symptom": "Checkout 503s", "severity": "SEV2"})  # fmt: skip
        key = made.json()["id"]
        base = f"/api/incidents/{key}"
        no_signal = http.post(f"{base}/watch/sample", headers=responder)
        assert no_signal.status_code == 404 and "no flagging signal" in no_signal.json()["error"]
        health = {"kind": "http", "expr": f"{service.url}/health"}
        assert http.post(f"{base}/signal", headers=viewer, json=health).status_code == 403
        assert http.post(f"{base}/signal", json=health).status_code == 401
        bad = http.post(f"{base}/signal", headers=responder, json={**health, "kind": "sql"})
        assert bad.status_code == 422
        assert http.post("/api/incidents/nope/signal", headers=responder,
                         json=health).status_code == 404  # fmt: skip
        done = http.post(f"{base}/signal", headers=responder, json=health)
        assert done.status_code == 201 and done.json()["signal"]["kind"] == "http"

        service.health_status = 503
        sick = http.post(f"{base}/watch/sample", headers=responder).json()
        assert (sick["value"], sick["healthy"], sick["confirmed"]) == (503, False, False)
        assert http.post(f"{base}/watch/sample", headers=viewer).status_code == 403
        service.health_status = 200
        samples = [http.post(f"{base}/watch/sample", headers=responder).json() for _ in range(3)]
        assert [s["confirmed"] for s in samples] == [False, True, False]
        assert samples[1]["status"] == "mitigated"

        shown = http.get(f"{base}/signal", headers=viewer).json()
        assert shown["confirmed"] is True
        assert [s["healthy"] for s in shown["samples"]] == [False, True, True, True]
        recovery = http.get(f"{base}/recovery", headers=viewer).json()
        assert recovery == shown["recovery"]
        assert recovery["healthy_samples"] == 3 and recovery["needed_samples"] == 3
        events = http.get(base, headers=viewer).json()["timeline"]
        assert {e["actor"] for e in events if e["kind"].startswith("signal.")} == {"rory"}
    app.close()
