"""The FastAPI app factory; every module in server/routes with a `router` is mounted."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.routing import Route

import stanch.server.routes
from stanch import __version__
from stanch.errors import StanchError
from stanch.server.config import ServerConfig, load_server_config
from stanch.server.deps import stanch_error_handler
from stanch.server.mcp_door import McpDoor
from stanch.server.ratelimit import Limiter, RateLimiter
from stanch.services.context import App
from stanch.services.ratelimit import SharedRateLimiter

STATIC = Path(__file__).parent / "static"


def route_modules() -> list[str]:
    """Names of server/routes/*.py, sorted; a capability adds a module, nothing else."""
    return sorted(info.name for info in pkgutil.iter_modules(stanch.server.routes.__path__))


def routers() -> list[APIRouter]:
    found = []
    for name in route_modules():
        module = importlib.import_module(f"stanch.server.routes.{name}")
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            found.append(router)
    return found


def limiter(app: App, config: ServerConfig) -> Limiter:
    """The webhook rate limit: shared by the replicas through the store, or this one's own."""
    local = RateLimiter(config.rate_per_second, config.rate_burst)
    if config.rate_scope == "replica":
        return local
    return SharedRateLimiter(
        lambda: app.store.engine, config.rate_per_second, config.rate_burst, local.allow
    )


def create_app(app: App, config: ServerConfig | None = None) -> FastAPI:
    """One server for the App's store; the caller owns the App (and closes it)."""
    door = McpDoor(app)

    @asynccontextmanager
    async def lifespan(_api: FastAPI) -> AsyncIterator[None]:
        async with door.running():
            yield

    api = FastAPI(
        title="stanch",
        version=__version__,
        description="Incident response: alert intake, incidents, timelines, status page.",
        lifespan=lifespan,
    )
    api.state.stanch = app
    api.state.config = config or load_server_config(app.settings.raw)
    api.state.limiter = limiter(app, api.state.config)
    api.add_exception_handler(StanchError, stanch_error_handler)
    api.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in routers():
        api.include_router(router)
    # MCP over streamable HTTP, for AI responders (bearer token, responder role).
    api.router.routes.append(
        Route("/mcp", door, methods=["GET", "POST", "DELETE"], include_in_schema=False)
    )
    return api
