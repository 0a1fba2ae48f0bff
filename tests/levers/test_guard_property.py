"""Property: no sequence of CLI calls gets a lever applied without a verified rollback,
two unconfirmed levers applied at once, or a destructive lever applied without a second
confirmation. Checked from the recorded events, independently of the guard's code."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from stanch.model import kinds
from stanch.services.context import App
from tests.levers.conftest import KUBE_STATE, Kube
from tests.support.cli import cli

LEVERS = {
    "rollback:deployment:checkout@shop": False,
    "rollback:deployment:lonely@shop": False,  # its viability check fails
    "scale:hpa:search@shop": False,
    "failover:drain:node-1": True,  # destructive
}
OPS = st.tuples(
    st.sampled_from(["plan", "plan+apply", "plan+apply-typed", "plan+apply-mistyped", "apply",
                     "approve-self", "approve-other", "undo", "confirm"]),
    st.sampled_from(sorted(LEVERS)),
)  # fmt: skip
_counter = itertools.count()


def _args(op: str, lever: str, incident: str) -> list[str]:
    return {
        "plan": [incident, lever],
        "apply": [incident, lever, "--apply"],
        "apply-typed": [incident, lever, "--apply", "--confirm-destructive", "--typed",
                        "node/node-1"],
        "apply-mistyped": [incident, lever, "--apply", "--confirm-destructive", "--typed",
                           "node-1"],
        "approve-self": [incident, lever, "--approve"],
        "approve-other": [incident, lever, "--approve", "--actor", "bob"],
        "undo": [incident, lever, "--undo"],
        "confirm": [incident, lever, "--confirmed", "error rate back to baseline"],
    }[op]  # fmt: skip


def _check_apply(events: list[Any], applied: Any, op: str) -> None:
    lever = applied.data["lever"]
    plans = [e for e in events if e.kind == kinds.LEVER_PLANNED and e.data["lever"] == lever]
    assert plans, "applied without a plan"
    plan = plans[-1].data
    assert plan["viable"] is True and plan["rollback"], "applied without a verified rollback"
    active: dict[str, bool] = {}
    for e in events:
        name = e.data.get("lever")
        if e.kind == kinds.LEVER_APPLIED:
            active[name] = False
        elif e.kind == kinds.LEVER_UNDONE:
            active.pop(name, None)
        elif e.kind == kinds.MITIGATION_CONFIRMED and name in active:
            active[name] = True
    assert all(active.values()), f"applied while {active} was unconfirmed"
    if LEVERS[lever]:
        last = max((e.seq for e in events if e.kind == kinds.LEVER_APPLIED
                    and e.data["lever"] == lever), default=0)  # fmt: skip
        approvers = {e.data["by"] for e in events if e.kind == "lever.approved"
                     and e.data["lever"] == lever and e.seq > last} - {"tester"}  # fmt: skip
        assert approvers or op == "apply-typed", "destructive without a second confirmation"


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(OPS, min_size=1, max_size=6))
@example(ops=[("plan+apply", "failover:drain:node-1")])
@example(
    ops=[
        ("approve-self", "failover:drain:node-1"),
        ("plan+apply-mistyped", "failover:drain:node-1"),
    ]
)
@example(
    ops=[
        ("plan+apply", "rollback:deployment:checkout@shop"),
        ("plan+apply", "scale:hpa:search@shop"),
    ]
)
@example(
    ops=[("plan+apply", "rollback:deployment:lonely@shop"), ("apply", "scale:hpa:search@shop")]
)
def test_no_sequence_breaks_the_guard(
    capsys: pytest.CaptureFixture[str], lapp: App, kube: Kube, ops: list[tuple[str, str]]
) -> None:
    kube.state_file.write_text(json.dumps(KUBE_STATE))
    ran = cli(capsys, lapp, "declare", "Errors", "--severity", "SEV2", "--slug",
              f"p{next(_counter)}", "--json")  # fmt: skip
    incident = ran.json()["id"]
    for step, lever in ops:
        calls = ["plan", step.split("+")[1]] if step.startswith("plan+") else [step]
        for op in calls:
            before = lapp.store.events(incident)
            result = cli(capsys, lapp, "mitigate", *_args(op, lever, incident))
            assert result.code in (0, 1), result.err
            assert "Traceback" not in result.err
            after = lapp.store.events(incident)
            for applied in (e for e in after[len(before) :] if e.kind == kinds.LEVER_APPLIED):
                _check_apply(before, applied, op)
