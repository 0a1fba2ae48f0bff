"""Flag flips from Unleash's admin event search (`GET /api/admin/search/events`, read-only).

The search is filtered to the days of the window and read page by page, so a busy
instance's older flips are not lost; servers without it (before v6) answer 404, and then
the legacy `GET /api/admin/events` is read (it holds the newest 100 events only).

Configured by `[evidence.unleash] url` and `token_env` (the environment variable holding
an admin token, sent raw in `Authorization` as Unleash expects). Each enable, disable,
strategy or variant change of a flag inside the window is a `flag` change; an on/off
flip's undo note is the opposite admin call.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from stanch.errors import EnvironmentProblem, InvalidInput
from stanch.evidence.changes import ServiceMap, normalise
from stanch.model.clock import from_iso
from stanch.model.evidence import Change

EVENTS_PATH = "/api/admin/events"
SEARCH_PATH = "/api/admin/search/events"
PAGE = 1000  # the server's largest page
MAX_PAGES = 50
ACTIONS: Mapping[str, str] = {
    "feature-environment-enabled": "turned on",
    "feature-environment-disabled": "turned off",
    "feature-strategy-add": "got a new strategy",
    "feature-strategy-update": "had its strategy changed",
    "feature-strategy-remove": "lost a strategy",
    "feature-environment-variants-updated": "had its variants changed",
    "feature-variants-updated": "had its variants changed",
    "feature-archived": "was archived",
    "feature-revived": "was revived",
    "feature-updated": "was updated",
}
_OPPOSITE = {"feature-environment-enabled": "off", "feature-environment-disabled": "on"}


class UnleashUnavailable(EnvironmentProblem):
    """Unleash cannot be reached or failed on its side."""


@dataclass(frozen=True)
class UnleashSettings:
    url: str
    token_env: str = "UNLEASH_TOKEN"  # noqa: S105 - the name of a variable, not a secret
    project: str | None = None
    environment: str | None = None


def load_settings(raw: Mapping[str, Any]) -> UnleashSettings | None:
    """`[evidence.unleash]`, or None when no URL is configured."""
    table = raw.get("evidence", {}).get("unleash", {})
    if not isinstance(table, Mapping):
        raise InvalidInput("stanch.toml [evidence.unleash] must be a table")
    url = table.get("url")
    if url is None:
        return None
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise InvalidInput("stanch.toml [evidence.unleash] url: expected an http(s) URL")
    for key in ("token_env", "project", "environment"):
        if key in table and not isinstance(table[key], str):
            raise InvalidInput(f"stanch.toml [evidence.unleash] {key}: expected a string")
    return UnleashSettings(
        url.rstrip("/"), table.get("token_env", "UNLEASH_TOKEN"), table.get("project"),
        table.get("environment"),
    )  # fmt: skip


@dataclass(frozen=True)
class UnleashSource:
    settings: UnleashSettings
    services: ServiceMap
    transport: httpx.BaseTransport | None = None

    def changes(self, since: datetime, until: datetime) -> list[Change]:
        """Flag events created in [since, until], oldest first."""
        found = []
        for event in self._events(since, until):
            change = self._change(event)
            if change is not None and since <= change.at <= until:
                found.append(change)
        return sorted(found, key=lambda c: c.at)

    def _events(self, since: datetime, until: datetime) -> list[dict[str, Any]]:
        conf = self.settings
        token = os.environ.get(conf.token_env)
        if not token:
            raise InvalidInput(f"Unleash events: set {conf.token_env} to an admin API token")
        try:
            with httpx.Client(base_url=conf.url, timeout=30, transport=self.transport,
                              headers={"Authorization": token}) as client:  # fmt: skip
                searched = self._search(client, since, until)
                if searched is not None:
                    return searched
                params = {"project": conf.project} if conf.project else {}
                return self._listed(client.get(EVENTS_PATH, params=params), "events")
        except httpx.HTTPError as exc:
            raise UnleashUnavailable(f"Unleash at {conf.url} unreachable: {exc}") from None

    def _search(self, client: httpx.Client, since: datetime,
                until: datetime) -> list[dict[str, Any]] | None:  # fmt: skip
        """Every event of the window's days, page by page; None when the server has no
        event search (404)."""
        params: dict[str, Any] = {
            "from": f"IS:{(since - timedelta(days=1)).date().isoformat()}",
            "to": f"IS:{(until + timedelta(days=1)).date().isoformat()}", "limit": PAGE,
        }  # fmt: skip
        if self.settings.project:
            params["project"] = f"IS:{self.settings.project}"
        events: dict[Any, dict[str, Any]] = {}
        for page in range(MAX_PAGES):
            response = client.get(SEARCH_PATH, params={**params, "offset": page * PAGE})
            if response.status_code == 404 and page == 0:
                return None
            batch = self._listed(response, "events")
            events.update((event.get("id"), event) for event in batch)
            total = response.json().get("total")
            if len(batch) < PAGE or (isinstance(total, int) and (page + 1) * PAGE >= total):
                break
        return list(events.values())

    def _listed(self, response: httpx.Response, field: str) -> list[dict[str, Any]]:
        conf = self.settings
        if response.status_code in (401, 403):
            raise InvalidInput(
                f"Unleash at {conf.url} refused the token in {conf.token_env} "
                f"(HTTP {response.status_code}): it needs an admin token"
            )
        if response.status_code != 200:
            raise UnleashUnavailable(f"Unleash at {conf.url}: HTTP {response.status_code}")
        try:
            events = response.json()[field]
        except (ValueError, KeyError, TypeError):
            raise UnleashUnavailable(f"Unleash at {conf.url}: not an events response") from None
        if not isinstance(events, list):
            raise UnleashUnavailable(f"Unleash at {conf.url}: events is not a list")
        return [e for e in events if isinstance(e, dict)]

    def _change(self, event: dict[str, Any]) -> Change | None:
        kind, name = str(event.get("type", "")), event.get("featureName")
        env = event.get("environment")
        wanted = self.settings.environment
        if kind not in ACTIONS or not name or (wanted and env and env != wanted):
            return None
        try:
            at = from_iso(str(event["createdAt"]))
        except (KeyError, ValueError):
            return None
        who = str(event.get("createdBy") or "")
        project = str(event.get("project") or self.settings.project or "default")
        where = f" in {env}" if env else ""
        undo = None
        if kind in _OPPOSITE and env:
            undo = (
                f"POST {self.settings.url}/api/admin/projects/{project}/features/{name}"
                f"/environments/{env}/{_OPPOSITE[kind]}"
            )
        return Change(
            kind="flag", id=f"unleash:{event.get('id')}", at=at,
            summary=f"Unleash flag {name} {ACTIONS[kind]}{where}" + (f" by {who}" if who else ""),
            source=f"unleash:{self.settings.url}", services=self._services(str(name)),
            undo=undo, author=who,
        )  # fmt: skip

    def _services(self, flag: str) -> tuple[str, ...]:
        """Services the flag names: mapped by globs, or a known service as a word of its name."""
        found = self.services.services_of(flag)
        words = set(re.split(r"[-_.:/]", flag.lower()))
        found.update(s for s in self.services.known if normalise(s) in words)
        return tuple(sorted(found))
