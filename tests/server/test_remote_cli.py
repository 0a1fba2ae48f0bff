"""`STANCH_URL` remote mode: the real CLI against a real server; the server's store records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stanch.cli.remote import RemoteApp, connect
from stanch.errors import InvalidInput
from stanch.server.app import create_app
from stanch.services import tokens
from stanch.services.context import App
from stanch.settings import load_settings
from tests.server.running import running
from tests.support.cli import cli
from tests.support.proc import stanch


@pytest.fixture
def remote(project: Path, tmp_path: Path) -> Iterator[tuple[App, str, str, Path]]:
    server_app = App(load_settings(cwd=project, env={"STANCH_ACTOR": "server"}))
    token = tokens.create(server_app, "carol", "responder")
    laptop = tmp_path / "laptop"
    laptop.mkdir()
    with running(create_app(server_app)) as base:
        yield server_app, base, token, laptop
    server_app.close()


def test_cli_commands_go_to_the_server(
    remote: tuple[App, str, str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    server_app, base, token, laptop = remote
    client = RemoteApp(load_settings(cwd=laptop, env={}), server=base, token=token)
    assert cli(capsys, client, "declare", "Search is slow", "--severity", "SEV2").code == 0
    key = server_app.store.ids()[0]
    assert cli(capsys, client, "log", "added capacity", "--json").code == 0
    assert cli(capsys, client, "status", "mitigating", "-r", "scaled out").code == 0
    refused = cli(capsys, client, "status", "closed")
    assert refused.code == 1 and "cannot go from mitigating to closed" in refused.err
    shown = cli(capsys, client, "show", key, "--json").json()
    assert [e["kind"] for e in shown["timeline"]] == ["incident.declared", "note", "status.changed"]
    assert {e["actor"] for e in shown["timeline"]} == {"carol"}  # the token's name, always
    assert server_app.store.state(key).status.value == "mitigating"
    assert "added capacity" in server_app.files.path(key).read_text()  # the server's file
    assert not (laptop / "incidents").exists() and not (laptop / ".stanch").exists()
    client.close()


def test_bad_token_and_unreachable_server_are_one_line(remote: tuple[App, str, str, Path]) -> None:
    _, base, _, laptop = remote
    bad = stanch(["list"], laptop, env={"STANCH_URL": base, "STANCH_TOKEN": "stn_wrong"})
    assert (
        bad.returncode == 1 and "refused the token" in bad.stderr and "Traceback" not in bad.stderr
    )
    with pytest.raises(InvalidInput, match="http"):
        connect(load_settings(cwd=laptop, env={}), env={"STANCH_URL": "ftp://x"})
