"""Propose a hypothesis, run the check that could falsify it, record the verdict."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from stanch.errors import Conflict, InvalidInput
from stanch.evidence import log_check
from stanch.model import hypothesis as model
from stanch.model.events import NewEvent
from stanch.model.hypothesis import Hypothesis
from stanch.model.incident import Incident
from stanch.services import logs
from stanch.services.context import App, record
from stanch.services.evidence import settings_of
from stanch.services.metrics import source_of
from stanch.services.traces import analyse


def listing(app: App, incident: str | None) -> list[Hypothesis]:
    return model.fold(app.store.iter_events(app.resolve_id(incident)))


def run_check(
    app: App, check: str, prometheus: str | None, incident: str | None = None
) -> tuple[float | None, str]:
    """Evaluate a check: `traces:FILE` (share of failing traces), `logs:FILES:SIGNATURE`
    (lines of a signature after the incident's onset) or PromQL (instant value)."""
    if check.startswith(log_check.PREFIX):
        wanted = log_check.parse(check)
        request = logs.Request(paths=list(wanted.paths), incident=incident)
        return log_check.count(logs.analyse(app, request).analysis, wanted)
    if check.startswith("traces:"):
        report = analyse(Path(check.removeprefix("traces:")))
        share = report.failing / report.traces if report.traces else None
        return share, report.summary()
    query = check.removeprefix("promql:")
    found = source_of(settings_of(app), prometheus).query(query, app.clock())
    if len(found) > 1:
        raise InvalidInput(f"check {query!r} returns {len(found)} series: aggregate it (sum …)")
    if not found or not found[0].points:
        return None, f"{query} returned no data"
    value = found[0].points[-1][1]
    return value, f"{query} = {value:.4g}"


def _guarded(seen: int, make: Callable[[], NewEvent]) -> Callable[[Incident], NewEvent]:
    def decide(state: Incident) -> NewEvent:
        if state.last_seq != seen:
            raise Conflict("the incident changed meanwhile: run the command again")
        return make()

    return decide


def propose(
    app: App, incident: str | None, text: str, *, predict: str, check: str | None = None,
    expect: str | None = None, prometheus: str | None = None,
) -> Hypothesis:  # fmt: skip
    """Record the hypothesis; with a check and an expectation, run it and record the verdict."""
    key = app.resolve_id(incident)
    if (check is None) != (expect is None):
        raise InvalidInput("--check and --expect go together: the signal and what it should show")
    if check is not None and check.startswith(log_check.PREFIX):
        log_check.parse(check)  # a malformed check is refused before it is recorded
    events = app.store.events(key)
    known = model.fold(events)
    now = app.clock()
    who = app.settings.actor
    seen = events[-1].seq if events else 0
    record(
        app,
        key,
        _guarded(seen, lambda: model.propose(known, text, predict, check, expect, who, now)),
    )
    hid = f"H{len(known) + 1}"
    if check is not None and expect is not None:
        return verdict(app, key, hid, None, prometheus=prometheus)
    return listing(app, key)[-1]


def verdict(
    app: App, incident: str | None, hid: str, given: str | None, *, evidence: str = "",
    prometheus: str | None = None,
) -> Hypothesis:  # fmt: skip
    """A verdict by hand (`given`), or by running the hypothesis's own check."""
    key = app.resolve_id(incident)
    events = app.store.events(key)
    known = model.fold(events)
    target = next((h for h in known if h.hid.lower() == hid.lower()), None)
    value: float | None = None
    if given is None:
        if target is None or target.check is None or target.expect is None:
            raise InvalidInput(f"{hid} has no check to run: give the verdict by hand")
        value, found = run_check(app, target.check, prometheus, key)
        given = model.verdict_of(target.expect, value)
        evidence = "; ".join(p for p in (found, evidence) if p)
    now = app.clock()
    who = app.settings.actor
    seen = events[-1].seq if events else 0
    decided = given
    record(
        app,
        key,
        _guarded(seen, lambda: model.checked(known, hid, decided, value, evidence, who, now)),
    )
    return next(h for h in listing(app, key) if h.hid.lower() == hid.lower())
