"""Shared set-up for the capability route and UI tests: a lever repository and kube stand-in."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from stanch.services.context import App
from tests.conftest import make_app
from tests.fakes.levers_kube import STATE_ENV, install
from tests.levers.conftest import KUBE_STATE, REPO_FILES
from tests.levers.repos import init_repo


def kube_standin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The kubectl/helm stand-in on PATH (the levers capability's own test double)."""
    state_file = tmp_path / "kube-state.json"
    install(tmp_path / "standin-bin", state_file, json.loads(json.dumps(KUBE_STATE)))
    monkeypatch.setenv("PATH", f"{tmp_path / 'standin-bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv(STATE_ENV, str(state_file))
    return state_file


def lever_app(project: Path, tmp_path: Path, url: str | None = None) -> App:
    """An App whose [levers] repo is a real git repository with deployments and flags."""
    repo = tmp_path / "repo"
    repo.mkdir()
    init_repo(repo, REPO_FILES)
    (project / "stanch.toml").write_text(
        f'[stanch]\n\n[levers]\nrepo = "{repo}"\nnodes = ["node-1"]\n'
    )
    return make_app(project, url)


def kube(state_file: Path) -> dict[str, object]:
    return dict(json.loads(state_file.read_text()))
