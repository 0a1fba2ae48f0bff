"""Run the real CLI in-process with an injected App (and so an injected clock)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from stanch.cli.app import run
from stanch.services.context import App


@dataclass
class Ran:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def cli(capsys: pytest.CaptureFixture[str], app: App, *args: str) -> Ran:
    capsys.readouterr()
    code = run(list(args), obj=app)
    captured = capsys.readouterr()
    return Ran(code, captured.out, captured.err)
