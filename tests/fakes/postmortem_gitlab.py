"""A local GitLab REST v4 server for issues, enforcing what GitLab's API documentation says.

* Auth: `PRIVATE-TOKEN: <token>` or `Authorization: Bearer <token>`, else 401
  `{"message": "401 Unauthorized"}`.
* `:id` is a number or the URL-encoded path (`group%2Fproject`); an unknown project, or a
  path left unencoded, is 404 `{"message": "404 Project Not Found"}`.
* `POST /api/v4/projects/:id/issues`: `title` required (400 `{"error": "title is
  missing"}`), ≤ 255 characters; `description` ≤ 1,048,576; `labels` a comma-separated
  string; `due_date` `YYYY-MM-DD`; `assignee_ids` a list of user ids. 201 with `id`, `iid`,
  `web_url`, `labels` (a list), `assignees`, `due_date`, `state: opened`.
* `GET /api/v4/projects/:id/issues`: `search` in `in` (`title`, `description` or
  `title,description`, the default), `state` opened, closed or all (default all),
  `per_page` ≤ 100.
* `GET /api/v4/users?username=…`: a list with the user, or an empty list.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any
from urllib.parse import parse_qs, unquote

from tests.fakes.comms_http import Fake, Request, Response

PREFIX = "/api/v4"


class FakeGitLab(Fake):
    def __init__(self, token: str, projects: dict[int, str], users: dict[int, str]) -> None:
        super().__init__()
        self.token = token
        self.projects = projects  # id → "group/project"
        self.users = users  # id → username
        self.issues: list[dict[str, Any]] = []
        # The first create waits at the gate (when there is one) after saying it started,
        # so a test can run a second sync while the first is opening its issue.
        self.creating = threading.Event()
        self.gate: threading.Event | None = None

    def dispatch(self, request: Request) -> Response:
        # Only the first create is held, outside the lock: other calls go on meanwhile.
        if request.method == "POST" and not self.creating.is_set():
            self.creating.set()
            if self.gate is not None:
                self.gate.wait(timeout=10)
        return super().dispatch(request)

    def handle(self, request: Request) -> Response:
        auth = (request.headers.get("private-token"), request.headers.get("authorization"))
        if auth[0] != self.token and auth[1] != f"Bearer {self.token}":
            return Response(401, {"message": "401 Unauthorized"})
        if not request.path.startswith(PREFIX + "/"):
            return Response(404, {"error": "404 Not Found"})
        return self.route(request, request.path[len(PREFIX) + 1 :].split("/"))

    def route(self, request: Request, parts: list[str]) -> Response:
        query = {k: v[-1] for k, v in request.query.items()}
        if parts == ["users"] and request.method == "GET":
            return self.user(query.get("username", ""))
        if len(parts) != 3 or parts[0] != "projects" or parts[2] != "issues":
            return Response(404, {"error": "404 Not Found"})
        project = self.project(parts[1])
        if project is None:
            return Response(404, {"message": "404 Project Not Found"})
        if request.method == "GET":
            return self.listing(project, query)
        if request.method == "POST":
            return self.create(project, request)
        return Response(405, {"error": "405 Method Not Allowed"})

    def project(self, ref: str) -> int | None:
        if ref.isdigit():
            return int(ref) if int(ref) in self.projects else None
        if "/" in ref:
            return None  # a path must be URL-encoded
        path = unquote(ref)
        return next((pid for pid, name in self.projects.items() if name == path), None)

    def user(self, username: str) -> Response:
        found = [{"id": uid, "username": name, "name": name.title(), "state": "active"}
                 for uid, name in self.users.items() if name.lower() == username.lower()]  # fmt: skip
        return Response(200, found)

    def listing(self, project: int, query: dict[str, str]) -> Response:
        scope = query.get("in", "title,description")
        fields = scope.split(",")
        if not fields or not set(fields) <= {"title", "description"}:
            return Response(400, {"error": "in does not have a valid value"})
        state = query.get("state", "all")
        if state not in ("opened", "closed", "all"):
            return Response(400, {"error": "state does not have a valid value"})
        per_page = query.get("per_page", "20")
        if not per_page.isdigit() or not 0 < int(per_page) <= 100:
            return Response(400, {"error": "per_page is invalid"})
        text = query.get("search", "").lower()
        found = [i for i in reversed(self.issues) if i["project_id"] == project
                 and state in ("all", i["state"])
                 and any(text in str(i[f] or "").lower() for f in fields)]  # fmt: skip
        return Response(200, found[: int(per_page)])

    def create(self, project: int, request: Request) -> Response:
        if request.content_type == "application/json":
            payload = request.json()
        else:
            payload = {k: v[-1] for k, v in parse_qs(request.body.decode()).items()}
        if not isinstance(payload, dict) or not str(payload.get("title") or "").strip():
            return Response(400, {"error": "title is missing"})
        if problem := _invalid(payload):
            return Response(400, problem)
        iid = 1 + sum(i["project_id"] == project for i in self.issues)
        labels = payload.get("labels") or ""
        issue = {
            "id": 1000 + len(self.issues) + 1, "iid": iid, "project_id": project,
            "title": payload["title"], "description": payload.get("description"),
            "state": "opened", "labels": [n for n in labels.split(",") if n],
            "due_date": payload.get("due_date"),
            "assignees": [{"id": u, "username": self.users[u]}
                          for u in payload.get("assignee_ids") or [] if u in self.users],
            "web_url": f"https://gitlab.example/{self.projects[project]}/-/issues/{iid}",
        }  # fmt: skip
        self.issues.append(issue)
        return Response(201, issue)


def _invalid(payload: dict[str, Any]) -> dict[str, Any] | None:
    if len(str(payload["title"])) > 255:
        return {"message": {"title": ["is too long (maximum is 255 characters)"]}}
    if len(str(payload.get("description") or "")) > 1_048_576:
        return {"message": {"description": ["is too long (maximum is 1048576 characters)"]}}
    if "labels" in payload and not isinstance(payload["labels"], str):
        return {"error": "labels is invalid"}
    due = payload.get("due_date")
    if due is not None and not _is_date(str(due)):
        return {"error": "due_date is invalid"}
    ids = payload.get("assignee_ids", [])
    if not isinstance(ids, list) or not all(type(i) is int for i in ids):
        return {"error": "assignee_ids is invalid"}
    return None


def _is_date(text: str) -> bool:
    try:
        return len(text) == 10 and bool(date.fromisoformat(text))
    except ValueError:
        return False
