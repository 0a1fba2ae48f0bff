"""GitHub issues (REST) for action items: look one up by its marker, or open it.

`POST /repos/{owner}/{repo}/issues` (201 with `number` and `html_url`);
`GET /repos/{owner}/{repo}/issues?labels=postmortem&state=all` pages through the issues
stanch opened (the search API is eventually consistent, the listing is not).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from stanch.model.actions import ActionItem
from stanch.postmortem.tracker import TIMEOUT_S, TrackerResult, issue_body, json_or_none, marker

MAX_PAGES = 20  # 2,000 postmortem issues looked through at most
PER_PAGE = 100


@dataclass(frozen=True)
class GitHubIssues:
    repo: str
    token: str
    base_url: str = "https://api.github.com"
    transport: httpx.BaseTransport | None = None
    name: str = "github"

    def _client(self) -> httpx.Client:
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }
        return httpx.Client(base_url=self.base_url, timeout=TIMEOUT_S, transport=self.transport,
                            headers=headers)  # fmt: skip

    def find(self, item: ActionItem) -> TrackerResult:
        """The issue opened for this item before (its marker in the body), if any."""
        tag = marker(item)
        try:
            with self._client() as client:
                for page in range(1, MAX_PAGES + 1):
                    response = client.get(f"/repos/{self.repo}/issues",
                                          params={"labels": "postmortem", "state": "all",
                                                  "per_page": PER_PAGE, "page": page})  # fmt: skip
                    if response.status_code != 200:
                        return _error(response)
                    issues = json_or_none(response)
                    issues = issues if isinstance(issues, list) else []
                    for issue in issues:
                        if isinstance(issue, dict) and tag in str(issue.get("body") or ""):
                            return TrackerResult("ok", str(issue.get("html_url")),
                                                 int(issue.get("number") or 0))  # fmt: skip
                    if len(issues) < PER_PAGE:
                        break
        except httpx.HTTPError as exc:
            return TrackerResult("error", message=f"GitHub unreachable: {exc}")
        return TrackerResult("none")

    def create(self, item: ActionItem, title: str) -> TrackerResult:
        payload = {
            "title": title[:256],
            "body": issue_body(item),
            "labels": ["postmortem", item.priority],
        }
        try:
            with self._client() as client:
                response = client.post(f"/repos/{self.repo}/issues", json=payload)
        except httpx.HTTPError as exc:
            return TrackerResult("error", message=f"GitHub unreachable: {exc}")
        body = json_or_none(response)
        if response.status_code == 201 and isinstance(body, dict) and body.get("html_url"):
            return TrackerResult("ok", str(body["html_url"]), int(body.get("number") or 0))
        return _error(response)


def _error(response: httpx.Response) -> TrackerResult:
    body = json_or_none(response)
    message = body.get("message", "") if isinstance(body, dict) else ""
    meaning = {401: "bad credentials", 403: "forbidden or rate limited", 404: "no such repository",
               410: "issues are disabled on the repository", 422: "payload rejected"}  # fmt: skip
    what = meaning.get(response.status_code, "unexpected answer")
    return TrackerResult(
        "error", message=f"GitHub {response.status_code} ({what}): {message}".strip()
    )
