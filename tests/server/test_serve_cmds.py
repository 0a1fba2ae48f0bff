"""The CLI side: tokens (shown once, listed without secrets, revoked) and export-status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stanch.services import incidents, tokens
from stanch.services.context import App
from tests.support.cli import cli


def test_token_lifecycle(app: App, capsys: pytest.CaptureFixture[str]) -> None:
    made = cli(capsys, app, "tokens", "create", "ci", "--role", "responder", "--json").json()
    assert made["token"].startswith("stn_")
    assert tokens.authenticate(app, made["token"]) is not None
    listed = cli(capsys, app, "tokens", "list", "--json")
    assert json.loads(listed.out) == [
        {"name": "ci", "role": "responder", "created_at": "2026-11-22T10:00:00Z"}
    ]
    assert made["token"] not in listed.out
    again = cli(capsys, app, "tokens", "create", "ci")
    assert again.code == 1 and "already exists" in again.err
    bad_role = cli(capsys, app, "tokens", "create", "x", "--role", "root")
    assert bad_role.code == 1 and "unknown role" in bad_role.err
    assert cli(capsys, app, "tokens", "revoke", "ci").code == 0
    assert tokens.authenticate(app, made["token"]) is None
    assert cli(capsys, app, "tokens", "revoke", "ci").code == 1


def test_export_status(app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    incidents.declare(app, "Payments fail", severity="SEV1", customer_visible=True)
    done = cli(capsys, app, "export-status", str(tmp_path / "site"), "--json")
    assert done.code == 0
    assert len(done.json()) == 3
    data = json.loads((tmp_path / "site" / "status.json").read_text())
    assert data["incidents"][0]["name"] == "Payments fail" and data["indicator"] == "critical"
