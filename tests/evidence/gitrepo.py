"""Real git repositories with realistic history for the changes tests."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime
from pathlib import Path

from stanch.model.clock import iso


class Repo:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.email", "dev@example.com")
        self.git("config", "user.name", "Dev")

    def git(self, *args: str, at: datetime | None = None) -> str:
        env = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null"}
        if at is not None:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = iso(at)
        done = subprocess.run(
            ["git", *args], cwd=self.root, env=env, capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    def commit(self, at: datetime, message: str, files: dict[str, str]) -> str:
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            self.git("add", name)
        self.git("commit", "-q", "-m", message, at=at)
        return self.git("rev-parse", "HEAD")


def lines(n: int, seed: str) -> str:
    return "".join(f"{seed} line {i}\n" for i in range(n))
