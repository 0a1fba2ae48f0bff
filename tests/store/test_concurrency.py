"""Many processes appending to one incident lose nothing and keep one total order."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from stanch.model.events import GENESIS, next_chain
from stanch.services import incidents, records
from stanch.services.context import App
from tests.conftest import make_app

WRITERS = 6
EACH = 15


def test_parallel_appends(project: Path, database_url: str) -> None:
    app: App = make_app(project, database_url)
    key = incidents.declare(app, "Checkout returns 502", severity="SEV1").incident.id
    env = {**os.environ, "STANCH_DATABASE_URL": database_url, "PYTHONPATH": os.getcwd()}
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.support.worker", str(project), key, f"w{n}", str(EACH)],
            env=env,
            stderr=subprocess.PIPE,
        )
        for n in range(WRITERS)
    ]
    for child in children:
        _, err = child.communicate(timeout=300)
        assert child.returncode == 0, err.decode()

    events = app.store.events(key)
    assert [e.seq for e in events] == list(range(1, WRITERS * EACH + 2))
    chain = GENESIS
    for event in events:
        chain = next_chain(chain, event.to_record())
        assert event.chain == chain
    for n in range(WRITERS):
        mine = [e.data["text"] for e in events if e.actor == f"w{n}"]
        assert mine == [f"w{n} {i}" for i in range(EACH)]  # each writer's order is kept
    assert records.verify(app, key).ok
    app.close()
