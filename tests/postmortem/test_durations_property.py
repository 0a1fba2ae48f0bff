"""Durations are consistent for any valid event order (Hypothesis)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from stanch.model import decide, kinds
from stanch.model.events import GENESIS, Event, NewEvent, sequence
from stanch.model.fold import apply, fold
from stanch.model.incident import Impact, Incident
from stanch.model.postmortem import durations, milestones
from stanch.model.severity import Severity
from stanch.model.status import ALLOWED, Status
from tests.conftest import T0

AUX = (kinds.PAGE_ACKNOWLEDGED, kinds.LEVER_APPLIED, kinds.MITIGATION_CONFIRMED, kinds.PAGE_SENT)


def _sequenced(news: list[NewEvent]) -> list[Event]:
    out: list[Event] = []
    for new in news:
        out.append(sequence("inc", new, len(out) + 1, out[-1].chain if out else GENESIS))
    return out


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[NewEvent], list[NewEvent]]:
    """(core events in their only valid order, auxiliary events that may come in any order)."""
    to_detect = draw(st.integers(0, 7200))
    to_declare = draw(st.integers(0, 7200))
    declaration = decide.Declaration(
        "symptom", Severity.SEV2, Impact(), "s", "c",
        onset_at=T0 - timedelta(seconds=to_detect + to_declare),
        detected_at=T0 - timedelta(seconds=to_declare),
    )  # fmt: skip
    core = [decide.declare(declaration, "a", T0, T0)]
    state: Incident | None = None
    for event in _sequenced(core):
        state = apply(state, event)
    assert state is not None
    moment = T0
    moves = draw(st.lists(st.tuples(st.integers(0, 3600), st.integers(0, 9)), max_size=20))
    for gap, pick in moves:
        allowed = [s for s in ALLOWED[state.status] if s is not Status.CLOSED]
        moment += timedelta(seconds=gap)
        new = decide.change_status(state, allowed[pick % len(allowed)], "", "a", moment, moment)
        core.append(new)
        state = fold(_sequenced(core))
    # Pages, levers and confirmations happen after onset, maybe before the declaration.
    onset = declaration.onset_at
    assert onset is not None
    aux = [
        NewEvent(kind, "b", onset + timedelta(seconds=offset), T0, {"dry_run": dry})
        for kind, offset, dry in draw(st.lists(
            st.tuples(st.sampled_from(AUX), st.integers(0, 30000), st.booleans()), max_size=8
        ))
    ]  # fmt: skip
    return core, aux


@st.composite
def interleaved(draw: st.DrawFn) -> tuple[list[Event], list[Event]]:
    """The same history recorded in two different valid orders."""
    core, aux = draw(histories())
    orders = []
    for _ in range(2):
        shuffled = draw(st.permutations(aux))
        cuts = sorted(
            draw(st.lists(st.integers(1, len(core)), min_size=len(aux), max_size=len(aux)))
        )
        merged: list[NewEvent] = []
        rest = list(shuffled)
        for index, event in enumerate(core):
            merged.append(event)
            while rest and cuts[len(aux) - len(rest)] == index + 1:
                merged.append(rest.pop(0))
        orders.append(_sequenced(merged + rest))
    return orders[0], orders[1]


@settings(max_examples=120, deadline=None)
@given(interleaved())
def test_durations_are_consistent_for_any_valid_order(
    pair: tuple[list[Event], list[Event]],
) -> None:
    first, second = pair
    marks = [milestones(fold(events), events) for events in (first, second)]
    assert marks[0] == marks[1]  # recording order does not change any milestone
    d = durations(marks[0])
    assert d == durations(marks[1])
    state = fold(first)
    assert d.to_detect >= timedelta(0) and d.to_declare >= timedelta(0)
    assert d.to_detect + d.to_declare == state.declared_at - state.onset_at
    if d.to_acknowledge is not None:
        assert d.to_acknowledge >= timedelta(0)
    if d.to_mitigate is not None:
        assert d.to_mitigate >= timedelta(0)
    if d.to_resolve is not None:
        # resolution is never measured without a mitigation before it
        assert d.to_mitigate is not None and d.to_mitigate <= d.to_resolve
        assert d.mitigated_to_resolved == d.to_resolve - d.to_mitigate
    confirmed = [e for e in first if e.kind == kinds.MITIGATION_CONFIRMED]
    entered = state.entered.get("mitigated")
    assert (d.to_mitigate is None) == (not confirmed and entered is None)
    real_levers = [e for e in first if e.kind == kinds.LEVER_APPLIED and not e.data["dry_run"]]
    assert marks[0].levers_tried == len(real_levers)
    if real_levers:
        assert d.to_first_lever is not None and d.to_first_lever >= timedelta(0)
        assert d.to_first_lever == min(e.occurred_at for e in real_levers) - state.onset_at
