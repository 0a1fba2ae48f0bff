"""Requests/s and p99 for the public status page: `stanch serve` /status against nginx
(Debian) serving the same page exported with `stanch export-status`, same run, same load.

Load: wrk (Debian) on loopback, 2 threads, 16 connections, a few seconds each; a bounded
Python client when wrk is missing. Prints both and the ratio stanch/nginx.
Run: .venv/bin/python bench/statuspage.py [--seconds 8]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serving import free_port, percentile, serving, stanch

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fcgi;
  uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {site};
    location = /status {{ default_type text/html; try_files /index.html =404; }}
  }}
}}
"""


def wrk(url: str, seconds: float) -> tuple[float, float]:
    """(requests/s, p99 ms) from wrk's --latency report."""
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{int(seconds)}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    if "Non-2xx" in out:
        raise RuntimeError(f"errors while loading {url}:\n{out}")
    return rps, float(value) * scale


def python_load(url: str, seconds: float) -> tuple[float, float]:
    """Bounded fallback: 16 workers, each looping until the deadline."""
    deadline = time.monotonic() + seconds
    latencies: list[float] = []

    def worker(_: int) -> list[float]:
        mine = []
        with httpx.Client(timeout=10) as client:
            while time.monotonic() < deadline:
                began = time.perf_counter()
                client.get(url).raise_for_status()
                mine.append(time.perf_counter() - began)
        return mine

    with ThreadPoolExecutor(16) as pool:
        for part in pool.map(worker, range(16)):
            latencies.extend(part)
    return len(latencies) / seconds, percentile(latencies, 0.99) * 1000


def wait_for(url: str, proxy: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            if "Checkout errors" in httpx.get(url, timeout=2).text:
                return
        except httpx.HTTPError:
            pass
        if proxy.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"nginx did not serve the page: {log.read_text()[-800:]}")
        time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    load = wrk if shutil.which("wrk") else python_load
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    with tempfile.TemporaryDirectory(prefix="stanch-statuspage-") as tmp:
        root = Path(tmp)
        root.chmod(0o755)  # nginx's workers run as another user when started by root
        (root / "stanch.toml").write_text(
            '[server]\ncomponents = ["checkout", "search", "login"]\n'
        )
        for n in range(5):
            stanch(
                root,
                "declare",
                f"Checkout errors for some users ({n})",
                "--severity",
                "SEV2",
                "--service",
                "checkout",
                "--customer-visible",
                "--slug",
                f"checkout-{n}",
            )
        site = root / "site"
        stanch(root, "export-status", str(site))
        port = free_port()
        (root / "nginx.conf").write_text(NGINX_CONF.format(tmp=root, port=port, site=site))
        proxy = subprocess.Popen(
            [nginx, "-c", str(root / "nginx.conf"), "-p", str(root)], stderr=subprocess.DEVNULL
        )
        try:
            static_url = f"http://127.0.0.1:{port}/status"
            wait_for(static_url, proxy, root / "nginx-error.log")
            ngx_rps, ngx_p99 = load(static_url, args.seconds)
        finally:
            proxy.terminate()
            proxy.wait(timeout=10)
        with serving(root) as base:
            assert "Checkout errors" in httpx.get(f"{base}/status").text
            our_rps, our_p99 = load(f"{base}/status", args.seconds)
    print(f"load generator: {load.__name__}, {args.seconds:.0f} s each, loopback")
    print(f"stanch /status   {our_rps:9.0f} req/s   p99 {our_p99:7.2f} ms")
    print(f"nginx (static)   {ngx_rps:9.0f} req/s   p99 {ngx_p99:7.2f} ms")
    print(f"ratio stanch/nginx: throughput {our_rps / ngx_rps:.3f}x, p99 {our_p99 / ngx_p99:.1f}x")


if __name__ == "__main__":
    main()
