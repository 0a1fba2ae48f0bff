"""A local LaunchDarkly REST server that enforces the contract sheet (feature-flags.md §1).

Raw token in Authorization (no Bearer), semantic-patch content type, environmentKey and
known instruction kinds required; otherwise the documented error codes and bodies.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.support.http import serving as http_serving

SEMANTIC = "application/json; domain-model=launchdarkly.semanticpatch"


@dataclass
class LaunchDarkly:
    token: str
    flags: dict[str, dict[str, Any]] = field(default_factory=dict)  # "project/key" → flag
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""


def _error(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message, "id": "00000000-0000-0000-0000-000000000000"}


def _handler(ld: LaunchDarkly) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: Any) -> None:
            pass

        def _send(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _flag(self) -> dict[str, Any] | None:
            parts = urlparse(self.path).path.split("/")
            if len(parts) != 6 or parts[1:4] != ["api", "v2", "flags"]:
                return None
            return ld.flags.get(f"{parts[4]}/{parts[5]}")

        def _authorized(self) -> bool:
            auth = self.headers.get("Authorization", "")
            if auth != ld.token:
                self._send(401, _error("unauthorized", "Invalid access token"))
                return False
            return True

        def do_GET(self) -> None:
            ld.requests.append({"method": "GET", "path": self.path})
            if not self._authorized():
                return
            flag = self._flag()
            if flag is None:
                self._send(404, _error("not_found", "Unknown resource"))
                return
            env = parse_qs(urlparse(self.path).query).get("env", [None])[0]
            envs = flag["environments"]
            self._send(200, {**flag, "environments": {env: envs[env]} if env in envs else envs})

        def do_PATCH(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            ld.requests.append({"method": "PATCH", "path": self.path,
                                "content_type": self.headers.get("Content-Type"),
                                "body": raw.decode()})  # fmt: skip
            if not self._authorized():
                return
            if self.headers.get("Content-Type", "").replace(" ", "") != SEMANTIC.replace(" ", ""):
                self._send(400, _error("invalid_request", "semantic patch needs domain-model"))
                return
            flag = self._flag()
            if flag is None:
                self._send(404, _error("not_found", "Unknown resource"))
                return
            try:
                body = json.loads(raw)
            except ValueError:
                self._send(400, _error("invalid_request", "bad JSON"))
                return
            env = flag["environments"].get(body.get("environmentKey"))
            kinds = [i.get("kind") for i in body.get("instructions") or [] if isinstance(i, dict)]
            if (
                env is None
                or not kinds
                or any(k not in ("turnFlagOn", "turnFlagOff") for k in kinds)
            ):
                self._send(400, _error("invalid_request", "environmentKey and instructions"))
                return
            for kind in kinds:
                env["on"] = kind == "turnFlagOn"
                env["version"] += 1
            flag["_version"] += 1
            self._send(200, flag)

    return Handler


@contextmanager
def running(ld: LaunchDarkly) -> Iterator[LaunchDarkly]:
    with http_serving(_handler(ld)) as url:
        ld.url = url
        yield ld
