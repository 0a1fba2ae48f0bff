"""A replica's scheduler in a child process: `python -m tests.server.tick_worker ROOT URL NOW N OWNER`."""

from __future__ import annotations

import sys
from pathlib import Path

from stanch.model.clock import from_iso
from stanch.model.timers import TimerPolicy
from stanch.services.context import App
from stanch.services.scheduler import tick
from stanch.settings import load_settings


def main() -> None:
    root, url, now, rounds, owner = sys.argv[1:6]
    app = App(
        load_settings(cwd=Path(root), env={"STANCH_DATABASE_URL": url, "STANCH_ACTOR": owner})
    )
    fired = 0
    for _ in range(int(rounds)):
        fired += len(tick(app, TimerPolicy(), owner, from_iso(now)).fired)
    print(fired)
    app.close()


if __name__ == "__main__":
    main()
