"""Webhook rate limits shared by every replica, through the store.

A client address gets `rate` requests per second with bursts of `burst` in all, however
the load balancer spreads its requests. A replica's own bucket at the same rate is asked
first: a flood from one address is turned away there without a database write.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine

from stanch.store import buckets

IDLE_SECONDS = 600.0  # a bucket untouched this long is full again: its row can go
SWEEP_EVERY = 1000  # requests between sweeps of idle buckets


class SharedRateLimiter:
    """One token bucket per client in the store, behind a replica-local one."""

    def __init__(
        self,
        engine: Callable[[], Engine],
        rate: float,
        burst: int,
        local: Callable[[str], float],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine, self.rate, self.burst = engine, rate, float(burst)
        self.local, self.clock = local, clock
        self._count = 0
        self._lock = threading.Lock()

    def allow(self, client: str) -> float:
        """0 when allowed now, else seconds until the next request would be."""
        wait = self.local(client)
        if wait:
            return wait
        now = self.clock()
        if self._sweep_due():
            buckets.forget_idle(self.engine(), now - max(IDLE_SECONDS, self.burst / self.rate))
        return buckets.take(self.engine(), client, self.rate, self.burst, now)

    def _sweep_due(self) -> bool:
        with self._lock:
            self._count += 1
            return self._count % SWEEP_EVERY == 0
