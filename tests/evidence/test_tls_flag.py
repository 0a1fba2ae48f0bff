"""`stanch evidence changes --tls HOST:PORT` against a real local TLS server."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from stanch.model.clock import from_iso
from stanch.model.evidence import EVIDENCE_CHANGES
from stanch.services import incidents
from tests.evidence.test_certs_plus import _app, _cert, _days_left, _tls_server
from tests.support.cli import cli


def test_tls_flag_checks_the_served_certificate(
    capsys: pytest.CaptureFixture[str], project: Path, tmp_path: Path
) -> None:
    cert = _cert(tmp_path / "served" / "edge.crt", 4, "edge.internal")
    closed = socket.create_server(("127.0.0.1", 0))
    dead = closed.getsockname()[1]
    closed.close()
    app = _app(project)  # no [evidence.certs] tls: only the flag names endpoints
    key = incidents.declare(app, "edge TLS errors", severity="SEV2").incident.id
    with _tls_server(cert) as port:
        ran = cli(capsys, app, "evidence", "changes", key, "--tls", f"127.0.0.1:{port}",
                  "--tls", f"127.0.0.1:{dead}", "--json")  # fmt: skip
    assert ran.code == 0, ran.err
    report = ran.json()
    assert [s["id"] for s in report["suspects"]] == [f"tls:127.0.0.1:{port}"]
    left = _days_left(cert.read_text(), from_iso(report["onset"]))
    assert f"expires in {left} days" in report["suspects"][0]["summary"]
    assert "edge.internal" in report["suspects"][0]["summary"]
    assert f"tls:127.0.0.1:{port}" in report["sources"]
    assert any(s.startswith(f"tls:127.0.0.1:{dead} (unreachable") for s in report["sources"])
    recorded = [e for e in app.store.iter_events(key) if e.kind == EVIDENCE_CHANGES]
    assert [s["id"] for s in recorded[-1].data["suspects"]] == [f"tls:127.0.0.1:{port}"]
    app.close()


@pytest.mark.parametrize("bad", ["no-port-here", "host:", ":443", "host:0", "host:65536",
                                 "host:https"])  # fmt: skip
def test_bad_tls_values_are_one_line_errors_and_record_nothing(
    capsys: pytest.CaptureFixture[str], project: Path, bad: str
) -> None:
    app = _app(project)
    key = incidents.declare(app, "edge TLS errors", severity="SEV2").incident.id
    before = app.store.state(key).last_seq
    ran = cli(capsys, app, "evidence", "changes", key, "--tls", "127.0.0.1:443", "--tls", bad)
    assert ran.code == 1
    assert f"TLS endpoint {bad!r}: expected HOST:PORT" in ran.err
    assert len(ran.err.strip().splitlines()) == 1 and "Traceback" not in ran.err
    assert app.store.state(key).last_seq == before
    app.close()
