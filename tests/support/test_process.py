"""ServerProcess against real child processes: ready, dead on start, never ready, deaf to SIGTERM."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

from tests.support.process import ServerProcess, free_port, http_ready

IGNORES_TERM = """
import signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ignoring SIGTERM", flush=True)
while True:
    time.sleep(1)
"""


def test_serves_once_ready_and_stops_afterwards(tmp_path: Path) -> None:
    port = free_port()
    (tmp_path / "hello.txt").write_text("hello\n")
    argv = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    url = f"http://127.0.0.1:{port}"
    with ServerProcess("http.server", argv, ready=http_ready(f"{url}/hello.txt"),
                       log=tmp_path / "logs" / "http.log", cwd=tmp_path) as server:  # fmt: skip
        assert httpx.get(f"{url}/hello.txt").text == "hello\n"
    assert server.process.returncode is not None
    assert "GET /hello.txt" in server.log_tail()


def test_a_process_that_exits_fails_with_its_log_tail(tmp_path: Path) -> None:
    argv = [sys.executable, "-c", "print('bad config on line 3'); raise SystemExit(2)"]
    server = ServerProcess("broken", argv, ready=lambda: False, log=tmp_path / "broken.log")
    with (
        pytest.raises(RuntimeError, match=r"broken exited with code 2: bad config on line 3"),
        server,
    ):
        pytest.fail("a server that exited was entered")


def test_a_process_that_never_answers_is_stopped_and_reported(tmp_path: Path) -> None:
    argv = [
        sys.executable,
        "-c",
        "import time; print('listening nowhere', flush=True); time.sleep(600)",
    ]
    server = ServerProcess("deaf", argv, ready=lambda: False, log=tmp_path / "deaf.log",
                           start_timeout=0.5)  # fmt: skip
    expected = r"deaf did not answer within 0.5 s: listening nowhere"
    with pytest.raises(RuntimeError, match=expected), server:
        pytest.fail("a server that never answers was entered")
    assert server.process.returncode is not None


def test_a_process_deaf_to_sigterm_is_killed(tmp_path: Path) -> None:
    argv = [sys.executable, "-c", IGNORES_TERM]
    log = tmp_path / "stubborn.log"
    with ServerProcess("stubborn", argv, ready=lambda: log.read_text() != "", log=log,
                       stop_timeout=0.5) as server:  # fmt: skip
        assert server.process.poll() is None
    assert server.process.returncode == -9


def test_nothing_is_listening_on_a_free_port() -> None:
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{free_port()}/", timeout=2)
