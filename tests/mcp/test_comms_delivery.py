# ruff: noqa: F811  (the comms fixtures are imported, then named as test arguments)
"""`deliver`, `channel`, `escalation_flag` and `escalation_check` with the MCP SDK's client.

The server runs in process over the project wired to local PagerDuty and Slack fakes that
enforce their contracts, so a manual clock can carry a page past its retry time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from mcp import Client

from stanch.mcp.server import build_server
from stanch.services.context import App
from tests.comms.clock import ManualClock
from tests.comms.conftest import (  # noqa: F401  (fixtures)
    _og_server,
    _pd_server,
    _slack_server,
    _sp_server,
    og,
    pd,
    slack,
    sp,
    wired,
)
from tests.conftest import T0, make_app
from tests.fakes.comms_pagerduty import FakePagerDuty
from tests.fakes.comms_slack import FakeSlack
from tests.mcp.support import structured
from tests.support.cli import cli

Call = Callable[..., Awaitable[dict[str, Any]]]
NEW_TOOLS = {"deliver", "channel", "escalation_flag", "escalation_check"}


AGENT = "agent:tester"  # the tests' STANCH_ACTOR is `tester`


def with_rules(app: App, rules: str, *, keep: bool = True) -> App:
    """The same project with `[mcp] approval_required = rules`, read afresh."""
    toml = app.settings.root / "stanch.toml"
    before = toml.read_text() if keep and toml.exists() else ""
    toml.write_text(f"{before}\n[mcp]\napproval_required = {rules}\n")
    return make_app(app.settings.root)


def session(app: App, steps: Callable[[Call], Awaitable[None]]) -> None:
    async def go() -> None:
        async with Client(build_server(app)) as s:

            async def call(name: str, **args: Any) -> dict[str, Any]:
                return structured(await s.call_tool(name, args))

            assert {t.name for t in (await s.list_tools()).tools} >= NEW_TOOLS
            await steps(call)

    asyncio.run(go())


def declare(capsys: pytest.CaptureFixture[str], app: App, *extra: str) -> str:
    app.clock = ManualClock(T0)
    ran = cli(capsys, app, "declare", "Checkout returns 502", "-s", "SEV1", "--service",
              "checkout", "--impact", "30% of requests", "--json", *extra)  # fmt: skip
    assert ran.code == 0, ran.err
    return str(ran.json()["id"])


def test_an_agent_delivers_a_page_that_waited_for_the_pager(
    capsys: pytest.CaptureFixture[str],
    wired: App,
    pd: FakePagerDuty,
) -> None:
    key = declare(capsys, wired)
    pd.outage = 1
    clock = wired.clock
    assert isinstance(clock, ManualClock)
    seen: dict[str, Any] = {}

    async def steps(call: Call) -> None:
        paged = await call("escalate", reason="no lever left")
        assert [d["status"] for d in paged["deliveries"] if d["provider"] == "pagerduty"] == [
            "retry"]  # fmt: skip
        early = await call("deliver")
        assert early["outcome"] == "ok" and early["deliveries"] == [], early
        assert early["details"]["pending"] >= 1
        clock.advance(minutes=2)
        seen["sent"] = await call("deliver", incident=key)
        seen["again"] = await call("deliver", incident=key)

    session(wired, steps)
    sent = seen["sent"]
    assert sent["outcome"] == "ok", sent
    paged = [d for d in sent["deliveries"] if d["provider"] == "pagerduty"]
    assert [(d["action"], d["status"]) for d in paged] == [("trigger", "ok")]
    # the hand-off post waits for a channel nobody has made yet; the page is not sent twice
    assert [d["provider"] for d in seen["again"]["deliveries"]] in ([], ["slack"])
    assert [a.dedup_key for a in pd.alerts] == [f"stanch/{key}"]
    delivered = [e for e in wired.store.iter_events(key)
                 if e.kind == "notify.delivered" and e.data["provider"] == "pagerduty"]  # fmt: skip
    assert [e.actor for e in delivered] == [AGENT]


def test_the_channel_waits_for_a_person_when_policy_says_so(
    capsys: pytest.CaptureFixture[str],
    wired: App,
    slack: FakeSlack,
) -> None:
    wired = with_rules(wired, '["channel"]')
    key = declare(capsys, wired)
    seen: dict[str, Any] = {}

    async def steps(call: Call) -> None:
        asked = await call("channel", invite=["U111111"])
        assert asked["outcome"] == "approval_required", asked
        assert slack.channels == []
        granted = cli(capsys, wired, "approve", asked["request_id"], "-i", key)
        assert granted.code == 0, granted.err
        seen["made"] = await call("channel", invite=["U111111"])

    session(wired, steps)
    made = seen["made"]
    assert made["outcome"] == "ok", made
    assert [c.name for c in slack.channels] == [made["details"]["channel"]]
    assert not slack.channels[0].is_private
    assert "Checkout returns 502" in slack.channels[0].messages[0]
    assert {(d["action"], d["status"]) for d in made["deliveries"]} == {
        ("create_channel", "ok"), ("set_topic", "ok"), ("invite", "ok"), ("post", "ok")}  # fmt: skip
    wired.close()


def test_a_restricted_incident_gets_a_private_channel_without_detail(
    capsys: pytest.CaptureFixture[str],
    wired: App,
    slack: FakeSlack,
) -> None:
    key = declare(capsys, wired, "--type", "security")
    assert cli(capsys, wired, "access", "grant", AGENT, "-i", key).code == 0
    seen: dict[str, Any] = {}

    async def steps(call: Call) -> None:
        seen["made"] = await call("channel", incident=key)

    session(wired, steps)
    assert seen["made"]["outcome"] == "ok", seen["made"]
    made = slack.channels[0]
    assert made.is_private
    assert all("Checkout returns 502" not in text for text in [made.topic, *made.messages])


def test_without_slack_the_channel_is_refused_before_anyone_is_asked(
    capsys: pytest.CaptureFixture[str], app: App
) -> None:
    app = with_rules(app, '["*"]', keep=False)
    key = declare(capsys, app)
    seen: dict[str, Any] = {}

    async def steps(call: Call) -> None:
        seen["refused"] = await call("channel", incident=key)

    session(app, steps)
    assert seen["refused"]["outcome"] == "refused"
    assert "Slack is not configured" in seen["refused"]["message"]
    assert not [e for e in app.store.iter_events(key) if e.kind.startswith("approval.")]
    app.close()


def test_an_agent_flags_a_trigger_and_checks_what_is_due(
    capsys: pytest.CaptureFixture[str], app: App
) -> None:
    app = with_rules(app, '["flag"]', keep=False)
    key = declare(capsys, app)
    seen: dict[str, Any] = {}

    async def steps(call: Call) -> None:
        seen["before"] = await call("escalation_check")
        seen["unknown"] = await call("escalation_flag", trigger="bored", reason="x")
        seen["asked"] = await call("escalation_flag", trigger="destructive",
                                   reason="the fix drops the queue")  # fmt: skip
        granted = cli(capsys, app, "approve", seen["asked"]["request_id"], "-i", key)
        assert granted.code == 0, granted.err
        seen["flagged"] = await call("escalation_flag", trigger="destructive",
                                     reason="the fix drops the queue")  # fmt: skip
        seen["after"] = await call("escalation_check", incident=key)

    session(app, steps)
    assert seen["before"]["details"]["escalation_due"] == []
    assert seen["before"]["message"] == "no escalation due"
    assert seen["unknown"]["outcome"] == "refused"
    assert "unknown trigger 'bored'" in seen["unknown"]["message"]
    assert seen["asked"]["outcome"] == "approval_required"
    assert seen["flagged"]["outcome"] == "ok", seen["flagged"]
    due = [t["reason"] for t in seen["after"]["details"]["escalation_due"]]
    assert any("the fix drops the queue" in reason for reason in due), due
    flagged = [e for e in app.store.iter_events(key) if e.kind == "escalation.flagged"]
    assert [(e.actor, e.data["trigger"]) for e in flagged] == [(AGENT, "destructive")]
    requested = [e for e in app.store.iter_events(key) if e.kind == "approval.requested"]
    assert [e.data["action"] for e in requested] == ["flag:destructive"]
    app.close()
