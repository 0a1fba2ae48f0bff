"""Every lever guardrail, proven over stdio with the MCP SDK's own client.

A real git repository and the kubectl/helm stand-in (tests/levers) are production; the
agent drives `stanch mcp` as a subprocess and a person answers with the real CLI.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from stanch.model.approvals import APPROVAL_REQUESTED
from stanch.model.kinds import LEVER_APPLIED
from stanch.services import levers as lever_service
from stanch.services.context import App
from tests.fakes.levers_kube import STATE_ENV
from tests.levers.conftest import Kube, install_kube, lever_app, make_repo
from tests.mcp.support import server_params, structured
from tests.support.cli import cli

CHECKOUT = "rollback:deployment:checkout@shop"
LONELY = "rollback:deployment:lonely@shop"  # one revision: no way back
HPA = "scale:hpa:search@shop"
DRAIN = "failover:drain:node-1"  # destructive
LEVER_TOOLS = {"levers", "lever_plan", "lever_apply", "lever_undo", "lever_confirm"}

Call = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def kube(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Kube:
    """The kubectl/helm stand-in of the lever tests, on PATH for the server process too."""
    return install_kube(tmp_path, monkeypatch)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path)


def agent(project: Path, kube: Kube) -> Client:
    params = server_params(project)
    assert params.env is not None
    params.env.update({"PATH": os.environ["PATH"], STATE_ENV: str(kube.state_file)})
    return Client(params, read_timeout_seconds=60)


def drive(project: Path, kube: Kube, story: Callable[[Call, Client], Awaitable[None]]) -> None:
    async def go() -> None:
        async with agent(project, kube) as session:

            async def call(name: str, **args: Any) -> dict[str, Any]:
                return structured(await session.call_tool(name, args))

            await story(call, session)

    asyncio.run(go())


def asked(app: App, key: str) -> list[str]:
    """The lever each approval request was about, in order."""
    return [str(e.data["args"].get("lever")) for e in app.store.iter_events(key)
            if e.kind == APPROVAL_REQUESTED]  # fmt: skip


def applied(app: App, key: str) -> list[dict[str, Any]]:
    return [dict(e.data) for e in app.store.iter_events(key) if e.kind == LEVER_APPLIED]


def test_guardrails_hold_for_an_agent_even_with_no_approval_policy(
    capsys: pytest.CaptureFixture[str], project: Path, repo: Path, kube: Kube
) -> None:
    human = lever_app(project, repo, "[mcp]\napproval_required = []\n")
    seen: dict[str, Any] = {}

    async def story(call: Call, session: Client) -> None:
        tools = {t.name: t for t in (await session.list_tools()).tools}
        assert set(tools) >= LEVER_TOOLS
        for name in LEVER_TOOLS:
            assert tools[name].output_schema is not None, name
        assert tools["lever_apply"].input_schema["required"] == ["lever"]
        assert "typed" not in tools["lever_apply"].input_schema["properties"]

        key = (await call("declare", symptom="Checkout fails", severity="SEV2"))["incident"]["id"]
        seen["key"] = key
        scanned = await call("levers", incident=key)
        ids = [lever["id"] for lever in scanned["levers"]]
        assert CHECKOUT in ids and ids[-1] == DRAIN
        assert scanned["levers"][-1]["destructive"] is True
        assert {s["kind"] for s in scanned["surfaces"]} >= {"k8s_workload", "feature_flags"}
        assert scanned["live"] == {"enabled": False} and scanned["notes"] == []
        live = await call("levers", incident=key, live=True)
        assert live["live"]["sources"] == ["helm", "kubectl"]
        web = next(lever for lever in live["levers"] if lever["id"] == "rollback:helm:web@web")
        assert web["command"] == ["helm", "rollback", "web", "6", "-n", "web"]
        assert any("lonely -n shop has a single rollout revision" in n for n in live["notes"])

        # no plan, no rollback verified: refused, production untouched
        unplanned = await call("lever_apply", lever=CHECKOUT)
        assert unplanned["outcome"] == "refused" and "no recorded plan" in unplanned["message"]
        lonely = await call("lever_plan", lever=LONELY)
        assert lonely["outcome"] == "ok" and lonely["viable"] is False
        blind = await call("lever_apply", lever=LONELY)
        assert blind["outcome"] == "refused" and "not verified viable" in blind["message"]
        assert kube.mutations() == []

        # one change at a time
        planned = await call("lever_plan", lever=CHECKOUT)
        assert planned["viable"] is True and planned["rollback"][-1] == "--to-revision=3"
        first = await call("lever_apply", lever=CHECKOUT)
        assert first["outcome"] == "ok", first
        assert first["incident"]["status"] == "mitigating"
        assert (await call("lever_plan", lever=HPA))["viable"] is True
        second = await call("lever_apply", lever=HPA)
        assert second["outcome"] == "refused" and "one change at a time" in second["message"]
        assert kube.state()["hpas"]["shop/search"]["min"] == 2
        confirm_blank = await call("lever_confirm", evidence="  ")
        assert confirm_blank["outcome"] == "refused"
        ok = await call("lever_confirm", evidence="error ratio 0.2% for 10 min")
        assert ok["outcome"] == "ok" and ok["incident"]["status"] == "mitigated"

        # a destructive lever: the agent's typed confirmation and its own approval never count
        assert (await call("lever_plan", lever=DRAIN))["destructive"] is True
        bare = await call("lever_apply", lever=DRAIN)
        assert bare["outcome"] == "refused" and "a person must approve" in bare["message"]
        typed = await call("lever_apply", lever=DRAIN, confirm_destructive=True,
                           typed="node/node-1")  # fmt: skip
        assert typed["outcome"] == "refused"
        lever_service.approve(human, key, DRAIN, by="agent:oncall")  # the agent's own name
        lever_service.approve(human, key, DRAIN, by="agent:helper")  # another agent
        assert (await call("lever_apply", lever=DRAIN))["outcome"] == "refused"
        assert kube.state()["nodes"]["node-1"]["unschedulable"] is False

        # a person approves with the CLI: now it goes, and the record says who
        approved = cli(capsys, human, "mitigate", key, DRAIN, "--approve", "--actor", "alice")
        assert approved.code == 0, approved.err
        pulled = await call("lever_apply", lever=DRAIN)
        assert pulled["outcome"] == "ok", pulled
        assert pulled["confirmed_by"] == ["alice"] or "alice" in pulled["confirmed_by"]
        assert kube.state()["nodes"]["node-1"]["unschedulable"] is True
        # the approval was good for one application: undo, then apply again is refused
        undone = await call("lever_undo", lever=DRAIN)
        assert undone["outcome"] == "ok", undone
        assert kube.state()["nodes"]["node-1"]["unschedulable"] is False
        again = await call("lever_apply", lever=DRAIN)
        assert again["outcome"] == "refused" and "a person must approve" in again["message"]

    drive(project, kube, story)
    key = seen["key"]
    done = applied(human, key)
    assert [d["lever"] for d in done] == [CHECKOUT, DRAIN]
    assert done[0]["destructive"] is False and done[1]["destructive"] is True
    assert "alice" in done[1]["confirmed_by"]
    assert all(e.actor == "agent:oncall" for e in human.store.iter_events(key)
               if e.kind == LEVER_APPLIED)  # fmt: skip
    assert asked(human, key) == []  # the policy asks nobody: the guard alone refused
    refusals = [(e.data["lever"], e.data["rule"], e.actor) for e in human.store.iter_events(key)
                if e.kind == "lever.refused"]  # fmt: skip
    assert refusals == [
        (CHECKOUT, "planned_and_viable", "agent:oncall"),
        (LONELY, "planned_and_viable", "agent:oncall"),
        (HPA, "one_at_a_time", "agent:oncall"),
        (DRAIN, "person_approval", "agent:oncall"),
        (DRAIN, "person_approval", "agent:oncall"),
        (DRAIN, "person_approval", "agent:oncall"),
        (DRAIN, "person_approval", "agent:oncall"),
    ]
    text = human.files.path(key).read_text()
    assert f"applied {DRAIN}" in text and f"undid {DRAIN}" in text
    human.close()


def test_approval_policy_asks_a_person_and_refusals_come_first(
    capsys: pytest.CaptureFixture[str], project: Path, repo: Path, kube: Kube
) -> None:
    human = lever_app(project, repo)  # the default policy: lever:apply and lever:undo
    seen: dict[str, Any] = {}

    def approve(request: str, actor: str = "oncall") -> int:
        return cli(capsys, human, "approve", request, "--actor", actor).code

    async def story(call: Call, session: Client) -> None:
        key = (await call("declare", symptom="Checkout fails", severity="SEV2"))["incident"]["id"]
        seen["key"] = key
        # a lever the guard refuses is refused before anyone is asked
        assert (await call("lever_apply", lever=CHECKOUT))["outcome"] == "refused"
        await call("lever_plan", lever=LONELY)
        assert (await call("lever_apply", lever=LONELY))["outcome"] == "refused"
        assert asked(human, key) == []

        await call("lever_plan", lever=CHECKOUT)
        by_rank = await call("lever_apply", lever="1")  # an approval names one exact lever
        assert by_rank["outcome"] == "refused" and "by its id" in by_rank["message"]
        wait = await call("lever_apply", lever=CHECKOUT)
        assert wait["outcome"] == "approval_required", wait
        assert f"stanch approve {wait['request_id']}" in wait["message"]
        assert (await call("lever_apply", lever=CHECKOUT))["request_id"] == wait["request_id"]
        assert kube.mutations() == []
        assert approve(wait["request_id"], actor="agent:oncall") == 1  # not its own request
        assert kube.mutations() == []
        assert approve(wait["request_id"]) == 0
        done = await call("lever_apply", lever=CHECKOUT)
        assert done["outcome"] == "ok", done
        assert kube.state()["deployments"]["shop/checkout"]["revisions"] == [1, 3, 4]

        # one at a time is refused before a person is bothered
        await call("lever_plan", lever=DRAIN)
        busy = await call("lever_apply", lever=DRAIN)
        assert busy["outcome"] == "refused" and "one change at a time" in busy["message"]
        undo = await call("lever_undo")
        assert undo["outcome"] == "approval_required"
        assert approve(undo["request_id"]) == 0
        assert (await call("lever_undo"))["outcome"] == "ok"
        assert kube.calls()[-1][-1] == "--to-revision=3"

        # a destructive lever: the person who grants the request is the second confirmation
        drain = await call("lever_apply", lever=DRAIN)
        assert drain["outcome"] == "approval_required", drain
        assert kube.state()["nodes"]["node-1"]["unschedulable"] is False
        assert approve(drain["request_id"], actor="bob") == 0
        pulled = await call("lever_apply", lever=DRAIN)
        assert pulled["outcome"] == "ok", pulled
        assert pulled["confirmed_by"] == ["bob"]
        assert kube.state()["nodes"]["node-1"]["unschedulable"] is True

    drive(project, kube, story)
    key = seen["key"]
    assert asked(human, key) == [CHECKOUT, "None", DRAIN]
    assert [d["lever"] for d in applied(human, key)] == [CHECKOUT, DRAIN]
    human.close()


def test_a_security_incident_holds_an_agent_to_its_type_rules(
    capsys: pytest.CaptureFixture[str], project: Path, repo: Path, kube: Kube
) -> None:
    human = lever_app(project, repo, "[mcp]\napproval_required = []\n")
    seen: dict[str, Any] = {}

    def person(*args: str) -> None:
        ran = cli(capsys, human, *args)
        assert ran.code == 0, ran.err

    async def story(call: Call, session: Client) -> None:
        key = (await call("declare", symptom="Odd admin logins", severity="SEV2"))["incident"]["id"]
        seen["key"] = key
        assert (await call("lever_plan", lever=CHECKOUT))["viable"] is True
        person("type", "set", "security", "-i", key, "--reason", "credential stuffing")
        person("access", "grant", "oncall", "-i", key)  # the server reads as `oncall`
        first = await call("lever_apply", lever=CHECKOUT, incident=key)
        assert first["outcome"] == "refused" and "preserve" in first["message"], first
        person("preserve", "-c", "true", "-i", key)
        # a rollout replaces running pods: destructive on a security incident
        second = await call("lever_apply", lever=CHECKOUT, incident=key)
        assert second["outcome"] == "refused" and "a person must approve" in second["message"]
        assert kube.mutations() == []
        person("mitigate", key, CHECKOUT, "--approve", "--actor", "alice")
        done = await call("lever_apply", lever=CHECKOUT, incident=key)
        assert done["outcome"] == "ok", done
        assert done["destructive"] is True and done["confirmed_by"] == ["alice"]

    drive(project, kube, story)
    assert [d["lever"] for d in applied(human, seen["key"])] == [CHECKOUT]
    human.close()
