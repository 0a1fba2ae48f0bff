"""Command modules register themselves: every `stanch.cli.*_cmds` module with `register(app)`.

The core modules are registered first by app.py, in reading order; the rest are found
here so a capability adds its commands without editing app.py.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import cast

import typer

import stanch.cli

_CORE = frozenset({"incident_cmds", "record_cmds"})


def command_modules() -> list[str]:
    """Names of the non-core `*_cmds` modules, sorted so help output is stable."""
    names = (info.name for info in pkgutil.iter_modules(stanch.cli.__path__))
    return sorted(n for n in names if n.endswith("_cmds") and n not in _CORE)


def register_all(app: typer.Typer) -> None:
    for name in command_modules():
        module = importlib.import_module(f"stanch.cli.{name}")
        register = cast(Callable[[typer.Typer], None], module.register)
        register(app)
