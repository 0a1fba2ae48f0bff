"""Shared by the server benchmarks: a real `stanch serve` in a child process."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stanch(root: Path, *args: str) -> str:
    env = {**os.environ, "STANCH_ACTOR": "bench"}
    done = subprocess.run(
        [sys.executable, "-m", "stanch", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@contextlib.contextmanager
def serving(root: Path) -> Iterator[str]:
    """`stanch serve` on a free loopback port; stopped afterwards."""
    port = free_port()
    env = {**os.environ, "STANCH_ACTOR": "bench"}
    child = subprocess.Popen(
        [sys.executable, "-m", "stanch", "serve", "--port", str(port), "--no-scheduler"],
        cwd=root,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/status.json", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or child.poll() is not None:
                    raise RuntimeError("stanch serve did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        child.terminate()
        child.wait(timeout=20)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
