"""A local GitHub REST server for `POST /repos/{owner}/{repo}/issues` that enforces the contract.

Bearer (or `token`) auth, JSON body with a non-empty string `title` (≤ 256), optional
string `body`, list-of-strings `labels`/`assignees`; 401 Bad credentials, 404 unknown
repository, 410 issues disabled, 422 Validation Failed; 201 with number and html_url.
`GET /repos/{owner}/{repo}/issues` lists them: `state` open (default), closed or all,
`labels` a comma-separated list all of which an issue must carry, `per_page` ≤ 100 (default
30) and `page` from 1, newest first; 422 for a bad value.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.http import serving as http_serving


@dataclass
class GitHubState:
    token: str
    repos: set[str]
    disabled: set[str] = field(default_factory=set)
    issues: list[dict[str, Any]] = field(default_factory=list)
    creating: threading.Event = field(default_factory=threading.Event)  # the first create began
    gate: threading.Event | None = None  # the first create waits here meanwhile
    lock: threading.Lock = field(default_factory=threading.Lock)


def _invalid(payload: Any) -> str | None:
    if not isinstance(payload, dict):
        return "body"
    title = payload.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > 256:
        return "title"
    if "body" in payload and not isinstance(payload["body"], str | None):
        return "body"
    for key in ("labels", "assignees"):
        value = payload.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return key
    return None


def _handler(state: GitHubState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, code: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _refusal(self) -> tuple[int, dict[str, Any]] | None:
            parts = urlsplit(self.path).path.strip("/").split("/")
            if len(parts) != 4 or parts[0] != "repos" or parts[3] != "issues":
                return 404, {"message": "Not Found"}
            auth = self.headers.get("Authorization", "")
            if auth not in (f"Bearer {state.token}", f"token {state.token}"):
                return 401, {"message": "Bad credentials"}
            repo = f"{parts[1]}/{parts[2]}"
            if repo not in state.repos:
                return 404, {"message": "Not Found"}
            if repo in state.disabled:
                return 410, {"message": "Issues are disabled for this repo"}
            return None

        def do_POST(self) -> None:
            if refused := self._refusal():
                return self._send(*refused)
            repo = "/".join(self.path.strip("/").split("/")[1:3])
            length = int(self.headers.get("Content-Length") or 0)
            try:
                payload = json.loads(self.rfile.read(length) or b"null")
            except ValueError:
                return self._send(400, {"message": "Problems parsing JSON"})
            if bad := _invalid(payload):
                return self._send(422, {"message": "Validation Failed", "errors": [
                    {"resource": "Issue", "code": "invalid", "field": bad}]})  # fmt: skip
            if not state.creating.is_set():  # only the first create is held
                state.creating.set()
                if state.gate is not None:
                    state.gate.wait(timeout=10)
            with state.lock:
                return self._send(201, self._add(repo, payload))

        def _add(self, repo: str, payload: dict[str, Any]) -> dict[str, Any]:
            number = len(state.issues) + 1
            issue = {
                "id": 1000 + number, "number": number, "state": "open",
                "title": payload["title"], "body": payload.get("body"),
                "labels": [{"name": n} for n in payload.get("labels", [])],
                "url": f"http://{self.headers['Host']}/repos/{repo}/issues/{number}",
                "html_url": f"https://github.com/{repo}/issues/{number}",
            }  # fmt: skip
            state.issues.append(issue)
            return issue

        def do_GET(self) -> None:
            if refused := self._refusal():
                return self._send(*refused)
            query = {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}
            wanted = query.get("state", "open")
            per_page, page = query.get("per_page", "30"), query.get("page", "1")
            if (
                wanted not in ("open", "closed", "all")
                or not per_page.isdigit()
                or not page.isdigit()
                or not 0 < int(per_page) <= 100
                or int(page) < 1
            ):
                return self._send(422, {"message": "Validation Failed"})
            labels = {n for n in query.get("labels", "").split(",") if n}
            with state.lock:
                found = [i for i in reversed(state.issues)
                         if wanted in ("all", i["state"])
                         and labels <= {label["name"] for label in i["labels"]}]  # fmt: skip
            start = (int(page) - 1) * int(per_page)
            return self._send_list(found[start : start + int(per_page)])

        def _send_list(self, issues: list[dict[str, Any]]) -> None:
            data = json.dumps(issues).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def github_server(state: GitHubState) -> Iterator[str]:
    """Serve on 127.0.0.1 on a free port; yields the base URL."""
    with http_serving(_handler(state)) as url:
        yield url
