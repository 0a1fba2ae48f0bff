"""Webhook rate limits are one allowance per client across replicas, through the store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stanch.errors import InvalidInput
from stanch.server.app import create_app
from stanch.server.config import ServerConfig, load_server_config
from stanch.services import tokens
from stanch.services.context import App
from stanch.store import buckets
from tests.conftest import make_app
from tests.server.test_alerts import alert, notification


@pytest.fixture
def replicas(any_app: App, project: Path) -> Iterator[tuple[App, App]]:
    """Two Apps on one database, each with its own connections, as two replicas have."""
    other = make_app(project, any_app.settings.database_url)
    yield any_app, other
    other.close()


def test_buckets_are_shared_and_refill_at_the_rate(replicas: tuple[App, App]) -> None:
    one, two = (app.store.engine for app in replicas)
    assert buckets.take(one, "10.0.0.7", 1.0, 2, now=100.0) == 0
    assert buckets.take(two, "10.0.0.7", 1.0, 2, now=100.0) == 0  # the other replica's token
    assert buckets.take(one, "10.0.0.7", 1.0, 2, now=100.0) == pytest.approx(1.0)
    assert buckets.take(two, "10.0.0.7", 1.0, 2, now=100.5) == pytest.approx(0.5)
    assert buckets.take(two, "10.0.0.7", 1.0, 2, now=101.0) == 0
    assert buckets.take(one, "10.0.0.7", 1.0, 2, now=99.0) == pytest.approx(1.0)  # a lagging clock
    assert buckets.take(one, "10.0.0.8", 1.0, 2, now=101.0) == 0  # another client: its own
    buckets.forget_idle(one, before=100.5)
    assert buckets.take(two, "10.0.0.7", 1.0, 2, now=101.0) > 0  # still in use: kept
    buckets.forget_idle(one, before=101.5)
    assert buckets.take(two, "10.0.0.7", 1.0, 2, now=101.0) == 0  # forgotten: a full bucket


def _codes(clients: list[TestClient], token: str) -> list[int]:
    headers = {"Authorization": f"Bearer {token}"}
    return [
        c.post("/api/alerts/alertmanager", json=notification(alert()), headers=headers).status_code
        for c in clients
    ]


@pytest.mark.parametrize(("scope", "expected"), [("shared", 429), ("replica", 200)])
def test_a_client_spread_over_two_replicas_gets_one_allowance(
    replicas: tuple[App, App], scope: str, expected: int
) -> None:
    token = tokens.create(replicas[0], "am", "responder")
    config = ServerConfig(rate_per_second=0.01, rate_burst=2, rate_scope=scope)
    with (
        TestClient(create_app(replicas[0], config)) as a,
        TestClient(create_app(replicas[1], config)) as b,
    ):
        codes = _codes([a, b, a, b], token)
        assert codes[:2] == [200, 200]
        assert codes[2:] == [expected, expected]
        if expected == 429:
            limited = b.post("/api/alerts/alertmanager", json={})
            assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1


def test_rate_scope_is_checked() -> None:
    assert load_server_config({}).rate_scope == "shared"
    assert load_server_config({"server": {"rate_scope": "replica"}}).rate_scope == "replica"
    with pytest.raises(InvalidInput, match="rate_scope must be one of shared, replica"):
        load_server_config({"server": {"rate_scope": "cluster"}})
