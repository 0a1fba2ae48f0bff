"""The on-call's end of a signed webhook: a local HTTP receiver for the demo's pages.

It checks the HMAC-SHA256 signature stanch's webhook adapter sends (see docs/comms.md),
answers 401 when it does not match, and keeps what it accepted so the demo can show it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    """Listens on 127.0.0.1; `url` is its base URL; `received` what it accepted."""

    def __init__(self, secret: str) -> None:
        self.secret = secret.encode()
        self.received: list[dict[str, Any]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                code = 202 if owner.accept(self.path, dict(self.headers.items()), body) else 401
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def accept(self, path: str, headers: dict[str, str], body: bytes) -> bool:
        lowered = {k.lower(): v for k, v in headers.items()}
        stamp = lowered.get("x-stanch-timestamp", "")
        given = lowered.get("x-stanch-signature", "").removeprefix("sha256=")
        expected = hmac.new(self.secret, stamp.encode() + b"." + body, hashlib.sha256)
        if not stamp or not hmac.compare_digest(given, expected.hexdigest()):
            return False
        try:
            payload = json.loads(body)
        except ValueError:
            return False
        self.received.append({"path": path, "payload": payload})
        return True

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
