"""`resolved` only after the flagging signal stayed healthy for the recovery window.

This guard runs before every status move (see `incidents.STATUS_GUARDS`), whichever
door asked for it. An override needs a reason and is recorded before the move.
"""

from __future__ import annotations

from stanch.errors import GuardRefused
from stanch.model import decide
from stanch.model.events import Kind, NewEvent
from stanch.model.incident import Incident
from stanch.model.status import Status, check_transition
from stanch.model.watching import RESOLVE_OVERRIDDEN, fold_watch, progress
from stanch.services import incidents
from stanch.services.context import App, record
from stanch.watch import settings as watch_settings

HINT = (
    "keep `stanch watch` running until the window is complete, or, if you must, "
    "`stanch status resolved --override 'why'` (recorded)"
)


def resolve_guard(app: App, key: str, target: Status, override: str) -> None:
    """Refuse `resolved` until the recovery window is complete, unless overridden with a reason."""
    if target is not Status.RESOLVED:
        return
    state = app.store.state(key)
    check_transition(state.status, target)  # an illegal move fails as such, before anything else
    conf = watch_settings.load(app.settings.raw)
    watch = fold_watch(app.store.iter_events(key))
    if watch.signal is None:
        if not conf.require_signal:
            return
        why = "no flagging signal is set (stanch signal set …)"
    else:
        now = app.clock()
        prog = progress(watch, state.severity, conf.policy, now)
        if prog.complete:
            return
        why = prog.explain()
    if not override.strip():
        raise GuardRefused(f"cannot resolve {key}: {why}", hint=HINT)
    _record_override(app, key, override, why)


def _record_override(app: App, key: str, reason: str, why: str) -> None:
    """Record the override once: guards that run again for the same move reuse it."""
    text = decide.checked_text(reason, "override reason")
    if _pending_override(app, key, text):
        return
    now = app.clock()
    who = app.settings.actor
    data = {"reason": text, "gate": why,
            "summary": f"resolve gate overridden: {text} (gate said: {why})"}  # fmt: skip

    def decision(_: Incident) -> NewEvent:
        return NewEvent(RESOLVE_OVERRIDDEN, who, now, now, data)

    record(app, key, decision)


def _pending_override(app: App, key: str, reason: str) -> bool:
    """An override with this reason recorded since the last status move, not yet spent."""
    pending = False
    for event in app.store.iter_events(key):
        if event.kind == Kind.STATUS:
            pending = False
        elif event.kind == RESOLVE_OVERRIDDEN and event.data.get("reason") == reason:
            pending = True
    return pending


def install() -> None:
    """Put the guard in the status-move path once."""
    if resolve_guard not in incidents.STATUS_GUARDS:
        incidents.STATUS_GUARDS.append(resolve_guard)
    incidents.GUARD_KINDS.add(RESOLVE_OVERRIDDEN)


install()
