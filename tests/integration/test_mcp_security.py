"""Over stdio, a security incident the agent is not named on reads exactly like a missing id."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from mcp import Client
from mcp.types import CallToolResult, Tool

from stanch.model.events import Kind
from stanch.services import actions, incidents
from tests.conftest import make_app
from tests.mcp.support import client

# Arguments that get each tool past its own input checks, so only the id can refuse it.
VALID: dict[str, dict[str, Any]] = {"status": {"target": "mitigating"}, "severity": {"target": "SEV1"},
         "assign": {"role": "responder", "people": ["mallory"]}, "type_set": {"target": "outage"},
         "signal_set": {"kind": "http", "expr": "http://127.0.0.1:9/health"},
         "action_done": {"ref": "A1"}, "page": {"target": "mallory"}}  # fmt: skip
FILLER = {"string": "something", "integer": 1, "number": 1, "boolean": False, "array": ["x"]}


def arguments(tool: Tool, incident: str) -> dict[str, Any]:
    props: dict[str, Any] = tool.input_schema.get("properties", {})
    args: dict[str, Any] = {}
    for name in tool.input_schema.get("required", []):
        kind = props[name].get("type") or props[name].get("anyOf", [{}])[0].get("type", "string")
        args[name] = FILLER[kind]
    return {**args, **VALID.get(tool.name, {}), "incident": incident}


def answer(result: CallToolResult) -> str:
    """What the agent is told: the error text, or the refusal's message."""
    if result.is_error:
        return str(getattr(result.content[0], "text", ""))
    data = dict(result.structured_content or {})
    assert data.get("outcome") == "refused", data
    return str(data["message"])


async def resource_error(session: Client, uri: str) -> str:
    try:
        await session.read_resource(uri)
    except Exception as exc:  # the SDK raises its own error type for a refused read
        return str(exc)
    raise AssertionError(f"{uri} was readable")


def test_a_security_incident_is_absent_for_an_agent_not_named_on_it(project: Path) -> None:
    human = make_app(project)
    human.viewer = "alice"
    secret = incidents.declare(human, "Unauthorized admin logins", severity="SEV1",
                               incident_type="security", actor="alice").incident.id  # fmt: skip
    outage = incidents.declare(human, "Checkout 503s", severity="SEV2", actor="alice").incident.id
    for key in (secret, outage):
        spec = actions.NewItem(f"Alert on admin logins from new networks ({key})", "bob")
        actions.add(human, key, spec, actor="alice")
    guess = f"{secret[:-1]}z" if not secret.endswith("z") else f"{secret[:-1]}y"
    before = len(list(human.store.iter_events(secret)))

    async def go() -> dict[str, Any]:
        seen: dict[str, Any] = {"tools": {}}
        async with client(project) as s:
            listed = (await s.call_tool("list", {"include_closed": True})).structured_content
            seen["listed"] = [i["id"] for i in (listed or {})["incidents"]]
            items = (await s.call_tool("action_list", {"include_done": True})).structured_content
            seen["items"] = [i["ref"] for i in (items or {})["items"]]
            res = await s.read_resource("stanch://incidents")
            seen["resource"] = [i["id"] for i in json.loads(getattr(res.contents[0], "text", "[]"))]
            for tool in (await s.list_tools()).tools:
                if "incident" not in tool.input_schema.get("properties", {}):
                    continue
                hidden = answer(await s.call_tool(tool.name, arguments(tool, secret)))
                missing = answer(await s.call_tool(tool.name, arguments(tool, guess)))
                seen["tools"][tool.name] = (hidden, missing)
            for part in ("file", "timeline"):
                hidden = await resource_error(s, f"stanch://incidents/{secret}/{part}")
                missing = await resource_error(s, f"stanch://incidents/{guess}/{part}")
                seen[part] = (hidden, missing)
            # named on it (made a responder by a person), the agent reads it
            incidents.assign(human, secret, "responder", ["agent:oncall"], actor="alice")
            shown = await s.call_tool("show", {"incident": secret})
            seen["named"] = shown.structured_content
        return seen

    seen = asyncio.run(go())
    assert seen["listed"] == [outage]
    assert seen["resource"] == [outage]
    assert seen["items"] == [f"{outage}#A1"]  # the hidden incident's items are hidden too
    assert len(seen["tools"]) >= 20, sorted(seen["tools"])
    for name, (hidden, missing) in seen["tools"].items():
        assert hidden.endswith(f"no incident {secret!r}"), (name, hidden)
        assert hidden.replace(secret, "ID") == missing.replace(guess, "ID"), name
    for part in ("file", "timeline"):
        hidden, missing = seen[part]
        assert f"no incident {secret!r}" in hidden
        assert hidden.replace(secret, "ID") == missing.replace(guess, "ID")
    # nothing was recorded on it, and nobody was asked to approve anything
    events = list(human.store.iter_events(secret))
    assert len(events) == before + 1 and events[-1].kind == Kind.ROLE
    assert seen["named"]["incident"]["id"] == secret
    human.close()
