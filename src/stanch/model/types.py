"""Incident types and what each one changes: defaults, destructive levers, refusals.

Pure: the rules take the incident state and its events; nothing here does I/O. Other
capabilities call these functions (lever guards, status page, outbound messages,
postmortem) so a type's discipline is decided in one place.
"""

from __future__ import annotations

import enum
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

from stanch.errors import InvalidInput
from stanch.model import kinds
from stanch.model.events import Event
from stanch.model.incident import Incident
from stanch.model.severity import Severity

# Kinds this module reads and the people capability writes.
EVIDENCE_PRESERVED: Final = "evidence.preserved"  # {"items", "state_sha256", "summary"}
WRITE_PATH_STOPPED: Final = "write_path.stopped"  # {"how", "summary"}
WRITE_PATH_RESUMED: Final = "write_path.resumed"  # {"how", "summary"}
STATEMENT_PUBLISHED: Final = "statement.published"  # {"text", "summary"}
AFFECTED_COUNTED: Final = "affected.counted"  # {"records", "users", "summary"}


class IncidentType(enum.StrEnum):
    OUTAGE = "outage"
    PARTIAL_OUTAGE = "partial_outage"
    DEGRADATION = "degradation"
    DATA_INTEGRITY = "data_integrity"
    SECURITY = "security"

    @classmethod
    def parse(cls, text: str) -> IncidentType:
        """'security', 'partial-outage', 'data integrity', 'performance' … case-insensitively."""
        key = re.sub(r"[\s-]+", "_", (text or "").strip().lower())
        found = _ALIASES.get(key)
        if found is None:
            names = ", ".join(t.value for t in cls)
            raise InvalidInput(f"unknown incident type {text!r}: use one of {names}")
        return found


_ALIASES: dict[str, IncidentType] = {t.value: t for t in IncidentType} | {
    "partial": IncidentType.PARTIAL_OUTAGE,
    "performance": IncidentType.DEGRADATION,
    "performance_degradation": IncidentType.DEGRADATION,
    "perf": IncidentType.DEGRADATION,
    "data": IncidentType.DATA_INTEGRITY,
    "integrity": IncidentType.DATA_INTEGRITY,
    "sec": IncidentType.SECURITY,
}

# Words in a lever's kind that destroy evidence (security) or rewrite data (data integrity).
# Replacing running pods (restarts, rollouts, rollbacks) destroys their memory and disk.
_EVIDENCE_DESTROYING = (
    "restart", "delete", "drain", "evict", "recreate", "terminate", "reboot", "rollout",
    "rollback",
)  # fmt: skip
_DATA_REWRITING = ("repair", "backfill", "rewrite", "migrate", "migration", "restore")


@dataclass(frozen=True)
class TypeRules:
    """What an incident type changes; every field can be overridden in stanch.toml."""

    severity: Severity
    restricted: bool = False  # only named people can read it
    public_by_default: bool = True  # may appear on the status page without a statement
    outbound_detail: bool = True  # outbound messages may carry internal detail
    destructive_words: tuple[str, ...] = ()  # lever kinds containing these need confirmation
    escalation_target: str | None = None  # None: the owning service's on-call
    postmortem_private: bool = False
    blast_radius_required: bool = False  # regions or tenants at declaration
    flagging_signal: str = "error_ratio"
    escalate_on: str = "threshold"  # or "trend"
    preserve_evidence_first: bool = False
    stop_write_path_first: bool = False


DEFAULT_RULES: Mapping[IncidentType, TypeRules] = {
    IncidentType.OUTAGE: TypeRules(Severity.SEV1),
    IncidentType.PARTIAL_OUTAGE: TypeRules(Severity.SEV2, blast_radius_required=True),
    IncidentType.DEGRADATION: TypeRules(
        Severity.SEV3, flagging_signal="latency_p99", escalate_on="trend"
    ),
    IncidentType.DATA_INTEGRITY: TypeRules(
        Severity.SEV2, destructive_words=_DATA_REWRITING, stop_write_path_first=True
    ),
    IncidentType.SECURITY: TypeRules(
        Severity.SEV1,
        restricted=True,
        public_by_default=False,
        outbound_detail=False,
        destructive_words=_EVIDENCE_DESTROYING,
        escalation_target="security-oncall",
        postmortem_private=True,
        preserve_evidence_first=True,
    ),
}

_BOOL_FIELDS = (
    "restricted", "public_by_default", "outbound_detail", "postmortem_private",
    "blast_radius_required", "preserve_evidence_first", "stop_write_path_first",
)  # fmt: skip
_TEXT_FIELDS = ("flagging_signal", "escalate_on")


def _override(rules: TypeRules, table: Mapping[str, Any], where: str) -> TypeRules:
    changes: dict[str, Any] = {}
    for key, value in table.items():
        if key == "severity":
            changes[key] = Severity.parse(str(value))
        elif key in _BOOL_FIELDS:
            if not isinstance(value, bool):
                raise InvalidInput(f"{where}.{key} must be true or false")
            changes[key] = value
        elif key == "escalation_target":
            changes[key] = str(value) or None
        elif key in _TEXT_FIELDS:
            changes[key] = str(value)
        elif key == "destructive_levers":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InvalidInput(f"{where}.destructive_levers must be a list of words")
            changes["destructive_words"] = tuple(v.lower() for v in value)
        else:
            raise InvalidInput(f"{where}: unknown setting {key!r}")
    return replace(rules, **changes)


def load_rules(people: Mapping[str, Any]) -> dict[IncidentType, TypeRules]:
    """The shipped rules with `[people.types.<type>]` overrides applied."""
    tables = people.get("types", {})
    if not isinstance(tables, Mapping):
        raise InvalidInput("[people.types] must be a table")
    rules = dict(DEFAULT_RULES)
    for name, table in tables.items():
        kind = IncidentType.parse(name)
        if not isinstance(table, Mapping):
            raise InvalidInput(f"[people.types.{name}] must be a table")
        rules[kind] = _override(rules[kind], table, f"people.types.{name}")
    return rules


def type_of(incident: Incident) -> IncidentType:
    """The incident's current type (outage when none was named)."""
    return IncidentType.parse(incident.type)


def _words(lever_kind: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", lever_kind.lower()) if w}


def destructive_for_type(
    incident_type: IncidentType | str,
    lever_kind: str,
    rules: Mapping[IncidentType, TypeRules] = DEFAULT_RULES,
) -> bool:
    """Does this lever need the second confirmation on an incident of this type?"""
    kind = IncidentType.parse(str(incident_type))
    words = _words(lever_kind)
    return any(word in words for word in rules[kind].destructive_words)


def _last_of(events: Iterable[Event], kinds: tuple[str, ...]) -> Event | None:
    found: Event | None = None
    for event in events:
        if event.kind in kinds:
            found = event
    return found


def evidence_preserved(events: Iterable[Event]) -> bool:
    return _last_of(events, (EVIDENCE_PRESERVED,)) is not None


def write_path_stopped(events: Iterable[Event]) -> bool:
    """Is the write path stopped now (stopped and not resumed since)?"""
    last = _last_of(events, (WRITE_PATH_STOPPED, WRITE_PATH_RESUMED))
    return last is not None and last.kind == WRITE_PATH_STOPPED


def mitigation_refusal(
    incident: Incident,
    events: Iterable[Event],
    rules: Mapping[IncidentType, TypeRules] = DEFAULT_RULES,
) -> str | None:
    """Why a mitigation must wait (security: evidence not yet preserved), or None."""
    kind = type_of(incident)
    if rules[kind].preserve_evidence_first and not evidence_preserved(events):
        return (
            f"{incident.id} is a {kind.value} incident: preserve evidence first "
            f"(stanch preserve -i {incident.id} --file <log> …) before any mitigation"
        )
    return None


def repair_refusal(
    incident: Incident,
    events: Iterable[Event],
    rules: Mapping[IncidentType, TypeRules] = DEFAULT_RULES,
) -> str | None:
    """Why a data repair must wait (data integrity: write path still open), or None."""
    kind = type_of(incident)
    if rules[kind].stop_write_path_first and not write_path_stopped(events):
        return (
            f"{incident.id} is a {kind.value} incident: stop the write path first "
            f"(stanch write-path stop -i {incident.id} --how …) before repairing data"
        )
    return None


def public_allowed(
    incident: Incident,
    events: Iterable[Event],
    rules: Mapping[IncidentType, TypeRules] = DEFAULT_RULES,
) -> bool:
    """May the incident appear on the public status page?"""
    if rules[type_of(incident)].public_by_default:
        return True
    return _last_of(events, (STATEMENT_PUBLISHED,)) is not None


def public_statement(events: Iterable[Event]) -> str | None:
    """The text a responder explicitly published for a restricted incident, if any."""
    last = _last_of(events, (STATEMENT_PUBLISHED,))
    return str(last.data["text"]) if last is not None else None


GENERIC_OUTBOUND = "We are investigating an issue and will share more when we can."


def outbound_text(
    incident: Incident,
    events: Iterable[Event],
    text: str,
    rules: Mapping[IncidentType, TypeRules] = DEFAULT_RULES,
) -> str:
    """What an outbound message may say: no internal detail for restricted types."""
    if rules[type_of(incident)].outbound_detail:
        return text
    return public_statement(events) or GENERIC_OUTBOUND


def escalation_target(
    incident: Incident,
    default: str,
    rules: Mapping[IncidentType, TypeRules] = DEFAULT_RULES,
) -> str:
    """Who to page on escalation: the type's target (security on-call) or the default."""
    return rules[type_of(incident)].escalation_target or default


def postmortem_private(
    incident: Incident, rules: Mapping[IncidentType, TypeRules] = DEFAULT_RULES
) -> bool:
    return rules[type_of(incident)].postmortem_private


def blast_radius_problem(
    incident_type: IncidentType,
    regions: tuple[str, ...],
    tenants: tuple[str, ...],
    rules: Mapping[IncidentType, TypeRules] = DEFAULT_RULES,
) -> str | None:
    """A partial outage must name its blast radius when declared."""
    if rules[incident_type].blast_radius_required and not (regions or tenants):
        return (
            f"a {incident_type.value} needs its blast radius at declaration: "
            "--region and/or --tenant (tier as a tenant, e.g. --tenant tier:free)"
        )
    return None


def lever_refusal(
    incident: Incident,
    events: Iterable[Event],
    lever_kind: str,
    *,
    confirmed: bool = False,
    rules: Mapping[IncidentType, TypeRules] = DEFAULT_RULES,
) -> str | None:
    """Why this lever may not run now on this incident's type, or None when it may."""
    listed = list(events)
    refusal = mitigation_refusal(incident, listed, rules)
    if refusal:
        return refusal
    kind = type_of(incident)
    if not destructive_for_type(kind, lever_kind, rules):
        return None
    refusal = repair_refusal(incident, listed, rules)
    if refusal:
        return refusal
    if not confirmed:
        return (
            f"{lever_kind} is destructive for a {kind.value.replace('_', ' ')} incident: "
            "confirm it a second time (--confirm) to go ahead"
        )
    return None


def affected_counts(events: Iterable[Event]) -> tuple[int | None, int | None]:
    """The latest counted (records, users) that wrong data reached, None where not counted."""
    last = _last_of(events, (AFFECTED_COUNTED,))
    if last is None:
        return None, None
    records, users = last.data.get("records"), last.data.get("users")
    return (None if records is None else int(records)), (None if users is None else int(users))


_POSTMORTEM_QUESTIONS: Mapping[IncidentType, tuple[str, ...]] = {
    IncidentType.DATA_INTEGRITY: (
        "Backfill plan: how were the affected records repaired, and from which source of truth?",
        "Verification plan: how was it checked that every affected record is now correct?",
        "How many records and users were affected, and were the users told?",
    ),
    IncidentType.SECURITY: (
        "What evidence was preserved, where, and who has had access to it since?",
        "What access was gained, for how long, and has every credential involved been rotated?",
    ),
    IncidentType.DEGRADATION: (
        "Which latency percentile flagged it, and did the trend alert fire early enough?",
    ),
    IncidentType.PARTIAL_OUTAGE: (
        "Why was the blast radius limited to these regions/tenants/tiers, and could it be smaller?",
    ),
}


def postmortem_questions(incident: Incident) -> tuple[str, ...]:
    """The extra questions this type's postmortem must answer."""
    return _POSTMORTEM_QUESTIONS.get(type_of(incident), ())


def trend_escalation(
    incident: Incident,
    events: Iterable[Event],
    points: int = 3,
    rules: Mapping[IncidentType, TypeRules] = DEFAULT_RULES,
) -> str | None:
    """For types that escalate on trend: why to escalate now (the flagging signal keeps
    worsening over the last `points` unhealthy samples), or None."""
    if rules[type_of(incident)].escalate_on != "trend":
        return None
    samples = [e for e in events if e.kind == kinds.SIGNAL_SAMPLED]
    recent = samples[-points:]
    if len(recent) < points or any(e.data.get("healthy", True) for e in recent):
        return None
    values = [float(e.data["value"]) for e in recent]
    if all(later > earlier for earlier, later in itertools.pairwise(values)):
        shown = " → ".join(f"{v:g}" for v in values)
        return (
            f"{rules[type_of(incident)].flagging_signal} worsening over {points} samples: {shown}"
        )
    return None
