"""Checks that are not a metric: an HTTP endpoint's status, a command's exit code."""

from __future__ import annotations

import shlex

import httpx

from stanch.executor import Executor, Outcome
from stanch.model.signal import Signal
from stanch.watch.base import Reading


class HttpCheckReader:
    """GET the URL; the value is the HTTP status code (healthy by default when < 400)."""

    def __init__(self, *, timeout: float = 10.0, transport: httpx.BaseTransport | None = None):
        self.timeout = timeout
        self.transport = transport

    def read(self, signal: Signal) -> Reading:
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                response = client.get(signal.expr)
        except httpx.HTTPError as exc:
            # Unreachable is a failed check, not missing data: users see the same.
            return Reading.ok(0.0 if signal.op in (">", ">=") else 599.0,
                              f"unreachable: {type(exc).__name__}")  # fmt: skip
        return Reading.ok(float(response.status_code), f"HTTP {response.status_code}")


class CommandCheckReader:
    """Run the command (split into argv, never through a shell); the value is its exit code."""

    def __init__(self, executor: Executor | None = None, *, timeout: float = 30.0) -> None:
        self.executor = executor or Executor(timeout=timeout)
        self.timeout = timeout

    def read(self, signal: Signal) -> Reading:
        argv = shlex.split(signal.expr)
        result = self.executor.run(argv, timeout=self.timeout, mutating=False)
        if result.outcome is Outcome.NOT_FOUND:
            return Reading.error(f"{argv[0]}: not found")
        if result.outcome is Outcome.TIMEOUT:
            return Reading.error(f"timed out after {self.timeout:g}s")
        if result.exit_code is None:
            return Reading.error(result.stderr.strip()[:200] or "could not run")
        return Reading.ok(float(result.exit_code), f"exit {result.exit_code}")
