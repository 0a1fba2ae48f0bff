"""Start a real Unleash server (npm `unleash-server`, installed by scripts/setup.d/levers.sh)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / ".cache" / "unleash" / "node_modules" / "unleash-server"
ADMIN_TOKEN = "*:*.stanch-test-admin-token"


@dataclass
class Unleash:
    url: str
    token: str


def missing_reason() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not (PACKAGE / "package.json").is_file():
        return "unleash-server is not installed (npm could not reach the registry)"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running_unleash(database_url: str, log: Path) -> Iterator[Unleash]:
    port = _free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
        "DATABASE_URL": database_url, "DATABASE_SSL": "false", "HTTP_PORT": str(port),
        "PORT": str(port), "HTTP_HOST": "127.0.0.1",
        "INIT_ADMIN_API_TOKENS": ADMIN_TOKEN, "LOG_LEVEL": "warn",
        "UNLEASH_TELEMETRY_DISABLED": "true", "CHECK_VERSION": "false",
    }  # fmt: skip
    script = (
        "require('unleash-server').start().catch((e) => { console.error(e); process.exit(1); });"
    )
    with log.open("wb") as out:
        proc = subprocess.Popen(["node", "-e", script], cwd=PACKAGE.parent.parent, env=env,
                                stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"unleash exited: {log.read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            time.sleep(0.5)
        else:
            raise RuntimeError(f"unleash did not start: {log.read_text()[-2000:]}")
        yield Unleash(url, ADMIN_TOKEN)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
