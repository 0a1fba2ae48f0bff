"""GitHub or GitLab rules for a checkout, and `stanch owner` under each."""

from __future__ import annotations

from pathlib import Path

import pytest

from stanch.owners import hosts
from stanch.services.context import App
from tests.conftest import make_app
from tests.support.cli import cli

# One file, read by each host: GitHub skips the headers and lets the last line win;
# GitLab evaluates each section and unites their owners.
SHARED = """\
* @acme/platform
[Docs] @acme/writers
docs/
[Payments]
/services/checkout/ @acme/payments
"""


def write(root: Path, relative: str, text: str) -> None:
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


@pytest.mark.parametrize(
    ("files", "host"),
    [
        ({".github/CODEOWNERS": SHARED}, "github"),
        ({"CODEOWNERS": "* @a\n"}, "github"),
        ({"CODEOWNERS": SHARED}, "gitlab"),  # section headers are GitLab's alone
        ({"CODEOWNERS": "* @a\n", ".gitlab-ci.yml": "test: {script: [true]}\n"}, "gitlab"),
        ({".gitlab/CODEOWNERS": "* @a\n"}, "gitlab"),
        ({".github/CODEOWNERS": "* @a\n", ".gitlab-ci.yml": "x: {script: [true]}\n"}, "github"),
    ],
)
def test_the_host_is_told_by_the_checkout(tmp_path: Path, files: dict[str, str],
                                          host: str) -> None:  # fmt: skip
    for relative, text in files.items():
        write(tmp_path, relative, text)
    assert hosts.host_of(tmp_path) == host


def test_each_host_reads_the_same_file_its_own_way(tmp_path: Path) -> None:
    write(tmp_path, "CODEOWNERS", SHARED)
    path = "services/checkout/api.py"
    github = hosts.lookup(tmp_path, path, "github")
    gitlab = hosts.lookup(tmp_path, path, "gitlab")
    assert github.owners == ("@acme/payments",) and github.sections == []
    assert gitlab.owners == ("@acme/platform", "@acme/payments")
    assert [s["section"] for s in gitlab.sections] == ["", "Payments"]
    # GitHub: `docs/` names nobody, so nobody owns docs; GitLab: the section's default owners
    assert hosts.lookup(tmp_path, "docs/a.md", "github").owners == ()
    assert hosts.lookup(tmp_path, "docs/a.md", "gitlab").owners == (
        "@acme/platform", "@acme/writers")  # fmt: skip


@pytest.mark.parametrize(
    ("present", "chosen"),
    [
        (["CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"], "CODEOWNERS"),
        (["docs/CODEOWNERS", ".gitlab/CODEOWNERS"], "docs/CODEOWNERS"),
        ([".gitlab/CODEOWNERS"], ".gitlab/CODEOWNERS"),
    ],
)
def test_gitlab_locations(tmp_path: Path, present: list[str], chosen: str) -> None:
    for relative in present:
        write(tmp_path, relative, f"* @{relative.replace('/', '_').strip('.')}\n")
    found = hosts.lookup(tmp_path, "a.txt", "gitlab")
    assert found.file is not None and found.file.relative_to(tmp_path).as_posix() == chosen


def gitlab_project(project: Path, host: str) -> App:
    write(project, "CODEOWNERS", SHARED)
    (project / "stanch.toml").write_text(
        f'[comms]\ncodeowners = "{host}"\n[comms.teams.payments]\naliases = ["@acme/payments"]\n'
    )
    return make_app(project)


def test_owner_names_the_configured_team_and_each_section(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    app = gitlab_project(project, "gitlab")
    ran = cli(capsys, app, "owner", "--path", "services/checkout/api.py", "--json")
    assert ran.code == 0, ran.err
    out = ran.json()
    assert out["team"] == "payments" and out["source"] == "codeowners"
    assert out["owners"] == ["@acme/platform", "@acme/payments"]
    assert [(s["section"], s["pattern"]) for s in out["sections"]] == [
        ("", "*"), ("Payments", "/services/checkout/")]  # fmt: skip
    shown = cli(capsys, app, "owner", "--path", "services/checkout/api.py")
    assert shown.out.splitlines()[1:] == ["  (no section) *: @acme/platform",
                                          "  [Payments] /services/checkout/: @acme/payments"]  # fmt: skip
    service = cli(capsys, app, "owner", "checkout", "--json").json()
    assert service["owners"] == ["@acme/platform"]  # `checkout/` is not under services/
    app.close()


def test_a_bad_host_setting_is_one_line(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    app = gitlab_project(project, "bitbucket")
    ran = cli(capsys, app, "owner", "--path", "a.py")
    assert ran.code != 0
    assert "comms.codeowners must be auto, github or gitlab" in ran.err
    assert "Traceback" not in ran.err and len(ran.err.strip().splitlines()) == 1
    app.close()
