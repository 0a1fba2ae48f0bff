"""Terraform commits are `infra` suspects whose undo note is a revert, a plan and its apply."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from stanch.evidence.changes import GitSource, ServiceMap
from stanch.executor import Executor
from stanch.services import evidence, incidents
from stanch.services.context import App
from tests.conftest import T0
from tests.evidence.gitrepo import Repo, lines

MAIN_TF = 'resource "aws_security_group_rule" "db" {\n  from_port = %d\n}\n'


def _history(root: Path) -> tuple[Repo, dict[str, str]]:
    repo = Repo(root)
    shas = {
        "base": repo.commit(T0 - timedelta(days=3), "network baseline", {
            "terraform/network/main.tf": MAIN_TF % 5432, "services/db/app.py": lines(3, "a"),
        }),
        "tf": repo.commit(T0 - timedelta(minutes=40), "network: tighten db ingress", {
            "terraform/network/main.tf": MAIN_TF % 6543, "terraform/network/README.md": "notes\n",
        }),
        "vars": repo.commit(T0 - timedelta(minutes=25), "prod: smaller db instance", {
            "envs/prod/prod.tfvars": 'db_instance = "db.t3.small"\n', "envs/prod/values.yaml": "a: 1\n",
        }),
        "code": repo.commit(T0 - timedelta(minutes=10), "db client: retry", {
            "services/db/app.py": lines(5, "b"),
        }),
    }  # fmt: skip
    return repo, shas


def test_terraform_commits_are_infra_with_plan_and_apply(app: App, tmp_path: Path) -> None:
    repo, shas = _history(tmp_path / "platform")
    key = incidents.declare(app, "db connections refused", severity="SEV2",
                            started=(T0 - timedelta(minutes=5)).isoformat()).incident.id  # fmt: skip
    report = evidence.changes(app, key, repos=[repo.root], record_it=False)
    by_id = {s.change.id: s for s in report.suspects}
    tf = by_id[shas["tf"]]
    assert tf.change.kind == "infra"
    assert tf.to_dict()["trigger"] == "capacity_management"
    network = repo.root / "terraform" / "network"
    assert tf.change.undo == (
        f"git -C {repo.root} revert --no-edit {shas['tf']}"
        f" && terraform -chdir={network} init -input=false"
        f" && terraform -chdir={network} plan -input=false -out=stanch-revert.tfplan"
        f" && terraform -chdir={network} apply stanch-revert.tfplan"
    )
    tfvars = by_id[shas["vars"]].change
    assert tfvars.kind == "infra"  # the YAML next to it does not make it a config push
    assert f"terraform -chdir={repo.root / 'envs' / 'prod'} plan" in (tfvars.undo or "")
    code = by_id[shas["code"]].change
    assert (
        code.kind == "code" and code.undo == f"git -C {repo.root} revert --no-edit {shas['code']}"
    )


def test_the_revert_step_of_the_note_really_reverts(tmp_path: Path) -> None:
    repo, shas = _history(tmp_path / "platform")
    source = GitSource(repo.root, ServiceMap({}), Executor(timeout=30))
    found = source.changes(T0 - timedelta(hours=1), T0)
    tf = next(c for c in found if c.id == shas["tf"])
    revert = (tf.undo or "").split(" && ")[0]
    subprocess.run(shlex.split(revert), check=True, capture_output=True,
                   env={"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_AUTHOR_NAME": "r",
                        "GIT_AUTHOR_EMAIL": "r@x", "GIT_COMMITTER_NAME": "r",
                        "GIT_COMMITTER_EMAIL": "r@x", "PATH": "/usr/bin:/bin"})  # fmt: skip
    assert (repo.root / "terraform/network/main.tf").read_text() == MAIN_TF % 5432


TF_PORT = (
    'resource "terraform_data" "db_port" {\n  input = %d\n}\n'
    'output "db_port" {\n  value = terraform_data.db_port.output\n}\n'
)


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not installed")
def test_the_whole_note_restores_real_terraform_state(tmp_path: Path) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_AUTHOR_NAME": "r",
           "GIT_AUTHOR_EMAIL": "r@x", "GIT_COMMITTER_NAME": "r", "GIT_COMMITTER_EMAIL": "r@x",
           "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}  # fmt: skip
    repo = Repo(tmp_path / "platform")
    root = repo.root / "terraform" / "db"

    def run(argv: list[str]) -> str:
        done = subprocess.run(argv, check=True, capture_output=True, text=True, env=env)
        return done.stdout

    def apply() -> None:
        for step in (["init", "-input=false"], ["apply", "-input=false", "-auto-approve"]):
            run(["terraform", f"-chdir={root}", *step])

    repo.commit(T0 - timedelta(days=1), "db port", {
        ".gitignore": ".terraform*\n*.tfstate*\n*.tfplan\n", "terraform/db/main.tf": TF_PORT % 5432,
    })  # fmt: skip
    apply()
    bad = repo.commit(
        T0 - timedelta(minutes=30), "db: move port", {"terraform/db/main.tf": TF_PORT % 6543}
    )
    apply()
    assert run(["terraform", f"-chdir={root}", "output", "-raw", "db_port"]) == "6543"
    found = GitSource(repo.root, ServiceMap({}), Executor(timeout=30)).changes(
        T0 - timedelta(hours=1), T0
    )
    note = next(c for c in found if c.id == bad).undo or ""
    for step in note.split(" && "):
        run(shlex.split(step))
    assert run(["terraform", f"-chdir={root}", "output", "-raw", "db_port"]) == "5432"
