"""An approval covers one successful run of exactly the approved call.

A call that fails after its approval was claimed records `approval.failed` and the grant
stands again, for the same call only and within `[mcp] approval_expires`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from stanch.errors import InvalidInput
from stanch.mcp.context import ToolContext
from stanch.mcp.schemas import ActionResult
from stanch.mcp.settings import load as load_mcp
from stanch.model.approvals import (
    APPROVAL_FAILED,
    APPROVAL_REQUESTED,
    APPROVAL_USED,
    fold_requests,
)
from stanch.services import approvals, incidents
from stanch.services.context import App
from tests.conftest import make_app
from tests.levers.conftest import Kube, lever_app
from tests.mcp.test_lever_guardrails import CHECKOUT, Call, drive, kube, repo
from tests.support.cli import cli

__all__ = ["kube", "repo"]  # the lever fixtures, shared with the guardrail tests

RULES = ("signal",)
ARGS = {"expr": "up"}


def ask(app: App, key: str, args: dict[str, str] = ARGS,
        expires: timedelta | None = None) -> str | None:  # fmt: skip
    return approvals.gate(app, key, rules=RULES, tool="signal_set", action="signal",
                          args=args, actor="agent:x", expires=expires)  # fmt: skip


def granted(app: App, key: str, args: dict[str, str] = ARGS) -> str:
    request = ask(app, key, args)
    assert request is not None
    approvals.answer(app, key, request, grant=True, actor="alice")
    return request


def test_a_failed_call_hands_the_grant_back_for_the_same_call_only(any_app: App) -> None:
    key = incidents.declare(any_app, "Login fails", severity="SEV3").incident.id
    request = granted(any_app, key)
    assert ask(any_app, key) is None  # claimed
    assert fold_requests(any_app.store.iter_events(key))[request].state == "used"
    approvals.release(any_app, key, tool="signal_set", args=ARGS, actor="agent:x",
                      error="the store refused")  # fmt: skip
    state = fold_requests(any_app.store.iter_events(key))[request]
    assert (state.state, state.failures) == ("granted", 1)
    other = ask(any_app, key, {"expr": "down"})  # another call is not covered
    assert other is not None and other != request
    assert ask(any_app, key) is None  # the retry of the same call goes ahead
    assert ask(any_app, key) == request  # it succeeded: the next one asks again
    kinds = [e.kind for e in any_app.store.iter_events(key)
             if e.kind in (APPROVAL_USED, APPROVAL_FAILED)]  # fmt: skip
    assert kinds == [APPROVAL_USED, APPROVAL_FAILED, APPROVAL_USED]
    text = any_app.files.path(key).read_text()
    assert f"signal failed after approval {request}: the store refused" in text


def test_a_release_without_a_claim_records_nothing(any_app: App) -> None:
    key = incidents.declare(any_app, "Login fails", severity="SEV3").incident.id
    granted(any_app, key)
    before = any_app.store.state(key).last_seq
    approvals.release(any_app, key, tool="signal_set", args=ARGS, actor="agent:x", error="x")
    assert any_app.store.state(key).last_seq == before


def test_a_grant_expires_and_a_failed_call_does_not_extend_it(project: Path) -> None:
    app = make_app(project, step=timedelta(minutes=4))  # every clock reading is 4 min later
    expires = timedelta(minutes=10)
    try:
        key = incidents.declare(app, "Login fails", severity="SEV3").incident.id
        request = granted(app, key)
        assert ask(app, key, expires=expires) is None
        approvals.release(app, key, tool="signal_set", args=ARGS, actor="agent:x", error="boom")
        asked_before = sum(e.kind == APPROVAL_REQUESTED for e in app.store.iter_events(key))
        assert ask(app, key, expires=expires) == request  # more than 10 min after the grant
        events = list(app.store.iter_events(key))
        assert sum(e.kind == APPROVAL_REQUESTED for e in events) == asked_before + 1
        assert [r.id for r in approvals.pending(app, key)[1]] == [request]
    finally:
        app.close()


def test_approval_expires_setting() -> None:
    assert load_mcp({}).approval_expires is None
    assert load_mcp({"mcp": {"approval_expires": "30m"}}).approval_expires == timedelta(minutes=30)
    for bad in ("soon", "0s", True, ["1h"]):
        with pytest.raises(InvalidInput, match="approval_expires"):
            load_mcp({"mcp": {"approval_expires": bad}})


def test_a_lever_that_fails_after_approval_is_retried_without_asking_again(
    capsys: pytest.CaptureFixture[str], project: Path, repo: Path, kube: Kube
) -> None:
    human = lever_app(project, repo)  # the default policy: lever:apply needs a person
    seen: dict[str, Any] = {}

    async def story(call: Call, session: Client) -> None:
        key = (await call("declare", symptom="Checkout fails", severity="SEV2"))["incident"]["id"]
        seen["key"] = key
        assert (await call("lever_plan", lever=CHECKOUT))["viable"] is True
        wait = await call("lever_apply", lever=CHECKOUT)
        assert wait["outcome"] == "approval_required", wait
        seen["request"] = wait["request_id"]
        approved = cli(capsys, human, "approve", wait["request_id"], "--actor", "alice")
        assert approved.code == 0, approved.err

        kube.update(unreachable=True)  # the cluster refuses the approved command
        broken = await call("lever_apply", lever=CHECKOUT)
        assert broken["outcome"] == "refused", broken
        assert "failed" in broken["message"]
        assert kube.state()["deployments"]["shop/checkout"]["revisions"] == [1, 2, 3]
        listed = await call("approvals")
        states = [(r["request"], r["state"]) for r in listed["requests"]]
        assert states == [(seen["request"], "granted")]  # the grant stands

        kube.update(unreachable=False)
        retried = await call("lever_apply", lever=CHECKOUT)
        assert retried["outcome"] == "ok", retried
        assert kube.state()["deployments"]["shop/checkout"]["revisions"] == [1, 3, 4]
        undo = await call("lever_undo", lever=CHECKOUT)  # another action: its own approval
        assert undo["outcome"] == "approval_required" and undo["request_id"] != seen["request"]

    drive(project, kube, story)
    key, request = seen["key"], seen["request"]
    events = [e for e in human.store.iter_events(key) if e.data.get("request") == request]
    assert [e.kind for e in events] == [APPROVAL_REQUESTED, "approval.granted", APPROVAL_USED,
                                        APPROVAL_FAILED, APPROVAL_USED]  # fmt: skip
    assert "was refused" in str(events[3].data["error"])
    assert fold_requests(human.store.iter_events(key))[request].state == "used"
    text = human.files.path(key).read_text()
    assert f"lever:apply failed after approval {request}" in text
    human.close()


def test_a_refusal_after_the_claim_keeps_the_grant_and_a_bug_spends_it(project: Path) -> None:
    (project / "stanch.toml").write_text('[stanch]\n[mcp]\napproval_required = ["status"]\n')
    app = make_app(project)
    ctx = ToolContext.of(app)
    key = incidents.declare(app, "Login fails", severity="SEV3").incident.id
    args = {"target": "closed"}

    def close(k: str) -> ActionResult:  # the status machine refuses investigating → closed
        done = incidents.set_status(ctx.app, k, "closed", actor=ctx.actor)
        return ctx.done(done, "closed")

    asked = ctx.act(key, "status", "status:closed", args, close)
    assert asked.outcome == "approval_required" and asked.request_id is not None
    approvals.answer(app, key, asked.request_id, grant=True, actor="alice")
    refused = ctx.act(key, "status", "status:closed", args, close)
    assert refused.outcome == "refused"
    found = fold_requests(app.store.iter_events(key))[asked.request_id]
    assert (found.state, found.failures) == ("granted", 1)

    def bug(_: str) -> ActionResult:
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError):
        ctx.act(key, "status", "status:closed", args, bug)
    assert fold_requests(app.store.iter_events(key))[asked.request_id].state == "used"
    app.close()
