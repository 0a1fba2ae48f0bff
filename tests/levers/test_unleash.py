"""The Unleash lever against a real unleash-server (npm) on the tests' PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from stanch.services.context import App
from tests.levers.conftest import Kube, lever_app
from tests.levers.test_mitigate import declare, mitigate
from tests.levers.unleash import Unleash, unleash_server
from tests.support.cli import cli
from tests.support.postgres import PostgresServer

FLAG = "checkout-v2"


@pytest.fixture(scope="module")
def unleash(
    postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Unleash]:
    with unleash_server(postgres, tmp_path_factory, "unleash") as server:
        headers = {"Authorization": server.token}
        base = f"{server.url}/api/admin/projects/default/features"
        assert httpx.post(base, json={"name": FLAG}, headers=headers).status_code == 201
        on = httpx.post(f"{base}/{FLAG}/environments/production/on", json={}, headers=headers)
        assert on.status_code == 200, on.text
        yield server


def enabled(server: Unleash) -> dict[str, bool]:
    got = httpx.get(f"{server.url}/api/admin/projects/default/features/{FLAG}",
                    headers={"Authorization": server.token})  # fmt: skip
    return {e["name"]: e["enabled"] for e in got.json()["environments"]}


@pytest.fixture
def unleash_app(
    project: Path, repo: Path, kube: Kube, unleash: Unleash, monkeypatch: pytest.MonkeyPatch
) -> Iterator[App]:
    (repo / "app.py").write_text(f"unleash = UnleashClient()\nunleash.is_enabled('{FLAG}')\n")
    monkeypatch.setenv("UNLEASH_TOKEN", unleash.token)
    instance = lever_app(project, repo, f'[levers.unleash]\nurl = "{unleash.url}"\n')
    yield instance
    instance.close()


def test_unleash_toggle_off_then_undo(
    capsys: pytest.CaptureFixture[str], unleash_app: App, unleash: Unleash,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    incident = declare(capsys, unleash_app)
    lever = f"flag_off:unleash:{FLAG}"
    planned = mitigate(capsys, unleash_app, incident, lever)
    assert planned.code == 0 and "viability passed" in planned.out, planned.out + planned.err
    assert mitigate(capsys, unleash_app, incident, lever, "--apply").code == 0
    assert enabled(unleash) == {"development": False, "production": False}
    assert mitigate(capsys, unleash_app, incident, "--undo").code == 0
    assert enabled(unleash)["production"] is True
    # a wrong token: the server refuses, the plan records a failed viability check
    monkeypatch.setenv("UNLEASH_TOKEN", "*:*.wrong")
    refused = mitigate(capsys, unleash_app, incident, lever)
    assert "viability FAILED" in refused.out and "401" in refused.out


def _live_levers(capsys: pytest.CaptureFixture[str], project: Path, repo: Path,
                 unleash: Unleash, monkeypatch: pytest.MonkeyPatch) -> Any:  # fmt: skip
    """`stanch levers --json` with live flags on; onset a minute from now (the fixture's
    flip happened moments ago)."""
    monkeypatch.setenv("UNLEASH_TOKEN", unleash.token)
    soon = datetime.now(UTC) + timedelta(minutes=1)
    extra = f'[levers.unleash]\nurl = "{unleash.url}"\n[levers.live]\nflags = true\n'
    app = lever_app(project, repo, extra, start=soon)
    try:
        ran = cli(capsys, app, "levers", "--json")
    finally:
        app.close()
    assert ran.code == 0, ran.err
    return ran.json()


def test_live_unleash_state_ranks_a_recent_flip_and_skips_flags_already_off(
    capsys: pytest.CaptureFixture[str], project: Path, repo: Path, kube: Kube,
    unleash: Unleash, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    headers = {"Authorization": unleash.token}
    base = f"{unleash.url}/api/admin/projects/default/features"
    created = httpx.post(base, json={"name": "old-banner"}, headers=headers)
    assert created.status_code in (201, 409), created.text  # new flags start off everywhere
    (repo / "app.py").write_text(
        f"unleash = UnleashClient()\nunleash.is_enabled('{FLAG}')\n"
        "unleash.is_enabled('old-banner')\n"
    )
    data = _live_levers(capsys, project, repo, unleash, monkeypatch)
    first = data["levers"][0]
    assert first["id"] == f"flag_off:unleash:{FLAG}"
    assert f"unleash flag {FLAG} turned on in production at" in first["reason"]
    assert "flag_off:unleash:old-banner" not in [lever["id"] for lever in data["levers"]]
    assert any("unleash flag old-banner is already off in production" in n for n in data["notes"])
    states = {(f["key"], f["environment"]): (f["on"], f["change"]) for f in data["live"]["flags"]}
    assert states[(FLAG, "production")] == (True, "turned on")
    assert states[("old-banner", "production")][0] is False
    assert states[(FLAG, "development")][0] is False  # every environment is shown


def test_a_recent_flip_is_found_behind_many_newer_events_of_other_flags(
    capsys: pytest.CaptureFixture[str], project: Path, repo: Path, kube: Kube,
    unleash: Unleash, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    headers = {"Authorization": unleash.token}
    base = f"{unleash.url}/api/admin/projects/default/features"
    with httpx.Client(headers=headers, timeout=30) as client:
        assert client.post(base, json={"name": "busy-noise"}).status_code in (201, 409)
        for _ in range(60):  # 120 newer events: the legacy list holds the newest 100 only
            for state in ("on", "off"):
                assert client.post(f"{base}/busy-noise/environments/development/{state}",
                                   json={}).status_code == 200  # fmt: skip
    (repo / "app.py").write_text(f"unleash = UnleashClient()\nunleash.is_enabled('{FLAG}')\n")
    data = _live_levers(capsys, project, repo, unleash, monkeypatch)
    states = {(f["key"], f["environment"]): f for f in data["live"]["flags"]}
    assert states[(FLAG, "production")]["change"] == "turned on"
    assert states[(FLAG, "production")]["changed_at"] is not None
