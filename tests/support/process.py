"""A real server process for a test: start it, wait until it answers, stop it cleanly.

`ServerProcess` is the one way tests run PostgreSQL, Prometheus, Alertmanager, Unleash and
`stanch serve`: its output goes to a log file, a readiness probe is polled until it says yes,
and when the process exits or never answers the error carries the tail of that log.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Self

import httpx

Probe = Callable[[], bool]
LOG_TAIL_CHARS = 2000


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_ready(url: str, *, below: int = 300, timeout: float = 2) -> Probe:
    """A probe that says yes once `url` answers with a status code under `below`."""

    def probe() -> bool:
        with contextlib.suppress(httpx.HTTPError):
            return httpx.get(url, timeout=timeout).status_code < below
        return False

    return probe


class ServerProcess:
    """`with ServerProcess(name, argv, ready=probe, log=path) as server:` — running and answering."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        ready: Probe,
        log: Path,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        start_timeout: float = 30.0,
        poll_every: float = 0.1,
        stop_timeout: float = 20.0,
        user: str | None = None,
        group: str | None = None,
    ) -> None:
        self.name = name
        self.argv = [str(part) for part in argv]
        self.ready = ready
        self.log = log
        self.cwd = cwd
        self.env = dict(env) if env is not None else None
        self.start_timeout = start_timeout
        self.poll_every = poll_every
        self.stop_timeout = stop_timeout
        self.user = user
        self.group = group
        self._process: subprocess.Popen[bytes] | None = None
        self._log_handle: IO[bytes] | None = None

    def __enter__(self) -> Self:
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def process(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            raise RuntimeError(f"{self.name} was not started")
        return self._process

    def start(self) -> None:
        """Launch the process, its stdout and stderr both going to the log file."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._log_handle = self.log.open("wb")
        self._process = subprocess.Popen(
            self.argv, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
            stdout=self._log_handle, stderr=subprocess.STDOUT, user=self.user, group=self.group,
        )  # fmt: skip

    def wait_ready(self) -> None:
        """Poll the probe until it says yes; fail with the log tail if the process dies or hangs."""
        deadline = time.monotonic() + self.start_timeout
        while not self.ready():
            code = self.process.poll()
            if code is not None:
                raise RuntimeError(f"{self.name} exited with code {code}: {self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{self.name} did not answer within {self.start_timeout:g} s: {self.log_tail()}"
                )
            time.sleep(self.poll_every)

    def log_tail(self, chars: int = LOG_TAIL_CHARS) -> str:
        """The last `chars` characters the process wrote."""
        if not self.log.is_file():
            return "(no log)"
        return self.log.read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        """Terminate, give it `stop_timeout` seconds to exit, kill it if it does not."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._log_handle is not None:
            self._log_handle.close()
            self._log_handle = None
