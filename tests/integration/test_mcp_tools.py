"""Postmortem, action-item and people tools over stdio, with the SDK client and a real server."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from stanch.model import postmortem as pm
from stanch.model.approvals import APPROVAL_REQUESTED, APPROVAL_USED
from stanch.model.kinds import PAGE_SENT, RESPONDER_JOINED
from stanch.services.context import App
from tests.conftest import make_app
from tests.mcp.support import client, structured
from tests.people.test_meeting import run_incident
from tests.support.cli import cli

CONFIG = """
[mcp]
approval_required = ["postmortem:final", "status:closed"]
"""


def kinds(app: App, key: str) -> list[str]:
    return [e.kind for e in app.store.iter_events(key)]


def test_an_agent_writes_the_postmortem_and_the_guards_hold(
    capsys: pytest.CaptureFixture[str], project: Path, tmp_path: Path
) -> None:
    (project / "stanch.toml").write_text(CONFIG)
    human = make_app(project)
    key = run_incident(capsys, human)
    log = tmp_path / "app.log"
    log.write_text("12:01 502 upstream reset\n")
    human.viewer = "alice"

    async def go() -> dict[str, Any]:
        out: dict[str, Any] = {}
        async with client(project) as s:

            async def call(name: str, **args: Any) -> dict[str, Any]:
                return structured(await s.call_tool(name, {"incident": key, **args}))

            out["page"] = await call("page", target="dave", reason="database owner")
            out["join"] = await call("join", role="scribe")
            out["preserve"] = await call("preserve", files=[str(log)], note="the 502s")
            out["no_files"] = await s.call_tool("preserve", {"incident": key, "files": []})
            out["timebox"] = await call("timebox_check")
            out["shown"] = await call("postmortem_show")
            out["early_final"] = await call("postmortem_final")
            out["early_close"] = await call("status", target="closed")
            out["vague"] = await call("action_add", text="be more careful", owner="bob")
            out["added"] = await call("action_add", text="Gate checkout deploys on a canary "
                                      "error-rate check", owner="bob", priority="P1")  # fmt: skip
            out["drafted"] = await call("postmortem_draft", fields={
                "summary": "A bad binary push broke checkout for 20 minutes",
                "trigger": "binary_push"})  # fmt: skip
            out["ask"] = await call("postmortem_final")
            approved = cli(capsys, human, "approve", out["ask"]["request_id"], "-i", key,
                           "--actor", "alice")  # fmt: skip
            assert approved.code == 0, approved.err
            out["final"] = await call("postmortem_final")
            out["listed"] = await call("action_list")
            out["done"] = await call("action_done", ref="A1", note="PR 42")
            out["again"] = await call("action_done", ref=f"{key}#A1")
            out["all"] = structured(await s.call_tool("action_list", {"include_done": True}))
            out["meeting"] = await call("meeting_propose")
            out["ask_close"] = await call("status", target="closed")
            assert cli(capsys, human, "approve", out["ask_close"]["request_id"], "-i", key,
                       "--actor", "alice").code == 0  # fmt: skip
            out["closed"] = await call("status", target="closed")
        return out

    out = asyncio.run(go())
    assert out["page"]["outcome"] == "ok" and out["join"]["outcome"] == "ok"
    seen = kinds(human, key)
    assert PAGE_SENT in seen and RESPONDER_JOINED in seen
    evidence = list(human.files.path(key).with_suffix(".evidence").iterdir())
    assert [p.read_text() for p in evidence if p.suffix == ".log"] == [log.read_text()]
    assert out["no_files"].is_error  # the schema wants at least one file
    assert out["timebox"]["outcome"] == "ok"
    assert out["shown"]["state"] == "none" and not out["shown"]["ready_for_final"]
    # final with nothing written is refused before anyone is asked to approve it
    assert out["early_final"]["outcome"] == "refused"
    assert "action item" in out["early_final"]["message"]
    assert out["vague"]["outcome"] == "refused"
    assert out["added"]["outcome"] == "ok", out["added"]
    assert out["drafted"]["state"] == "draft" and out["drafted"]["ready_for_final"], out["drafted"]
    assert "A bad binary push" in out["drafted"]["markdown"]
    assert out["ask"]["outcome"] == "approval_required"
    assert out["final"]["outcome"] == "ok" and out["final"]["state"] == "final"
    # closing before the postmortem is final is refused before anyone is asked
    assert out["early_close"]["outcome"] == "refused"
    assert "postmortem is final" in out["early_close"]["message"]
    assert out["ask_close"]["outcome"] == "approval_required"
    assert out["closed"]["outcome"] == "ok", out["closed"]
    asked = [e.data["action"] for e in human.store.iter_events(key) if e.kind == APPROVAL_REQUESTED]
    assert asked == ["postmortem:final", "status:closed"]  # only moves that could pass asked
    assert kinds(human, key).count(APPROVAL_USED) == 2
    states = [e.data["state"] for e in human.store.iter_events(key) if e.kind == pm.PM_STATE]
    assert states == ["draft", "final"]
    assert [i["ref"] for i in out["listed"]["items"]] == [f"{key}#A1"]
    assert out["done"]["outcome"] == "ok"
    assert out["again"]["outcome"] == "refused" and "already done" in out["again"]["message"]
    assert [i["status"] for i in out["all"]["items"]] == ["done"]
    assert Path(out["meeting"]["location"]).is_file()
    assert "agent:oncall" in human.files.path(key).read_text()
    human.close()
