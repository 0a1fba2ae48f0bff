"""The simulated checkout service as the signal source, on a clock the test moves.

The sim's recording rule averages errors over a 15-second rate window; moving its clock
past the window after a flag change makes every reading land on a steady value (30 % with
the flag on, 0.2 % with it off), so three runs of one scenario read the same numbers.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from stanch.sim.service import WINDOW, Running, Service
from stanch.sim.world import FLAG, FLAG_FILE, World, build, flag_document

SETTLE = WINDOW + timedelta(seconds=5)
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Lever", "GIT_AUTHOR_EMAIL": "lever@example.com",
    "GIT_COMMITTER_NAME": "Lever", "GIT_COMMITTER_EMAIL": "lever@example.com",
}  # fmt: skip


class ManualClock:
    def __init__(self, now: datetime) -> None:
        self.now = now
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self.now

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self.now += delta


@dataclass
class Sim:
    world: World
    clock: ManualClock
    service: Service
    url: str

    def set_flag(self, on: bool, env: dict[str, str]) -> None:
        """Flip the flag in the repository as the flagd lever does: edit, commit, deploy."""
        (self.world.repo / FLAG_FILE).write_text(flag_document(on))
        word = "on" if on else "off"
        for argv in (["git", "add", str(FLAG_FILE)],
                     ["git", "commit", "-q", "-m", f"flags: turn {FLAG} {word}"]):  # fmt: skip
            subprocess.run(argv, cwd=self.world.repo, env={**env, **GIT_ENV}, check=True)
        assert self.service.poll() is on
        self.clock.advance(SETTLE)

    def error_ratio(self) -> float:
        return self.service.error_ratio()


@contextmanager
def running_sim(root: Path, env: dict[str, str]) -> Iterator[Sim]:
    onset = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    world = build(root, onset)
    clock = ManualClock(onset + timedelta(minutes=5))
    service = Service(world, clock)
    with Running(service) as running:
        yield Sim(world, clock, service, running.url)
