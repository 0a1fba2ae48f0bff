"""Deploy and change events posted by CI (`change.recorded`), for change correlation."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import AwareDatetime, BaseModel, Field

from stanch.server.deps import Responder, app_of, readable
from stanch.services import changes

router = APIRouter(prefix="/api", tags=["changes"])


class PostedChange(BaseModel):
    kind: str = Field("deploy", max_length=40, description=", ".join(changes.KINDS))
    ref: str = Field(min_length=1, max_length=200, description="Commit, version, flag name …")
    service: str = Field("", max_length=100)
    at: AwareDatetime | None = Field(None, description="When it happened (default: now).")
    summary: str = Field("", max_length=2000)


class ChangeResult(BaseModel):
    recorded_on: list[str]


@router.post("/changes", status_code=201, summary="Record a deploy or other change")
def post_change(request: Request, body: PostedChange, who: Responder) -> ChangeResult:
    app = app_of(request)
    now = app.clock()
    at: datetime = body.at or now
    change = changes.checked(body.kind, body.ref, body.service, at, body.summary, now)
    # Recorded on every incident of the service; named only where the token may read it.
    return ChangeResult(recorded_on=readable(app, changes.post(app, change, who.name)))
