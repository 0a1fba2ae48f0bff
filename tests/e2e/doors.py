"""The three doors into stanch, each driven the way its users drive it.

- CLI: the real Typer app in-process (`stanch.cli.app.run`) with `--json`, on its own store.
- HTTP: a real `stanch serve` subprocess with a responder token, through httpx.
- MCP: a real `stanch mcp` subprocess over stdio, through the MCP SDK's own client.

Every door reads its timeline back through itself (`show --json`, `GET
/api/incidents/{id}`, the MCP `show` tool and timeline resource) and its incident file.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, Protocol

import httpx
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.types import TextResourceContents

from stanch.cli.app import run
from stanch.services import tokens
from stanch.services.context import App
from stanch.settings import load_settings
from tests.support.process import ServerProcess, free_port, http_ready

PERSON = "alice"


def child_env() -> dict[str, str]:
    """A subprocess's environment: the test's home and import path, the person's name."""
    env = {"HOME": os.environ["HOME"], "PATH": os.environ["PATH"], "STANCH_ACTOR": PERSON}
    if "PYTHONPATH" in os.environ:  # the same stanch as the test imports
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return env


def person_app(project: Path) -> App:
    return App(load_settings(cwd=project, env={"STANCH_ACTOR": PERSON}))


class Door(Protocol):
    name: str
    actor: str  # who the door records events as

    async def declare(self, fields: dict[str, Any]) -> str: ...
    async def log(self, key: str, text: str) -> None: ...
    async def assign(self, key: str, role: str, people: list[str]) -> None: ...
    async def signal(self, key: str, kind: str, expr: str, healthy: str, source: str) -> None: ...
    async def sample(self, key: str, count: int, interval_s: float) -> list[dict[str, Any]]: ...
    async def recovery(self, key: str) -> dict[str, Any]: ...
    async def severity(self, key: str, target: str, reason: str) -> None: ...
    async def status(self, key: str, target: str, reason: str) -> None: ...
    async def refused_status(self, key: str, target: str, reason: str) -> str: ...
    async def timeline(self, key: str) -> list[dict[str, Any]]: ...
    async def file(self, key: str) -> str: ...


class CliDoor:
    name = "cli"
    actor = PERSON

    def __init__(self, app: App) -> None:
        self.app = app

    def attempt(self, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run([*args, "--json"], obj=self.app)
        return code, out.getvalue(), err.getvalue()

    def run(self, *args: str) -> Any:
        code, out, err = self.attempt(*args)
        assert code == 0, f"stanch {' '.join(args)}: {err}"
        return json.loads(out)

    async def declare(self, fields: dict[str, Any]) -> str:
        services = [a for s in fields["services"] for a in ("--service", s)]
        done = self.run("declare", fields["symptom"], "--severity", fields["severity"],
                        "--impact", fields["impact"], "--started", fields["started"],
                        *services)  # fmt: skip
        return str(done["id"])

    async def log(self, key: str, text: str) -> None:
        self.run("log", text, "-i", key)

    async def assign(self, key: str, role: str, people: list[str]) -> None:
        self.run("assign", role, *people, "-i", key)

    async def signal(self, key: str, kind: str, expr: str, healthy: str, source: str) -> None:
        self.run("signal", "set", kind, expr, "--healthy", healthy, "--source", source, "-i", key)

    async def sample(self, key: str, count: int, interval_s: float) -> list[dict[str, Any]]:
        done = self.run("watch", key, "--max-samples", str(count), "--until", "never",
                        "--interval", f"{interval_s:g}s")  # fmt: skip
        return list(done["samples"])

    async def recovery(self, key: str) -> dict[str, Any]:
        return dict(self.run("signal", "show", key)["recovery"])

    async def severity(self, key: str, target: str, reason: str) -> None:
        self.run("severity", target, "-r", reason, "-i", key)

    async def status(self, key: str, target: str, reason: str) -> None:
        self.run("status", target, "-r", reason, "-i", key)

    async def refused_status(self, key: str, target: str, reason: str) -> str:
        code, _, err = self.attempt("status", target, "-r", reason, "-i", key)
        assert code != 0, f"stanch status {target} was not refused"
        return " ".join(err.split())  # the terminal may wrap the one-line error

    async def timeline(self, key: str) -> list[dict[str, Any]]:
        return list(self.run("show", key)["timeline"])

    async def file(self, key: str) -> str:
        return Path(self.run("show", key)["file"]).read_text()


class HttpDoor:
    name = "http"
    actor = PERSON  # the token's name

    def __init__(self, base: str, token: str) -> None:
        self.http = httpx.Client(base_url=base, timeout=30,
                                 headers={"Authorization": f"Bearer {token}"})  # fmt: skip

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.http.request(method, path, json=body)
        assert response.status_code < 300, f"{method} {path}: {response.text}"
        return response.json()

    async def declare(self, fields: dict[str, Any]) -> str:
        return str(self.call("POST", "/api/incidents", fields)["id"])

    async def log(self, key: str, text: str) -> None:
        self.call("POST", f"/api/incidents/{key}/log", {"text": text})

    async def assign(self, key: str, role: str, people: list[str]) -> None:
        self.call("POST", f"/api/incidents/{key}/assign", {"role": role, "people": people})

    async def signal(self, key: str, kind: str, expr: str, healthy: str, source: str) -> None:
        body = {"kind": kind, "expr": expr, "healthy": healthy, "source": source}
        self.call("POST", f"/api/incidents/{key}/signal", body)

    async def sample(self, key: str, count: int, interval_s: float) -> list[dict[str, Any]]:
        out = []
        for n in range(count):  # the pace of `stanch watch`: sample, then wait
            if n:
                time.sleep(interval_s)
            out.append(self.call("POST", f"/api/incidents/{key}/watch/sample"))
        return out

    async def recovery(self, key: str) -> dict[str, Any]:
        return dict(self.call("GET", f"/api/incidents/{key}/recovery"))

    async def severity(self, key: str, target: str, reason: str) -> None:
        self.call("POST", f"/api/incidents/{key}/severity", {"to": target, "reason": reason})

    async def status(self, key: str, target: str, reason: str) -> None:
        self.call("POST", f"/api/incidents/{key}/status", {"to": target, "reason": reason})

    async def refused_status(self, key: str, target: str, reason: str) -> str:
        body = {"to": target, "reason": reason}
        response = self.http.post(f"/api/incidents/{key}/status", json=body)
        assert response.status_code == 409, response.text
        return str(response.json()["error"])

    async def timeline(self, key: str) -> list[dict[str, Any]]:
        return list(self.call("GET", f"/api/incidents/{key}")["timeline"])

    async def file(self, key: str) -> str:
        return Path(self.call("GET", f"/api/incidents/{key}")["file"]).read_text()


@contextlib.contextmanager
def serving(project: Path) -> Iterator[HttpDoor]:
    """`stanch serve` on its own store, with a responder token for the person."""
    app = person_app(project)
    try:
        token = tokens.create(app, PERSON, "responder")
    finally:
        app.close()
    port = free_port()
    # The door under test is the API: no timers firing on their own in this replica.
    argv = [sys.executable, "-m", "stanch", "serve", "--port", str(port), "--no-scheduler"]
    # The server runs as someone else: every event must carry the token's name instead.
    env = {**child_env(), "STANCH_ACTOR": "stanch-server"}
    base = f"http://127.0.0.1:{port}"
    with ServerProcess("stanch serve", argv, ready=http_ready(f"{base}/openapi.json", below=500),
                       log=project.parent / "serve.log", cwd=project, env=env):  # fmt: skip
        door = HttpDoor(base, token)
        with door.http:
            yield door


class McpDoor:
    name = "mcp"
    actor = f"agent:{PERSON}"  # agents are recorded as agents

    def __init__(self, session: Client) -> None:
        self.session = session

    async def answer(self, tool: str, **args: Any) -> dict[str, Any]:
        result = await self.session.call_tool(tool, args)
        assert not result.is_error, result.content
        assert result.structured_content is not None
        return dict(result.structured_content)

    async def call(self, tool: str, **args: Any) -> dict[str, Any]:
        out = await self.answer(tool, **args)
        assert out.get("outcome", "ok") == "ok", f"{tool}: {out}"
        return out

    async def declare(self, fields: dict[str, Any]) -> str:
        done = await self.call("declare", **fields)
        return str(done["incident"]["id"])

    async def log(self, key: str, text: str) -> None:
        await self.call("log", text=text, incident=key)

    async def assign(self, key: str, role: str, people: list[str]) -> None:
        await self.call("assign", role=role, people=people, incident=key)

    async def signal(self, key: str, kind: str, expr: str, healthy: str, source: str) -> None:
        await self.call("signal_set", kind=kind, expr=expr, healthy=healthy, source=source,
                        incident=key)  # fmt: skip

    async def sample(self, key: str, count: int, interval_s: float) -> list[dict[str, Any]]:
        done = await self.call("watch", incident=key, samples=count, interval_s=interval_s)
        return list(done["samples"])

    async def recovery(self, key: str) -> dict[str, Any]:
        return dict((await self.call("recovery", incident=key))["recovery"])

    async def severity(self, key: str, target: str, reason: str) -> None:
        await self.call("severity", target=target, reason=reason, incident=key)

    async def status(self, key: str, target: str, reason: str) -> None:
        await self.call("status", target=target, reason=reason, incident=key)

    async def refused_status(self, key: str, target: str, reason: str) -> str:
        out = await self.answer("status", target=target, reason=reason, incident=key)
        assert out["outcome"] == "refused", out
        return str(out["message"])

    async def timeline(self, key: str) -> list[dict[str, Any]]:
        """The timeline resource (event records) with the `show` tool's text of each event."""
        texts = {e["seq"]: e["text"] for e in (await self.call("show", incident=key))["timeline"]}
        records = json.loads(await self.resource(f"stanch://incidents/{key}/timeline"))
        return [{**r, "text": texts[r["seq"]]} for r in records]

    async def file(self, key: str) -> str:
        return await self.resource(f"stanch://incidents/{key}/file")

    async def resource(self, uri: str) -> str:
        result = await self.session.read_resource(uri)
        content = result.contents[0]
        assert isinstance(content, TextResourceContents)
        return content.text


@contextlib.asynccontextmanager
async def agent(project: Path) -> AsyncIterator[McpDoor]:
    params = StdioServerParameters(command=sys.executable, args=["-m", "stanch", "mcp"],
                                   env=child_env(), cwd=str(project))  # fmt: skip
    async with Client(params, read_timeout_seconds=60) as session:
        yield McpDoor(session)
