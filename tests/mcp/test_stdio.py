"""`stanch mcp` over stdio with the SDK's own client: tools, prompt, a whole incident, refusals."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest

from stanch.model.approvals import APPROVAL_GRANTED, APPROVAL_REQUESTED, APPROVAL_USED
from stanch.model.kinds import MITIGATION_CONFIRMED, SIGNAL_SET
from stanch.services.context import App
from tests.conftest import make_app
from tests.mcp.support import CONFIG, client, structured
from tests.support.cli import cli
from tests.watch.servers import Service

CORE_TOOLS = {"declare", "log", "show", "status", "severity", "assign", "signal_set", "watch",
              "recovery"}  # fmt: skip


def check_tools_and_prompt(found: list[Any], text: str) -> None:
    by_name = {t.name: t for t in found}
    assert set(by_name) >= CORE_TOOLS
    for tool in by_name.values():
        assert tool.description
        assert tool.input_schema["type"] == "object"
        assert tool.output_schema is not None, tool.name
    assert by_name["declare"].input_schema["required"] == ["symptom", "severity"]
    outcome = by_name["status"].output_schema["properties"]["outcome"]
    assert set(outcome["enum"]) == {"ok", "approval_required", "refused"}
    for step in ("Frame", "Stabilize", "Escalate", "Diagnose", "smallest safe change",
                 "Communicate", "postmortem", "x-1"):  # fmt: skip
        assert step in text


def _kinds(app: App, key: str) -> list[str]:
    return [e.kind for e in app.store.iter_events(key)]


def test_an_agent_runs_an_incident_and_every_guard_refuses(
    capsys: pytest.CaptureFixture[str], project: Path, mcp_service: Service
) -> None:
    (project / "stanch.toml").write_text(CONFIG)
    human = make_app(project)
    mcp_service.health_status = 503
    health = f"{mcp_service.url}/health"

    def approve(request: str, *, actor: str = "oncall") -> int:
        return cli(capsys, human, "approve", request, "--actor", actor).code

    async def go() -> dict[str, Any]:
        out: dict[str, Any] = {}
        async with client(project) as s:
            # one server process for the whole story: it is slow to start on a busy machine
            prompt = await s.get_prompt("responder_procedure", {"incident": "x-1"})
            out["prompt"] = getattr(prompt.messages[0].content, "text", "")
            out["tools"] = (await s.list_tools()).tools

            async def call(name: str, **args: Any) -> dict[str, Any]:
                return structured(await s.call_tool(name, args))

            declared = await call("declare", symptom="Checkout 503s", severity="SEV2",
                                  impact="~40% of checkout requests fail")  # fmt: skip
            assert declared["outcome"] == "ok", declared
            key = declared["incident"]["id"]
            out["key"] = key
            assert (await call("log", text="error ratio jumped at 09:58"))["outcome"] == "ok"

            # refusals of the core, typed: bad input, an illegal move, a wrong severity
            assert (await call("severity", target="SEV9"))["outcome"] == "refused"
            illegal = await call("status", target="monitoring")
            assert illegal["outcome"] == "refused"
            assert "cannot go from investigating" in illegal["message"]
            watch_first = await call("watch")
            assert watch_first["outcome"] == "refused"
            assert "no flagging signal" in watch_first["message"]

            # changing the flagging signal needs a person; the agent cannot approve itself
            asked = await call("signal_set", kind="http", expr=health)
            assert asked["outcome"] == "approval_required", asked
            request = asked["request_id"]
            again = await call("signal_set", kind="http", expr=health)
            assert again["request_id"] == request  # asking twice does not ask twice
            assert approve(request, actor="agent:oncall") == 1
            assert approve(request) == 0
            assert (await call("signal_set", kind="http", expr=health))["outcome"] == "ok"
            # an approval is spent once: the same change asks again
            reused = await call("signal_set", kind="http", expr=health)
            assert reused["outcome"] == "approval_required"
            states = [r["state"] for r in (await call("approvals"))["requests"]]
            assert states == ["pending"]  # same request id: used, then asked for again

            assert (await call("status", target="mitigating", reason="rolled back"))[
                "outcome"
            ] == "ok"
            sick = await call("watch", samples=2)
            assert [x["healthy"] for x in sick["samples"]] == [False, False]
            mcp_service.health_status = 200
            healed = await call("watch", samples=2)
            assert healed["samples"][-1]["confirmed"] is True
            assert healed["samples"][-1]["status"] == "mitigated"
            assert (await call("status", target="monitoring"))["outcome"] == "ok"

            # resolving on too little evidence is refused before anyone is asked
            early = await call("status", target="resolved")
            assert early["outcome"] == "refused", early
            assert "cannot resolve" in early["message"]
            out["early_requests"] = [
                e.data["action"]
                for e in human.store.iter_events(key)
                if e.kind == APPROVAL_REQUESTED
            ]

            for _ in range(15):
                done = await call("watch", samples=1)
                if done["recovery"]["complete"]:
                    break
                time.sleep(0.5)
            assert done["recovery"]["complete"], done
            asked = await call("status", target="resolved", reason="healthy for the window")
            assert asked["outcome"] == "approval_required"
            assert approve(asked["request_id"]) == 0
            resolved = await call("status", target="resolved", reason="healthy for the window")
            assert resolved["outcome"] == "ok", resolved
            out["view"] = await call("show", incident=key)

            file_res = await s.read_resource(f"stanch://incidents/{key}/file")
            out["file"] = getattr(file_res.contents[0], "text", "")
            events = await s.read_resource(f"stanch://incidents/{key}/timeline")
            out["events"] = json.loads(getattr(events.contents[0], "text", "[]"))
            missing = await s.call_tool("show", {"incident": "no-such-incident"})
            out["missing_is_error"] = missing.is_error
            out["missing_text"] = getattr(missing.content[0], "text", "")
        return out

    out = asyncio.run(go())
    check_tools_and_prompt(out["tools"], out["prompt"])
    key = out["key"]
    kinds = _kinds(human, key)
    assert out["early_requests"] == ["signal", "signal"]  # nobody was asked to resolve yet
    assert kinds.count(APPROVAL_GRANTED) == 2
    assert kinds.count(APPROVAL_USED) == 2
    assert kinds.count(SIGNAL_SET) == 1
    assert kinds.count(MITIGATION_CONFIRMED) == 1
    assert human.store.state(key).status.value == "resolved"
    assert out["missing_is_error"] is True
    assert "no-such-incident" in out["missing_text"]
    # the agent's view, the file and the CLI agree on one timeline
    shown = cli(capsys, human, "show", key, "--json").json()
    assert [e["seq"] for e in out["view"]["timeline"]] == list(range(1, len(kinds) + 1))
    assert [e["kind"] for e in out["events"]] == kinds
    assert shown["status"] == "resolved"
    assert [e["text"] for e in shown["timeline"]] == [e["text"] for e in out["view"]["timeline"]]
    assert shown["file_ok"] is True
    assert "approved signal" in out["file"]
    assert "agent:oncall" in out["file"]
    human.close()
