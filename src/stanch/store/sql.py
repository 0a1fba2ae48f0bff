"""One SQLAlchemy Core store for SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, func, insert, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from stanch.errors import Conflict, InvalidInput, NotFound
from stanch.model.clock import from_iso, iso
from stanch.model.events import GENESIS, Event, NewEvent, next_chain, sequence
from stanch.model.fold import apply
from stanch.model.incident import Incident
from stanch.store import migrate
from stanch.store.base import Decide
from stanch.store.engine import WRITE, make_engine, translated
from stanch.store.schema import events as ev
from stanch.store.schema import incidents as inc

MAX_SUFFIX = 1000
Within = Callable[[Connection], object]
# One append of a batch: the incident, its decision (None: write nothing), rows of its own.
Batched = tuple[str, Callable[[Incident], NewEvent | None], Within | None]


class SqlStore:
    """Events in one table, the folded state per incident in another, one transaction."""

    def __init__(self, url: str, *, lock_dir: Path | None = None) -> None:
        self.url = url
        with translated(url):
            self.engine: Engine = make_engine(url)
            migrate.upgrade(self.engine, lock_dir)

    # -- writing ---------------------------------------------------------------------------

    def _write(self) -> Connection:
        return self.engine.connect().execution_options(**{WRITE: True})

    def create(self, base_id: str, make: Callable[[str], NewEvent]) -> tuple[Event, Incident]:
        with translated(self.url):
            for suffix in range(1, MAX_SUFFIX):
                candidate = base_id if suffix == 1 else f"{base_id}-{suffix}"
                try:
                    with self._write() as conn, conn.begin():
                        if self._exists(conn, candidate):
                            continue
                        event = sequence(candidate, make(candidate), 1, GENESIS)
                        state = apply(None, event)
                        self._insert_event(conn, event)
                        conn.execute(insert(inc).values(**self._row(state, event.chain)))
                        return event, state
                except IntegrityError:
                    continue  # another writer took this id a moment ago
        raise Conflict(f"more than {MAX_SUFFIX} incidents named {base_id}")

    def append(self, incident_id: str, decide: Decide) -> tuple[Event, Incident]:
        return self.append_within(incident_id, decide, None)

    def append_within(
        self, incident_id: str, decide: Decide, within: Within | None
    ) -> tuple[Event, Incident]:
        """Append; `within` first writes rows of its own in the same transaction, kept only
        if the event is (an alert's dedup key goes with the alert)."""
        with translated(self.url), self._write() as conn, conn.begin():
            row = self._locked_row(conn, incident_id)
            if within is not None:
                within(conn)
            state = Incident.from_dict(json.loads(row.state))
            event = sequence(incident_id, decide(state), row.last_seq + 1, row.chain)
            new_state = apply(state, event)
            self._insert_event(conn, event)
            conn.execute(
                update(inc)
                .where(inc.c.id == incident_id)
                .values(**self._row(new_state, event.chain))
            )
            return event, new_state

    def append_many(self, items: Sequence[Batched]) -> list[tuple[Event, Incident] | None]:
        """Append to one or more incidents in ONE transaction: one durable commit for all.

        Each item runs its `within`, then decides on its incident's state as the earlier
        items of the batch left it; a decision of None writes no event for that item (its
        `within` must then have written nothing). Rows are locked in id order, so two
        batches never deadlock; if any item fails, nothing of the batch is kept.
        """
        with translated(self.url), self._write() as conn, conn.begin():
            current: dict[str, tuple[Incident, int, str]] = {}
            for key in sorted({item[0] for item in items}):
                row = self._locked_row(conn, key)
                state = Incident.from_dict(json.loads(row.state))
                current[key] = (state, int(row.last_seq), str(row.chain))
            out: list[tuple[Event, Incident] | None] = []
            touched: set[str] = set()
            for incident_id, decide, within in items:
                if within is not None:
                    within(conn)
                state, last_seq, chain = current[incident_id]
                new = decide(state)
                if new is None:
                    out.append(None)
                    continue
                event = sequence(incident_id, new, last_seq + 1, chain)
                state = apply(state, event)
                self._insert_event(conn, event)
                current[incident_id] = (state, event.seq, event.chain)
                touched.add(incident_id)
                out.append((event, state))
            for key in sorted(touched):
                state, _, chain = current[key]
                conn.execute(update(inc).where(inc.c.id == key).values(**self._row(state, chain)))
            return out

    def load(self, incident_id: str, events: Sequence[Event]) -> Incident:
        """Import a verified history; an incident already stored may only be extended."""
        if not events:
            raise InvalidInput(f"{incident_id}: no events to import")
        with translated(self.url), self._write() as conn, conn.begin():
            query = select(inc.c.state, inc.c.last_seq, inc.c.chain).where(inc.c.id == incident_id)
            if self.engine.dialect.name == "postgresql":
                query = query.with_for_update()
            row = conn.execute(query).first()
            sealed = _rechained(events)
            state: Incident | None = None
            known = 0
            if row is not None:
                state = Incident.from_dict(json.loads(row.state))
                known = int(row.last_seq)
                if len(sealed) < known or sealed[known - 1].chain != row.chain:
                    raise Conflict(
                        f"incident {incident_id} in the store has a different history "
                        "than the file; refusing to merge"
                    )
            for event in sealed[known:]:
                state = apply(state, event)
                self._insert_event(conn, event)
            chain = sealed[-1].chain
            assert state is not None
            if row is None:
                conn.execute(insert(inc).values(**self._row(state, chain)))
            elif len(events) > known:
                conn.execute(
                    update(inc).where(inc.c.id == incident_id).values(**self._row(state, chain))
                )
            return state

    def _locked_row(self, conn: Connection, incident_id: str) -> Any:
        query = select(inc.c.state, inc.c.last_seq, inc.c.chain).where(inc.c.id == incident_id)
        if self.engine.dialect.name == "postgresql":
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            raise NotFound(f"no incident {incident_id!r}")
        return row

    @staticmethod
    def _exists(conn: Connection, incident_id: str) -> bool:
        return conn.execute(select(inc.c.id).where(inc.c.id == incident_id)).first() is not None

    @staticmethod
    def _insert_event(conn: Connection, event: Event) -> None:
        conn.execute(
            insert(ev).values(
                incident_id=event.incident_id,
                seq=event.seq,
                kind=event.kind,
                actor=event.actor,
                occurred_at=iso(event.occurred_at),
                recorded_at=iso(event.recorded_at),
                data=json.dumps(event.data, sort_keys=True, ensure_ascii=False),
                chain=event.chain,
            )
        )

    @staticmethod
    def _row(state: Incident, chain: str) -> dict[str, Any]:
        return {
            "id": state.id,
            "status": state.status.value,
            "severity": int(state.severity),
            "declared_at": iso(state.declared_at),
            "last_seq": state.last_seq,
            "chain": chain,
            "state": json.dumps(state.to_dict(), sort_keys=True, ensure_ascii=False),
        }

    # -- reading ---------------------------------------------------------------------------

    def state(self, incident_id: str) -> Incident:
        with translated(self.url), self.engine.connect() as conn:
            row = conn.execute(select(inc.c.state).where(inc.c.id == incident_id)).first()
        if row is None:
            raise NotFound(f"no incident {incident_id!r}")
        return Incident.from_dict(json.loads(row.state))

    def chain(self, incident_id: str) -> tuple[int, str]:
        """(last sequence number, chain hash after it)."""
        with translated(self.url), self.engine.connect() as conn:
            row = conn.execute(
                select(inc.c.last_seq, inc.c.chain).where(inc.c.id == incident_id)
            ).first()
        if row is None:
            raise NotFound(f"no incident {incident_id!r}")
        return int(row.last_seq), str(row.chain)

    def events(self, incident_id: str, after_seq: int = 0) -> list[Event]:
        return list(self.iter_events(incident_id, after_seq=after_seq))

    def iter_events(
        self, incident_id: str, batch: int = 1000, after_seq: int = 0
    ) -> Iterator[Event]:
        last = after_seq
        while True:
            with translated(self.url), self.engine.connect() as conn:
                rows = conn.execute(
                    select(ev)
                    .where(and_(ev.c.incident_id == incident_id, ev.c.seq > last))
                    .order_by(ev.c.seq)
                    .limit(batch)
                ).all()
            for row in rows:
                yield _event(row)
            if len(rows) < batch:
                return
            last = rows[-1].seq

    def incidents(self, *, open_only: bool = False) -> list[Incident]:
        query = select(inc.c.state).order_by(inc.c.declared_at.desc(), inc.c.id.desc())
        if open_only:
            query = query.where(inc.c.status.notin_(("resolved", "closed")))
        with translated(self.url), self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [Incident.from_dict(json.loads(r.state)) for r in rows]

    def ids(self) -> list[str]:
        with translated(self.url), self.engine.connect() as conn:
            return [str(r[0]) for r in conn.execute(select(inc.c.id).order_by(inc.c.id))]

    def count_events(self, incident_id: str) -> int:
        with translated(self.url), self.engine.connect() as conn:
            value = conn.execute(
                select(func.count()).select_from(ev).where(ev.c.incident_id == incident_id)
            ).scalar_one()
        return int(value)

    def close(self) -> None:
        self.engine.dispose()


def _rechained(events: Sequence[Event]) -> list[Event]:
    """Recompute the chain from the events' content; their own chain fields are not trusted."""
    chain = GENESIS
    out: list[Event] = []
    for expected, event in enumerate(events, start=1):
        if event.seq != expected:
            raise InvalidInput(f"{event.incident_id}: event {expected} is missing")
        chain = next_chain(chain, event.to_record())
        out.append(replace(event, chain=chain))
    return out


def _event(row: Row[Any]) -> Event:
    return Event(
        incident_id=row.incident_id,
        seq=int(row.seq),
        kind=row.kind,
        actor=row.actor,
        occurred_at=from_iso(row.occurred_at),
        recorded_at=from_iso(row.recorded_at),
        data=json.loads(row.data),
        chain=row.chain,
    )
