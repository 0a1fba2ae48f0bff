"""Certificates about to expire: PEM files in the repo and certificates TLS endpoints serve."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stanch.errors import InvalidInput
from stanch.services import evidence, incidents
from stanch.services.context import App
from tests.conftest import make_app
from tests.evidence.gitrepo import Repo, lines


def _cert(out: Path, days: int, name: str) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", str(days),
         "-subj", f"/CN={name}", "-keyout", str(out.with_suffix(".key")), "-out", str(out)],
        check=True, capture_output=True,
    )  # fmt: skip
    return out


def _days_left(cert_text: str, onset: datetime) -> int:
    """Whole days from onset to the certificate's notAfter, as openssl shows it."""
    shown = subprocess.run(["openssl", "x509", "-noout", "-enddate"], input=cert_text,
                           check=True, capture_output=True, text=True).stdout  # fmt: skip
    expiry = datetime.strptime(" ".join(shown.split("=", 1)[1].split()), "%b %d %H:%M:%S %Y %Z")
    return (expiry.replace(tzinfo=UTC) - onset).days


def _app(project: Path, toml: str = "") -> App:
    (project / "stanch.toml").write_text("[stanch]\n" + toml)
    return make_app(project, start=datetime.now(UTC), step=timedelta(0))


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    made = tmp_path / "certs"
    soon = _cert(made / "soon.crt", 5, "gateway.example")
    later = _cert(made / "later.crt", 100, "payments.example")
    repo = Repo(tmp_path / "infra-repo")
    now = datetime.now(UTC)
    repo.commit(now - timedelta(days=30), "tls material", {
        "deploy/gateway/tls.crt": soon.read_text(), "deploy/payments/tls.crt": later.read_text(),
    })  # fmt: skip
    repo.commit(now - timedelta(hours=3), "gateway: tune", {"services/gateway/a.py": lines(4, "a")})
    return repo


def test_certificate_expiring_within_the_horizon_is_a_suspect(project: Path, repo: Repo) -> None:
    app = _app(project)
    key = incidents.declare(app, "TLS handshake errors", severity="SEV2",
                            services=["gateway"]).incident.id  # fmt: skip
    report = evidence.changes(app, key, repos=[repo.root], record_it=False)
    certs = [s.change for s in report.suspects if s.change.kind == "cert"]
    assert [c.id for c in certs] == ["cert:deploy/gateway/tls.crt"]  # 100 days: beyond 14 d
    left = _days_left((repo.root / "deploy/gateway/tls.crt").read_text(), report.onset)
    assert left in (4, 5)  # 5 days, less the seconds since it was made
    assert f"expires in {left} days" in certs[0].summary and "gateway.example" in certs[0].summary
    assert certs[0].services == ("gateway",)
    assert report.to_dict()["suspects"][0]["trigger"] in ("other", "binary_push")
    app.close()


def test_horizon_is_a_setting(project: Path, repo: Repo) -> None:
    app = _app(project, '[evidence.certs]\nhorizon = "120d"\n')
    key = incidents.declare(app, "TLS errors", severity="SEV2").incident.id
    report = evidence.changes(app, key, repos=[repo.root], record_it=False)
    found = {s.change.id: s.change.summary for s in report.suspects if s.change.kind == "cert"}
    assert set(found) == {"cert:deploy/gateway/tls.crt", "cert:deploy/payments/tls.crt"}
    left = _days_left((repo.root / "deploy/payments/tls.crt").read_text(), report.onset)
    assert f"expires in {left} days" in found["cert:deploy/payments/tls.crt"]
    app.close()
    bad = _app(project, '[evidence.certs]\nhorizon = "soon"\n')
    with pytest.raises(InvalidInput, match="horizon"):
        evidence.changes(bad, incidents.declare(bad, "x", severity="SEV3").incident.id,
                         repos=[repo.root], record_it=False)  # fmt: skip
    bad.close()


@contextmanager
def _tls_server(cert: Path) -> Iterator[int]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, cert.with_suffix(".key"))
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            try:
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1)
            except (OSError, ssl.SSLError):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


def test_tls_endpoint_serving_a_soon_expiring_certificate(project: Path, tmp_path: Path) -> None:
    cert = _cert(tmp_path / "served" / "gw.crt", 3, "gateway.internal")
    closed = socket.create_server(("127.0.0.1", 0))
    dead = closed.getsockname()[1]
    closed.close()
    with _tls_server(cert) as port:
        app = _app(project, f'[evidence.certs]\ntls = ["127.0.0.1:{port}", "127.0.0.1:{dead}"]\n')
        key = incidents.declare(app, "gateway TLS errors", severity="SEV1").incident.id
        report = evidence.changes(app, key, repos=[], record_it=False)
    found = [s.change for s in report.suspects]
    assert [c.id for c in found] == [f"tls:127.0.0.1:{port}"]
    left = _days_left(cert.read_text(), report.onset)
    assert left in (2, 3) and f"expires in {left} days" in found[0].summary
    assert "gateway.internal" in found[0].summary
    assert f"tls:127.0.0.1:{port}" in report.sources
    assert any(s.startswith(f"tls:127.0.0.1:{dead} (unreachable") for s in report.sources)
    app.close()
    bad = _app(project, '[evidence.certs]\ntls = ["no-port-here"]\n')
    with pytest.raises(InvalidInput, match="HOST:PORT"):
        evidence.changes(bad, incidents.declare(bad, "x", severity="SEV3").incident.id,
                         repos=[], record_it=False)  # fmt: skip
    bad.close()
