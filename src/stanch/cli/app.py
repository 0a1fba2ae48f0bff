"""The `stanch` command: builds the App once, maps errors to one line and an exit code."""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Annotated

import typer

from stanch import __version__
from stanch.cli import demo_cmd, evidence_group, incident_cmds, plugins, record_cmds, remote
from stanch.cli.context import err_console
from stanch.errors import InternalError, StanchError
from stanch.services.context import App
from stanch.settings import load_settings

app = typer.Typer(
    name="stanch",
    help="Stop the bleeding, then find out why: incident response from first page to postmortem.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        print(f"stanch {__version__}")
        raise typer.Exit


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option(help="Path to stanch.toml.")] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    """Stop the bleeding, then find out why."""
    if ctx.obj is None:
        ctx.obj = remote.connect(load_settings(config_path=config))  # STANCH_URL: a server


incident_cmds.register(app)
record_cmds.register(app)
demo_cmd.register(app)
evidence_group.register(app)
plugins.register_all(app)  # every other stanch.cli.*_cmds module


def main(argv: list[str] | None = None) -> None:
    """Entry point: exit 0 ok, 1 user error, 2 usage, 3 environment, 70 our bug."""
    sys.exit(run(argv))


def run(argv: list[str] | None = None, obj: App | None = None) -> int:
    """Run one command; usage errors are Typer's (exit 2), ours are one line each."""
    try:
        app(args=argv, obj=obj, prog_name="stanch")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except StanchError as exc:
        return _fail(exc)
    except KeyboardInterrupt:
        err_console.print("stanch: interrupted; recorded events are safe")
        return 130
    except Exception as exc:  # last resort: never a traceback, always a bug-report hint
        return _fail(InternalError(f"internal error: {type(exc).__name__}: {exc}"))
    return 0


def _fail(exc: StanchError) -> int:
    message = " ".join(exc.message.split())
    err_console.print(f"stanch: error: {message}", markup=False, soft_wrap=True)
    if exc.hint:
        err_console.print(f"  hint: {exc.hint}", markup=False, soft_wrap=True)
    if isinstance(exc, InternalError):
        err_console.print(
            "  this is a bug in stanch; please report it with the command you ran "
            "(set STANCH_DEBUG=1 for the traceback)", markup=False, soft_wrap=True,
        )  # fmt: skip
        if os.environ.get("STANCH_DEBUG"):
            traceback.print_exc()
    return exc.exit_code
