"""Incident types: defaults, destructive-for-type levers, evidence first, write path first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stanch.errors import InvalidInput
from stanch.model.severity import Severity
from stanch.model.types import (
    GENERIC_OUTBOUND,
    IncidentType,
    affected_counts,
    destructive_for_type,
    escalation_target,
    lever_refusal,
    load_rules,
    mitigation_refusal,
    outbound_text,
    postmortem_private,
    postmortem_questions,
    public_allowed,
    repair_refusal,
    trend_escalation,
)
from stanch.services import types
from stanch.services.context import App
from stanch.timeline.parse import parse
from tests.support.cli import cli


def declare(capsys: pytest.CaptureFixture[str], app: App, *args: str) -> str:
    ran = cli(capsys, app, "declare", "Something is wrong", "--json", *args)
    assert ran.code == 0, ran.err
    return str(ran.json()["id"])


@pytest.mark.parametrize(
    ("kind", "lever", "destructive"),
    [
        (IncidentType.SECURITY, "kubectl-rollout-restart", True),
        (IncidentType.SECURITY, "pod_delete", True),
        (IncidentType.SECURITY, "drain node-7", True),
        (IncidentType.SECURITY, "flag-off", False),
        (IncidentType.SECURITY, "scale-out", False),
        (IncidentType.SECURITY, "rollback kubectl rollout undo", True),
        (IncidentType.OUTAGE, "kubectl-rollout-restart", False),
        (IncidentType.DATA_INTEGRITY, "data-repair", True),
        (IncidentType.DATA_INTEGRITY, "backfill orders", True),
        (IncidentType.DATA_INTEGRITY, "rollback", False),
        (IncidentType.DEGRADATION, "drain", False),
        (IncidentType.SECURITY, "restartless-reload", False),  # whole words only
    ],
)
def test_destructive_for_type(kind: IncidentType, lever: str, destructive: bool) -> None:
    assert destructive_for_type(kind, lever) is destructive
    assert destructive_for_type(kind.value, lever) is destructive


def test_types_parse_with_aliases_and_refuse_unknown() -> None:
    assert IncidentType.parse("Partial Outage") is IncidentType.PARTIAL_OUTAGE
    assert IncidentType.parse("data-integrity") is IncidentType.DATA_INTEGRITY
    assert IncidentType.parse("performance") is IncidentType.DEGRADATION
    with pytest.raises(InvalidInput, match="unknown incident type 'fire'"):
        IncidentType.parse("fire")


def test_rules_are_overridden_from_settings_and_checked() -> None:
    rules = load_rules({"types": {"security": {"destructive_levers": ["rollback"]},
                                  "degradation": {"severity": "P1"}}})  # fmt: skip
    assert destructive_for_type("security", "rollback", rules)
    assert not destructive_for_type("security", "restart", rules)
    assert rules[IncidentType.DEGRADATION].severity is Severity.SEV2
    cases: list[tuple[dict[str, Any], str]] = [
        ({"types": {"security": {"restricted": "yes"}}}, "restricted must be true or false"),
        ({"types": {"security": {"colour": 1}}}, "unknown setting 'colour'"),
        ({"types": {"weird": {}}}, "unknown incident type"),
        ({"types": {"security": {"destructive_levers": "drain"}}}, "must be a list"),
    ]
    for bad, message in cases:
        with pytest.raises(InvalidInput, match=message):
            load_rules(bad)


def test_declare_takes_the_type_default_severity_and_shows_the_type(
    capsys: pytest.CaptureFixture[str], app: App
) -> None:
    key = declare(capsys, app, "--type", "degradation", "--slug", "slow")
    state = app.store.state(key)
    assert (state.type, state.severity) == ("degradation", Severity.SEV3)
    text = app.files.path(key).read_text()
    assert "| Type | degradation |" in text
    assert "declared SEV3 degradation incident: Something is wrong" in text
    assert not parse(text.encode(), "f").problems
    assert cli(capsys, app, "verify", key).code == 0
    # The explicit severity wins over the type's default.
    other = declare(capsys, app, "--type", "security", "-s", "SEV2", "--slug", "sec")
    assert app.store.state(other).severity is Severity.SEV2


def test_a_partial_outage_needs_its_blast_radius(
    capsys: pytest.CaptureFixture[str], app: App
) -> None:
    ran = cli(capsys, app, "declare", "EU checkout down", "--type", "partial-outage")
    assert ran.code == 1 and "needs its blast radius" in ran.err
    assert app.store.ids() == []
    key = declare(capsys, app, "--type", "partial_outage", "--tenant", "tier:free")
    assert app.store.state(key).impact.tenants == ("tier:free",)


def test_type_change_is_an_event_and_survives_the_file(
    capsys: pytest.CaptureFixture[str], app: App
) -> None:
    key = declare(capsys, app, "-s", "SEV2")
    assert app.store.state(key).type == "outage"
    ran = cli(capsys, app, "type", "set", "data integrity", "-r", "totals wrong", "--json")
    assert ran.code == 0, ran.err
    assert ran.json()["data"]["type"] == "data_integrity"
    assert ran.json()["data"]["from"] == "outage"
    assert cli(capsys, app, "type", "set", "data_integrity").code == 1  # already
    exported = cli(capsys, app, "export", key).json()
    events = exported["events"]
    assert [e["kind"] for e in events][-1] == "type.changed"
    assert exported["state"]["type"] == "data_integrity"
    assert "type outage → data_integrity: totals wrong" in app.files.path(key).read_text()


def test_security_mitigation_waits_for_evidence_then_destructive_needs_confirmation(
    capsys: pytest.CaptureFixture[str], app: App, tmp_path: Path
) -> None:
    key = declare(capsys, app, "--type", "security")
    state, events = app.store.state(key), app.store.events(key)
    assert "preserve evidence first" in (mitigation_refusal(state, events) or "")
    assert "preserve evidence first" in (lever_refusal(state, events, "flag-off") or "")
    refused = cli(capsys, app, "type", "check-lever", "flag-off")
    assert refused.code == 1 and "preserve evidence first" in refused.err

    log = tmp_path / "auth.log"
    log.write_text("10:00 login admin from 203.0.113.9\n")
    types.preserve(app, key, [log], [["echo", "pods", "snapshot"]], note="before restart")
    state, events = app.store.state(key), app.store.events(key)
    assert mitigation_refusal(state, events) is None
    assert lever_refusal(state, events, "flag-off") is None
    assert "destructive for a security incident" in (
        lever_refusal(state, events, "rollout-restart") or ""
    )
    assert lever_refusal(state, events, "rollout-restart", confirmed=True) is None
    assert cli(capsys, app, "type", "check-lever", "pod-delete").code == 1
    assert cli(capsys, app, "type", "check-lever", "pod-delete", "--confirm").code == 0


def test_data_repair_waits_for_the_write_path_stop(
    capsys: pytest.CaptureFixture[str], app: App
) -> None:
    key = declare(capsys, app, "--type", "data_integrity")
    state, events = app.store.state(key), app.store.events(key)
    assert "stop the write path first" in (repair_refusal(state, events) or "")
    assert "stop the write path first" in (lever_refusal(state, events, "backfill") or "")
    assert lever_refusal(state, events, "rollback") is None  # not a repair: no wait
    assert cli(capsys, app, "write-path", "stop", "--how", "orders API read-only").code == 0
    state, events = app.store.state(key), app.store.events(key)
    assert repair_refusal(state, events) is None
    assert "confirm it a second time" in (lever_refusal(state, events, "data-repair") or "")
    assert lever_refusal(state, events, "data-repair", confirmed=True) is None
    assert cli(capsys, app, "write-path", "resume", "--how", "read-write again").code == 0
    state, events = app.store.state(key), app.store.events(key)
    assert repair_refusal(state, events) is not None
    counted = cli(capsys, app, "affected", "--records", "1200", "--users", "85", "--json")
    assert counted.json()["data"]["records"] == 1200
    assert cli(capsys, app, "affected", "--records", "-1").code == 1


def test_security_stays_off_the_public_page_until_a_statement_and_says_nothing_internal(
    capsys: pytest.CaptureFixture[str], app: App
) -> None:
    key = declare(capsys, app, "--type", "security")
    state, events = app.store.state(key), app.store.events(key)
    assert not public_allowed(state, events)
    internal = "admin token leaked via build log on ci-7"
    assert outbound_text(state, events, internal) == GENERIC_OUTBOUND
    assert escalation_target(state, "payments-oncall") == "security-oncall"
    assert postmortem_private(state)
    statement = "We are investigating a security issue affecting some accounts."
    assert cli(capsys, app, "statement", statement).code == 0
    state, events = app.store.state(key), app.store.events(key)
    assert public_allowed(state, events)
    assert outbound_text(state, events, internal) == statement

    other = declare(capsys, app, "-s", "SEV2", "--slug", "plain")
    state, events = app.store.state(other), app.store.events(other)
    assert public_allowed(state, events)
    assert outbound_text(state, events, internal) == internal
    assert escalation_target(state, "payments-oncall") == "payments-oncall"


def test_the_type_adds_postmortem_questions_and_counts_feed_impact(
    capsys: pytest.CaptureFixture[str], app: App
) -> None:
    key = declare(capsys, app, "--type", "data_integrity")
    state, events = app.store.state(key), app.store.events(key)
    assert affected_counts(events) == (None, None)
    assert any("Backfill plan" in q for q in postmortem_questions(state))
    assert any("Verification plan" in q for q in postmortem_questions(state))
    assert cli(capsys, app, "affected", "--records", "10").code == 0
    assert cli(capsys, app, "affected", "--records", "1200", "--users", "85").code == 0
    assert affected_counts(app.store.events(key)) == (1200, 85)
    plain = declare(capsys, app, "-s", "SEV2", "--slug", "plain")
    assert postmortem_questions(app.store.state(plain)) == ()


def test_degradation_escalates_on_a_worsening_trend(
    capsys: pytest.CaptureFixture[str], app: App
) -> None:
    from stanch.model import kinds
    from stanch.model.events import NewEvent
    from stanch.services.context import record

    key = declare(capsys, app, "--type", "degradation")

    def sample(value: float, healthy: bool = False) -> None:
        now = app.clock()
        data = {"value": value, "healthy": healthy}
        record(app, key, lambda s: NewEvent(kinds.SIGNAL_SAMPLED, "prom", now, now, data))

    def why() -> str | None:
        return trend_escalation(app.store.state(key), app.store.events(key))

    for value in (0.8, 1.2):
        sample(value)
    assert why() is None  # two points are not a trend
    sample(1.1)
    assert why() is None  # not worsening
    sample(1.4)
    sample(1.9)
    assert why() == "latency_p99 worsening over 3 samples: 1.1 → 1.4 → 1.9"
    sample(2.5, healthy=True)
    assert why() is None
    outage = declare(capsys, app, "-s", "SEV1", "--slug", "down")
    assert trend_escalation(app.store.state(outage), app.store.events(key)) is None
