"""Issue trackers that action items can be synced to, behind one small protocol."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from stanch.errors import InvalidInput
from stanch.model.actions import ActionItem
from stanch.model.clock import iso

TIMEOUT_S = 10.0


@dataclass(frozen=True)
class TrackerResult:
    """ok (with url) or error (with message): never confused."""

    status: str  # "ok" | "error"
    url: str | None = None
    number: int | None = None
    message: str = ""


class Tracker(Protocol):
    @property
    def name(self) -> str: ...

    def create(self, item: ActionItem, title: str) -> TrackerResult:
        """Open a ticket for the item."""
        ...


def issue_body(item: ActionItem) -> str:
    return (
        f"{item.text}\n\n"
        f"- Incident: `{item.incident_id}` (action item {item.item})\n"
        f"- Owner: {item.owner}\n- Priority: {item.priority}\n- Due: {iso(item.due)}\n"
        f"- Type: {item.type} / {item.kind}\n"
    )


@dataclass(frozen=True)
class GitHubIssues:
    """GitHub REST: POST /repos/{owner}/{repo}/issues (201 with number and html_url)."""

    repo: str
    token: str
    base_url: str = "https://api.github.com"
    transport: httpx.BaseTransport | None = None
    name: str = "github"

    def create(self, item: ActionItem, title: str) -> TrackerResult:
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }
        payload = {
            "title": title[:256],
            "body": issue_body(item),
            "labels": ["postmortem", item.priority],
        }
        try:
            with httpx.Client(
                base_url=self.base_url, timeout=TIMEOUT_S, transport=self.transport
            ) as client:
                response = client.post(f"/repos/{self.repo}/issues", json=payload, headers=headers)
        except httpx.HTTPError as exc:
            return TrackerResult("error", message=f"GitHub unreachable: {exc}")
        return _result(response)


def _result(response: httpx.Response) -> TrackerResult:
    try:
        body: Any = response.json()
    except ValueError:
        body = {}
    if response.status_code == 201 and isinstance(body, dict) and body.get("html_url"):
        return TrackerResult("ok", str(body["html_url"]), int(body.get("number") or 0))
    message = body.get("message", "") if isinstance(body, dict) else ""
    meaning = {401: "bad credentials", 403: "forbidden or rate limited", 404: "no such repository",
               410: "issues are disabled on the repository", 422: "payload rejected"}  # fmt: skip
    what = meaning.get(response.status_code, "unexpected answer")
    return TrackerResult(
        "error", message=f"GitHub {response.status_code} ({what}): {message}".strip()
    )


def from_settings(raw: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Tracker:
    """The tracker named in `[postmortem.github]`; the token comes from the environment."""
    section = (raw.get("postmortem") or {}).get("github")
    if not isinstance(section, Mapping) or not section.get("repo"):
        raise InvalidInput('no tracker configured: add [postmortem.github] repo = "owner/name"')
    return _github(section, "repo", env)


def private_from_settings(
    raw: Mapping[str, Any], env: Mapping[str, str] | None = None
) -> Tracker | None:
    """Where private postmortems' items go (`[postmortem.github] private_repo`), if anywhere."""
    section = (raw.get("postmortem") or {}).get("github")
    if not isinstance(section, Mapping) or not section.get("private_repo"):
        return None
    return _github(section, "private_repo", env)


def _github(section: Mapping[str, Any], key: str, env: Mapping[str, str] | None) -> GitHubIssues:
    repo = str(section[key])
    if repo.count("/") != 1:
        raise InvalidInput(f"stanch.toml: postmortem.github {key} must be owner/name, not {repo!r}")
    variable = str(section.get("token_env", "GITHUB_TOKEN"))
    token = (os.environ if env is None else env).get(variable, "")
    if not token:
        raise InvalidInput(f"set {variable} to a GitHub token that may create issues in {repo}")
    url = str(section.get("url", "https://api.github.com")).rstrip("/")
    name = "github" if key == "repo" else "github-private"
    return GitHubIssues(repo, token, url, name=name)
