"""The pure rules: confirmation, relapse and the recovery window, driven through time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stanch.errors import InvalidInput
from stanch.model.events import Event, Kind
from stanch.model.kinds import LEVER_APPLIED, SIGNAL_SAMPLED, SIGNAL_SET
from stanch.model.severity import Severity
from stanch.model.signal import Signal, make_signal, parse_rule
from stanch.model.status import Status
from stanch.model.watching import (
    RecoveryPolicy,
    fold_watch,
    parse_duration,
    progress,
    should_confirm,
    should_relapse,
)

T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
SIGNAL = make_signal("promql", "error_ratio", "< 0.01")
POLICY = RecoveryPolicy(windows={Severity(2): timedelta(minutes=5)}, min_samples=5)


class Log:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, name: str, at: datetime, **data: object) -> None:
        seq = len(self.events) + 1
        self.events.append(Event("inc", seq, name, "t", at, at, dict(data)))

    def signal(self, at: datetime = T0) -> None:
        self.add(SIGNAL_SET, at, **SIGNAL.to_data())

    def sample(self, at: datetime, value: float | None) -> None:
        healthy = None if value is None else SIGNAL.is_healthy(value)
        self.add(SIGNAL_SAMPLED, at, value=value, healthy=healthy)


def test_rules_parse_and_refuse() -> None:
    assert parse_rule("<=250") == ("<=", 250.0)
    assert parse_rule(" > 0.99 ") == (">", 0.99)
    for bad in ("", "0.01", "< abc", "=~ 1", "< nan"):
        with pytest.raises(InvalidInput):
            parse_rule(bad)
    assert make_signal("http", "http://x/health", None).rule() == "< 400"
    assert make_signal("command", "true", None).rule() == "== 0"
    with pytest.raises(InvalidInput, match="healthy rule"):
        make_signal("promql", "up", None)
    with pytest.raises(InvalidInput, match="URL"):
        make_signal("http", "localhost:80", None)
    with pytest.raises(InvalidInput):
        parse_duration("soon")
    assert parse_duration("1.5m") == timedelta(seconds=90)


def test_nan_is_never_healthy_and_worst_series_counts() -> None:
    assert not SIGNAL.is_healthy(float("nan"))
    assert SIGNAL.worst([0.001, 0.5, float("nan")]) == 0.5
    above = Signal("promql", "availability", ">", 0.99)
    assert above.worst([0.999, 0.95]) == 0.95
    assert SIGNAL.worst([float("nan")]) is None


def test_confirmation_needs_consecutive_healthy_samples_after_the_change() -> None:
    log = Log()
    log.signal()
    for i, value in enumerate([0.2, 0.001, 0.002]):
        log.sample(T0 + timedelta(seconds=10 * (i + 1)), value)
    assert not should_confirm(fold_watch(log.events), POLICY)  # only two healthy in a row
    log.add(LEVER_APPLIED, T0 + timedelta(seconds=35), lever="flag-off")
    log.sample(T0 + timedelta(seconds=40), 0.001)
    log.sample(T0 + timedelta(seconds=50), 0.001)
    # healthy samples before the lever do not confirm the lever
    assert not should_confirm(fold_watch(log.events), POLICY)
    log.sample(T0 + timedelta(seconds=60), None)  # no data breaks nothing but proves nothing
    log.sample(T0 + timedelta(seconds=70), 0.003)
    assert not should_confirm(fold_watch(log.events), POLICY)
    log.sample(T0 + timedelta(seconds=80), 0.003)
    log.sample(T0 + timedelta(seconds=90), 0.003)
    state = fold_watch(log.events)
    assert should_confirm(state, POLICY)
    assert state.lever == "flag-off"


def test_relapse_only_when_mitigated_and_bad_twice_in_a_row() -> None:
    log = Log()
    log.signal()
    log.add(Kind.STATUS, T0, **{"from": "mitigating", "to": "mitigated"})
    log.sample(T0 + timedelta(seconds=10), 0.5)
    state = fold_watch(log.events)
    assert not should_relapse(state, Status.MITIGATED, POLICY)
    log.sample(T0 + timedelta(seconds=20), None)
    assert not should_relapse(fold_watch(log.events), Status.MITIGATED, POLICY)
    log.sample(T0 + timedelta(seconds=30), 0.5)
    log.sample(T0 + timedelta(seconds=40), 0.6)
    state = fold_watch(log.events)
    assert should_relapse(state, Status.MITIGATED, POLICY)
    assert should_relapse(state, Status.RESOLVED, POLICY)
    assert not should_relapse(state, Status.MITIGATING, POLICY)


def test_window_needs_time_and_samples_and_fresh_data() -> None:
    log = Log()
    log.signal()
    # two samples five minutes apart: long enough, but two data points are not evidence
    log.sample(T0 + timedelta(minutes=1), 0.001)
    log.sample(T0 + timedelta(minutes=6), 0.001)
    prog = progress(fold_watch(log.events), Severity(2), POLICY, T0 + timedelta(minutes=6))
    assert not prog.complete
    assert prog.samples == 2
    for i in range(1, 4):
        log.sample(T0 + timedelta(minutes=6, seconds=10 * i), 0.001)
    state = fold_watch(log.events)
    assert progress(state, Severity(2), POLICY, T0 + timedelta(minutes=7)).complete
    stale = progress(state, Severity(2), POLICY, T0 + timedelta(hours=1))
    assert stale.stale
    assert not stale.complete
    # a SEV1 window (default 30 min) is not met by the same samples
    assert not progress(state, Severity(1), POLICY, T0 + timedelta(minutes=7)).complete


@given(st.lists(st.one_of(st.none(), st.floats(0, 1)), min_size=1, max_size=40))
def test_window_complete_implies_every_counted_sample_healthy(
    values: list[float | None],
) -> None:
    log = Log()
    log.signal()
    for i, value in enumerate(values):
        log.sample(T0 + timedelta(minutes=i), value)
    state = fold_watch(log.events)
    now = T0 + timedelta(minutes=len(values))
    prog = progress(state, Severity(2), POLICY, now)
    if prog.complete:
        tail = state.samples[-prog.samples :]
        assert len(tail) >= POLICY.min_samples
        assert all(s.healthy for s in tail)
        assert tail[-1].at - tail[0].at >= timedelta(minutes=5)
