"""Find levers, plan one, pull it under the guard, undo it, confirm it.

Every step lands on the timeline: `lever.planned` (command, rollback, viability),
`lever.applied` (what ran, its output, the exact rollback), `lever.undone`,
`lever.approved` (a second responder), `lever.refused` (what the guard would not let
through, and why) and `mitigation.confirmed`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from stanch.errors import Conflict, GuardRefused, InvalidInput, NotFound, UserError
from stanch.executor import Executor
from stanch.levers import live as live_view
from stanch.levers.candidates import FlagServices, candidates
from stanch.levers.discover import Discovery, Progress, discover
from stanch.levers.executors import ArgvExecutor, Ctx, LeverExecutor
from stanch.levers.file_edit import FileEditExecutor
from stanch.levers.flag_services import LaunchDarklyExecutor, UnleashExecutor
from stanch.levers.flagd_file import FlagdFileExecutor
from stanch.levers.git_revert import GitRevertExecutor
from stanch.levers.history import (
    git_changes,
    prior_image_levers,
    revert_lever,
    with_flag_keys,
)
from stanch.levers.settings import LeverSettings, LiveSettings, lever_settings
from stanch.model import kinds
from stanch.model.decide import change_status, checked_text
from stanch.model.events import NewEvent
from stanch.model.incident import Incident
from stanch.model.lever_guard import (
    LEVER_APPROVED,
    LEVER_FAILED,
    RULES,
    ApplyRequest,
    LeverBook,
    book,
    lever_event,
    who_confirmed,
)
from stanch.model.levers import Action, Lever, mark_recent, rank
from stanch.model.status import ALLOWED, Status
from stanch.services import lever_types
from stanch.services.context import App, record

LEVER_REFUSED = "lever.refused"  # {"lever", "kind", "target", "rule", "rules", "reason", …}

EXECUTORS: dict[str, LeverExecutor] = {
    "argv": ArgvExecutor(),
    "git": GitRevertExecutor(),
    "flagd": FlagdFileExecutor(),
    "unleash": UnleashExecutor(),
    "launchdarkly": LaunchDarklyExecutor(),
    "switch": FileEditExecutor(),
}


@dataclass(frozen=True)
class Scan:
    discovery: Discovery
    levers: list[Lever]
    live: live_view.LiveView | None = None  # None: live discovery was off

    @property
    def notes(self) -> list[str]:
        return [*self.discovery.notes, *(self.live.notes if self.live else [])]

    def to_dict(self) -> dict[str, Any]:
        """The documented, stable `stanch levers --json` schema."""
        return {
            "repo": str(self.discovery.root),
            "files": self.discovery.files,
            "surfaces": [s.to_dict() for s in self.discovery.surfaces],
            "levers": [lever.to_dict() for lever in self.levers],
            "notes": self.notes,
            "live": self.live.to_dict() if self.live else {"enabled": False},
        }


def settings_of(app: App) -> LeverSettings:
    return lever_settings(app.settings.raw)


def repo_path(app: App, repo: str | None) -> Path:
    path = Path(repo) if repo else app.settings.root / settings_of(app).repo
    if not path.is_dir():
        raise InvalidInput(f"{path} is not a directory")
    return path.resolve()


def live_settings(conf: LeverSettings, live: bool | None) -> LiveSettings:
    """[levers.live] as configured; `--live` turns every source on, `--no-live` none."""
    if live is None:
        return conf.live
    return conf.live.forced() if live else LiveSettings()


def scan(
    app: App, repo: str | None = None, incident_id: str | None = None,
    progress: Progress | None = None, live: bool | None = None,
) -> Scan:  # fmt: skip
    """Discover the surfaces and rank the levers (by onset when an incident is named)."""
    conf = settings_of(app)
    root = repo_path(app, repo)
    found = discover(root, progress)
    sources = live_settings(conf, live)
    view = live_view.read(sources, conf.services, found.surfaces) if sources.enabled else None
    if view is not None:
        merged = live_view.merge(found.surfaces, view, sources.context)
        found = Discovery(found.root, merged, found.files, found.notes)
    onset = app.store.state(incident_id).onset_at if incident_id else app.clock()
    runner = Executor(timeout=conf.timeout_s)
    changes = git_changes(root, runner)
    services = FlagServices(conf.services.get("unleash", {}), conf.services.get("launchdarkly", {}))
    levers = candidates(found.surfaces, services, list(conf.nodes))
    window = timedelta(minutes=conf.recent_window_minutes)
    flag_files = [s.path for s in found.surfaces
                  if s.kind == "feature_flags" and s.details.get("provider") == "flagd"]  # fmt: skip
    changes = with_flag_keys(root, runner, changes, flag_files, onset - window)
    revert = revert_lever(root, changes, found.surfaces, onset)
    if revert is not None:
        levers.append(revert)
    levers.extend(prior_image_levers(root, runner, changes, found.surfaces, onset, window))
    levers = mark_recent(levers, changes, onset, window)
    if view is not None:
        levers = live_view.adjust(levers, view, onset, window)
    return Scan(found, rank(levers), view)


def _ctx(app: App, root: Path, *, dry_run: bool = False) -> Ctx:
    conf = settings_of(app)
    return Ctx(Executor(dry_run=dry_run, timeout=conf.timeout_s), root, conf.services)


def _lever_book(app: App, incident_id: str) -> LeverBook:
    return book(app.store.iter_events(incident_id))


def _at(app: App, decide: Callable[[Incident, datetime], NewEvent], incident_id: str,
        seen: int) -> Incident:  # fmt: skip
    """Record one event, refusing if anything was recorded since the guard looked."""
    now = app.clock()

    def checked(state: Incident) -> NewEvent:
        if state.last_seq != seen:
            raise Conflict("the incident changed while the guard was checking: run it again")
        return decide(state, now)

    return record(app, incident_id, checked)[1]


def find(found: Scan, lever_id: str) -> Lever:
    """A lever by id or by its rank number."""
    for lever in found.levers:
        if lever.id == lever_id or (lever_id.isdigit() and lever.rank == int(lever_id)):
            return lever
    raise NotFound(f"no lever {lever_id!r} here: `stanch levers` lists them")


@dataclass(frozen=True)
class Planned:
    lever: Lever
    plan: dict[str, Any]
    incident: Incident


def plan(app: App, incident_id: str, lever_id: str, *, repo: str | None = None,
         actor: str | None = None) -> Planned:  # fmt: skip
    """Check the way back and record the lever's exact command and rollback (dry run)."""
    key = app.resolve_id(incident_id)
    lever = find(scan(app, repo, key), lever_id)
    root = repo_path(app, repo)
    data = lever.to_dict()
    data["params"] = lever.params
    verdict = EXECUTORS[lever.executor].check(data, _ctx(app, root))
    data.update(
        lever=lever.id, repo=str(root), viable=verdict.ok, viability_detail=verdict.detail,
        viability_results=list(verdict.results), facts=verdict.facts,
        command=verdict.command if verdict.ok and verdict.command is not None else data["command"],
        rollback=verdict.rollback if verdict.ok and verdict.rollback is not None
        else data["rollback"],
    )  # fmt: skip
    data["summary"] = (
        f"planned {lever.id}: {_text(data['command'])} — rollback: {_text(data['rollback'])} "
        f"— viability {'passed' if verdict.ok else 'FAILED'}: {verdict.detail}"
    )
    seen = app.store.state(key).last_seq
    who = actor or app.settings.actor
    state = _at(app, lambda s, now: lever_event(kinds.LEVER_PLANNED, who, now, data), key, seen)
    return Planned(lever, data, state)


def _text(action: Any) -> str:
    return "none" if action is None else Action.from_json(action).text()


@dataclass(frozen=True)
class Applied:
    lever: str
    data: dict[str, Any]
    incident: Incident


def apply(app: App, incident_id: str, lever_id: str, *, actor: str | None = None,
          confirm_destructive: bool = False, typed: str = "") -> Applied:  # fmt: skip
    """Pull a planned lever, if the guard allows; then the incident is `mitigating`."""
    key = app.resolve_id(incident_id)
    who = actor or app.settings.actor
    current = _lever_book(app, key)
    lever_key = _plan_key(current, lever_id)
    typed_destructive, type_reasons = lever_types.check(app, key, current.plans.get(lever_key))
    request = ApplyRequest(lever_key, who, confirm_destructive, typed, typed_destructive)
    found = [(TYPE_RULES, reason) for reason in type_reasons] + broken_rules(request, current)
    if found:
        record_refusal(app, key, lever_key, who, found, current.plans.get(lever_key))
        raise GuardRefused("refused: " + "; ".join(reason for _, reason in found))
    planned = current.plans[lever_key]
    done = EXECUTORS[str(planned.get("executor", "argv"))].apply(
        planned, _ctx(app, Path(planned["repo"]))
    )
    data = {
        "lever": lever_key, "kind": planned.get("kind"), "target": planned.get("target"),
        "command": planned["command"], "rollback": done.rollback or planned["rollback"],
        "postlude": planned.get("postlude", []), "executor": planned.get("executor"),
        "params": planned.get("params", {}), "repo": planned["repo"], "dry_run": False,
        "destructive": bool(planned.get("destructive")) or typed_destructive, "results": list(done.results),
        "facts": done.facts, "confirmed_by": who_confirmed(request, current),
    }  # fmt: skip
    seen = current.last_seq
    if not done.ok:
        data["summary"] = f"lever {lever_key} FAILED: {done.detail}"
        _at(app, lambda s, now: lever_event(LEVER_FAILED, who, now, data), key, seen)
        raise UserError(f"{lever_key} failed: {done.detail} (recorded on the timeline)")
    data["summary"] = (f"applied {lever_key}: {_text(data['command'])} — rollback: "
                       f"{_text(data['rollback'])} ({done.detail})")  # fmt: skip
    state = _at(app, lambda s, now: lever_event(kinds.LEVER_APPLIED, who, now, data), key, seen)
    if state.status is not Status.MITIGATING and Status.MITIGATING in ALLOWED[state.status]:
        state = _status(app, key, Status.MITIGATING, f"lever {lever_key} applied", who)
    return Applied(lever_key, data, state)


TYPE_RULES = "incident_type"  # the rules an incident's type adds (services/lever_types.py)


def broken_rules(request: ApplyRequest, current: LeverBook) -> list[tuple[str, str]]:
    """(rule, reason) for each guard rule that refuses; the rule is its function's name."""
    found = [(rule.__name__.strip("_"), rule(request, current)) for rule in RULES]
    return [(name, reason) for name, reason in found if reason is not None]


def record_refusal(app: App, key: str, lever_key: str, who: str, found: list[tuple[str, str]],
                   plan: dict[str, Any] | None) -> None:  # fmt: skip
    """Put what the guard refused on the timeline, so the postmortem sees what was tried."""
    reasons = [reason for _, reason in found]
    data: dict[str, Any] = {
        "lever": lever_key, "kind": (plan or {}).get("kind"), "target": (plan or {}).get("target"),
        "rule": found[0][0], "rules": [name for name, _ in found], "reason": "; ".join(reasons),
        "reasons": reasons, "summary": f"the guard refused {lever_key}: {'; '.join(reasons)}",
    }  # fmt: skip
    now = app.clock()
    record(app, key, lambda s: lever_event(LEVER_REFUSED, who, now, data))


def _plan_key(current: LeverBook, lever_id: str) -> str:
    if lever_id in current.plans or not lever_id.isdigit():
        return lever_id
    for key, data in current.plans.items():
        if str(data.get("rank")) == lever_id:
            return key
    return lever_id


def _status(app: App, key: str, target: Status, reason: str, who: str) -> Incident:
    now = app.clock()
    return record(app, key, lambda s: change_status(s, target, reason, who, now, now))[1]


def undo(app: App, incident_id: str, lever_id: str | None = None, *,
         actor: str | None = None) -> Applied:  # fmt: skip
    """Run the recorded rollback of an applied lever."""
    key = app.resolve_id(incident_id)
    who = actor or app.settings.actor
    current = _lever_book(app, key)
    if lever_id is None:
        if len(current.applied) != 1:
            names = ", ".join(current.applied) or "none"
            raise InvalidInput(f"name the lever to undo (applied: {names})")
        lever_id = next(iter(current.applied))
    applied = current.applied.get(lever_id)
    if applied is None:
        raise NotFound(f"{lever_id} is not applied on {key}")
    done = EXECUTORS[str(applied.get("executor", "argv"))].undo(
        applied, _ctx(app, Path(applied["repo"]))
    )
    if not done.ok:
        raise UserError(f"undo of {lever_id} failed: {done.detail}; the lever is still applied")
    data = {"lever": lever_id, "command": applied["rollback"], "results": list(done.results),
            "summary": f"undid {lever_id}: {_text(applied['rollback'])} ({done.detail})"}  # fmt: skip
    state = _at(app, lambda s, now: lever_event(kinds.LEVER_UNDONE, who, now, data), key,
                current.last_seq)  # fmt: skip
    return Applied(lever_id, data, state)


def approve(app: App, incident_id: str, lever_id: str, *, by: str | None = None,
            note: str = "") -> Incident:  # fmt: skip
    """A second responder approves a destructive lever (good for one application)."""
    key = app.resolve_id(incident_id)
    who = by or app.settings.actor
    current = _lever_book(app, key)
    if lever_id not in current.plans:
        raise NotFound(f"{lever_id} has no plan on {key}: plan it before approving")
    data: dict[str, Any] = {"lever": lever_id, "by": who, "note": note,
            "summary": f"{who} approved {lever_id}" + (f": {note}" if note else "")}  # fmt: skip
    return _at(app, lambda s, now: lever_event(LEVER_APPROVED, who, now, data), key,
               current.last_seq)  # fmt: skip


def confirm(app: App, incident_id: str, lever: str | None = None, *, by: str,
            evidence: str = "", samples: list[Any] | None = None,
            window_s: int | None = None, move_status: bool = True) -> Incident:  # fmt: skip
    """Mark the applied lever as confirmed by evidence (a responder or the watch signal)."""
    key = app.resolve_id(incident_id)
    current = _lever_book(app, key)
    pending = current.unconfirmed()
    if lever is None:
        if len(pending) != 1:
            raise InvalidInput(
                f"name the lever to confirm (unconfirmed: {', '.join(pending) or 'none'})"
            )
        lever = pending[0]
    if lever not in pending:
        raise NotFound(f"{lever} is not an applied, unconfirmed lever on {key}")
    text = checked_text(evidence, "evidence") if samples is None else (evidence or "signal")
    data: dict[str, Any] = {"lever": lever, "by": by, "evidence": text,
                            "summary": f"{by} confirmed {lever} worked: {text}"}  # fmt: skip
    if samples is not None:
        data["samples"] = samples
    if window_s is not None:
        data["window_s"] = window_s
    state = _at(app, lambda s, now: lever_event(kinds.MITIGATION_CONFIRMED, by, now, data), key,
                current.last_seq)  # fmt: skip
    if move_status and state.status is Status.MITIGATING:
        state = _status(app, key, Status.MITIGATED, f"{lever} confirmed", by)
    return state
