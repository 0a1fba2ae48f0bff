"""The public status page: no login, public fields only, cached for a second."""

from __future__ import annotations

import threading
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from stanch.server.deps import app_of, config_of
from stanch.services import statuspage

router = APIRouter(tags=["status page"])
TTL = 1.0
_cache: dict[int, tuple[float, dict[str, Any], str]] = {}
_lock = threading.Lock()


def _page(request: Request) -> tuple[dict[str, Any], str]:
    """(data, html); rebuilt at most once a second per server, so a rush stays cheap."""
    key = id(request.app)
    now = time.monotonic()
    with _lock:
        cached = _cache.get(key)
        if cached and now - cached[0] < TTL:
            return cached[1], cached[2]
        config = config_of(request)
        data = statuspage.view(app_of(request), config.components, config.status_title)
        page = statuspage.html(data)
        _cache[key] = (now, data, page)
        return data, page


@router.get("/status", response_class=HTMLResponse, summary="Public status page")
def status_html(request: Request) -> HTMLResponse:
    return HTMLResponse(_page(request)[1], headers={"Cache-Control": "public, max-age=5"})


@router.get("/status.json", summary="Public status page as JSON")
def status_json(request: Request) -> dict[str, Any]:
    return _page(request)[0]


@router.get("/status/feed.atom", summary="Public status page as an Atom feed")
def status_atom(request: Request) -> Response:
    config = config_of(request)
    base = config.public_url or str(request.base_url).rstrip("/")
    body = statuspage.atom(_page(request)[0], f"{base}/status/feed.atom")
    return Response(body, media_type="application/atom+xml")
