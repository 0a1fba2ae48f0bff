"""`stanch evidence …`: the group that evidence commands (changes, metrics, logs …) join."""

from __future__ import annotations

import typer

evidence_app = typer.Typer(
    help="Diagnose from evidence: changes, metrics, logs, traces.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def register(app: typer.Typer) -> None:
    app.add_typer(evidence_app, name="evidence")
