"""Scripted readers and small apps for the watch tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from stanch.model.signal import Signal
from stanch.services.context import App
from stanch.watch.base import Reading
from tests.conftest import make_app

FAST = """
[watch]
min_samples = 5
confirm_samples = 3
relapse_samples = 2
interval = "10s"
[watch.recovery_window]
SEV2 = "1m"
"""


class Scripted:
    """A reader that answers from a list of values (None = no data), and counts reads."""

    def __init__(self, values: Iterable[float | None]) -> None:
        self.values = list(values)
        self.reads = 0

    def read(self, signal: Signal) -> Reading:
        value = self.values[min(self.reads, len(self.values) - 1)]
        self.reads += 1
        return Reading.no_data("empty result") if value is None else Reading.ok(value)


def fast_app(root: Path, url: str | None = None) -> App:
    """An App whose clock moves 5 s a call and whose SEV2 window is one minute."""
    (root / "stanch.toml").write_text(FAST)
    return make_app(root, url, step=timedelta(seconds=5))
