"""A writer killed with SIGKILL mid-append never leaves half an event; the file recovers."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from stanch.model.events import GENESIS, next_chain
from stanch.services import incidents, records
from stanch.timeline.parse import parse
from tests.conftest import make_app

ROUNDS = 12


def test_sigkill_loop(project: Path) -> None:
    app = make_app(project)
    key = incidents.declare(app, "Search is down", severity="SEV1").incident.id
    path = app.settings.incidents_dir / f"{key}.md"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    rng = random.Random(7)
    seen = 1
    for round_ in range(ROUNDS):
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.support.worker", str(project), key, f"r{round_}", "-1"],
            env=env, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        # Let it get going, then kill it somewhere inside an append.
        deadline = time.monotonic() + 20
        while app.store.chain(key)[0] <= seen and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.15))
        child.send_signal(signal.SIGKILL)
        child.wait()

        events = app.store.events(key)
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        chain = GENESIS
        for event in events:  # every stored event is whole and chained
            chain = next_chain(chain, event.to_record())
            assert event.chain == chain
            assert event.kind in ("incident.declared", "note")
        assert len(events) > seen
        seen = len(events)

        # The file never holds an event the store lacks.
        in_file = parse(path.read_bytes()).events
        assert [e.to_record() for e in in_file] == [e.to_record() for e in events[: len(in_file)]]

        incidents.log(app, key, f"after kill {round_}")  # repairs the file if the kill tore it
        seen += 1
        assert records.verify(app, key).ok
    app.close()
