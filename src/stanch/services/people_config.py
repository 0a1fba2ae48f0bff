"""The `[people]` table of stanch.toml, read and checked once per App."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from stanch.errors import InvalidInput
from stanch.model.people import Roster, load_roster
from stanch.model.severity import Severity
from stanch.model.types import DEFAULT_RULES, IncidentType, TypeRules, load_rules
from stanch.settings import Settings

_KNOWN = {
    "roster", "types", "readers", "reader_teams", "briefing_direct", "briefing_cadence_minutes",
    "meeting_within_hours", "stakeholder_teams", "meeting_hour_utc", "meeting_minutes", "diagnosis_timebox_minutes",
}  # fmt: skip


@dataclass(frozen=True)
class PeopleConfig:
    roster: Roster = field(default_factory=Roster)
    rules: Mapping[IncidentType, TypeRules] = field(default_factory=lambda: dict(DEFAULT_RULES))
    readers: tuple[str, ...] = ()  # may read every restricted incident
    reader_teams: tuple[str, ...] = ("security",)  # roster teams that may read them all
    stakeholder_teams: tuple[str, ...] = ("leadership", "customer-success")
    briefing_direct: tuple[Severity, ...] = (Severity.SEV1,)  # sent directly on the cadence
    briefing_cadence: timedelta = timedelta(minutes=30)
    meeting_within: timedelta = timedelta(hours=48)
    meeting_hour_utc: int = 15
    meeting_length: timedelta = timedelta(minutes=60)
    diagnosis_timebox: timedelta = timedelta(minutes=10)


def _names(table: Mapping[str, Any], key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = table.get(key, list(default))
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f"people.{key} must be a list of names")
    return tuple(v.strip() for v in value if v.strip())


def _number(table: Mapping[str, Any], key: str, default: float, low: float, high: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise InvalidInput(f"people.{key} must be a number from {low:g} to {high:g}")
    return float(value)


def parse_people(table: Mapping[str, Any]) -> PeopleConfig:
    """Check the `[people]` table; one line naming the key on a bad value."""
    if not isinstance(table, Mapping):
        raise InvalidInput("[people] must be a table")
    unknown = sorted(set(table) - _KNOWN)
    if unknown:
        raise InvalidInput(f"people: unknown setting {unknown[0]!r}")
    direct = _names(table, "briefing_direct", ("SEV1",))
    return PeopleConfig(
        roster=load_roster(table),
        rules=load_rules(table),
        readers=_names(table, "readers", ()),
        reader_teams=_names(table, "reader_teams", ("security",)),
        stakeholder_teams=_names(table, "stakeholder_teams", ("leadership", "customer-success")),
        briefing_direct=tuple(Severity.parse(s) for s in direct),
        briefing_cadence=timedelta(minutes=_number(table, "briefing_cadence_minutes", 30, 1, 1440)),
        meeting_within=timedelta(hours=_number(table, "meeting_within_hours", 48, 2, 24 * 14)),
        meeting_hour_utc=int(_number(table, "meeting_hour_utc", 15, 0, 23)),
        meeting_length=timedelta(minutes=_number(table, "meeting_minutes", 60, 15, 480)),
        diagnosis_timebox=timedelta(
            minutes=_number(table, "diagnosis_timebox_minutes", 10, 1, 240)
        ),
    )


def people_config(settings: Settings) -> PeopleConfig:
    """The people settings of this App's stanch.toml."""
    return parse_people(settings.raw.get("people", {}))
