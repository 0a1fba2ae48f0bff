"""The [comms] table of stanch.toml: providers, teams, cadence and escalation thresholds.

Secrets are never written in stanch.toml: each provider names the environment
variable that holds its key (`*_env`), read when the settings are loaded.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from stanch.errors import InvalidInput
from stanch.model.cadence import CadencePolicy
from stanch.model.escalation import EscalationPolicy
from stanch.model.severity import Severity

PROVIDERS = ("pagerduty", "opsgenie", "slack", "statuspage", "webhook")
DEFAULT_URLS = {
    "pagerduty": "https://events.pagerduty.com",
    "opsgenie": "https://api.opsgenie.com",
    "slack": "https://slack.com/api/",
    "statuspage": "https://api.statuspage.io/v1",
}
DEFAULT_KEY_ENV = {
    "opsgenie": "OPSGENIE_API_KEY",
    "slack": "SLACK_BOT_TOKEN",
    "statuspage": "STATUSPAGE_API_KEY",
    "webhook": "STANCH_WEBHOOK_SECRET",
}


@dataclass(frozen=True)
class Team:
    """Where a team is paged and reached."""

    name: str
    pagerduty_routing_key: str = ""
    opsgenie_team: str = ""
    slack: str = ""
    webhook: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Provider:
    name: str
    url: str
    key: str = ""  # the secret, from the environment
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CommsConfig:
    providers: Mapping[str, Provider] = field(default_factory=dict)
    teams: Mapping[str, Team] = field(default_factory=dict)
    cadence: CadencePolicy = field(default_factory=CadencePolicy)
    escalation: EscalationPolicy = field(default_factory=EscalationPolicy)
    catalog: tuple[Path, ...] = ()
    repo: Path = Path()
    codeowners: str = "auto"  # whose CODEOWNERS rules: auto, github or gitlab
    default_team: str = ""
    status_dir: Path = Path("status")
    timeout: float = 10.0
    claim_lease: timedelta = timedelta(seconds=120)  # how long a deliverer holds a message

    def team(self, name: str) -> Team | None:
        """A team by name, alias, '@org/name' or Backstage ref."""
        bare = name.lstrip("@").split(":", 1)[-1]
        for candidate in (name, bare, bare.split("/")[-1]):
            if candidate in self.teams:
                return self.teams[candidate]
        for team in self.teams.values():
            if name in team.aliases or bare in team.aliases:
                return team
        return None


def _table(raw: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise InvalidInput(f"stanch.toml: [{where}] must be a table")
    return value


def _minutes(table: Mapping[str, Any], where: str) -> dict[Severity, timedelta]:
    out: dict[Severity, timedelta] = {}
    for label, value in table.items():
        sev = Severity.parse(label)
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise InvalidInput(f"stanch.toml: {where}.{label} must be minutes (a number ≥ 0)")
        if value:
            out[sev] = timedelta(minutes=float(value))
    return out


def _providers(raw: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, Provider]:
    found: dict[str, Provider] = {}
    for name in PROVIDERS:
        table = _table(raw, name, f"comms.{name}")
        if not table and name != "pagerduty":
            continue
        key_env = str(table.get("key_env") or DEFAULT_KEY_ENV.get(name, ""))
        url = str(table.get("url") or DEFAULT_URLS.get(name, ""))
        found[name] = Provider(name, url, env.get(key_env, "") if key_env else "", table)
    return found


def _teams(raw: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, Team]:
    teams: dict[str, Team] = {}
    for name, table in _table(raw, "teams", "comms.teams").items():
        if not isinstance(table, dict):
            raise InvalidInput(f"stanch.toml: [comms.teams.{name}] must be a table")
        key = str(table.get("pagerduty_routing_key") or "")
        if table.get("pagerduty_routing_key_env"):
            key = env.get(str(table["pagerduty_routing_key_env"]), "")
        teams[name] = Team(
            name=name, pagerduty_routing_key=key,
            opsgenie_team=str(table.get("opsgenie_team") or ""),
            slack=str(table.get("slack") or ""), webhook=str(table.get("webhook") or ""),
            aliases=tuple(str(a) for a in table.get("aliases") or ()),
        )  # fmt: skip
    return teams


def load(raw_settings: Mapping[str, Any], root: Path,
         env: Mapping[str, str] | None = None) -> CommsConfig:  # fmt: skip
    """Parse and check [comms]; `env` defaults to the process environment, read now."""
    env = os.environ if env is None else env
    raw = _table(raw_settings, "comms", "comms")
    cadence_t = _table(raw, "cadence", "comms.cadence")
    every = {k: v for k, v in cadence_t.items() if k != "public_within"}
    public = cadence_t.get("public_within", 15)
    escalation_t = _table(raw, "escalation", "comms.escalation")
    cadence = CadencePolicy(
        every=_minutes(every, "comms.cadence") if every else CadencePolicy().every,
        public_within=_minutes({"SEV1": public}, "comms.cadence.public_within").get(
            Severity.SEV1, timedelta(0)),
    )  # fmt: skip
    unmitigated = _table(escalation_t, "unmitigated_minutes", "comms.escalation")
    escalation = EscalationPolicy(
        unmitigated_after=_minutes(unmitigated, "comms.escalation.unmitigated_minutes")
        if unmitigated else EscalationPolicy().unmitigated_after,
        no_lever_after=_minutes(_table(escalation_t, "no_lever_minutes", "comms.escalation"),
                                "comms.escalation.no_lever_minutes"),
        owned_services=frozenset(str(s) for s in escalation_t.get("owned_services") or ()),
    )  # fmt: skip
    catalog = raw.get("catalog") or []
    catalog_list = [catalog] if isinstance(catalog, str) else list(catalog)
    return CommsConfig(
        providers=_providers(raw, env),
        teams=_teams(raw, env),
        cadence=cadence,
        escalation=escalation,
        catalog=tuple(root / str(p) for p in catalog_list),
        repo=root / str(raw.get("repo", ".")),
        codeowners=_codeowners_host(raw.get("codeowners", "auto")),
        default_team=str(raw.get("default_team") or ""),
        status_dir=root / str(raw.get("status_dir", "status")),
        timeout=float(raw.get("timeout_seconds", 10.0)),
        claim_lease=_claim_lease(raw.get("claim_seconds", 120)),
    )


def _codeowners_host(value: Any) -> str:
    if value not in ("auto", "github", "gitlab"):
        raise InvalidInput(f"stanch.toml: comms.codeowners must be auto, github or gitlab, "
                           f"not {value!r}")  # fmt: skip
    return str(value)


def _claim_lease(value: Any) -> timedelta:
    """How long a deliverer holds a message it is sending before another may take it over."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise InvalidInput(f"stanch.toml: comms.claim_seconds must be a positive number, "
                           f"not {value!r}")  # fmt: skip
    return timedelta(seconds=float(value))
