"""Certificates in the repositories that expired in the window (`openssl x509`, read-only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from stanch.evidence.changes import ServiceMap
from stanch.executor import Executor
from stanch.model.evidence import Change

_PATTERNS = ("*.pem", "*.crt", "*.cer")
MAX_FILES = 200


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

    def changes(self, since: datetime, until: datetime) -> list[Change]:
        """An expiry in [since, until] is a change at the moment of expiry; renewing undoes it."""
        listed = self.executor.run(["git", "-C", str(self.repo), "ls-files", "--", *_PATTERNS],
                                   mutating=False, timeout=30)  # fmt: skip
        found: list[Change] = []
        for name in listed.stdout.splitlines()[:MAX_FILES] if listed.ok else ():
            shown = self.executor.run(
                ["openssl", "x509", "-noout", "-enddate", "-subject", "-in", str(self.repo / name)],
                mutating=False, timeout=10,
            )  # fmt: skip
            expiry = _not_after(shown.stdout) if shown.ok else None
            if expiry is None or not since <= expiry <= until:
                continue
            found.append(Change(
                kind="cert", id=f"cert:{name}", at=expiry,
                summary=f"certificate {_subject(shown.stdout)} ({name}) expired",
                source=f"certs:{self.repo.name}", services=tuple(sorted(self.services.services_of(name))),
                undo=None,
            ))  # fmt: skip
        return found
