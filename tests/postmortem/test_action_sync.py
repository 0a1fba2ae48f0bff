"""`stanch actions sync` to GitLab, and one issue per item however many syncs run at once.

GitLab is a local server that enforces its REST v4 documentation; GitHub is the existing
contract fake. Concurrency is driven, not timed: the first sync is held inside its create
while the second runs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stanch.model.actions import ActionItem
from stanch.postmortem.github_issues import GitHubIssues
from stanch.postmortem.gitlab_issues import GitLabIssues
from stanch.postmortem.tracker import Tracker, TrackerResult, marker
from stanch.services import action_sync, actions
from stanch.services.context import App
from tests.conftest import T0, make_app
from tests.fakes.comms_http import serving
from tests.fakes.postmortem_github import GitHubState, github_server
from tests.fakes.postmortem_gitlab import FakeGitLab
from tests.postmortem.scripted import ID, SLO_TOML, run_ok, script
from tests.support.cli import cli

TOKEN = "glpat-test-token"
PROJECT = "acme/checkout"


@pytest.fixture
def gitlab() -> Iterator[FakeGitLab]:
    with serving(FakeGitLab(TOKEN, {7: PROJECT}, {41: "bob", 42: "carol"})) as fake:
        yield fake  # type: ignore[misc]


def with_items(capsys: pytest.CaptureFixture[str], project: Path, extra: str,
               url: str | None = None) -> App:  # fmt: skip
    (project / "stanch.toml").write_text(SLO_TOML + extra)
    app = make_app(project, url, start=T0.replace(hour=12))
    script(capsys, app)
    run_ok(capsys, app, "actions", "add", ID, "Add a CI check for pool_size below 4",
           "--owner", "bob", "--priority", "P0", "--due", "2026-12-01")  # fmt: skip
    run_ok(capsys, app, "actions", "add", ID, "Alert when the pool is 90% used for 5m",
           "--owner", "Dana Lee", "--priority", "P2")  # fmt: skip
    return app


def gitlab_toml(url: str, **more: str) -> str:
    extra = "".join(f'{k} = "{v}"\n' for k, v in more.items())
    return (f'[postmortem.gitlab]\nproject = "{PROJECT}"\nurl = "{url}"\n'
            f'token_env = "STANCH_TEST_GL_TOKEN"\n{extra}')  # fmt: skip


def test_items_become_gitlab_issues_once(
    capsys: pytest.CaptureFixture[str], project: Path, monkeypatch: pytest.MonkeyPatch,
    gitlab: FakeGitLab,
) -> None:  # fmt: skip
    app = with_items(capsys, project, gitlab_toml(gitlab.url))
    missing = cli(capsys, app, "actions", "sync")
    assert missing.code == 1 and "set STANCH_TEST_GL_TOKEN to a GitLab token" in missing.err
    monkeypatch.setenv("STANCH_TEST_GL_TOKEN", TOKEN)
    synced = cli(capsys, app, "actions", "sync", "--json")
    assert synced.code == 0, synced.err
    by_item = {r["item"]: r for r in synced.json()}
    assert by_item[f"{ID}#A1"] == {"item": f"{ID}#A1", "status": "ok", "message": "",
                                   "url": "https://gitlab.example/acme/checkout/-/issues/1"}  # fmt: skip
    assert by_item[f"{ID}#A2"]["status"] == "ok"
    assert by_item[f"{ID}#A2"]["message"] == "owner Dana Lee has no GitLab account: not assigned"
    first, second = gitlab.issues
    assert first["title"] == "[P0] Add a CI check for pool_size below 4"
    assert first["labels"] == ["postmortem", "P0"] and first["due_date"] == "2026-12-01"
    assert first["assignees"] == [{"id": 41, "username": "bob"}]
    assert f"stanch-action: {ID}#A1" in first["description"]
    assert second["assignees"] == [] and second["labels"] == ["postmortem", "P2"]
    again = cli(capsys, app, "actions", "sync", "--json")
    assert again.json() == [] and len(gitlab.issues) == 2
    listed = {i["ref"]: i for i in cli(capsys, app, "actions", "--json").json()}
    assert listed[f"{ID}#A1"]["tracker_url"] == first["web_url"]
    app.close()


@pytest.mark.parametrize(
    ("token", "project", "expected"),
    [("wrong", PROJECT, "GitLab 401 (bad credentials): 401 Unauthorized"),
     (TOKEN, "acme/missing", "GitLab 404 (no such project): 404 Project Not Found")],
)  # fmt: skip
def test_gitlab_refusals_are_errors(gitlab: FakeGitLab, token: str, project: str,
                                    expected: str) -> None:  # fmt: skip
    item = ActionItem(ID, "A1", "Add a CI check", "bob", "P1", T0, "prevent", "test", T0)
    tracker = GitLabIssues(project, token, gitlab.url)
    for result in (tracker.find(item), tracker.create(item, "title")):
        assert result.status == "error" and result.url is None
        assert result.message.startswith(expected), result.message
    assert gitlab.issues == []


def test_the_gitlab_fake_holds_to_the_documented_contract(gitlab: FakeGitLab) -> None:
    item = ActionItem(ID, "A1", "Add a CI check", "bob", "P1", T0, "prevent", "test", T0)
    blank = GitLabIssues(PROJECT, TOKEN, gitlab.url).create(item, "")
    assert blank.status == "error" and "title is missing" in blank.message
    long = GitLabIssues("7", TOKEN, gitlab.url).create(item, "x" * 300)  # a numeric id
    assert long.status == "ok" and len(gitlab.issues[0]["title"]) == 255


def test_a_bad_or_double_tracker_setting_is_one_line(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    both = '[postmortem.github]\nrepo = "a/b"\n[postmortem.gitlab]\nproject = "a/b"\n'
    (project / "stanch.toml").write_text(SLO_TOML + both)
    app = make_app(project)
    ran = cli(capsys, app, "actions", "sync")
    assert ran.code == 1 and "configure one tracker" in ran.err
    assert "Traceback" not in ran.err and len(ran.err.strip().splitlines()) == 1
    app.close()


class Host:
    """GitHub or GitLab behind the same few questions the tests ask."""

    def __init__(self, name: str, gitlab: FakeGitLab, github: GitHubState, url: str) -> None:
        self.name, self.gitlab, self.github, self.url = name, gitlab, github, url

    def tracker(self) -> Tracker:
        if self.name == "gitlab":
            return GitLabIssues(PROJECT, TOKEN, self.gitlab.url)
        return GitHubIssues(PROJECT, TOKEN, self.url)

    def issues(self) -> list[dict[str, Any]]:
        return self.gitlab.issues if self.name == "gitlab" else self.github.issues

    def hold(self) -> tuple[threading.Event, threading.Event]:
        gate = threading.Event()
        fake: Any = self.gitlab if self.name == "gitlab" else self.github
        fake.gate = gate
        return fake.creating, gate

    def seed(self, item: ActionItem) -> str:
        """An issue a sync opened and then stopped before recording."""
        result = self.tracker().create(item, f"[{item.priority}] {item.text}")
        assert result.status == "ok" and result.url
        return result.url


@pytest.fixture(params=["gitlab", "github"])
def host(request: pytest.FixtureRequest, gitlab: FakeGitLab) -> Iterator[Host]:
    state = GitHubState(token=TOKEN, repos={PROJECT})
    with github_server(state) as url:
        yield Host(str(request.param), gitlab, state, url)


def test_two_syncs_at_once_open_one_issue_per_item(
    capsys: pytest.CaptureFixture[str], project: Path, database_url: str, host: Host
) -> None:
    first = with_items(capsys, project, "", database_url)
    second = make_app(project, database_url, start=T0.replace(hour=12))  # clocks agree
    creating, gate = host.hold()
    out: dict[str, list[tuple[ActionItem, TrackerResult]]] = {}
    running = threading.Thread(target=lambda: out.update(a=action_sync.sync(first, host.tracker())))
    running.start()
    assert creating.wait(timeout=30), "the first sync never reached the tracker"
    held = action_sync.sync(second, host.tracker())  # while the first is inside its create
    gate.set()
    running.join(timeout=30)
    assert not running.is_alive()
    statuses = sorted(r.status for _, r in held)
    assert "busy" in statuses  # the item the first sync holds is left to it
    assert len(host.issues()) == 2
    opened = {i.item: r.url for i, r in out["a"] + held if r.status == "ok"}
    assert sorted(opened) == ["A1", "A2"] and len(set(opened.values())) == 2
    events = [e for e in first.store.iter_events(ID) if e.kind == "action.synced"]
    assert sorted(e.data["item"] for e in events) == ["A1", "A2"]  # each recorded once
    assert action_sync.sync(second, host.tracker()) == []
    first.close()
    second.close()


def test_an_issue_opened_but_not_recorded_is_found_not_opened_again(
    capsys: pytest.CaptureFixture[str], project: Path, host: Host
) -> None:
    app = with_items(capsys, project, "")
    item = next(i for i in actions.all_items(app) if i.item == "A1")
    url = host.seed(item)
    results = {i.item: r for i, r in action_sync.sync(app, host.tracker())}
    assert results["A1"] == TrackerResult("ok", url, 1, "already open; recorded")
    assert results["A2"].status == "ok" and results["A2"].url != url
    assert len(host.issues()) == 2
    assert (
        sum(marker(item) in str(i.get("body") or i.get("description")) for i in host.issues()) == 1
    )
    app.close()
