"""A private (security) postmortem does not leak: its HTML says private, sync keeps it out."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from stanch.services.context import App
from tests.conftest import make_app
from tests.fakes.postmortem_github import GitHubState, github_server
from tests.support.cli import cli

ITEM = "Rotate the API keys every 30 days"


def declared(capsys: pytest.CaptureFixture[str], app: App, symptom: str, *extra: str) -> str:
    ran = cli(capsys, app, "declare", symptom, "-s", "SEV2", "--actor", "alice", "--json", *extra)
    assert ran.code == 0, ran.err
    key = str(ran.json()["id"])
    added = cli(capsys, app, "actions", "add", key, f"{ITEM} ({symptom})", "--owner", "bob")
    assert added.code == 0, added.err
    return key


@pytest.fixture
def alice(project: Path) -> App:
    app = make_app(project)
    app.viewer = "alice"
    return app


def test_the_html_of_a_private_postmortem_is_marked_and_owner_only(
    capsys: pytest.CaptureFixture[str], alice: App, tmp_path: Path
) -> None:
    secret = declared(capsys, alice, "Unauthorized admin logins", "--type", "security")
    outage = declared(capsys, alice, "Checkout 503s")
    private_page, public_page = tmp_path / "secret.html", tmp_path / "outage.html"
    private_page.write_text("old")
    private_page.chmod(0o644)  # a wider file left from before is narrowed
    ran = cli(capsys, alice, "postmortem", secret, "--html", str(private_page), "--json")
    assert ran.code == 0, ran.err
    assert ran.json()["private"] is True
    text = private_page.read_text()
    assert "<title>[PRIVATE] Postmortem: Unauthorized admin logins</title>" in text
    assert 'content="noindex,nofollow,noarchive"' in text and "Do not publish" in text
    assert stat.S_IMODE(private_page.stat().st_mode) == 0o600
    plain = cli(capsys, alice, "postmortem", outage, "--html", str(public_page))
    assert plain.code == 0 and "PRIVATE" not in plain.out
    assert "PRIVATE" not in public_page.read_text()
    alice.close()


def test_sync_keeps_private_items_out_of_the_shared_tracker(
    capsys: pytest.CaptureFixture[str], alice: App, project: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    state = GitHubState(token="ghp_test", repos={"acme/checkout", "acme/security"})
    monkeypatch.setenv("STANCH_TEST_GH_TOKEN", "ghp_test")
    with github_server(state) as url:
        base = f'[postmortem.github]\nrepo = "acme/checkout"\nurl = "{url}"\n' \
               'token_env = "STANCH_TEST_GH_TOKEN"\n'  # fmt: skip
        (project / "stanch.toml").write_text(base)
        app = make_app(project)
        app.viewer = "alice"
        secret = declared(capsys, app, "Unauthorized admin logins", "--type", "security")
        outage = declared(capsys, app, "Checkout 503s")
        named = cli(capsys, app, "actions", "sync", "--incident", secret)
        assert named.code == 1 and "private postmortem" in named.err and "private_repo" in named.err
        synced = cli(capsys, app, "actions", "sync", "--json")
        assert synced.code == 0, synced.err
        by_item = {r["item"]: r for r in synced.json()}
        assert by_item[f"{outage}#A1"]["status"] == "ok"
        assert by_item[f"{secret}#A1"]["status"] == "private"
        assert len(state.issues) == 1
        assert (
            secret not in state.issues[0]["body"] and "Unauthorized" not in state.issues[0]["title"]
        )
        app.close()

        (project / "stanch.toml").write_text(base + 'private_repo = "acme/security"\n')
        app = make_app(project)
        app.viewer = "alice"
        again = cli(capsys, app, "actions", "sync", "--json")
        assert again.code == 0, again.err
        (result,) = again.json()
        assert result["item"] == f"{secret}#A1"
        assert result["url"] == "https://github.com/acme/security/issues/2"
        app.close()
