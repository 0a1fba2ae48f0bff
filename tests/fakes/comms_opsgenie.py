"""Opsgenie Alert API v2, enforced (shared/contracts/opsgenie-alerts.md)."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from tests.fakes.comms_http import Fake, Request, Response, problem

PRIORITIES = ("P1", "P2", "P3", "P4", "P5")
RESPONDER_TYPES = ("team", "user", "escalation", "schedule")
_ACTION = re.compile(r"^/v2/alerts/([^/]+)/(acknowledge|close|unacknowledge)$")
_STATUS = re.compile(r"^/v2/alerts/requests/([^/]+)$")


def error(status: int, message: str) -> Response:
    return problem(status, {"message": message, "took": 0.001, "requestId": str(uuid.uuid4())})


@dataclass
class Alert:
    alias: str
    message: str
    priority: str
    responders: list[dict[str, Any]]
    status: str = "open"
    acknowledged: bool = False
    count: int = 1


class FakeOpsgenie(Fake):
    def __init__(self, keys: tuple[str, ...], teams: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.keys = set(keys)
        self.teams = set(teams)  # empty: any team name is accepted
        self.alerts: list[Alert] = []
        self.requests: dict[str, dict[str, Any]] = {}

    def reset(self) -> None:
        super().reset()
        self.alerts.clear()
        self.requests.clear()

    def open_alert(self, alias: str) -> Alert | None:
        return next((a for a in self.alerts if a.alias == alias and a.status == "open"), None)

    def _accepted(self, outcome: dict[str, Any]) -> Response:
        request_id = str(uuid.uuid4())
        self.requests[request_id] = outcome
        return Response(202, {"result": "Request will be processed", "took": 0.01,
                              "requestId": request_id})  # fmt: skip

    def handle(self, request: Request) -> Response:  # noqa: PLR0911 (one refusal per rule)
        auth = request.headers.get("authorization", "")
        if not auth.startswith("GenieKey ") or auth.removeprefix("GenieKey ") not in self.keys:
            return error(401, "Could not authenticate")
        if request.method == "GET" and (found := _STATUS.match(request.path)):
            outcome = self.requests.get(found.group(1))
            return Response(200, {"data": outcome}) if outcome else error(404, "Request not found")
        if request.method != "POST":
            return error(404, "not found")
        if request.body and request.content_type != "application/json":
            return error(400, "Content-Type must be application/json")
        try:
            body = request.json() if request.body else {}
        except json.JSONDecodeError:
            return error(400, "Invalid JSON")
        if request.path == "/v2/alerts":
            return self.create(body)
        if found := _ACTION.match(request.path):
            return self.act(unquote(found.group(1)), found.group(2), request)
        return error(404, "not found")

    def create(self, body: dict[str, Any]) -> Response:  # noqa: PLR0911 (one refusal per rule)
        message = body.get("message")
        if not isinstance(message, str) or not message.strip():
            return error(422, "Message can not be empty.")
        if len(message) > 130:
            return error(422, "Message can not be longer than 130 characters.")
        if body.get("priority", "P3") not in PRIORITIES:
            return error(422, "Priority should be one of P1..P5")
        alias = str(body.get("alias") or uuid.uuid4())
        if len(alias) > 512:
            return error(422, "Alias can not be longer than 512 characters.")
        responders = body.get("responders") or []
        for r in responders:
            if r.get("type") not in RESPONDER_TYPES or not (r.get("id") or r.get("name")
                                                           or r.get("username")):  # fmt: skip
                return error(422, "Invalid responder")
        unknown = [r["name"] for r in responders
                   if r.get("type") == "team" and self.teams and r.get("name") not in self.teams]  # fmt: skip
        if unknown:  # accepted, then fails when processed, as Opsgenie does
            return self._accepted({"success": False, "isSuccess": False, "action": "Create",
                                   "status": f"Team {unknown[0]} does not exist"})  # fmt: skip
        alert = self.open_alert(alias)
        if alert is not None:
            alert.count += 1
        else:
            alert = Alert(alias, message, str(body.get("priority", "P3")), list(responders))
            self.alerts.append(alert)
        return self._accepted({"success": True, "isSuccess": True, "action": "Create",
                               "status": "Created alert", "alias": alias})  # fmt: skip

    def act(self, identifier: str, action: str, request: Request) -> Response:
        if request.query.get("identifierType", ["id"])[0] != "alias":
            return error(422, "only alias identifiers are known to this fake")
        alert = self.open_alert(identifier)
        if alert is None:
            return self._accepted({"success": False, "isSuccess": False, "action": action,
                                   "status": "Alert does not exist", "alertId": ""})  # fmt: skip
        if action == "close":
            alert.status = "closed"
        else:
            alert.acknowledged = action == "acknowledge"
        return self._accepted({"success": True, "isSuccess": True, "action": action,
                               "status": f"{action} done", "alias": identifier})  # fmt: skip
