"""Makefile rollback targets: paired with a deploy target they are reversible, else refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from stanch.levers.candidates import candidates
from stanch.levers.discover import discover
from stanch.services.context import App
from tests.levers.conftest import lever_app
from tests.levers.repos import init_repo
from tests.support.cli import cli

MAKEFILE = (
    ".PHONY: deploy rollback rollback-db\nSTATE ?= state.log\n"
    "deploy: ## deploy the checked-out revision\n\techo deployed >> $(STATE)\n"
    "rollback:\n\techo rolled-back >> $(STATE)\n"
    "rollback-db:\n\techo db >> $(STATE)\n"
    "prod-roll-back:\n\techo x >> $(STATE)\nprod-release:\n\techo y >> $(STATE)\n"
    "undo-cache:\n\techo z >> $(STATE)\n"
)


def test_pairs_and_unpaired_targets(tmp_path: Path) -> None:
    init_repo(tmp_path, {"Makefile": MAKEFILE})
    levers = {lv.id: lv for lv in candidates(discover(tmp_path).surfaces)}
    paired = levers["rollback:make:.:rollback"]
    assert paired.rollback is not None and paired.rollback.argv == ("make", "-C", ".", "deploy")
    assert paired.safe and paired.params == {"target": "rollback", "pair": "deploy"}
    release = levers["rollback:make:.:prod-roll-back"]
    assert release.rollback is not None
    assert release.rollback.argv == ("make", "-C", ".", "prod-release")
    # no `deploy-db`, and `undo-cache` names no deploy: what they undo is unknown
    for unpaired in ("rollback:make:.:rollback-db", "rollback:make:.:undo-cache"):
        assert levers[unpaired].rollback is None and not levers[unpaired].reversible
        assert not levers[unpaired].safe


def test_paired_make_rollback_applies_and_undoes_for_real(
    capsys: pytest.CaptureFixture[str], project: Path, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    init_repo(repo, {"Makefile": MAKEFILE, ".gitignore": "state.log\n"})
    app: App = lever_app(project, repo)
    try:
        ran = cli(capsys, app, "declare", "Checkout fails", "--severity", "SEV2", "--json")
        incident = str(ran.json()["id"])
        lever = "rollback:make:.:rollback"
        planned = cli(capsys, app, "mitigate", incident, lever)
        assert planned.code == 0, planned.err
        assert not (repo / "state.log").exists()  # the check is `make -n`: nothing ran
        applied = cli(capsys, app, "mitigate", incident, lever, "--apply")
        assert applied.code == 0, applied.err
        assert (repo / "state.log").read_text() == "rolled-back\n"
        undone = cli(capsys, app, "mitigate", incident, "--undo")
        assert undone.code == 0, undone.err
        assert (repo / "state.log").read_text() == "rolled-back\ndeployed\n"
    finally:
        app.close()


def test_unpaired_make_rollback_is_refused(
    capsys: pytest.CaptureFixture[str], project: Path, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    init_repo(repo, {"Makefile": "rollback:\n\techo x >> state.log\n"})
    app: App = lever_app(project, repo)
    try:
        ran = cli(capsys, app, "declare", "Checkout fails", "--severity", "SEV2", "--json")
        incident = str(ran.json()["id"])
        cli(capsys, app, "mitigate", incident, "rollback:make:.:rollback")
        applied = cli(capsys, app, "mitigate", incident, "rollback:make:.:rollback", "--apply")
        assert applied.code == 1
        assert not (repo / "state.log").exists()
    finally:
        app.close()
