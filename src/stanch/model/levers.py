"""Control surfaces and levers: what a repository offers, and how levers are ranked.

Pure data and rules; discovery (levers/) fills these in, the guard (model/guard.py)
decides when one may be pulled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

SURFACE_KINDS = (
    "ci_pipeline", "makefile", "deploy_script", "helm_chart", "helm_release", "k8s_workload",
    "kustomize", "hpa", "terraform", "compose_service", "feature_flags", "runbook",
    "codeowners", "service_catalog", "gitops",
)  # fmt: skip
LEVER_KINDS = ("rollback", "flag_off", "scale", "failover")

# Where the lever acts: one executor each (levers/executors.py maps them to adapters).
ARGV, GIT, FLAGD, UNLEASH, LAUNCHDARKLY = "argv", "git", "flagd", "unleash", "launchdarkly"


def service_placement(conf: Mapping[str, Any]) -> tuple[str, str]:
    """(project, environment) a flag service's levers act on: `[levers.unleash]` or
    `[levers.launchdarkly]`, by default the `default` project's `production`."""
    return str(conf.get("project", "default")), str(conf.get("environment", "production"))


@dataclass(frozen=True)
class Surface:
    """One piece of the control surface, found at `path` (relative to the repository)."""

    kind: str
    path: str
    name: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "path": self.path, "name": self.name, **self.details}


@dataclass(frozen=True)
class Action:
    """What a lever runs: an argv list, a described file change, or a flag-service call."""

    argv: tuple[str, ...] = ()
    file: str | None = None
    change: str = ""
    http: dict[str, Any] | None = None

    def to_json(self) -> list[str] | dict[str, Any]:
        """argv as a list; anything else as a described change."""
        if self.argv:
            return list(self.argv)
        if self.file is not None:
            return {"file": self.file, "change": self.change}
        return {"http": dict(self.http or {}), "change": self.change}

    @classmethod
    def from_json(cls, data: Any) -> Action:
        if isinstance(data, list):
            return cls(argv=tuple(str(part) for part in data))
        if isinstance(data, dict) and "file" in data:
            return cls(file=str(data["file"]), change=str(data.get("change", "")))
        if isinstance(data, dict):
            return cls(http=dict(data.get("http") or {}), change=str(data.get("change", "")))
        raise ValueError(f"not an action: {data!r}")

    def text(self) -> str:
        """One line for people; argv parts quoted only where needed."""
        if self.argv:
            return " ".join(_quoted(part) for part in self.argv)
        if self.file is not None:
            return f"edit {self.file}: {self.change}"
        http = self.http or {}
        return f"{http.get('method', '')} {http.get('url', '')}: {self.change}".strip()


def _quoted(part: str) -> str:
    safe = part and all(c.isalnum() or c in "-_./=:,@%+" for c in part)
    return part if safe else "'" + part.replace("'", "'\\''") + "'"


@dataclass(frozen=True)
class Lever:
    """A way to stop the bleeding, with its way back."""

    id: str
    kind: str
    target: str
    command: Action
    rollback: Action | None
    executor: str = ARGV
    viability: Action | None = None  # read-only check that the way back exists
    reversible: bool = True
    destructive: bool = False
    eta_s: int = 60  # expected time to effect
    source: str = ""  # the surface path it came from
    evidence: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)  # executor-specific facts
    prelude: tuple[Action, ...] = ()  # e.g. suspend GitOps reconciliation first
    postlude: tuple[Action, ...] = ()  # run after the rollback, e.g. resume reconciliation
    recent_change: str = ""  # a change shortly before onset this lever reverses
    rank: int = 0
    reason: str = ""

    @property
    def safe(self) -> bool:
        return self.reversible and not self.destructive and self.rollback is not None

    def to_dict(self) -> dict[str, Any]:
        """The documented `--json` shape (docs/levers.md)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "target": self.target,
            "command": self.command.to_json(),
            "rollback": self.rollback.to_json() if self.rollback else None,
            "viability": self.viability.to_json() if self.viability else None,
            "prelude": [a.to_json() for a in self.prelude],
            "postlude": [a.to_json() for a in self.postlude],
            "reversible": self.reversible,
            "destructive": self.destructive,
            "eta_s": self.eta_s,
            "executor": self.executor,
            "source": self.source,
            "evidence": list(self.evidence),
            "rank": self.rank,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Change:
    """A change from history (a commit, a rollout, a flag flip) that may explain the onset."""

    at: datetime
    ref: str
    summary: str
    paths: tuple[str, ...] = ()
    # flag file → the flag keys whose definition this change altered, where it was read
    flag_keys: Mapping[str, frozenset[str]] = field(default_factory=dict)


_KIND_ORDER = {"flag_off": 0, "rollback": 1, "scale": 2, "failover": 3}


def mark_recent(
    levers: list[Lever], changes: list[Change], onset: datetime, window: timedelta
) -> list[Lever]:
    """Tag levers whose source changed in the window before onset (newest change wins)."""
    recent = sorted(
        (c for c in changes if onset - window <= c.at <= onset), key=lambda c: c.at, reverse=True
    )
    out = []
    for lever in levers:
        hit = next((c for c in recent if _touches(c, lever)), None)
        if hit is not None and lever.kind in ("rollback", "flag_off"):
            note = f"{hit.ref[:10]} '{hit.summary}' changed {lever.source or lever.target}"
            out.append(replace(lever, recent_change=f"{note} at {hit.at:%Y-%m-%d %H:%M}Z"))
        else:
            out.append(lever)
    return out


def _touches(change: Change, lever: Lever) -> bool:
    if lever.params.get("commit") and change.ref == lever.params["commit"]:
        return True
    flag_file, key = lever.params.get("file"), lever.params.get("key")
    if lever.kind == "flag_off" and flag_file in change.flag_keys:
        return key in change.flag_keys[str(flag_file)]  # only the flags it really changed
    return bool(lever.source) and any(
        p == lever.source or p.startswith(lever.source.rstrip("/") + "/") for p in change.paths
    )


def rank(levers: list[Lever]) -> list[Lever]:
    """Fastest reversible first; a recent change's reversal before that; unsafe levers last."""

    def key(lever: Lever) -> tuple[int, int, int, int, str]:
        return (
            0 if lever.safe else 1,
            0 if lever.recent_change else 1,
            lever.eta_s,
            _KIND_ORDER.get(lever.kind, 9),
            lever.id,
        )

    ordered = sorted(levers, key=key)
    return [replace(lv, rank=i + 1, reason=_reason(lv)) for i, lv in enumerate(ordered)]


def _reason(lever: Lever) -> str:
    parts: list[str] = []
    if lever.recent_change:
        parts.append(f"reverses a change shortly before onset ({lever.recent_change})")
    if lever.rollback is None or not lever.reversible:
        parts.append("not reversible: ranked last, the guard will not apply it")
    elif lever.destructive:
        parts.append("destructive: ranked after every safe lever, needs a second confirmation")
    else:
        parts.append(f"reversible, takes effect in about {lever.eta_s}s")
    parts.extend(lever.evidence)
    return "; ".join(parts)
