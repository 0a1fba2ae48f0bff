"""The git lever against real repositories: ranking by recent change, scratch-worktree check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stanch.services import levers as service
from stanch.services.context import App
from tests.levers.conftest import Kube
from tests.levers.repos import commit_all, git
from tests.levers.test_mitigate import mitigate
from tests.support.cli import cli

RELEASE_AT = "2026-11-22T09:30:00Z"


def release(repo: Path, image: str = "reg/checkout:v42") -> str:
    path = repo / "deploy/checkout.yaml"
    path.write_text(path.read_text().replace("reg/checkout:v41", image))
    return commit_all(repo, "Release checkout v42", RELEASE_AT)


def declare_at(capsys: pytest.CaptureFixture[str], app: App, onset: str) -> str:
    ran = cli(capsys, app, "declare", "Checkout fails", "--severity", "SEV2", "--slug", "co",
              "--started", onset, "--json")  # fmt: skip
    assert ran.code == 0, ran.err
    return str(ran.json()["id"])


def test_release_before_onset_ranks_its_rollback_first(
    capsys: pytest.CaptureFixture[str], lapp: App, repo: Path
) -> None:
    sha = release(repo)
    incident = declare_at(capsys, lapp, "2026-11-22T09:45:00Z")
    found = service.scan(lapp, None, incident)
    first = found.levers[0]
    assert first.id == "rollback:deployment:checkout@shop"
    assert sha[:10] in first.reason and "shortly before onset" in first.reason
    revert = next(lv for lv in found.levers if lv.id == f"rollback:git:{sha[:12]}")
    assert revert.recent_change and revert.command.argv[-1] == sha
    # the flag lever is faster but explains nothing: it comes after the recent change
    ranks = {lv.id: lv.rank for lv in found.levers}
    assert ranks["flag_off:flagd:new-checkout"] > ranks[first.id]


def test_without_a_recent_change_the_fastest_lever_leads(
    capsys: pytest.CaptureFixture[str], lapp: App, repo: Path
) -> None:
    release(repo)
    incident = declare_at(capsys, lapp, "2026-11-22T09:00:00Z")  # before the release
    found = service.scan(lapp, None, incident)
    assert found.levers[0].id.startswith("flag_off:flagd:")
    assert not any(lv.recent_change for lv in found.levers)


def test_revert_checked_in_scratch_worktree_then_applied_and_undone(
    capsys: pytest.CaptureFixture[str], lapp: App, repo: Path
) -> None:
    sha = release(repo)
    incident = declare_at(capsys, lapp, "2026-11-22T09:45:00Z")
    lever = f"rollback:git:{sha[:12]}"
    head = git(repo, "rev-parse", "HEAD")
    planned = mitigate(capsys, lapp, incident, lever)
    assert planned.code == 0 and "reverts cleanly" in planned.out, planned.out + planned.err
    assert git(repo, "rev-parse", "HEAD") == head
    assert len(git(repo, "worktree", "list").splitlines()) == 1
    assert git(repo, "status", "--porcelain") == ""
    applied = mitigate(capsys, lapp, incident, lever, "--apply", "--json")
    assert applied.code == 0, applied.err
    assert git(repo, "log", "-1", "--format=%s") == 'Revert "Release checkout v42"'
    assert "reg/checkout:v41" in (repo / "deploy/checkout.yaml").read_text()
    revert_sha = git(repo, "rev-parse", "HEAD")
    assert applied.json()["rollback"][-1] == revert_sha
    assert mitigate(capsys, lapp, incident, "--undo").code == 0
    assert "reg/checkout:v42" in (repo / "deploy/checkout.yaml").read_text()


def test_revert_that_conflicts_is_not_viable(
    capsys: pytest.CaptureFixture[str], lapp: App, repo: Path
) -> None:
    sha = release(repo)
    path = repo / "deploy/checkout.yaml"
    path.write_text(path.read_text().replace("reg/checkout:v42", "reg/checkout:v43"))
    commit_all(repo, "Hotfix on top", "2026-11-22T09:35:00Z")
    incident = declare_at(capsys, lapp, "2026-11-22T09:32:00Z")
    lever = f"rollback:git:{sha[:12]}"
    planned = mitigate(capsys, lapp, incident, lever)
    assert planned.code == 0 and "viability FAILED" in planned.out, planned.out + planned.err
    assert git(repo, "status", "--porcelain") == ""
    assert len(git(repo, "worktree", "list").splitlines()) == 1
    assert mitigate(capsys, lapp, incident, lever, "--apply").code == 1


def test_prior_image_redeploy_from_history(
    capsys: pytest.CaptureFixture[str], lapp: App, repo: Path, kube: Kube
) -> None:
    sha = release(repo)
    incident = declare_at(capsys, lapp, "2026-11-22T09:45:00Z")
    found = {lv.id: lv for lv in service.scan(lapp, None, incident).levers}
    lever = found["rollback:image:checkout@shop:app"]
    assert lever.command.argv[-1] == "app=reg/checkout:v41"
    assert lever.rollback is not None and lever.rollback.argv[-1] == "app=reg/checkout:v42"
    assert sha[:10] in lever.reason
    assert mitigate(capsys, lapp, incident, lever.id).code == 0
    assert mitigate(capsys, lapp, incident, lever.id, "--apply").code == 0
    assert kube.state()["deployments"]["shop/checkout"]["images"] == {"app": "reg/checkout:v41"}


def test_a_flag_flip_marks_only_the_flag_it_changed(
    capsys: pytest.CaptureFixture[str], lapp: App, repo: Path
) -> None:
    flags = repo / "flags.json"
    document = json.loads(flags.read_text())
    document["flags"]["new-checkout"]["targeting"] = {}  # now on for everyone
    flags.write_text(json.dumps(document, indent=1) + "\n")
    sha = commit_all(repo, "Turn new-checkout on for everyone", RELEASE_AT)
    incident = declare_at(capsys, lapp, "2026-11-22T09:45:00Z")
    found = {lv.id: lv for lv in service.scan(lapp, None, incident).levers}
    changed = found["flag_off:flagd:new-checkout"]
    assert changed.rank == 1 and sha[:10] in changed.reason
    others = [
        lv for key, lv in found.items() if key.startswith("flag_off:flagd:") and lv != changed
    ]
    assert others and not any(lv.recent_change for lv in others)
