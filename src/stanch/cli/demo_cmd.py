"""`stanch demo`: a complete incident on a simulated production, with the real commands."""

from __future__ import annotations

import contextlib
import os
import shlex
from pathlib import Path
from typing import Annotated

import typer

from stanch.cli.context import console
from stanch.cli.demo_script import Step, script
from stanch.errors import UserError
from stanch.services.context import App
from stanch.settings import load_settings
from stanch.sim import stage as sim_stage


def _by_hand(step: Step, where: Path) -> bool:
    """--pause: wait; True when the person ran the command themselves."""
    try:
        answer = input(f"  Enter runs it here; type 'done' once you ran it yourself in {where}: ")
    except EOFError:
        return False
    return answer.strip().lower() == "done"


def _play(app: App, stage: sim_stage.Stage, pause: bool) -> str:
    from stanch.cli.app import run  # the same door a person uses

    key = ""
    for number, step in enumerate(script(stage), start=1):
        argv = [part.replace("{id}", key) for part in step.argv]
        console.rule(f"{number}. {step.phase}", style="bold")
        console.print(step.why, markup=False)
        console.print(f"$ stanch {shlex.join(argv)}", markup=False, style="cyan")
        if not (pause and _by_hand(step, stage.directory)):
            code = run(argv, app)
            if code not in step.codes:
                raise UserError(f"demo step {number} ({argv[0]}) ended with exit code {code}")
        if not key:
            open_ = app.store.incidents(open_only=True)
            if len(open_) != 1:
                raise UserError("the demo's incident was not declared")
            key = open_[0].id
    return key


def demo_command(
    directory: Annotated[
        Path, typer.Option("--dir", help="Where the demo project is created (replaced).")
    ] = Path("stanch-demo"),
    pause: Annotated[
        bool, typer.Option("--pause", help="Stop before each step so you can type it yourself.")
    ] = False,
    window: Annotated[
        int, typer.Option(min=6, help="Recovery window in seconds (short, for the demo).")
    ] = 20,
) -> None:
    """Run a realistic incident end to end on a simulated production and the embedded store."""
    with sim_stage.running(directory.resolve(), window_s=window) as stage:
        if pause:
            console.print(
                f"Run the commands in {stage.directory} with "
                f"{sim_stage.SECRET_ENV}={_secret()} set, while this demo keeps the "
                "simulated service running.", markup=False,
            )  # fmt: skip
        with contextlib.chdir(stage.directory):
            app = App(load_settings(config_path=stage.config))
            try:
                key = _play(app, stage, pause)
                path = app.files.path(key)
            finally:
                app.close()
        _summary(stage, key, path)


def _secret() -> str:
    return os.environ.get(sim_stage.SECRET_ENV, "")


def _summary(stage: sim_stage.Stage, key: str, path: Path) -> None:
    console.rule("Done", style="bold")
    console.print(f"Incident {key}: {path}", markup=False)
    console.print(f"Status page:   {stage.directory / 'status' / 'index.html'}", markup=False)
    for page in stage.pager.received:
        console.print(f"The payments on-call's pager received: {page['path']}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)
