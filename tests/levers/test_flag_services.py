"""Flag levers for real: flagd files, a LaunchDarkly contract server, a real Unleash."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from stanch.services.context import App
from tests.fakes.levers_launchdarkly import SEMANTIC, LaunchDarkly, running
from tests.levers.conftest import Kube, lever_app
from tests.levers.test_mitigate import declare, mitigate
from tests.support.cli import cli

TOKEN = "api-0123abcd-test"


@pytest.fixture
def ld() -> Iterator[LaunchDarkly]:
    flag = {"key": "dark-banner", "_version": 1, "kind": "boolean",
            "environments": {"production": {"on": True, "version": 1},
                             "staging": {"on": True, "version": 1}}}  # fmt: skip
    with running(LaunchDarkly(TOKEN, {"default/dark-banner": flag})) as server:
        yield server


@pytest.fixture
def ld_app(
    project: Path, repo: Path, kube: Kube, ld: LaunchDarkly, monkeypatch: pytest.MonkeyPatch
) -> Iterator[App]:
    (repo / "web.js").write_text("ldClient.variation('dark-banner', false)\n")
    monkeypatch.setenv("LD_API_TOKEN", TOKEN)
    extra = (f'[levers.launchdarkly]\nurl = "{ld.url}"\ntoken_env = "LD_API_TOKEN"\n'
             'project = "default"\nenvironment = "production"\n')  # fmt: skip
    instance = lever_app(project, repo, extra)
    yield instance
    instance.close()


def test_launchdarkly_turn_flag_off_and_on(
    capsys: pytest.CaptureFixture[str], ld_app: App, ld: LaunchDarkly
) -> None:
    incident = declare(capsys, ld_app)
    lever = "flag_off:launchdarkly:dark-banner"
    planned = mitigate(capsys, ld_app, incident, lever)
    assert planned.code == 0 and "viability passed" in planned.out, planned.out + planned.err
    assert mitigate(capsys, ld_app, incident, lever, "--apply").code == 0
    env = ld.flags["default/dark-banner"]["environments"]
    assert env["production"]["on"] is False and env["staging"]["on"] is True
    patch = next(r for r in ld.requests if r["method"] == "PATCH")
    assert patch["content_type"] == SEMANTIC
    assert json.loads(patch["body"])["instructions"] == [{"kind": "turnFlagOff"}]
    assert mitigate(capsys, ld_app, incident, "--undo").code == 0
    assert env["production"]["on"] is True


def test_launchdarkly_bad_token_is_not_viable(
    capsys: pytest.CaptureFixture[str], ld_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LD_API_TOKEN", "Bearer wrong")
    incident = declare(capsys, ld_app)
    planned = mitigate(capsys, ld_app, incident, "flag_off:launchdarkly:dark-banner")
    assert "viability FAILED" in planned.out and "401" in planned.out
    assert "wrong" not in planned.out


def test_flagd_respects_targeting_and_restores_bytes(
    capsys: pytest.CaptureFixture[str], ld_app: App, repo: Path
) -> None:
    incident = declare(capsys, ld_app)
    before = (repo / "flags.json").read_bytes()
    lever = "flag_off:flagd:new-checkout"
    assert mitigate(capsys, ld_app, incident, lever).code == 0
    assert mitigate(capsys, ld_app, incident, lever, "--apply").code == 0
    flag = json.loads((repo / "flags.json").read_text())["flags"]["new-checkout"]
    assert flag["defaultVariant"] == "off" and "targeting" not in flag
    assert mitigate(capsys, ld_app, incident, "--undo").code == 0
    assert (repo / "flags.json").read_bytes() == before


def test_flagd_refuses_when_file_changed_after_plan(
    capsys: pytest.CaptureFixture[str], ld_app: App, repo: Path
) -> None:
    incident = declare(capsys, ld_app)
    lever = "flag_off:flagd:new-checkout"
    assert mitigate(capsys, ld_app, incident, lever).code == 0
    (repo / "flags.json").write_text((repo / "flags.json").read_text() + "\n")
    failed = mitigate(capsys, ld_app, incident, lever, "--apply")
    assert failed.code == 1 and "changed since the plan" in failed.err


def test_live_launchdarkly_state_ranks_and_filters_flag_levers(
    capsys: pytest.CaptureFixture[str], project: Path, repo: Path, kube: Kube,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    five_min_before_t0 = int(datetime(2026, 11, 22, 9, 55, tzinfo=UTC).timestamp() * 1000)
    flags = {
        "default/dark-banner": {"key": "dark-banner", "_version": 3, "kind": "boolean",
                                "environments": {"production": {
                                    "on": True, "version": 3, "lastModified": five_min_before_t0},
                                    "staging": {"on": False, "version": 2,
                                                "lastModified": 1700000000000}}},
        "default/old-promo": {"key": "old-promo", "_version": 1, "kind": "boolean",
                              "environments": {"production": {
                                  "on": False, "version": 1, "lastModified": 1700000000000}}},
    }  # fmt: skip
    (repo / "web.js").write_text(
        "ldClient.variation('dark-banner', false)\nldClient.variation('old-promo', false)\n"
        "ldClient.variation('gone-flag', false)\n"
    )
    monkeypatch.setenv("LD_API_TOKEN", TOKEN)
    with running(LaunchDarkly(TOKEN, flags)) as server:
        extra = (f'[levers.launchdarkly]\nurl = "{server.url}"\ntoken_env = "LD_API_TOKEN"\n'
                 "[levers.live]\nflags = true\n")  # fmt: skip
        app = lever_app(project, repo, extra)
        try:
            ran = cli(capsys, app, "levers", "--json")
        finally:
            app.close()
        assert all(r["method"] == "GET" for r in server.requests)
    assert ran.code == 0, ran.err
    data = ran.json()
    first = data["levers"][0]
    assert first["id"] == "flag_off:launchdarkly:dark-banner"
    assert (
        "launchdarkly flag dark-banner changed in production at 2026-11-22 09:55Z"
        in (first["reason"])
    )
    ids = [lever["id"] for lever in data["levers"]]
    assert "flag_off:launchdarkly:old-promo" not in ids
    assert any("old-promo is already off in production" in n for n in data["notes"])
    assert any("gone-flag: not found" in n for n in data["notes"])
    states = {(f["key"], f["environment"]): (f["on"], f["lever_environment"])
              for f in data["live"]["flags"]}  # fmt: skip
    assert states == {("dark-banner", "production"): (True, True),
                      ("dark-banner", "staging"): (False, False),
                      ("old-promo", "production"): (False, True)}  # fmt: skip
    # off in staging, but levers act on production: the lever stays
    assert data["live"]["sources"] == ["launchdarkly"] and kube.calls() == []


def test_live_flag_service_refusing_the_token_is_a_note(
    capsys: pytest.CaptureFixture[str], ld_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LD_API_TOKEN", "wrong-token")
    ran = cli(capsys, ld_app, "levers", "--json", "--live")
    assert ran.code == 0, ran.err
    data = ran.json()
    assert (
        "live launchdarkly flag state: GET /api/v2/flags/default/dark-banner answered HTTP 401"
        in (data["notes"])
    )
    assert "flag_off:launchdarkly:dark-banner" in [lever["id"] for lever in data["levers"]]
