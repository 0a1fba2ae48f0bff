"""Run the real server (uvicorn) in a thread on a free loopback port."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any, Literal

import uvicorn

from tests.support.process import free_port


@contextlib.contextmanager
def running(
    api: Any,
    *,
    path: str = "",
    log_level: str = "warning",
    lifespan: Literal["auto", "on", "off"] = "auto",
) -> Iterator[str]:
    """The base URL (plus `path`) of a real HTTP server for the ASGI `api`, stopped afterwards."""
    port = free_port()
    config = uvicorn.Config(api, host="127.0.0.1", port=port, log_level=log_level,
                            lifespan=lifespan)  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}{path}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
