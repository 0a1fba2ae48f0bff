"""Inbound alert webhooks: Alertmanager (v4) and Grafana (v1); authenticated, rate-limited
(per client address, across replicas unless `rate_scope = "replica"`)."""

from __future__ import annotations

import json
import math
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from stanch.model.alerts import parse_notification
from stanch.server.deps import app_of, config_of, readable, require
from stanch.server.ratelimit import Limiter
from stanch.services import alerts
from stanch.services.tokens import Role

router = APIRouter(prefix="/api/alerts", tags=["alerts"])
MAX_BODY = 5 * 1024 * 1024


async def _intake(request: Request) -> dict[str, Any]:
    limiter: Limiter = request.app.state.limiter
    client = request.client.host if request.client else "unknown"
    wait = await run_in_threadpool(limiter.allow, client)  # a shared limit reads the store
    if wait:
        raise HTTPException(
            429, "too many webhook requests", headers={"Retry-After": str(max(1, math.ceil(wait)))}
        )
    body = await request.body()
    if len(body) > MAX_BODY:
        raise HTTPException(413, "webhook body too large")
    return await run_in_threadpool(_record, request, body)


def _record(request: Request, body: bytes) -> dict[str, Any]:
    """Blocking part (token check, store writes), off the event loop."""
    who = require(Role.RESPONDER)(request)
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise HTTPException(400, "webhook body is not JSON") from None
    app = app_of(request)
    note = parse_notification(payload, app.clock())
    done = alerts.ingest(app, config_of(request), note, who.name).to_dict()
    # Alerts attach to restricted incidents too; the answer names only what the token may read.
    shown = set(readable(app, [*done["opened"], *done["attached"]]))
    done["opened"] = [key for key in done["opened"] if key in shown]
    done["attached"] = {key: n for key, n in done["attached"].items() if key in shown}
    return done


@router.post("/alertmanager", summary="Alertmanager webhook receiver (payload version 4)")
async def alertmanager(request: Request) -> dict[str, Any]:
    return await _intake(request)


@router.post("/grafana", summary="Grafana alerting webhook contact point (payload version 1)")
async def grafana(request: Request) -> dict[str, Any]:
    return await _intake(request)
