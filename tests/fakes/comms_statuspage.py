"""Atlassian Statuspage v1 incidents and components, enforced (shared/contracts/statuspage.md)."""

from __future__ import annotations

import json
import re
import secrets
import string
from typing import Any

from tests.fakes.comms_http import Fake, Request, Response, problem

STATUSES = ("investigating", "identified", "monitoring", "resolved")
COMPONENT_STATUSES = ("operational", "under_maintenance", "degraded_performance",
                      "partial_outage", "major_outage")  # fmt: skip
IMPACTS = ("none", "maintenance", "minor", "major", "critical")
_PATH = re.compile(r"^/v1/pages/([a-z0-9]+)/incidents(?:/([a-z0-9]+))?(?:\.json)?$")


def _id() -> str:
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(12))


def error(status: int, message: str) -> Response:
    return problem(status, {"message": message})


class FakeStatuspage(Fake):
    def __init__(self, key: str, page_id: str, components: dict[str, str]) -> None:
        super().__init__()
        self.key = key
        self.page_id = page_id
        self.component_names = dict(components)  # id → name
        self.components = dict.fromkeys(components, "operational")
        self.incidents: dict[str, dict[str, Any]] = {}

    def reset(self) -> None:
        super().reset()
        self.components = dict.fromkeys(self.component_names, "operational")
        self.incidents.clear()

    def handle(self, request: Request) -> Response:  # noqa: PLR0911 (one refusal per rule)
        if request.headers.get("authorization") != f"OAuth {self.key}":
            return error(401, "Could not authenticate")
        found = _PATH.match(request.path)
        if not found or found.group(1) != self.page_id:
            return error(404, "Page not found")
        if request.content_type != "application/json":
            return error(400, "Content-Type must match the body")
        try:
            body = request.json()
        except json.JSONDecodeError:
            return error(400, "Invalid JSON")
        incident = body.get("incident") if isinstance(body, dict) else None
        if not isinstance(incident, dict):
            return error(422, "incident is required")
        if request.method == "POST" and not found.group(2):
            return self.create(incident)
        if request.method in ("PATCH", "PUT") and found.group(2):
            return self.update(found.group(2), incident)
        return error(404, "not found")

    def check(self, incident: dict[str, Any]) -> str | None:
        if incident.get("status", "investigating") not in STATUSES:
            return "status is not a realtime incident status"
        if incident.get("impact_override", "none") not in IMPACTS:
            return "impact_override is invalid"
        if len(str(incident.get("body") or "")) > 25000:
            return "body is too long"
        for cid in incident.get("component_ids") or []:
            if cid not in self.components:
                return f"component {cid} not found"
        for cid, status in (incident.get("components") or {}).items():
            if cid not in self.components or status not in COMPONENT_STATUSES:
                return f"component {cid} status {status} is invalid"
        return None

    def _apply(self, record: dict[str, Any], incident: dict[str, Any]) -> None:
        for cid, status in (incident.get("components") or {}).items():
            self.components[cid] = status
        if "status" in incident or "body" in incident:
            record["incident_updates"].append({"status": incident.get("status", record["status"]),
                                               "body": incident.get("body", "")})  # fmt: skip
        record["status"] = incident.get("status", record["status"])

    def create(self, incident: dict[str, Any]) -> Response:
        name = incident.get("name")
        if not isinstance(name, str) or not name.strip():
            return error(422, "name can't be blank")
        if len(name) > 255:
            return error(422, "name is too long")
        if problem_text := self.check(incident):
            return error(422, problem_text)
        record: dict[str, Any] = {"id": _id(), "page_id": self.page_id, "name": name,
                                  "status": "investigating", "incident_updates": [],
                                  "impact": incident.get("impact_override", "none")}  # fmt: skip
        self._apply(record, incident)
        self.incidents[record["id"]] = record
        return Response(201, record)

    def update(self, incident_id: str, incident: dict[str, Any]) -> Response:
        record = self.incidents.get(incident_id)
        if record is None:
            return error(404, "Incident not found")
        if problem_text := self.check(incident):
            return error(422, problem_text)
        self._apply(record, incident)
        return Response(200, record)
