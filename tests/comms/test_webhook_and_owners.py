"""The signed webhook, owner resolution from catalog / CODEOWNERS / map, and the CLI."""

from __future__ import annotations

import hmac
import json
from pathlib import Path

import httpx
import pytest

from stanch.model.outbox import Message
from stanch.notify.base import Status
from stanch.notify.config import load
from stanch.notify.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, Webhook, sign
from stanch.owners import catalog
from stanch.owners.resolve import resolve
from stanch.services.context import App
from tests.comms.conftest import CATALOG
from tests.conftest import T0
from tests.support.cli import cli

SECRET = "s3cret-signing-key"


def receiver(seen: list[dict[str, object]]) -> httpx.MockTransport:
    """A receiver that checks the signature exactly as the docs tell integrators to."""

    def handle(request: httpx.Request) -> httpx.Response:
        stamp = request.headers[TIMESTAMP_HEADER]
        expected = sign(SECRET, stamp, request.content)
        if not hmac.compare_digest(expected, request.headers.get(SIGNATURE_HEADER, "")):
            return httpx.Response(401, text="bad signature")
        seen.append(json.loads(request.content))
        return httpx.Response(204)

    return httpx.MockTransport(handle)


def webhook(secret: str, seen: list[dict[str, object]]) -> Webhook:
    raw = {"comms": {"webhook": {"url": "https://hooks.example/in", "key_env": "HOOK"}}}
    config = load(raw, Path(), env={"HOOK": secret})
    return Webhook(config, httpx.Client(transport=receiver(seen)))


MESSAGE = Message("m1", "2026-11-22-x", "webhook", "page", "payments", {"summary": "s"}, T0)


def test_webhook_is_signed() -> None:
    seen: list[dict[str, object]] = []
    assert webhook(SECRET, seen).send(MESSAGE, {}).status is Status.OK
    assert seen[0]["summary"] == "s" and seen[0]["incident"] == "2026-11-22-x"


def test_webhook_with_wrong_secret_is_refused() -> None:
    seen: list[dict[str, object]] = []
    result = webhook("other", seen).send(MESSAGE, {})
    assert result.status is Status.REJECTED and not seen


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "CODEOWNERS").write_text(
        "*  @acme/sre\n/billing/  @acme/payments\n/search/\n"
    )
    (tmp_path / "catalog-info.yaml").write_text(CATALOG)
    (tmp_path / "stanch.toml").write_text(
        '[comms]\ncatalog = ["catalog-info.yaml"]\n[comms.teams.payments]\n'
        'aliases = ["@acme/payments"]\nslack = "@pay"\n'
    )
    return tmp_path


def test_catalog_owner_and_annotations(repo: Path) -> None:
    [component, group] = catalog.parse(CATALOG)
    assert (component.kind, component.owner_name, group.kind) == ("Component", "payments", "Group")
    found = resolve(load({"comms": {"catalog": ["catalog-info.yaml"]}}, repo, env={}), "checkout")
    assert (found.team, found.source, found.pagerduty) == ("payments", "catalog", "PABC123")
    assert found.opsgenie_team == "payments-oncall"


def test_codeowners_owner_maps_to_team(repo: Path) -> None:
    config = load({"comms": {"teams": {"payments": {"aliases": ["@acme/payments"]}}}}, repo, env={})
    found = resolve(config, "billing/api/main.py", is_path=True)
    assert (found.team, found.source, found.configured) == ("payments", "codeowners", True)
    assert resolve(config, "billing").team == "payments"
    assert resolve(config, "search/index.py", is_path=True).team is None  # owner-less rule
    assert resolve(config, "web/app.js", is_path=True).team == "@acme/sre"


def test_owner_command(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.conftest import make_app

    app: App = make_app(repo)
    try:
        ran = cli(capsys, app, "owner", "checkout", "--json")
        assert ran.code == 0, ran.err
        assert ran.json()["team"] == "payments" and ran.json()["slack"] == "@pay"
        text = cli(capsys, app, "owner", "billing/x.py", "--path")
        assert "payments" in text.out and "codeowners" in text.out
    finally:
        app.close()


def test_bad_settings_are_one_line_errors(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.conftest import make_app

    (repo / "stanch.toml").write_text("[comms.cadence]\nSEV1 = 'often'\n")
    app = make_app(repo)
    try:
        ran = cli(capsys, app, "owner", "checkout")
        assert ran.code == 1
        assert "comms.cadence.SEV1" in ran.err and "Traceback" not in ran.err
    finally:
        app.close()
