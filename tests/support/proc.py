"""Run the installed `stanch` in a child process, optionally with machine limits."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

# A root process ignores file modes; drop the capabilities that let it, so a
# read-only directory is read-only for the child as it would be for a responder.
_NO_OVERRIDE = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner"]

LIMITED = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from stanch.cli.app import main
main(sys.argv[2:])
"""


def stanch(
    args: Sequence[str],
    cwd: Path,
    *,
    env: dict[str, str] | None = None,
    file_size_limit: int | None = None,
    honour_modes: bool = False,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """The real CLI in a child; `file_size_limit` makes bigger writes fail like a full disk."""
    environment = {**os.environ, "STANCH_ACTOR": "tester", **(env or {})}
    if file_size_limit is not None:
        argv = [sys.executable, "-c", LIMITED, str(file_size_limit), *args]
    else:
        argv = [sys.executable, "-m", "stanch", *args]
    if honour_modes and os.geteuid() == 0 and shutil.which("setpriv"):
        argv = [*_NO_OVERRIDE, *argv]
    return subprocess.run(
        argv, cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout,
        check=False,
    )  # fmt: skip
