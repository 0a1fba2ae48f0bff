"""Resolve the owning team and its on-call for a service or a path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stanch.notify.config import CommsConfig
from stanch.owners import catalog, hosts


@dataclass(frozen=True)
class Owner:
    """Who owns something, how we know, and how to reach their on-call."""

    subject: str
    team: str | None
    source: str  # "catalog", "codeowners", "default" or "none"
    owners: tuple[str, ...] = ()  # every owner the source named
    pagerduty: str = ""  # "routing key configured" marker or service id, never the key
    opsgenie_team: str = ""
    slack: str = ""
    configured: bool = False  # the team has an entry in the escalation map
    sections: tuple[dict[str, Any], ...] = ()  # GitLab CODEOWNERS: each matching section

    def to_dict(self) -> dict[str, object]:
        return {
            "subject": self.subject,
            "team": self.team,
            "source": self.source,
            "owners": list(self.owners),
            "pagerduty": self.pagerduty,
            "opsgenie_team": self.opsgenie_team,
            "slack": self.slack,
            "configured": self.configured,
            "sections": [dict(s) for s in self.sections],
        }


def _reach(config: CommsConfig, base: Owner, entity: catalog.Entity | None = None) -> Owner:
    team = config.team(base.team) if base.team else None
    annotations = entity.annotations if entity else {}
    pd = ""
    if team and team.pagerduty_routing_key:
        pd = "routing key configured"
    elif annotations.get(catalog.PD_SERVICE_ID) or annotations.get(catalog.PD_INTEGRATION_KEY):
        pd = annotations.get(catalog.PD_SERVICE_ID) or "integration key in catalog"
    return Owner(
        subject=base.subject,
        team=team.name if team else base.team,
        source=base.source,
        owners=base.owners,
        pagerduty=pd,
        opsgenie_team=(team.opsgenie_team if team else "")
        or annotations.get(catalog.OPSGENIE_TEAM, ""),
        slack=team.slack if team else "",
        configured=team is not None,
        sections=base.sections,
    )


def resolve(config: CommsConfig, subject: str, *, is_path: bool = False) -> Owner:
    """Catalog first for a service name, then CODEOWNERS (for paths and as fallback)."""
    if not is_path:
        entity = catalog.component(catalog.load(list(config.catalog)), subject)
        if entity is not None and entity.owner_name:
            owner = Owner(subject, entity.owner_name, "catalog", (entity.owner or "",))
            return _reach(config, owner, entity)
    # A service name is looked up as a top-level directory of that name.
    path = subject if is_path else f"{subject.strip('/')}/_"
    found = hosts.lookup(config.repo, path, config.codeowners)
    named = found.owners
    if named:
        people = [o for o in named if not o.startswith("@@")] or list(named)  # not roles
        team = next((o for o in named if config.team(o)), people[0])
        owner = Owner(subject, team, "codeowners", named, sections=tuple(found.sections))
        return _reach(config, owner)
    if config.default_team:
        return _reach(config, Owner(subject, config.default_team, "default"))
    return Owner(subject, None, "none")


def catalog_routing_key(config: CommsConfig, service: str) -> str:
    """The PagerDuty integration key a catalog entry carries for a service, if any."""
    entity = catalog.component(catalog.load(list(config.catalog)), service)
    return entity.annotations.get(catalog.PD_INTEGRATION_KEY, "") if entity else ""
