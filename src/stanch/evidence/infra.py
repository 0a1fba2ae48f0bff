"""Terraform changes: which commits are infrastructure, and how to undo them.

Reverting a Terraform commit changes nothing until the configuration is applied again,
so the undo note of an `infra` change is the revert followed, for each Terraform root
the commit touched, by `init` (a fresh checkout has no `.terraform`), a saved plan (to
read before anything moves) and the apply of exactly that plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path, PurePosixPath

TERRAFORM_SUFFIXES = (".tf", ".tfvars", ".tf.json", ".tfvars.json")
# Kinds a Terraform file outranks: a commit of .tf plus its README or a YAML is infra.
_OUTRANKS = frozenset({"config", "docs", "test", "dependency", "cert"})
PLAN_FILE = "stanch-revert.tfplan"


def is_terraform(path: str) -> bool:
    return path.lower().endswith(TERRAFORM_SUFFIXES)


def terraform_dirs(files: Sequence[str]) -> list[str]:
    """The folders holding the Terraform files of a commit, in order, each once."""
    found: list[str] = []
    for name in files:
        folder = str(PurePosixPath(name).parent)
        if is_terraform(name) and folder not in found:
            found.append(folder)
    return found


def kind_of(kind: str, files: Sequence[str]) -> str:
    """`infra` when Terraform files are touched and nothing more telling (code, flags) is."""
    return "infra" if kind in _OUTRANKS and terraform_dirs(files) else kind


def undo_note(repo: Path, revert: str, files: Sequence[str]) -> str:
    """The revert, then plan and apply in every Terraform root the commit touched."""
    steps = [revert]
    for folder in terraform_dirs(files):
        where = repo if folder == "." else repo / folder
        steps.append(f"terraform -chdir={where} init -input=false")
        steps.append(f"terraform -chdir={where} plan -input=false -out={PLAN_FILE}")
        steps.append(f"terraform -chdir={where} apply {PLAN_FILE}")
    return " && ".join(steps)
