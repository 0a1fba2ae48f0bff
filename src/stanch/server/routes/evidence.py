"""REST for evidence: changes before onset, the diagnosis, hypotheses and their verdicts.

Sources are the configured ones (`[evidence]` repos, change log, Prometheus): a
request never names a file or repository on the server, and a hypothesis proposed
here may only carry a PromQL check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from stanch.errors import InvalidInput
from stanch.server.acting import acting
from stanch.server.deps import Responder, Viewer
from stanch.server.forms import Csrf, Short, Text, responder, run
from stanch.services import diagnose, evidence, hypotheses

api = APIRouter(prefix="/api", tags=["evidence"])
ui = APIRouter(include_in_schema=False)


class ChangesAsk(BaseModel):
    onset: str | None = Field(None, max_length=64, description="ISO-8601 or '20 min ago'.")
    window: str | None = Field(None, max_length=20, description="How far back, e.g. '2h'.")
    services: list[str] = Field(default_factory=list, max_length=50)


class Propose(BaseModel):
    text: str = Field(min_length=1, max_length=2_000, description="What you think is wrong.")
    predict: str = Field(min_length=1, max_length=2_000, description="What it predicts.")
    check: str | None = Field(None, max_length=2_000, description="PromQL that could refute it.")
    expect: str | None = Field(None, max_length=40, description="What the check shows, '> 0.05'.")


class Verdict(BaseModel):
    verdict: str | None = Field(
        None,
        max_length=20,
        description="supported, refuted or inconclusive; omit to run the check.",
    )
    evidence: str = Field("", max_length=2_000)


@api.post(
    "/incidents/{incident_id}/evidence/changes",
    status_code=201,
    summary="Rank the changes before onset (recorded on the timeline)",
)
def changes(request: Request, incident_id: str, body: ChangesAsk, who: Responder) -> dict[str, Any]:
    report = evidence.changes(
        acting(request, who),
        incident_id,
        onset=body.onset,
        window=body.window,
        services=body.services or None,
    )
    return report.to_dict()


@api.get("/incidents/{incident_id}/diagnose", summary="The evidence so far, in one answer")
def diagnosis(request: Request, incident_id: str, who: Viewer) -> dict[str, Any]:
    return diagnose.diagnose(acting(request, who), incident_id)


@api.get("/incidents/{incident_id}/hypotheses", summary="Hypotheses and their verdicts")
def list_hypotheses(request: Request, incident_id: str, who: Viewer) -> list[dict[str, Any]]:
    return [h.to_dict() for h in hypotheses.listing(acting(request, who), incident_id)]


@api.post("/incidents/{incident_id}/hypotheses", status_code=201, summary="Propose one")
def propose(request: Request, incident_id: str, body: Propose, who: Responder) -> dict[str, Any]:
    if body.check and not body.check.removeprefix("promql:").strip():
        raise InvalidInput("check is empty: give a PromQL expression")
    if body.check and body.check.startswith("traces:"):
        raise InvalidInput("only PromQL checks can be proposed over HTTP (trace files: the CLI)")
    found = hypotheses.propose(
        acting(request, who), incident_id, body.text, predict=body.predict,
        check=body.check, expect=body.expect,
    )  # fmt: skip
    return found.to_dict()


@api.post(
    "/incidents/{incident_id}/hypotheses/{hid}/verdict",
    status_code=201,
    summary="Record a verdict (by hand, or by running the hypothesis's check)",
)
def verdict(
    request: Request, incident_id: str, hid: str, body: Verdict, who: Responder
) -> dict[str, Any]:
    found = hypotheses.verdict(
        acting(request, who), incident_id, hid, body.verdict, evidence=body.evidence
    )
    return found.to_dict()


@ui.post("/incidents/{incident_id}/evidence/form")
def form(
    request: Request,
    incident_id: str,
    csrf: Csrf,
    action: Annotated[str, Form(max_length=20)],
    text: Text = "",
    predict: Text = "",
    hid: Short = "",
    verdict: Short = "",
    evidence_text: Annotated[str, Form(alias="evidence", max_length=2_000)] = "",
) -> RedirectResponse:
    """The evidence panel's buttons: rank changes, propose a hypothesis, record a verdict."""
    _who, app = responder(request, csrf)
    steps: dict[str, Callable[[], object]] = {
        "changes": lambda: evidence.changes(app, incident_id),
        "propose": lambda: hypotheses.propose(app, incident_id, text, predict=predict),
        "verdict": lambda: hypotheses.verdict(app, incident_id, hid, verdict or None,
                                              evidence=evidence_text),
    }  # fmt: skip
    step = steps.get(action)
    if step is None:
        raise HTTPException(400, f"unknown action {action!r}")
    return run(incident_id, "evidence", step)


router = APIRouter()
router.include_router(api)
router.include_router(ui)
