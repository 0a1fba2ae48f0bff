"""Flag flips read from a real Unleash server: the event search, beyond its newest 100."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from stanch.model.clock import iso
from stanch.services import evidence, incidents
from tests.conftest import make_app
from tests.levers.unleash import Unleash, unleash_server
from tests.support.postgres import PostgresServer


@pytest.fixture(scope="module")
def unleash(
    postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Unleash]:
    with unleash_server(postgres, tmp_path_factory, "unleash_events") as server:
        yield server


def test_a_flip_older_than_the_newest_hundred_events_is_a_suspect(
    project: Path, unleash: Unleash, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = {"Authorization": unleash.token}
    base = f"{unleash.url}/api/admin/projects/default/features"
    with httpx.Client(headers=headers, timeout=30) as client:
        for name in ("checkout-pricing", "search-ranking"):
            assert client.post(base, json={"name": name}).status_code == 201
        assert client.post(f"{base}/checkout-pricing/environments/development/on",
                           json={}).status_code == 200  # fmt: skip
        for _ in range(60):  # 120 newer events of another flag
            for state in ("on", "off"):
                flip = client.post(f"{base}/search-ranking/environments/development/{state}",
                                   json={})  # fmt: skip
                assert flip.status_code == 200, flip.text
    monkeypatch.setenv("STANCH_TEST_UNLEASH", unleash.token)
    (project / "stanch.toml").write_text(
        f'[stanch]\n[evidence.unleash]\nurl = "{unleash.url}"\n'
        'token_env = "STANCH_TEST_UNLEASH"\nenvironment = "development"\n'
    )
    now = datetime.now(UTC)
    app = make_app(project, start=now + timedelta(minutes=2))
    onset = now + timedelta(minutes=1)
    key = incidents.declare(app, "checkout 5xx", severity="SEV2", services=["checkout"],
                            started=iso(onset)).incident.id  # fmt: skip
    report = evidence.changes(app, key, repos=[], record_it=False)
    summaries = [s.change.summary for s in report.suspects]
    assert "Unleash flag checkout-pricing turned on in development by admin" in " ".join(
        summaries
    ), summaries
    flips = [s for s in summaries if "search-ranking turned" in s]
    assert len(flips) == 120  # every flip of the window, not the newest hundred events
    app.close()
