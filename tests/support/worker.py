"""A child process that appends notes to one incident: `python -m tests.support.worker ROOT ID NAME N`."""

from __future__ import annotations

import sys
from pathlib import Path

from stanch.services import incidents
from stanch.services.context import App
from stanch.settings import load_settings


def main() -> None:
    root, incident, name, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    app = App(load_settings(cwd=Path(root)))
    number = 0
    while count < 0 or number < count:  # count < 0: until killed
        incidents.log(app, incident, f"{name} {number}", actor=name)
        number += 1
    app.close()


if __name__ == "__main__":
    main()
