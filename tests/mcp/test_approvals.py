"""Approval requests: asked once, decided by a person, spent once, denials stand."""

from __future__ import annotations

import pytest

from stanch.errors import GuardRefused, InvalidInput, NotFound
from stanch.model.approvals import APPROVAL_DENIED, needs_approval
from stanch.services import approvals, incidents
from stanch.services.context import App

RULES = ("status:resolved", "signal")


def test_rules_match_action_family_or_everything() -> None:
    assert needs_approval(RULES, "status:resolved")
    assert not needs_approval(RULES, "status:mitigating")
    assert needs_approval(("status",), "status:mitigating")
    assert needs_approval(("*",), "log")
    assert not needs_approval((), "signal")


def test_deny_then_ask_again_then_grant_once(any_app: App) -> None:
    key = incidents.declare(any_app, "Login fails", severity="SEV3").incident.id

    def ask() -> str | None:
        return approvals.gate(any_app, key, rules=RULES, tool="signal_set", action="signal",
                              args={"expr": "up"}, actor="agent:x")  # fmt: skip

    request = ask()
    assert request is not None
    with pytest.raises(NotFound):
        approvals.answer(any_app, key, "req-nope", grant=True, actor="alice")
    with pytest.raises(GuardRefused, match="cannot approve it too"):
        approvals.answer(any_app, key, request, grant=True, actor="agent:x")
    approvals.answer(any_app, key, request, grant=False, reason="threshold too lax", actor="alice")
    with pytest.raises(InvalidInput, match="already denied"):
        approvals.answer(any_app, key, request, grant=True, actor="alice")
    assert approvals.pending(any_app, key)[1] == []
    assert ask() == request  # asking again after a denial opens a new request
    assert [r.id for r in approvals.pending(any_app, key)[1]] == [request]
    approvals.answer(any_app, key, request, grant=True, actor="alice")
    assert ask() is None  # granted: this call goes ahead, and spends it
    assert ask() == request  # the next identical call must be approved again
    events = list(any_app.store.iter_events(key))
    assert sum(e.kind == APPROVAL_DENIED for e in events) == 1
    assert "alice denied signal" in any_app.files.path(key).read_text()
