"""The store on SQLite and on a real PostgreSQL: order, chain, migrations, imports."""

from __future__ import annotations

from dataclasses import replace

import pytest

from stanch.errors import Conflict, NotFound
from stanch.model.events import GENESIS, next_chain
from stanch.services import incidents
from stanch.services.context import App
from stanch.store.migrate import alembic_heads, current_revisions
from stanch.store.schema import SCHEMA_HEADS


def test_schema_head_is_alembics_head(any_app: App) -> None:
    assert alembic_heads() == SCHEMA_HEADS
    assert current_revisions(any_app.store.engine) == SCHEMA_HEADS


def test_events_are_ordered_and_chained(any_app: App) -> None:
    done = incidents.declare(any_app, "Login fails", severity="SEV2")
    for number in range(20):
        incidents.log(any_app, None, f"note {number}")
    events = any_app.store.events(done.incident.id)
    assert [e.seq for e in events] == list(range(1, 22))
    chain = GENESIS
    for event in events:
        chain = next_chain(chain, event.to_record())
        assert event.chain == chain
    assert any_app.store.chain(done.incident.id) == (21, chain)
    assert [e.seq for e in any_app.store.iter_events(done.incident.id, batch=4)] == list(
        range(1, 22)
    )
    assert any_app.store.events(done.incident.id, after_seq=19)[0].seq == 20


def test_refused_decision_writes_nothing(any_app: App) -> None:
    done = incidents.declare(any_app, "Login fails", severity="SEV2")

    def refuse(_: object) -> object:
        raise Conflict("no")

    with pytest.raises(Conflict):
        any_app.store.append(done.incident.id, refuse)  # type: ignore[arg-type]
    assert any_app.store.count_events(done.incident.id) == 1
    with pytest.raises(NotFound):
        any_app.store.state("2026-01-01-nothing")


def test_load_refuses_a_gap_and_a_fork(any_app: App) -> None:
    done = incidents.declare(any_app, "Login fails", severity="SEV2")
    incidents.log(any_app, None, "one")
    events = any_app.store.events(done.incident.id)
    forked = [events[0], replace(events[1], data={"text": "other"})]
    with pytest.raises(Conflict, match="different history"):
        any_app.store.load(done.incident.id, forked)
    assert any_app.store.load(done.incident.id, events) == any_app.store.state(done.incident.id)


def test_list_newest_first_and_open_filter(any_app: App) -> None:
    first = incidents.declare(any_app, "A broke", severity="SEV3", at="10 min ago").incident.id
    second = incidents.declare(any_app, "B broke", severity="SEV3").incident.id
    incidents.set_status(any_app, first, "mitigated")
    incidents.set_status(any_app, first, "monitoring")
    incidents.set_status(any_app, first, "resolved")
    assert [i.id for i in any_app.store.incidents()] == [second, first]
    assert [i.id for i in any_app.store.incidents(open_only=True)] == [second]
