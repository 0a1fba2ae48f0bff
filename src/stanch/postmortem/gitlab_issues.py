"""GitLab issues (REST v4) for action items: look one up by its marker, or open it.

`POST /projects/:id/issues` (`:id` a number or the URL-encoded `group/project` path) with
`title`, `description`, `labels` (comma-separated), `due_date` (YYYY-MM-DD) and
`assignee_ids`, the owner's id found by `GET /users?username=`; 201 with `iid` and
`web_url`. `GET /projects/:id/issues?search=…&in=description` finds an issue opened before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from stanch.model.actions import ActionItem
from stanch.postmortem.tracker import TIMEOUT_S, TrackerResult, issue_body, json_or_none, marker

_MEANING = {400: "payload rejected", 401: "bad credentials", 403: "forbidden",
            404: "no such project", 409: "conflict", 422: "payload rejected",
            429: "rate limited"}  # fmt: skip


@dataclass(frozen=True)
class GitLabIssues:
    project: str  # "group/subgroup/project" or a numeric id
    token: str
    base_url: str = "https://gitlab.com"
    transport: httpx.BaseTransport | None = None
    name: str = "gitlab"

    def _client(self) -> httpx.Client:
        return httpx.Client(base_url=f"{self.base_url}/api/v4", timeout=TIMEOUT_S,
                            transport=self.transport,
                            headers={"PRIVATE-TOKEN": self.token})  # fmt: skip

    @property
    def _issues(self) -> str:
        return f"/projects/{quote(self.project, safe='')}/issues"

    def find(self, item: ActionItem) -> TrackerResult:
        """The issue opened for this item before (its marker in the description), if any."""
        tag = marker(item)
        try:
            with self._client() as client:
                response = client.get(self._issues, params={
                    "search": tag, "in": "description", "state": "all", "per_page": 100})  # fmt: skip
        except httpx.HTTPError as exc:
            return TrackerResult("error", message=f"GitLab unreachable: {exc}")
        if response.status_code != 200:
            return _error(response)
        issues = json_or_none(response)
        for issue in issues if isinstance(issues, list) else []:
            if isinstance(issue, dict) and tag in str(issue.get("description") or ""):
                return TrackerResult("ok", str(issue.get("web_url")), int(issue.get("iid") or 0))
        return TrackerResult("none")

    def create(self, item: ActionItem, title: str) -> TrackerResult:
        payload: dict[str, Any] = {
            "title": title[:255],
            "description": issue_body(item),
            "labels": f"postmortem,{item.priority}",
            "due_date": item.due.date().isoformat(),
        }
        note = ""
        try:
            with self._client() as client:
                user = _user_id(client, item.owner)
                if isinstance(user, TrackerResult):
                    return user
                if user is None:
                    note = f"owner {item.owner} has no GitLab account: not assigned"
                else:
                    payload["assignee_ids"] = [user]
                response = client.post(self._issues, json=payload)
        except httpx.HTTPError as exc:
            return TrackerResult("error", message=f"GitLab unreachable: {exc}")
        body = json_or_none(response)
        if response.status_code == 201 and isinstance(body, dict) and body.get("web_url"):
            return TrackerResult("ok", str(body["web_url"]), int(body.get("iid") or 0), note)
        return _error(response)


def _user_id(client: httpx.Client, owner: str) -> int | TrackerResult | None:
    """The GitLab user id of the owner's username, or None when there is no such user."""
    username = owner.strip().lstrip("@")
    if not username or any(c.isspace() for c in username):
        return None
    response = client.get("/users", params={"username": username})
    if response.status_code != 200:
        return _error(response)
    users = json_or_none(response)
    found = [u for u in users if isinstance(u, dict)] if isinstance(users, list) else []
    return int(found[0]["id"]) if found and "id" in found[0] else None


def _error(response: httpx.Response) -> TrackerResult:
    body = json_or_none(response)
    said: Any = ""
    if isinstance(body, dict):
        said = body.get("message") or body.get("error") or ""
    if isinstance(said, dict):  # {"title": ["can't be blank"]}
        said = "; ".join(f"{k} {', '.join(map(str, v))}" for k, v in said.items())
    what = _MEANING.get(response.status_code, "unexpected answer")
    return TrackerResult("error", message=f"GitLab {response.status_code} ({what}): {said}".strip())
