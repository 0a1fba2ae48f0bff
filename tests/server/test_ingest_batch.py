"""A notification is recorded in one transaction: each alert once, files that verify.

The store's batch append is checked on SQLite and on the PostgreSQL the tests start:
several incidents in one transaction, all or nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.engine import Connection

from stanch.errors import InvalidInput
from stanch.model import decide
from stanch.model.alerts import ALERT_FIRED, ALERT_RESOLVED, parse_notification
from stanch.model.events import Event, NewEvent
from stanch.model.incident import Incident
from stanch.server.config import ServerConfig
from stanch.services import alerts, incidents
from stanch.services.context import App
from stanch.store.sql import SqlStore
from tests.conftest import T0
from tests.server.conftest import Server
from tests.server.test_alerts import alert, notification, post
from tests.support.cli import Ran, cli


def fingerprints(s: Server, kind: str) -> Counter[str]:
    store = s.app.store
    return Counter(
        a["fingerprint"]
        for key in store.ids()
        for e in store.events(key)
        if e.kind == kind
        for a in e.data["alerts"]
    )


def verify_all(capsys: pytest.CaptureFixture[str], app: App) -> list[Ran]:
    return [cli(capsys, app, "verify", key) for key in app.store.ids()]


def test_a_notification_of_many_groups_records_each_alert_once(
    any_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    s = any_server
    first = post(s, notification(alert(name="A0", fingerprint="0" * 16)))
    [a0] = first["opened"]
    # 12 alerts in 4 groups: A0 attaches to its open incident, A1..A3 open one each.
    body = notification(*(alert(name=f"A{n % 4}", fingerprint=f"{n + 1:016x}") for n in range(12)))
    done = post(s, body)
    assert len(done["opened"]) == 3 and a0 not in done["opened"]
    assert sorted(done["attached"].values()) == [3, 3, 3, 3]
    assert done["duplicates"] == 0 and done["attached"][a0] == 3
    fired = fingerprints(s, ALERT_FIRED)
    assert len(fired) == 13 and set(fired.values()) == {1}
    for key in s.app.store.ids():  # one event per group, not one per alert
        assert [e.kind for e in s.app.store.events(key)].count(ALERT_FIRED) == (
            2 if key == a0 else 1
        )
    assert [ran.code for ran in verify_all(capsys, s.app)] == [0, 0, 0, 0]
    again = post(s, body)  # the whole notification repeated: nothing new
    assert again == {"opened": [], "attached": {}, "duplicates": 12, "unmatched_resolved": 0}
    assert fingerprints(s, ALERT_FIRED) == fired


def test_firing_and_resolved_of_one_group_land_in_order_on_one_incident(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    s = server
    [key] = post(s, notification(alert(fingerprint="1" * 16)))["opened"]
    body = notification(
        alert(fingerprint="1" * 16, status="resolved"),
        alert(fingerprint="2" * 16),
        alert(fingerprint="1" * 16),  # a repeat inside the same notification
        alert(service="search", status="resolved", fingerprint="3" * 16),
    )
    done = post(s, body)
    assert done == {"opened": [], "attached": {key: 2}, "duplicates": 1, "unmatched_resolved": 1}
    events = s.app.store.events(key)
    assert [e.kind for e in events][-2:] == [ALERT_FIRED, ALERT_RESOLVED]
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[-1].data["alerts"][0]["fingerprint"] == "1" * 16
    assert [ran.code for ran in verify_all(capsys, s.app)] == [0]


def test_repeats_split_across_notifications_are_dropped(server: Server) -> None:
    s = server
    alerts_ = [alert(name=f"B{n % 3}", fingerprint=f"{n:016x}") for n in range(9)]
    first = post(s, notification(*alerts_[:5]))
    second = post(s, notification(*alerts_[3:]))  # two of these were in the first
    assert first["duplicates"] == 0 and second["duplicates"] == 2
    assert sum(second["attached"].values()) == 4
    fired = fingerprints(s, ALERT_FIRED)
    assert len(fired) == 9 and set(fired.values()) == {1}


def _two_incidents(app: App) -> tuple[str, str]:
    one = incidents.declare(app, "checkout errors", severity="SEV2").incident.id
    two = incidents.declare(app, "search slow", severity="SEV3").incident.id
    return one, two


def _note(app: App, text: str) -> Callable[[Incident], NewEvent]:
    def decision(state: Incident) -> NewEvent:
        now = app.clock()
        return decide.note(state, text, "tester", now, now)

    return decision


def test_append_many_is_one_transaction_over_several_incidents(any_app: App) -> None:
    app = any_app
    one, two = _two_incidents(app)
    done = app.store.append_many(
        [
            (one, _note(app, "first"), None),
            (two, lambda _state: None, None),  # writes nothing
            (two, _note(app, "second"), None),
            (one, _note(app, "third"), None),
        ]
    )
    assert done[1] is None
    seqs = [(pair[0].incident_id, pair[0].seq) for pair in done if pair is not None]
    assert seqs == [(one, 2), (two, 2), (one, 3)]
    assert app.store.state(one).last_seq == 3 and app.store.state(two).last_seq == 2
    assert app.store.chain(one)[1] == app.store.events(one)[-1].chain


def test_append_many_keeps_nothing_when_one_item_fails(any_app: App) -> None:
    app = any_app
    one, two = _two_incidents(app)

    def refuse(_state: Incident) -> NewEvent:
        raise InvalidInput("refused")

    with pytest.raises(InvalidInput):
        app.store.append_many([(one, _note(app, "kept?"), None), (two, refuse, None)])
    assert len(app.store.events(one)) == 1 and len(app.store.events(two)) == 1
    assert app.store.state(one).last_seq == 1


def test_a_file_that_cannot_be_written_does_not_stop_the_others(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    s = server
    [one] = post(s, notification(alert(name="C1", fingerprint="1" * 16)))["opened"]
    [two] = post(s, notification(alert(name="C2", fingerprint="2" * 16)))["opened"]
    blocked = s.app.files.path(one)
    blocked.unlink()
    blocked.mkdir()  # the file's place is taken: it cannot be written
    body = notification(
        alert(name="C1", fingerprint="3" * 16), alert(name="C2", fingerprint="4" * 16)
    )
    refused = s.client.post("/api/alerts/alertmanager", json=body, headers=s.auth(s.responder))
    assert refused.status_code >= 500 and "stanch regenerate" in refused.json()["error"]
    assert "Traceback" not in refused.text
    assert cli(capsys, s.app, "verify", two).code == 0  # the other file got its event
    blocked.rmdir()
    assert cli(capsys, s.app, "regenerate", one).code == 0
    assert [ran.code for ran in verify_all(capsys, s.app)] == [0, 0]
    fired = fingerprints(s, ALERT_FIRED)  # recorded in the store before the files
    assert len(fired) == 4 and set(fired.values()) == {1}
    assert post(s, body)["duplicates"] == 2  # the sender's retry records nothing twice


def test_concurrent_notifications_in_one_process(app: App) -> None:
    """Openings and recordings overlap across request threads: one incident per group,
    every alert once, every file current."""
    bodies = [
        notification(
            *(alert(name=f"D{(n + k) % 4}", fingerprint=f"{n:04x}{k:012x}") for k in range(4))
        )
        for n in range(12)
    ]
    notes = [parse_notification(body, T0) for body in bodies * 2]  # each sent twice
    app.store.ids()  # open the store once, before the threads share it (as `serve` does)
    with ThreadPoolExecutor(6) as pool:
        done = list(pool.map(lambda note: alerts.ingest(app, ServerConfig(), note, "am"), notes))
    assert len(app.store.ids()) == 4
    assert sum(len(d.opened) for d in done) == 4
    assert sum(d.duplicates for d in done) == 48
    recorded = Counter(
        a["fingerprint"]
        for key in app.store.ids()
        for e in app.store.events(key)
        if e.kind == ALERT_FIRED
        for a in e.data["alerts"]
    )
    assert len(recorded) == 48 and set(recorded.values()) == {1}
    for key in app.store.ids():
        assert app.files.verify(key, app.source(key)).ok


def test_a_notification_is_recorded_all_or_nothing(
    any_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = any_server
    [one] = post(s, notification(alert(name="E1", fingerprint="1" * 16)))["opened"]
    [two] = post(s, notification(alert(name="E2", fingerprint="2" * 16)))["opened"]
    insert = SqlStore._insert_event

    def failing(conn: Connection, event: Event) -> None:
        if event.incident_id == two and event.kind == ALERT_FIRED:
            raise OSError(28, "No space left on device")
        insert(conn, event)

    monkeypatch.setattr(SqlStore, "_insert_event", staticmethod(failing))
    body = notification(
        alert(name="E1", fingerprint="3" * 16), alert(name="E2", fingerprint="4" * 16)
    )
    refused = s.client.post("/api/alerts/alertmanager", json=body, headers=s.auth(s.responder))
    assert refused.status_code >= 500 and "Traceback" not in refused.text
    assert fingerprints(s, ALERT_FIRED) == Counter({"1" * 16: 1, "2" * 16: 1})  # E1's too
    monkeypatch.setattr(SqlStore, "_insert_event", staticmethod(insert))
    assert post(s, body)["attached"] == {one: 1, two: 1}  # the retry records both
    assert set(fingerprints(s, ALERT_FIRED).values()) == {1}
