"""The running `checkout` service: follows its flag file, serves metrics and a query API.

It serves Prometheus text at `/metrics` and, for its one recording rule, the Prometheus
HTTP API's `/api/v1/query` and `/api/v1/query_range` (same JSON envelope, same error
shape), so stanch's Prometheus reader talks to it exactly as to a Prometheus server.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from stanch.sim import traffic
from stanch.sim.world import World, flag_is_on

WINDOW = timedelta(seconds=15)  # the recording rule's rate window


def _now() -> datetime:
    return datetime.now(UTC)


class Service:
    """The service's flag history (from the deploy history, then as observed) and its rates."""

    def __init__(self, world: World, clock: Callable[[], datetime] = _now) -> None:
        self.world = world
        self.clock = clock
        self._lock = threading.Lock()
        self.history: list[tuple[datetime, bool]] = [
            (world.onset - timedelta(days=3), False),
            (world.flag_flipped_at, True),
        ]
        self.poll()

    def poll(self) -> bool:
        """Read the deployed flag file; a change takes effect now."""
        state = flag_is_on(self.world.repo)
        with self._lock:
            if self.history[-1][1] != state:
                self.history.append((self.clock(), state))
        return state

    def flag_on_at(self, at: datetime) -> bool:
        with self._lock:
            on = False
            for since, state in self.history:
                if since <= at:
                    on = state
            return on

    def error_ratio(self, at: datetime | None = None) -> float:
        """Time-weighted error ratio over the rate window ending at `at`."""
        end = at or self.clock()
        start = end - WINDOW
        with self._lock:
            points = [*self.history, (end, self.history[-1][1])]
        total = 0.0
        for (since, state), (until, _) in itertools.pairwise(points):
            lo, hi = max(since, start), min(until, end)
            if hi > lo:
                total += (hi - lo).total_seconds() * traffic.error_ratio(state)
        return total / WINDOW.total_seconds()

    def counters(self) -> tuple[int, int]:
        """Cumulative (requests, errors) since the service started, from the history."""
        end = self.clock()
        with self._lock:
            points = [*self.history, (end, self.history[-1][1])]
        seconds = errors = 0.0
        for (since, state), (until, _) in itertools.pairwise(points):
            span = max(0.0, (until - since).total_seconds())
            seconds += span
            errors += span * traffic.error_ratio(state)
        rate = traffic.REQUESTS_PER_SECOND
        return int(seconds * rate), int(errors * rate)

    def write_logs(self, path: Path, start: datetime, end: datetime) -> int:
        """Append the service's log lines for [start, end) to `path`; returns lines written."""
        path.parent.mkdir(parents=True, exist_ok=True)
        written = 0
        with path.open("a") as handle:
            for second in traffic.seconds(start, end):
                for request in traffic.requests_at(second, self.flag_on_at(second)):
                    lines = traffic.log_lines(request)
                    handle.write("\n".join(lines) + "\n")
                    written += len(lines)
        return written

    def write_traces(self, path: Path, moments: list[datetime]) -> int:
        """An OTLP/JSON file with every request of the given seconds; returns traces."""
        requests = [r for at in moments for r in traffic.requests_at(at, self.flag_on_at(at))]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(traffic.otlp_document(requests)))
        return len(requests)


def _vector(at: datetime, value: float) -> dict[str, Any]:
    metric = {"__name__": traffic.RECORDING_RULE, "service": "checkout"}
    return {"metric": metric, "value": [at.timestamp(), repr(value)]}


def _parse_time(text: str | None, default: datetime) -> datetime:
    if text is None:
        return default
    try:
        return datetime.fromtimestamp(float(text), UTC)
    except ValueError:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))


class _Handler(BaseHTTPRequestHandler):
    service: Service

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _send(self, code: int, body: bytes, kind: str = "application/json") -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, message: str) -> None:
        doc = {"status": "error", "errorType": "bad_data", "error": message}
        self._send(400, json.dumps(doc).encode())

    def do_GET(self) -> None:
        self._serve(urlsplit(self.path).query)

    def do_POST(self) -> None:
        """Prometheus also takes the query parameters as a form body."""
        kind = self.headers.get("Content-Type", "")
        if not kind.startswith("application/x-www-form-urlencoded"):
            self._error("POST needs an application/x-www-form-urlencoded body")
            return
        length = int(self.headers.get("Content-Length", "0"))
        self._serve(self.rfile.read(length).decode("utf-8", errors="replace"))

    def _serve(self, params: str) -> None:
        self.service.poll()
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(params).items()}
        if url.path == "/metrics":
            total, errors = self.service.counters()
            text = (
                "# TYPE http_requests_total counter\n"
                f'http_requests_total{{service="checkout",code="200"}} {total - errors}\n'
                f'http_requests_total{{service="checkout",code="502"}} {errors}\n'
            )
            self._send(200, text.encode(), "text/plain; version=0.0.4")
            return
        if url.path not in ("/api/v1/query", "/api/v1/query_range"):
            self._send(404, b'{"status":"error","errorType":"not_found","error":"not found"}')
            return
        if query.get("query", "").strip() != traffic.RECORDING_RULE:
            self._error(f"this service only serves {traffic.RECORDING_RULE}")
            return
        try:
            self._answer(url.path, query)
        except (ValueError, OverflowError) as exc:
            self._error(f"invalid parameter: {exc}")

    def _answer(self, path: str, query: dict[str, str]) -> None:
        now = self.service.clock()
        if path == "/api/v1/query":
            at = _parse_time(query.get("time"), now)
            data = {"resultType": "vector", "result": [_vector(at, self.service.error_ratio(at))]}
        else:
            start, end = _parse_time(query["start"], now), _parse_time(query["end"], now)
            step = float(query.get("step", "15").rstrip("s"))
            if step <= 0 or (end - start).total_seconds() / step > 11_000:
                raise ValueError("exceeded maximum resolution of 11,000 points per timeseries")
            values = []
            at = start
            while at <= end:
                values.append([at.timestamp(), repr(self.service.error_ratio(at))])
                at += timedelta(seconds=step)
            metric = {"__name__": traffic.RECORDING_RULE, "service": "checkout"}
            data = {"resultType": "matrix", "result": [{"metric": metric, "values": values}]}
        self._send(200, json.dumps({"status": "success", "data": data}).encode())


class Running:
    """The service listening on 127.0.0.1; `url` is its base URL. Use as a context manager."""

    def __init__(self, service: Service) -> None:
        handler = type("Handler", (_Handler,), {"service": service})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.service = service

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Running:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
