"""Two real `stanch serve` processes on one PostgreSQL, each running its scheduler:
every timer fires exactly once."""

from __future__ import annotations

import collections
import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from stanch.model.timers import TIMER_FIRED
from stanch.services import tokens
from tests.conftest import make_app
from tests.support.process import ServerProcess, free_port, http_ready

CONFIG = """[server]
tick_seconds = 0.2
escalate_after_minutes = 0.02
update_every_minutes = 0.02
"""


@pytest.fixture
def replicas(project: Path, pg_url: str) -> Iterator[list[str]]:
    (project / "stanch.toml").write_text("[stanch]\n" + CONFIG)
    env = {**os.environ, "STANCH_DATABASE_URL": pg_url, "STANCH_ACTOR": "server"}
    ports = [free_port(), free_port()]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    servers = [
        ServerProcess(f"stanch serve :{port}", [sys.executable, "-m", "stanch", "serve", "--port",
                      str(port)], ready=http_ready(f"{base}/status.json", below=500),
                      log=project.parent / f"serve-{port}.log", cwd=project, env=env)
        for port, base in zip(ports, bases, strict=True)
    ]  # fmt: skip
    with contextlib.ExitStack() as running:
        for server in servers:  # both start at once, as replicas behind a balancer would
            running.callback(server.stop)
            server.start()
        for server in servers:
            server.wait_ready()
        yield bases


def test_each_timer_fires_once_across_two_serving_replicas(
    project: Path, pg_url: str, replicas: list[str]
) -> None:
    app = make_app(project, pg_url)
    token = tokens.create(app, "rory", "responder")
    for number in range(6):  # alternate replicas, as a load balancer would
        response = httpx.post(
            f"{replicas[number % 2]}/api/incidents",
            headers={"Authorization": f"Bearer {token}"},
            json={"symptom": f"Outage {number}", "severity": "SEV1", "slug": f"outage-{number}"},
        )
        assert response.status_code == 201, response.text
    wanted = 12  # an escalation and an update reminder per SEV1

    def fired() -> list[str]:
        return [
            e.data["timer"]
            for key in app.store.ids()
            for e in app.store.events(key)
            if e.kind == TIMER_FIRED
        ]

    deadline = time.monotonic() + 60
    while len(fired()) < wanted and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)  # several more ticks of both replicas: nothing may fire again
    timers = fired()
    assert len(timers) == wanted, timers
    assert [t for t, n in collections.Counter(timers).items() if n > 1] == []
    app.close()
