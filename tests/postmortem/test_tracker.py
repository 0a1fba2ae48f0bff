"""Action items sync to GitHub issues through a fake that enforces the REST contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from stanch.model.actions import ActionItem
from stanch.postmortem.github_issues import GitHubIssues
from tests.conftest import T0, make_app
from tests.fakes.postmortem_github import GitHubState, github_server
from tests.postmortem.scripted import ID, SLO_TOML, run_ok, script
from tests.support.cli import cli


def test_open_items_become_issues_once(
    capsys: pytest.CaptureFixture[str], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = GitHubState(token="ghp_test", repos={"acme/checkout"})
    with github_server(state) as url:
        (project / "stanch.toml").write_text(
            SLO_TOML + f'[postmortem.github]\nrepo = "acme/checkout"\nurl = "{url}"\n'
            'token_env = "STANCH_TEST_GH_TOKEN"\n'
        )
        app = make_app(project, start=T0.replace(hour=12))
        script(capsys, app)
        run_ok(capsys, app, "actions", "add", ID, "Add a CI check for pool_size below 4",
               "--owner", "bob", "--priority", "P0")  # fmt: skip
        missing = cli(capsys, app, "actions", "sync")
        assert missing.code == 1 and "STANCH_TEST_GH_TOKEN" in missing.err
        monkeypatch.setenv("STANCH_TEST_GH_TOKEN", "ghp_test")
        synced = cli(capsys, app, "actions", "sync", "--json")
        assert synced.code == 0, synced.err
        assert synced.json() == [{"item": f"{ID}#A1", "status": "ok", "message": "",
                                  "url": "https://github.com/acme/checkout/issues/1"}]  # fmt: skip
        (issue,) = state.issues
        assert issue["title"] == "[P0] Add a CI check for pool_size below 4"
        assert f"Incident: `{ID}`" in issue["body"] and "Owner: bob" in issue["body"]
        again = cli(capsys, app, "actions", "sync", "--json")
        assert again.json() == [] and len(state.issues) == 1  # already tracked
        listed = cli(capsys, app, "actions", "--json").json()
        assert listed[0]["tracker_url"] == "https://github.com/acme/checkout/issues/1"
        app.close()


@pytest.mark.parametrize(
    ("token", "repo", "expected"),
    [("wrong", "acme/checkout", "GitHub 401 (bad credentials): Bad credentials"),
     ("ghp_test", "acme/missing", "GitHub 404 (no such repository): Not Found"),
     ("ghp_test", "acme/frozen", "GitHub 410 (issues are disabled on the repository)")],
)  # fmt: skip
def test_refusals_are_errors_not_successes(token: str, repo: str, expected: str) -> None:
    state = GitHubState(token="ghp_test", repos={"acme/checkout", "acme/frozen"},
                        disabled={"acme/frozen"})  # fmt: skip
    item = ActionItem(ID, "A1", "Add a CI check", "bob", "P1", T0, "prevent", "test", T0)
    with github_server(state) as url:
        result = GitHubIssues(repo, token, url).create(item, "title")
    assert result.status == "error" and result.url is None
    assert result.message.startswith(expected)
    assert state.issues == []


def test_fake_rejects_a_bad_payload() -> None:
    state = GitHubState(token="t", repos={"a/b"})
    item = ActionItem(ID, "A1", "Add a CI check", "bob", "P1", T0, "prevent", "test", T0)
    with github_server(state) as url:
        result = GitHubIssues("a/b", "t", url).create(item, "")
    assert result.status == "error" and "422" in result.message
