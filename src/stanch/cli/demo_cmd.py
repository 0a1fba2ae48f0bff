"""`stanch demo`: run the sample incident in a directory of its own."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stanch.cli.context import console
from stanch.errors import UserError
from stanch.services import demo
from stanch.services.context import App
from stanch.settings import load_settings


def demo_command(
    directory: Annotated[
        Path, typer.Option("--dir", help="Where the demo project is created.")
    ] = Path("stanch-demo"),
) -> None:
    """Run a sample incident end to end on the embedded store and print where its file is."""
    config = demo.write_config(directory)
    app = App(load_settings(config_path=config))
    try:
        result = demo.run(app, lambda line: console.print(line, markup=False))
    finally:
        app.close()
    console.print(f"\nOpen {result.path} to read the incident file.")
    if not result.file_ok:
        raise UserError("the demo's incident file does not match its events")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)
