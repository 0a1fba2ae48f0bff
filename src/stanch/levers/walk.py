"""List a repository's files fast: git's index when there is one, else a pruned walk."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

# Folders that hold other people's code or test data, never this system's control surface.
VENDORED = frozenset({
    "vendor", "node_modules", "third_party", "third-party", "bower_components", ".terraform",
    ".terragrunt-cache",
    ".git", ".venv", "venv", "__pycache__", ".tox", ".cache", "site-packages",
})  # fmt: skip
FIXTURES = frozenset({
    "testdata", "test-data", "fixtures", "__fixtures__", "__snapshots__", "test", "tests",
    "e2e", "spec", "golden", "__tests__", "__mocks__", "mocks",
    # examples and documentation snippets look like manifests but run nowhere
    "examples", "example", "samples", "sample", "docs", "doc",
})  # fmt: skip


def list_files(root: Path) -> list[str]:
    """Repository-relative paths, .gitignore respected, vendored folders skipped."""
    paths = _git_files(root)
    if paths is None:
        paths = _walk(root)
    return [p for p in paths if not _vendored(p)]


def _git_files(root: Path) -> list[str] | None:
    if not (root / ".git").exists():
        return None
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others",
             "--exclude-standard"],
            capture_output=True, check=False, timeout=60,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return [p for p in done.stdout.decode("utf-8", "replace").split("\0") if p]


def _walk(root: Path) -> list[str]:
    ignored = _top_gitignore(root)
    out: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in VENDORED and d not in ignored]
        rel = os.path.relpath(folder, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        out.extend(prefix + name for name in files if name not in ignored)
    return out


def _top_gitignore(root: Path) -> set[str]:
    """Plain names from the top .gitignore (enough without git; git's own list is exact)."""
    try:
        lines = (root / ".gitignore").read_text(errors="replace").splitlines()
    except OSError:
        return set()
    return {
        line.strip().strip("/")
        for line in lines
        if line.strip() and not line.startswith(("#", "!")) and "*" not in line
    }


def _vendored(path: str) -> bool:
    parts = path.split("/")[:-1]
    return any(part in VENDORED for part in parts)


def is_fixture(path: str) -> bool:
    """Test data, examples and docs snippets that may look like manifests or flag files."""
    return any(part in FIXTURES for part in path.split("/")[:-1])


def vendored_chart(path: str) -> bool:
    """A chart vendored inside another chart's charts/ folder (a dependency)."""
    parts = path.split("/")
    return "charts" in parts[1:-2]
