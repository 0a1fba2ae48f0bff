"""Malformed files anywhere in the tree never stop a scan: each is one note, the rest is read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stanch.levers.discover import Discovery, discover
from stanch.levers.reading import MAX_BYTES
from tests.levers.conftest import lever_app
from tests.levers.real_repos import deploy
from tests.levers.repos import init_repo
from tests.support.cli import cli

LAUGHS = "apiVersion: v1\nkind: ConfigMap\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8)
)
BROKEN: dict[str, str] = {
    "deploy/app.yaml": deploy("app", "reg/app:v1", 2, "shop"),
    "deploy/broken.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: [unclosed\n",
    "deploy/laughs.yaml": LAUGHS,
    "deploy/deep.yaml": "apiVersion: v1\nkind: List\nitems: " + "[" * 3000 + "]" * 3000 + "\n",
    "flags/broken.flagd.json": '{"flags": {"a": {"variants": ',
    "config/limits.toml": "[rate_limit\nenabled = false\n",
    "config/breaker.yaml": "circuit_breaker:\n  enabled: false\n   bad: indent\n",
    "infra/lb/main.tf": 'resource "aws_lb_listener" "web" {\n  default_action {\n',
    ".github/workflows/bad.yml": "name: x\non: [push\njobs: {}\n",
    ".github/workflows/odd.yml": "on: 5\njobs: [1, 2]\n",
    "docker-compose.yml": "services: [api, worker]\n",
    "catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: 5\nspec: []\n",
    "k8s/kustomization.yaml": "resources: 7\npatches: {a: b}\nimages: [1, {name: 2}]\n",
    "tsconfig/settings.json": '{\n\t"compilerOptions": {"strict": true}\n}\n',  # tabs: valid JSON
}


def expected_notes() -> dict[str, str]:
    return {
        "deploy/broken.yaml": "not valid YAML (",
        "deploy/laughs.yaml": "YAML aliases expand to more than",
        "deploy/deep.yaml": "not readable YAML (nested too deeply)",
        "flags/broken.flagd.json": "not valid JSON (",
        "config/limits.toml": "not valid TOML (",
        "config/breaker.yaml": "not valid YAML (",
        "infra/lb/main.tf": "not valid HCL",
        ".github/workflows/bad.yml": "not valid YAML (",
        "deploy/binary.yaml": "binary content",
        "deploy/huge.yaml": "larger than 2 MiB",
        "deploy/loop-a.yaml": "could not be read (Too many levels of symbolic links)",
        "deploy/loop-b.yaml": "could not be read (Too many levels of symbolic links)",
        "deploy/gone.yaml": "could not be read (No such file or directory)",
    }


def make_messy(root: Path) -> None:
    init_repo(root, BROKEN)
    (root / "deploy/binary.yaml").write_bytes(b"apiVersion: v1\nkind: Pod\n\0\x01\x02\xff" * 10)
    (root / "deploy/huge.yaml").write_text("apiVersion: v1\nkind: List\n" + "#" * MAX_BYTES)
    os.symlink("loop-b.yaml", root / "deploy/loop-a.yaml")
    os.symlink("loop-a.yaml", root / "deploy/loop-b.yaml")
    os.symlink("missing.yaml", root / "deploy/gone.yaml")
    os.symlink("../deploy", root / "config/deploy-link")  # a folder: not a fault


def check(found: Discovery) -> None:
    notes = {n.split(": ", 1)[0]: n.split(": ", 1)[1] for n in found.notes}
    assert set(notes) == set(expected_notes()), found.notes
    for path, start in expected_notes().items():
        assert notes[path].startswith(start), (path, notes[path])
        assert notes[path].endswith("; skipped") and "\n" not in notes[path]
    assert len(found.notes) == len(notes)  # one note per file
    (app,) = found.of("k8s_workload")  # the rest is still read
    assert app.name == "app" and app.details["replicas"] == 2
    # a workflow that is not valid YAML does not run: it is a note, not a pipeline
    assert [s.path for s in found.of("ci_pipeline")] == [".github/workflows/odd.yml"]
    assert found.of("ci_pipeline")[0].details["triggers"] == ["5"]
    assert found.of("service_catalog") == []  # an entity with no name is not a service
    assert found.of("compose_service") == []


def test_every_malformed_file_is_one_note_in_git(tmp_path: Path) -> None:
    make_messy(tmp_path)
    check(discover(tmp_path))


def test_every_malformed_file_is_one_note_without_git(tmp_path: Path) -> None:
    make_messy(tmp_path)
    (tmp_path / ".git").rename(tmp_path / "not-git")
    os.mkfifo(tmp_path / "deploy/pipe.yaml")  # a FIFO would block a naive read forever
    found = discover(tmp_path)
    assert "deploy/pipe.yaml: not a regular file (a FIFO, socket or device); skipped" in (
        found.notes
    )
    found = Discovery(found.root, found.surfaces, found.files,
                      [n for n in found.notes if not n.startswith("deploy/pipe.yaml")])  # fmt: skip
    check(found)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_a_note(tmp_path: Path) -> None:
    init_repo(tmp_path, {"deploy/app.yaml": deploy("app", "reg/app:v1", 2, "shop")})
    secret = tmp_path / "deploy/secret.yaml"
    secret.write_text(deploy("secret", "reg/s:v1"))
    secret.chmod(0)
    found = discover(tmp_path)
    assert found.notes == ["deploy/secret.yaml: could not be read (Permission denied); skipped"]


def test_the_cli_reports_notes_and_exits_zero(
    capsys: pytest.CaptureFixture[str], project: Path, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    make_messy(repo)
    app = lever_app(project, repo)
    try:
        as_json = cli(capsys, app, "levers", "--json")
        text = cli(capsys, app, "levers")
    finally:
        app.close()
    assert as_json.code == 0 and text.code == 0, as_json.err + text.err
    data = as_json.json()
    assert len(data["notes"]) == len(expected_notes())
    assert "rollback:deployment:app@shop" in [lv["id"] for lv in data["levers"]]
    assert "note: deploy/broken.yaml: not valid YAML (" in text.out
    assert "Traceback" not in text.out + text.err
