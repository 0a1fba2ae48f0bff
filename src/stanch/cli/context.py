"""Shared CLI plumbing: the App from the Typer context, output helpers."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from rich.console import Console

from stanch.services.context import App

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def app_of(ctx: typer.Context) -> App:
    obj = ctx.find_root().obj
    assert isinstance(obj, App)
    return obj


def emit_json(data: Any) -> None:
    """Machine output: plain JSON on stdout, nothing else."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n")


JSON_OPTION = typer.Option("--json", help="Print JSON instead of text.")
AT_OPTION = typer.Option(
    "--at", help="When it happened: ISO-8601 with offset or e.g. '12 min ago'."
)
ACTOR_OPTION = typer.Option("--actor", help="Who did it (default: settings' actor).")
INCIDENT_ARG = typer.Argument(help="Incident id; may be omitted when exactly one is open.")
