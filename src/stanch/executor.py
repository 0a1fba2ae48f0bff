"""The one way stanch runs an outside command: argv lists, timeouts, dry-run, redaction.

No shell is ever involved, so a hostile name (a Deployment called `x; rm -rf /`) is
just an argument. Every result says what ran, how it ended and what it printed, with
secrets redacted, so it can go on the timeline as it is.
"""

from __future__ import annotations

import enum
import os
import re
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stanch.errors import InvalidInput

DEFAULT_TIMEOUT = 60.0
MAX_OUTPUT = 64 * 1024  # per stream kept for the record

_SECRET_PATTERNS = [
    re.compile(r"(?i)((?:token|password|passwd|secret|api[_-]?key|authorization)[=:\s]+)(\S+)"),
    re.compile(r"(?i)(bearer\s+)([A-Za-z0-9._~+/=-]{8,})"),
    re.compile(r"(://[^:/@\s]+:)([^@\s]+)(@)"),
]


def redact(text: str, secrets: Sequence[str] = ()) -> str:
    """Mask known secret values and anything that looks like a credential."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(
            lambda m: m.group(1) + "***" + (m.group(3) if m.lastindex == 3 else ""), text
        )
    return text


class Outcome(enum.StrEnum):
    OK = "ok"
    FAILED = "failed"  # ran, non-zero exit
    TIMEOUT = "timeout"
    NOT_FOUND = "not_found"  # the program is not installed
    DRY_RUN = "dry_run"  # not run on purpose


@dataclass(frozen=True)
class Result:
    argv: tuple[str, ...]
    outcome: Outcome
    exit_code: int | None
    stdout: str
    stderr: str
    seconds: float
    cwd: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK

    def to_dict(self) -> dict[str, Any]:
        """JSON form for the timeline; output already redacted and truncated."""
        return {
            "argv": list(self.argv),
            "outcome": self.outcome.value,
            "exit_code": self.exit_code,
            "stdout": self.stdout,
            "stderr": self.stderr,
            "seconds": round(self.seconds, 3),
            "cwd": self.cwd,
        }


def _clip(data: bytes, limit: int = MAX_OUTPUT) -> str:
    text = data.decode("utf-8", errors="replace")
    if len(text) > limit:
        return text[:limit] + f"\n… ({len(text) - limit} more characters)"
    return text


def check_argv(argv: Sequence[str]) -> tuple[str, ...]:
    """Refuse anything but a non-empty list of strings without NUL bytes."""
    if isinstance(argv, str) or not argv:
        raise InvalidInput("a command must be a non-empty argv list, never a shell string")
    out = tuple(argv)
    for part in out:
        if not isinstance(part, str) or "\x00" in part:
            raise InvalidInput(f"bad command argument {part!r}")
    return out


@dataclass
class Executor:
    """Runs argv lists. `dry_run` records what would run; `env` adds variables."""

    dry_run: bool = False
    timeout: float = DEFAULT_TIMEOUT
    env: Mapping[str, str] = field(default_factory=dict)
    secrets: Sequence[str] = ()
    path: str | None = None  # PATH override, e.g. for stand-ins in tests
    max_output: int = MAX_OUTPUT  # characters kept per stream (read-only JSON reads need more)

    def run(
        self,
        argv: Sequence[str],
        *,
        cwd: Path | None = None,
        timeout: float | None = None,
        stdin: bytes | None = None,
        mutating: bool = True,
    ) -> Result:
        """Run one command; read-only commands (mutating=False) run even in dry-run."""
        parts = check_argv(argv)
        shown = tuple(redact(p, self.secrets) for p in parts)
        where = str(cwd) if cwd else None
        if self.dry_run and mutating:
            return Result(shown, Outcome.DRY_RUN, None, "", "", 0.0, where)
        environment = self._environment()
        program = shutil.which(parts[0], path=environment.get("PATH"))
        if program is None:
            return Result(shown, Outcome.NOT_FOUND, None, "", f"{parts[0]}: not found", 0.0, where)
        command = [program, *parts[1:]]
        return self._spawn(command, shown, cwd, environment, timeout or self.timeout, stdin)

    def _environment(self) -> dict[str, str]:
        environment = {**os.environ, **self.env}
        if self.path is not None:
            environment["PATH"] = self.path
        return environment

    def _spawn(
        self,
        command: list[str],
        shown: tuple[str, ...],
        cwd: Path | None,
        environment: dict[str, str],
        timeout: float,
        stdin: bytes | None,
    ) -> Result:
        """Run the resolved command and record how it ended, what it printed, how long it took."""
        where = str(cwd) if cwd else None
        started = time.monotonic()
        try:
            done = subprocess.run(
                command, cwd=cwd, env=environment, input=stdin, capture_output=True,
                timeout=timeout, check=False,
                stdin=None if stdin is not None else subprocess.DEVNULL,
            )  # fmt: skip
        except subprocess.TimeoutExpired as exc:
            stderr = self._kept(exc.stderr) + f"\ntimed out after {exc.timeout}s"
            return Result(shown, Outcome.TIMEOUT, None, self._kept(exc.stdout), stderr,
                          time.monotonic() - started, where)  # fmt: skip
        except OSError as exc:
            return Result(
                shown, Outcome.FAILED, None, "", str(exc), time.monotonic() - started, where
            )
        outcome = Outcome.OK if done.returncode == 0 else Outcome.FAILED
        return Result(shown, outcome, done.returncode, self._kept(done.stdout),
                      self._kept(done.stderr), time.monotonic() - started, where)  # fmt: skip

    def _kept(self, output: bytes | None) -> str:
        """What is kept of one output stream for the record: clipped, then redacted."""
        return redact(_clip(output or b"", self.max_output), self.secrets)
