"""Pure rules: ranking and the guard's extension points."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stanch.model import kinds
from stanch.model.events import Event
from stanch.model.lever_guard import DESTRUCTIVE_BY_TYPE, ApplyRequest, book, refusals
from stanch.model.levers import Action, Change, Lever, mark_recent, rank

T = datetime(2026, 11, 22, 10, tzinfo=UTC)

LEVERS = st.builds(
    lambda i, kind, eta, destructive, reversible: Lever(
        id=f"l{i}",
        kind=kind,
        target=f"t{i}",
        command=Action(("true",)),
        rollback=Action(("true",)),
        eta_s=eta,
        destructive=destructive,
        reversible=reversible,
        source=f"deploy/{i}.yaml",
    ),
    st.integers(0, 50),
    st.sampled_from(["rollback", "flag_off", "scale", "failover"]),
    st.integers(1, 900),
    st.booleans(),
    st.booleans(),
)


@given(st.lists(LEVERS, min_size=1, max_size=12, unique_by=lambda lv: lv.id))
def test_destructive_or_irreversible_never_first_when_a_safe_one_exists(
    levers: list[Lever],
) -> None:
    ranked = rank(levers)
    assert [lv.rank for lv in ranked] == list(range(1, len(levers) + 1))
    if any(lv.safe for lv in levers):
        assert ranked[0].safe
        fastest = min(lv.eta_s for lv in levers if lv.safe)
        assert ranked[0].eta_s == fastest
    safe_seen_after_unsafe = False
    for earlier, later in itertools.pairwise(ranked):
        safe_seen_after_unsafe |= not earlier.safe and later.safe
    assert not safe_seen_after_unsafe


def test_recent_change_ranks_its_reversal_first() -> None:
    slow = Lever("a", "rollback", "a", Action(("x",)), Action(("y",)), eta_s=300, source="a.yaml")
    fast = Lever("b", "flag_off", "b", Action(("x",)), Action(("y",)), eta_s=5, source="b.json")
    changes = [Change(T - timedelta(minutes=20), "c0ffee", "release", ("a.yaml",))]
    ranked = rank(mark_recent([slow, fast], changes, T, timedelta(hours=1)))
    assert [lv.id for lv in ranked] == ["a", "b"] and "c0ffee" in ranked[0].reason
    stale = [Change(T - timedelta(hours=3), "c0ffee", "release", ("a.yaml",))]
    assert rank(mark_recent([slow, fast], stale, T, timedelta(hours=1)))[0].id == "b"


def _event(seq: int, kind: str, data: dict[str, Any]) -> Event:
    return Event("inc", seq, kind, "tester", T, T, data)


def test_incident_type_can_make_a_lever_destructive(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = {"lever": "rollback:x", "target": "deployment/x", "rollback": ["true"],
            "viable": True, "destructive": False, "reversible": True, "kind": "rollback"}  # fmt: skip
    history = [_event(1, kinds.LEVER_PLANNED, plan)]
    request = ApplyRequest("rollback:x", "tester")
    assert refusals(request, book(history)) == []
    monkeypatch.setitem(DESTRUCTIVE_BY_TYPE, "data-integrity", lambda p: p["kind"] == "rollback")
    typed = [*history, _event(2, kinds.TYPE_CHANGED, {"type": "data-integrity"})]
    (reason,) = refusals(request, book(typed))
    assert "destructive" in reason
    assert refusals(ApplyRequest("rollback:x", "tester", True, "deployment/x"), book(typed)) == []


def test_confirmation_and_undo_free_the_slot() -> None:
    plan = {"target": "t", "rollback": ["true"], "viable": True}
    history = [
        _event(1, kinds.LEVER_PLANNED, {**plan, "lever": "a"}),
        _event(2, kinds.LEVER_PLANNED, {**plan, "lever": "b"}),
        _event(3, kinds.LEVER_APPLIED, {"lever": "a", "dry_run": False}),
    ]
    assert refusals(ApplyRequest("b", "tester"), book(history))
    confirmed = [*history, _event(4, kinds.MITIGATION_CONFIRMED, {"lever": "a"})]
    assert refusals(ApplyRequest("b", "tester"), book(confirmed)) == []
    undone = [*history, _event(4, kinds.LEVER_UNDONE, {"lever": "a"})]
    assert refusals(ApplyRequest("b", "tester"), book(undone)) == []
