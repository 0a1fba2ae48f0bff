"""A crash mid-ingest loses no alert: its dedup key counts as seen only once it is recorded.

A child process ingests an alert and dies (os._exit, no clean-up runs) at the moment its
event is being written; the sender then retries through the HTTP API, on SQLite and on
the PostgreSQL the tests start. The alert must be on the incident exactly once.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy.engine import Connection

from stanch.model.alerts import ALERT_FIRED
from stanch.model.events import Event
from stanch.store.sql import SqlStore
from tests.server.conftest import Server
from tests.server.test_alerts import alert, notification, post

CRASH = 86

CHILD = textwrap.dedent(
    """
    import json, os, sys
    from pathlib import Path
    from stanch.model.alerts import parse_notification
    from stanch.server.config import load_server_config
    from stanch.services import alerts
    from stanch.services.context import App
    from stanch.settings import load_settings
    from stanch.store.sql import SqlStore

    insert = SqlStore._insert_event

    def dying(conn, event):
        if event.kind == "alert.fired":
            os._exit({crash})  # the process dies here: nothing after runs
        insert(conn, event)

    root, url, body = sys.argv[1], sys.argv[2], sys.argv[3]
    app = App(load_settings(cwd=Path(root), env={{"STANCH_DATABASE_URL": url}}))
    SqlStore._insert_event = staticmethod(dying)
    note = parse_notification(json.loads(body), app.clock())
    alerts.ingest(app, load_server_config(app.settings.raw), note, "alertmanager")
    """
).format(crash=CRASH)


def test_an_alert_whose_ingest_crashed_is_recorded_once_on_retry(any_server: Server) -> None:
    s = any_server
    opened = post(s, notification(alert(fingerprint="1" * 16)))["opened"]  # the group's incident
    [key] = opened
    body = notification(alert(fingerprint="2" * 16))
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(s.app.settings.root), s.app.settings.database_url,
         json.dumps(body)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert child.returncode == CRASH, child.stderr
    fired = [e for e in s.app.store.events(key) if e.kind == ALERT_FIRED]
    assert len(fired) == 1  # the crash recorded nothing
    retry = post(s, body)  # Alertmanager sends it again
    assert retry["attached"] == {key: 1} and retry["duplicates"] == 0
    fired = [e for e in s.app.store.events(key) if e.kind == ALERT_FIRED]
    assert [e.data["alerts"][0]["fingerprint"] for e in fired] == ["1" * 16, "2" * 16]
    again = post(s, body)  # and once more: now it is a duplicate
    assert again["duplicates"] == 1 and again["attached"] == {}


def test_a_failed_write_marks_nothing_seen(
    any_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = any_server
    [key] = post(s, notification(alert(fingerprint="1" * 16)))["opened"]
    insert = SqlStore._insert_event

    def failing(conn: Connection, event: Event) -> None:
        if event.kind == ALERT_FIRED:
            raise OSError(28, "No space left on device")
        insert(conn, event)

    monkeypatch.setattr(SqlStore, "_insert_event", staticmethod(failing))
    body = notification(alert(fingerprint="3" * 16))
    refused = s.client.post("/api/alerts/alertmanager", json=body, headers=s.auth(s.responder))
    assert refused.status_code >= 500 and "Traceback" not in refused.text
    monkeypatch.setattr(SqlStore, "_insert_event", staticmethod(insert))
    assert post(s, body)["attached"] == {key: 1}
    fired = [e for e in s.app.store.events(key) if e.kind == ALERT_FIRED]
    assert [e.data["alerts"][0]["fingerprint"] for e in fired] == ["1" * 16, "3" * 16]
