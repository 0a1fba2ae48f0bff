"""Two replicas on one PostgreSQL receive the same notifications at once (HA Alertmanagers):
one incident per group, every alert recorded exactly once."""

from __future__ import annotations

import contextlib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from stanch.model.alerts import ALERT_FIRED, parse_notification
from stanch.server.config import ServerConfig
from stanch.services import alerts
from tests.conftest import T0, make_app
from tests.server.test_alerts import alert, notification


def test_concurrent_deliveries_to_two_replicas(
    project: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each replica is its own process in production; drop the in-process locks so the
    # threads here race exactly as replicas do, through the database alone.
    monkeypatch.setattr(alerts, "_LOCAL", contextlib.nullcontext())
    monkeypatch.setattr(alerts, "_OPENING", contextlib.nullcontext())
    replicas = [make_app(project, pg_url) for _ in range(2)]
    for app in replicas:
        app.store.ids()  # open each store once, before the threads share it
    bodies = [
        notification(*(alert(name=f"A{n % 3}", fingerprint=f"{n:04x}{k:012x}") for k in range(3)))
        for n in range(9)
    ]
    notes = [parse_notification(body, T0) for body in bodies]
    jobs = [(replicas[i % 2], note) for i in range(2) for note in notes]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda job: alerts.ingest(job[0], ServerConfig(), job[1], "am"), jobs))
    store = replicas[0].store
    assert len(store.ids()) == 3  # groups A0, A1, A2
    recorded = Counter(
        a["fingerprint"]
        for key in store.ids()
        for e in store.events(key)
        if e.kind == ALERT_FIRED
        for a in e.data["alerts"]
    )
    assert len(recorded) == 27 and set(recorded.values()) == {1}
    for app in replicas:
        app.close()
