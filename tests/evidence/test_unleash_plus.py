"""Unleash flag flips from the admin events API are `flag` changes before onset."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from stanch.errors import InvalidInput
from stanch.model.clock import iso
from stanch.services import evidence, incidents
from tests.conftest import T0, make_app
from tests.fakes.evidence_unleash import FakeUnleash, serving

TOKEN = "*:*.unleash-admin-secret"
ONSET = T0 - timedelta(minutes=5)


def _event(eid: int, kind: str, flag: str, minutes: float, env: str = "production",
           project: str = "default") -> dict[str, Any]:  # fmt: skip
    return {
        "id": eid, "type": kind, "createdBy": "alice@example.com",
        "createdAt": iso(ONSET - timedelta(minutes=minutes)).replace("Z", ".123Z"),
        "featureName": flag, "project": project, "environment": env, "data": None,
        "preData": None, "tags": [],
    }  # fmt: skip


EVENTS = [
    _event(1, "feature-created", "checkout-new-pricing", 60 * 24 * 5),
    _event(2, "feature-environment-disabled", "search-typo-tolerance", 60 * 30),  # out of window
    _event(3, "feature-environment-enabled", "checkout-new-pricing", 12),
    _event(4, "feature-strategy-update", "payments-3ds", 40),
    _event(5, "feature-environment-enabled", "checkout-new-pricing", 8, env="staging"),
    _event(6, "feature-environment-disabled", "billing-export", 20, project="billing"),
]


def _app(project: Path, url: str, extra: str = "") -> Any:
    (project / "stanch.toml").write_text(
        f'[stanch]\n[evidence.unleash]\nurl = "{url}"\ntoken_env = "STANCH_TEST_UNLEASH"\n{extra}'
    )
    return make_app(project)


def test_flag_flips_before_onset_are_flag_suspects(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STANCH_TEST_UNLEASH", TOKEN)
    fake = FakeUnleash(TOKEN, EVENTS)
    with serving(fake) as url:
        app = _app(project, url, 'environment = "production"\n')
        key = incidents.declare(app, "checkout 5xx", severity="SEV2", services=["checkout"],
                                started=iso(ONSET)).incident.id  # fmt: skip
        report = evidence.changes(app, key, repos=[], record_it=True)
    top = report.suspects[0].change
    ids = [s.change.id for s in report.suspects]
    assert ids[0] == "unleash:3" and sorted(ids) == ["unleash:3", "unleash:4", "unleash:6"]
    assert top.kind == "flag" and top.services == ("checkout",)
    assert (
        top.summary
        == "Unleash flag checkout-new-pricing turned on in production by alice@example.com"
    )
    assert (
        top.undo
        == f"POST {url}/api/admin/projects/default/features/checkout-new-pricing/environments/production/off"
    )
    assert top.at == ONSET - timedelta(minutes=12)  # milliseconds are dropped
    by_id = {s.change.id: s.change for s in report.suspects}
    assert by_id["unleash:4"].undo is None  # a strategy edit has no one-call undo
    assert (by_id["unleash:6"].undo or "").endswith(
        "/features/billing-export/environments/production/on"
    )
    assert report.to_dict()["suspects"][0]["trigger"] == "configuration_push"
    assert f"unleash:{url}" in report.sources
    assert fake.requests[0]["authorization"] == TOKEN  # raw token, no Bearer
    assert "top suspect flag unleash:3 (Unleash flag checkout-new-pricing" in (
        app.files.path(key).read_text()
    )
    app.close()


def test_project_filter_is_sent(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STANCH_TEST_UNLEASH", TOKEN)
    with serving(FakeUnleash(TOKEN, EVENTS)) as url:
        app = _app(project, url, 'project = "billing"\n')
        key = incidents.declare(
            app, "exports fail", severity="SEV3", started=iso(ONSET)
        ).incident.id
        report = evidence.changes(app, key, repos=[], record_it=False)
    assert [s.change.id for s in report.suspects] == ["unleash:6"]
    assert "projects/billing/features/billing-export" in (report.suspects[0].change.undo or "")
    app.close()


def test_bad_token_missing_token_and_unreachable_are_one_line_errors(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serving(FakeUnleash(TOKEN, EVENTS)) as url:
        app = _app(project, url)
        key = incidents.declare(app, "x", severity="SEV3", started=iso(ONSET)).incident.id
        monkeypatch.delenv("STANCH_TEST_UNLEASH", raising=False)
        with pytest.raises(InvalidInput, match="set STANCH_TEST_UNLEASH"):
            evidence.changes(app, key, repos=[], record_it=False)
        monkeypatch.setenv("STANCH_TEST_UNLEASH", "*:*.wrong")
        with pytest.raises(InvalidInput, match="refused the token"):
            evidence.changes(app, key, repos=[], record_it=False)
        app.close()
    monkeypatch.setenv("STANCH_TEST_UNLEASH", TOKEN)
    app = _app(project, url)
    with pytest.raises(Exception, match="unreachable"):
        evidence.changes(app, key, repos=[], record_it=False)
    app.close()
    app = _app(project, "ftp://nope")
    with pytest.raises(InvalidInput, match="http"):
        evidence.changes(app, key, repos=[], record_it=False)
    app.close()


def test_older_flips_of_a_busy_instance_are_read_page_by_page(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STANCH_TEST_UNLEASH", TOKEN)
    noise = [_event(100 + i, "feature-strategy-update", "search-ranking", 11 - i * 0.004)
             for i in range(2500)]  # fmt: skip  # 2,500 newer edits of another flag
    fake = FakeUnleash(TOKEN, [*EVENTS, *noise])
    with serving(fake) as url:
        app = _app(project, url, 'environment = "production"\n')
        key = incidents.declare(app, "checkout 5xx", severity="SEV2", services=["checkout"],
                                started=iso(ONSET)).incident.id  # fmt: skip
        report = evidence.changes(app, key, repos=[], record_it=False)
    ids = {s.change.id for s in report.suspects}
    assert {"unleash:3", "unleash:4", "unleash:6"} <= ids  # older than the newest 2,500
    searches = [r for r in fake.requests if r["path"] == "/api/admin/search/events"]
    assert len(searches) == 3  # three pages of 1,000
    app.close()


def test_a_server_without_event_search_is_read_from_the_legacy_list(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STANCH_TEST_UNLEASH", TOKEN)
    fake = FakeUnleash(TOKEN, EVENTS, search=False)
    with serving(fake) as url:
        app = _app(project, url, 'environment = "production"\n')
        key = incidents.declare(app, "checkout 5xx", severity="SEV2",
                                started=iso(ONSET)).incident.id  # fmt: skip
        report = evidence.changes(app, key, repos=[], record_it=False)
    assert [s.change.id for s in report.suspects][:1] == ["unleash:3"]
    assert [r["path"] for r in fake.requests][-2:] == ["/api/admin/search/events",
                                                       "/api/admin/events"]  # fmt: skip
    app.close()
