"""`stanch serve`, API tokens, and the static status page export."""

from __future__ import annotations

import os
import socket
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from stanch.cli.context import JSON_OPTION, app_of, console, emit_json, err_console
from stanch.errors import InvalidInput

tokens_app = typer.Typer(help="API tokens for the server (stored hashed).", no_args_is_help=True)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    scheduler: Annotated[
        bool, typer.Option("--scheduler/--no-scheduler", help="Fire timers in this replica.")
    ] = True,
) -> None:
    """Run the server: REST API, alert webhooks, web UI, public status page, timers."""
    import uvicorn

    from stanch.server.app import create_app
    from stanch.server.config import load_server_config
    from stanch.services.job_rules import default_jobs
    from stanch.services.scheduler import SchedulerThread

    app = app_of(ctx)
    config = load_server_config(app.settings.raw)
    if not 0 < port < 65536:
        raise InvalidInput(f"port {port} is out of range")
    app.store  # noqa: B018 — open and migrate the store before accepting requests
    thread = None
    if scheduler and config.scheduler:
        policy = config.policy()
        owner = f"{socket.gethostname()}:{os.getpid()}"
        every = timedelta(seconds=config.tick_seconds)
        periodic = default_jobs(app, every)
        thread = SchedulerThread(
            app,
            policy,
            owner,
            config.tick_seconds,
            timedelta(seconds=config.lease_seconds),
            periodic,
        )
        thread.start()
    try:
        uvicorn.run(
            create_app(app, config),
            host=host,
            port=port,
            log_level="warning",
            proxy_headers=True,
            server_header=False,
        )
    finally:
        if thread is not None:
            thread.stop()
        app.close()


@tokens_app.command("create")
def create_token(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Who or what uses it, e.g. alertmanager, ci.")],
    role: Annotated[str, typer.Option(help="viewer, responder or admin.")] = "responder",
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Create a token; it is printed once and stored only as a hash."""
    from stanch.services import tokens

    value = tokens.create(app_of(ctx), name, role)
    if as_json:
        emit_json({"name": name, "role": role, "token": value})
        return
    print(value)
    err_console.print(f"token {name} ({role}): shown once, store it now", markup=False)


@tokens_app.command("list")
def list_tokens(ctx: typer.Context, as_json: Annotated[bool, JSON_OPTION] = False) -> None:
    """Token names, roles and creation times (never the tokens)."""
    from stanch.services import tokens

    rows = tokens.listing(app_of(ctx))
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        console.print(f"{row['name']}\t{row['role']}\t{row['created_at']}")


@tokens_app.command("revoke")
def revoke_token(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="Token name.")]
) -> None:
    """Revoke a token at once (every replica checks the store on each request)."""
    from stanch.services import tokens

    tokens.revoke(app_of(ctx), name)
    console.print(f"revoked {name}")


def export_status(
    ctx: typer.Context,
    folder: Annotated[
        Path, typer.Argument(help="Where to write index.html, status.json, feed.atom.")
    ],
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Write the public status page as static files (for any web server or bucket)."""
    from stanch.server.config import load_server_config
    from stanch.services import statuspage

    app = app_of(ctx)
    config = load_server_config(app.settings.raw)
    written = statuspage.export(
        app, config.components, config.status_title, folder, config.public_url
    )
    if as_json:
        emit_json([str(p) for p in written])
        return
    for path in written:
        console.print(str(path))


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command("export-status")(export_status)
    app.add_typer(tokens_app, name="tokens")
