"""End to end: a real Prometheus rule on a test service's error ratio fires through a real
Alertmanager, whose webhook (with a bearer token) opens the incident in stanch."""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest

from stanch.model.alerts import ALERT_FIRED
from stanch.server.app import create_app
from stanch.services import tokens
from stanch.services.context import App
from stanch.settings import load_settings
from tests.server.running import running
from tests.support.http import serving
from tests.support.process import ServerProcess, free_port, http_ready

PROMETHEUS = shutil.which("prometheus")
ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")


class Checkout(BaseHTTPRequestHandler):
    """A test service whose /metrics shows half of its requests failing."""

    served: ClassVar[dict[str, int]] = {"200": 0, "500": 0}

    def do_GET(self) -> None:
        self.served["200"] += 10
        self.served["500"] += 10
        body = "# TYPE http_requests_total counter\n" + "".join(
            f'http_requests_total{{service="checkout",code="{code}"}} {count}\n'
            for code, count in self.served.items()
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *_: object) -> None:
        return


@pytest.fixture
def checkout() -> Iterator[int]:
    with serving(Checkout) as url:
        yield int(url.rsplit(":", 1)[1])


def _write_configs(folder: Path, base: str, token: str, am_port: int, checkout: int) -> None:
    """Alertmanager posting to stanch with the token; Prometheus scraping checkout, one rule."""
    (folder / "am.yml").write_text(f"""
route: {{receiver: stanch, group_by: [alertname, service], group_wait: 1s, group_interval: 1s, repeat_interval: 1h}}
receivers:
- name: stanch
  webhook_configs:
  - url: {base}/api/alerts/alertmanager
    send_resolved: true
    http_config: {{authorization: {{type: Bearer, credentials: {token}}}}}
""")
    (folder / "rules.yml").write_text("""
groups:
- name: checkout
  interval: 1s
  rules:
  - alert: HighErrorRate
    expr: sum by (service) (rate(http_requests_total{code=~"5.."}[5s])) / sum by (service) (rate(http_requests_total[5s])) > 0.1
    labels: {severity: critical}
    annotations: {summary: "checkout 5xx ratio above SLO", runbook_url: "https://runbooks/checkout"}
""")
    (folder / "prom.yml").write_text(f"""
global: {{scrape_interval: 1s, evaluation_interval: 1s}}
rule_files: [{folder / "rules.yml"}]
alerting: {{alertmanagers: [{{static_configs: [{{targets: ['127.0.0.1:{am_port}']}}]}}]}}
scrape_configs:
- job_name: checkout
  static_configs: [{{targets: ['127.0.0.1:{checkout}']}}]
""")


@pytest.mark.skipif(not (PROMETHEUS and ALERTMANAGER), reason="needs Debian prometheus packages")
def test_prometheus_rule_fires_through_alertmanager_into_an_incident(
    project: Path, tmp_path: Path, checkout: int
) -> None:
    app = App(load_settings(cwd=project, env={"STANCH_ACTOR": "tester"}))
    token = tokens.create(app, "alertmanager", "responder")
    prom_port, am_port = free_port(), free_port()
    with running(create_app(app)) as base:
        _write_configs(tmp_path, base, token, am_port, checkout)
        alertmanager = ServerProcess(
            "alertmanager",
            [str(ALERTMANAGER), f"--config.file={tmp_path / 'am.yml'}",
             f"--storage.path={tmp_path / 'am'}", "--cluster.listen-address=",
             f"--web.listen-address=127.0.0.1:{am_port}"],
            ready=http_ready(f"http://127.0.0.1:{am_port}/-/ready"), log=tmp_path / "am.log",
        )  # fmt: skip
        prometheus = ServerProcess(
            "prometheus",
            [str(PROMETHEUS), f"--config.file={tmp_path / 'prom.yml'}",
             f"--storage.tsdb.path={tmp_path / 'prom'}",
             f"--web.listen-address=127.0.0.1:{prom_port}"],
            ready=http_ready(f"http://127.0.0.1:{prom_port}/-/ready"), log=tmp_path / "prom.log",
        )  # fmt: skip
        with contextlib.ExitStack() as servers:
            servers.enter_context(alertmanager)
            servers.enter_context(prometheus)
            deadline = time.monotonic() + 60
            while not app.store.ids():
                if time.monotonic() > deadline:
                    logs = alertmanager.log_tail(1500) + prometheus.log_tail(1500)
                    pytest.fail(f"no incident within 60 s; logs:\n{logs}")
                time.sleep(0.25)
    [key] = app.store.ids()
    state = app.store.state(key)
    assert state.symptom == "checkout 5xx ratio above SLO"
    assert state.severity.label() == "SEV1" and state.services == ("checkout",)
    fired = [e for e in app.store.events(key) if e.kind == ALERT_FIRED]
    assert fired and fired[0].actor == "alertmanager"
    labels = fired[0].data["alerts"][0]["labels"]
    assert (
        labels["alertname"] == "HighErrorRate"
        and len(fired[0].data["alerts"][0]["fingerprint"]) == 16
    )
    app.close()
