"""A scripted incident with exact `--at` times, shared by the postmortem tests."""

from __future__ import annotations

from datetime import datetime

import pytest

from stanch.model import kinds
from stanch.model.clock import from_iso
from stanch.model.events import NewEvent
from stanch.model.incident import Incident
from stanch.services.context import App, record
from tests.support.cli import cli

ID = "2026-11-22-checkout-502"
SLO_TOML = """
[stanch]
[postmortem]
roster = ["Alice Smith", "bob"]
due_hours = 48
[postmortem.escalation]
lead_after_hours = 72
default = "eng-director"
[postmortem.escalation.leads]
bob = "carol"
[[postmortem.slo]]
service = "checkout"
objective = 0.999
period_days = 30
"""


def foreign(app: App, kind: str, at: str, incident: str = ID, **data: object) -> None:
    """An event another capability would write (pager, lever, confirmation)."""
    when = from_iso(at)

    def decide(_: Incident) -> NewEvent:
        return NewEvent(kind, "other-capability", when, app.clock(), dict(data))

    record(app, incident, decide)


def run_ok(capsys: pytest.CaptureFixture[str], app: App, *args: str) -> str:
    ran = cli(capsys, app, *args)
    assert ran.code == 0, ran.err
    return ran.out


def script(capsys: pytest.CaptureFixture[str], app: App) -> None:
    """Onset 09:40, detected 09:52, declared 10:00, ack 10:03, lever 10:10, confirmed 10:25,
    resolved 11:40 — with a dry run and a later lever that must not count as 'first'."""
    run_ok(capsys, app, "declare", "Checkout returns 502", "--severity", "SEV2",
           "--service", "checkout", "--started", "2026-11-22T09:40:00Z",
           "--detected", "2026-11-22T09:52:00Z", "--at", "2026-11-22T10:00:00Z",
           "--commander", "alice")  # fmt: skip
    foreign(app, kinds.PAGE_SENT, "2026-11-22T10:00:30Z", target="payments-oncall")
    foreign(app, kinds.LEVER_APPLIED, "2026-11-22T10:12:00Z", lever="scale", dry_run=False)
    foreign(app, kinds.PAGE_ACKNOWLEDGED, "2026-11-22T10:03:00Z", by="bob")
    foreign(app, kinds.LEVER_APPLIED, "2026-11-22T10:08:00Z", lever="rollback", dry_run=True)
    foreign(app, kinds.LEVER_APPLIED, "2026-11-22T10:10:00Z", lever="rollback", dry_run=False)
    run_ok(capsys, app, "status", "mitigating", "--at", "2026-11-22T10:10:00Z")
    foreign(app, kinds.MITIGATION_CONFIRMED, "2026-11-22T10:25:00Z", lever="rollback")
    run_ok(capsys, app, "status", "mitigated", "--at", "2026-11-22T10:26:00Z")
    run_ok(capsys, app, "status", "monitoring", "--at", "2026-11-22T10:30:00Z")
    run_ok(capsys, app, "status", "resolved", "--at", "2026-11-22T11:40:00Z")


def at(text: str) -> datetime:
    return from_iso(text)
