"""A local GitHub REST server for `POST /repos/{owner}/{repo}/issues` that enforces the contract.

Bearer (or `token`) auth, JSON body with a non-empty string `title` (≤ 256), optional
string `body`, list-of-strings `labels`/`assignees`; 401 Bad credentials, 404 unknown
repository, 410 issues disabled, 422 Validation Failed; 201 with number and html_url.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class GitHubState:
    token: str
    repos: set[str]
    disabled: set[str] = field(default_factory=set)
    issues: list[dict[str, Any]] = field(default_factory=list)


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
            parts = self.path.strip("/").split("/")
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
            number = len(state.issues) + 1
            issue = {
                "id": 1000 + number, "number": number, "state": "open",
                "title": payload["title"], "body": payload.get("body"),
                "labels": [{"name": n} for n in payload.get("labels", [])],
                "url": f"http://{self.headers['Host']}/repos/{repo}/issues/{number}",
                "html_url": f"https://github.com/{repo}/issues/{number}",
            }  # fmt: skip
            state.issues.append(issue)
            return self._send(201, issue)

    return Handler


@contextmanager
def github_server(state: GitHubState) -> Iterator[str]:
    """Serve on 127.0.0.1 on a free port; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
