"""Certificates that expired in the window, or expire soon after onset (`openssl x509`, read-only).

Certificates come from PEM files in the repositories and, when configured, from TLS
endpoints (`[evidence.certs] tls = ["host:port"]`): the peer certificate is fetched
with `ssl` (no verification: an expired one must still be read) and read by openssl.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from stanch.errors import InvalidInput
from stanch.evidence.changes import ServiceMap
from stanch.evidence.settings import parse_duration
from stanch.executor import Executor
from stanch.model.evidence import Change

_PATTERNS = ("*.pem", "*.crt", "*.cer")
MAX_FILES = 200
DEFAULT_HORIZON = timedelta(days=14)


@dataclass(frozen=True)
class CertSettings:
    """`[evidence.certs]`: how far after onset an expiry still makes a suspect; endpoints."""

    horizon: timedelta = DEFAULT_HORIZON
    tls: tuple[str, ...] = ()


def load_settings(raw: Mapping[str, Any]) -> CertSettings:
    table = raw.get("evidence", {}).get("certs", {})
    if not isinstance(table, Mapping):
        raise InvalidInput("stanch.toml [evidence.certs] must be a table")
    tls = table.get("tls", [])
    if not isinstance(tls, list) or not all(isinstance(t, str) for t in tls):
        raise InvalidInput("stanch.toml [evidence.certs] tls: expected a list of host:port")
    for endpoint in tls:
        endpoint_of(endpoint)
    horizon = parse_duration(table.get("horizon", "14d"), "[evidence.certs] horizon")
    return CertSettings(horizon, tuple(tls))


def endpoint_of(text: str) -> tuple[str, int]:
    """'api.example.com:443' → ('api.example.com', 443)."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InvalidInput(f"TLS endpoint {text!r}: expected HOST:PORT")
    return host.strip("[]"), int(port)


def expires_in(expiry: datetime, onset: datetime) -> str:
    """'expires in 5 days' (after onset), or 'expired 2 days before onset'."""
    seconds = (expiry - onset).total_seconds()
    days = int(abs(seconds) // 86400)
    unit = f"{days} day{'s' if days != 1 else ''}" if days else f"{int(abs(seconds) // 3600)} h"
    return f"expires in {unit}" if seconds >= 0 else f"expired {unit} before onset"


def _not_after(text: str) -> datetime | None:
    for line in text.splitlines():
        if line.startswith("notAfter="):
            value = " ".join(line.removeprefix("notAfter=").split())
            return datetime.strptime(value, "%b %d %H:%M:%S %Y %Z").replace(tzinfo=UTC)
    return None


def _subject(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("subject="):
            return line.removeprefix("subject=").strip()
    return "?"


@dataclass(frozen=True)
class CertSource:
    repo: Path
    services: ServiceMap
    executor: Executor

    def _certificates(self) -> Iterator[tuple[str, datetime, str]]:
        """(file, notAfter, subject) of every certificate file tracked in the repository."""
        listed = self.executor.run(["git", "-C", str(self.repo), "ls-files", "--", *_PATTERNS],
                                   mutating=False, timeout=30)  # fmt: skip
        for name in listed.stdout.splitlines()[:MAX_FILES] if listed.ok else ():
            shown = self.executor.run(
                ["openssl", "x509", "-noout", "-enddate", "-subject", "-in", str(self.repo / name)],
                mutating=False, timeout=10,
            )  # fmt: skip
            expiry = _not_after(shown.stdout) if shown.ok else None
            if expiry is not None:
                yield name, expiry, _subject(shown.stdout)

    def changes(self, since: datetime, until: datetime) -> list[Change]:
        """An expiry in [since, until] is a change at the moment of expiry; renewing undoes it."""
        return [
            self._change(name, expiry, f"certificate {subject} ({name}) expired")
            for name, expiry, subject in self._certificates()
            if since <= expiry <= until
        ]

    def expiring(self, onset: datetime, after: datetime, horizon: timedelta) -> list[Change]:
        """Certificates still valid at `after` but expiring within `horizon` of onset: suspects
        at onset (clients that refuse short-lived certificates, pinned chains, renewal jobs)."""
        found = []
        for name, expiry, subject in self._certificates():
            if after < expiry <= onset + horizon:
                when = f"{expires_in(expiry, onset)} (notAfter {expiry:%Y-%m-%d %H:%M}Z)"
                found.append(self._change(name, onset, f"certificate {subject} ({name}) {when}"))
        return found

    def _change(self, name: str, at: datetime, summary: str) -> Change:
        return Change(
            kind="cert", id=f"cert:{name}", at=at, summary=summary,
            source=f"certs:{self.repo.name}", services=tuple(sorted(self.services.services_of(name))),
            undo=None,
        )  # fmt: skip


Fetch = Callable[[tuple[str, int]], str]


def _fetch_pem(address: tuple[str, int]) -> str:
    return ssl.get_server_certificate(address, timeout=10)


@dataclass(frozen=True)
class TlsSource:
    """The certificate a TLS endpoint serves right now."""

    endpoint: str
    services: ServiceMap
    executor: Executor
    fetch: Fetch = _fetch_pem

    def changes(
        self, since: datetime, onset: datetime, horizon: timedelta
    ) -> tuple[list[Change], str]:
        """A served certificate that expired (it is still served: a suspect in the window even
        when it expired earlier) or expires within `horizon` of onset, and a source line."""
        host, port = endpoint_of(self.endpoint)
        try:
            pem = self.fetch((host, port))
        except (OSError, ssl.SSLError, ValueError) as exc:
            return [], f"tls:{self.endpoint} (unreachable: {exc})"
        shown = self.executor.run(["openssl", "x509", "-noout", "-enddate", "-subject"],
                                  stdin=pem.encode(), mutating=False, timeout=10)  # fmt: skip
        expiry = _not_after(shown.stdout) if shown.ok else None
        source = f"tls:{self.endpoint}"
        if expiry is None:
            return [], f"{source} (no readable certificate)"
        if expiry > onset + horizon:
            return [], source
        summary = (
            f"{self.endpoint} serves certificate {_subject(shown.stdout)} that "
            f"{expires_in(expiry, onset)} (notAfter {expiry:%Y-%m-%d %H:%M}Z)"
        )
        change = Change(
            kind="cert", id=f"tls:{self.endpoint}", at=onset if expiry > onset else max(expiry, since),
            summary=summary, source=source,
            services=tuple(sorted(self.services.services_of(host))), undo=None,
        )  # fmt: skip
        return [change], source
