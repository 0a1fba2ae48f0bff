"""Cost of one append (store + incident file) at 10, 1,000 and 10,000 events.

Baseline: re-rendering and atomically rewriting the whole file on every append (what a
naive projection does). Prints p50/p99 for both and the ratios; ours must stay flat.
Run: .venv/bin/python bench/append.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stanch.model.clock import fixed_clock
from stanch.model.events import Event, Kind
from stanch.services import incidents
from stanch.services.context import App
from stanch.settings import load_settings
from stanch.timeline.render import render_file
from stanch.timeline.writer import atomic_write

SIZES = (10, 1_000, 10_000)
SAMPLES = 200
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def grow(app: App, key: str, size: int) -> None:
    """Bring the incident to `size` events quickly through the import path."""
    events = app.store.events(key)
    last = events[-1]
    extra = [
        replace(last, seq=seq, kind=Kind.NOTE, data={"text": f"filler note {seq}"},
                occurred_at=last.occurred_at, recorded_at=last.recorded_at)
        for seq in range(last.seq + 1, size + 1)
    ]  # fmt: skip
    app.store.load(key, [*events, *extra])
    app.files.regenerate(key, app.source(key))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(size: int) -> tuple[list[float], list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "stanch.toml").write_text("[stanch]\n")
        app = App(load_settings(cwd=root, env={}), clock=fixed_clock(T0, timedelta(seconds=1)))
        key = incidents.declare(app, "Checkout returns 502", severity="SEV1").incident.id
        grow(app, key, size)
        ours: list[float] = []
        for number in range(SAMPLES):
            started = time.perf_counter()
            incidents.log(app, key, f"measured note {number}")
            ours.append(time.perf_counter() - started)
        naive: list[float] = []
        path = app.files.path(key)
        events: list[Event] = app.store.events(key)
        for _ in range(min(SAMPLES, 50)):
            started = time.perf_counter()
            atomic_write(path, render_file(events, app.settings.severity_scheme))
            naive.append(time.perf_counter() - started)
        app.close()
        return ours, naive


def main() -> None:
    print(
        f"{'events':>8} {'ours p50 ms':>12} {'ours p99 ms':>12} {'rewrite p50 ms':>15} {'ratio':>7}"
    )
    results: dict[int, tuple[float, float]] = {}
    for size in SIZES:
        ours, naive = measure(size)
        p50, p99, n50 = percentile(ours, 0.5), percentile(ours, 0.99), percentile(naive, 0.5)
        results[size] = (p50, n50)
        print(
            f"{size:>8} {p50 * 1e3:>12.2f} {p99 * 1e3:>12.2f} {n50 * 1e3:>15.2f} {n50 / p50:>6.1f}x"
        )
    growth = results[SIZES[-1]][0] / results[SIZES[0]][0]
    print(
        f"\nours: p50 at {SIZES[-1]} events / p50 at {SIZES[0]} events = {growth:.2f} (flat is 1.0)"
    )
    print(f"rewrite-per-append baseline at {SIZES[-1]} events is "
          f"{results[SIZES[-1]][1] / results[SIZES[-1]][0]:.1f}x slower than ours")  # fmt: skip


if __name__ == "__main__":
    main()
