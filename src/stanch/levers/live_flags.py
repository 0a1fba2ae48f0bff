"""Live flag state from the configured flag services (read-only HTTP GETs).

Unleash: each flag's environments (`enabled`) from the project feature endpoint, and
when it was last turned on or off from the admin event search (the flags' own events,
however busy the instance; the legacy newest-100 list on servers without the search). LaunchDarkly: the flag's
environment `on` and `lastModified` (epoch milliseconds).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from stanch.levers.flag_services import connection
from stanch.levers.live_kube import LiveError
from stanch.model.clock import from_iso, iso
from stanch.model.levers import LAUNCHDARKLY, UNLEASH, service_placement

_TOGGLES = {
    "feature-environment-enabled": "turned on",
    "feature-environment-disabled": "turned off",
}


@dataclass(frozen=True)
class FlagState:
    provider: str
    key: str
    environment: str
    on: bool
    changed_at: datetime | None  # when it last changed (None: not known)
    change: str = "changed"  # "turned on", "turned off" or "changed"
    configured: bool = True  # the environment levers act on ([levers.*] environment)

    def to_dict(self) -> dict[str, Any]:
        return {"provider": self.provider, "key": self.key, "environment": self.environment,
                "on": self.on, "changed_at": iso(self.changed_at) if self.changed_at else None,
                "change": self.change, "lever_environment": self.configured}  # fmt: skip


def _get(client: httpx.Client, url: str, **params: str) -> Any:
    try:
        got = client.get(url, params=params)
    except httpx.HTTPError as exc:
        raise LiveError(f"unreachable: {exc}") from None
    if got.status_code == 404:
        return None
    if got.status_code != 200:
        raise LiveError(f"GET {url} answered HTTP {got.status_code}")
    try:
        return got.json()
    except ValueError:
        raise LiveError(f"GET {url} did not answer JSON") from None


def _client(services: dict[str, dict[str, Any]], provider: str, timeout: float) -> httpx.Client:
    try:
        url, headers = connection(services, provider)
    except LookupError as exc:
        raise LiveError(str(exc)) from None
    return httpx.Client(base_url=url, headers=headers, timeout=timeout)


def unleash(services: dict[str, dict[str, Any]], keys: list[str], timeout: float
            ) -> tuple[list[FlagState], list[str]]:  # fmt: skip
    """State of each flag in every environment; notes for flags not found."""
    project, env = service_placement(services.get(UNLEASH) or {})
    out, notes = [], []
    with _client(services, UNLEASH, timeout) as client:
        last = _last_toggles(_unleash_events(client, project, keys))
        for key in keys:
            flag = _get(client, f"/api/admin/projects/{project}/features/{key}")
            envs = {str(e.get("name")): e for e in (flag or {}).get("environments", [])
                    if isinstance(e, dict)}  # fmt: skip
            if env not in envs:
                notes.append(f"Unleash flag {key}: not found in project {project}, "
                             f"environment {env}")  # fmt: skip
            for name, state in sorted(envs.items()):
                at, change = last.get((key, name), (None, "changed"))
                out.append(FlagState(UNLEASH, key, name, bool(state.get("enabled")), at, change,
                                     name == env))  # fmt: skip
    return out, notes


def _unleash_events(client: httpx.Client, project: str, keys: list[str]) -> list[Any]:
    """The newest events of these flags from the event search (Unleash 6+), 50 flags a
    request; the legacy list (the newest 100 events of all flags) when there is none."""
    found: list[Any] = []
    for start in range(0, len(keys), 50):
        page = _get(client, "/api/admin/search/events", project=f"IS:{project}", limit="1000",
                    feature="IS_ANY_OF:" + ",".join(keys[start : start + 50]))  # fmt: skip
        if page is None:
            legacy = _get(client, "/api/admin/events", project=project) or {}
            return list(legacy.get("events") or []) if isinstance(legacy, dict) else []
        found += page.get("events") or [] if isinstance(page, dict) else []
    return found


def _last_toggles(events: Any) -> dict[tuple[str, str], tuple[datetime, str]]:
    """(flag, environment) → (when, "turned on"/"turned off") of its newest toggle."""
    out: dict[tuple[str, str], tuple[datetime, str]] = {}
    for event in events if isinstance(events, list) else []:
        if not isinstance(event, dict) or event.get("type") not in _TOGGLES:
            continue
        if not event.get("environment") or not event.get("featureName"):
            continue
        try:
            at = from_iso(str(event["createdAt"]))
        except (KeyError, ValueError):
            continue
        key = (str(event["featureName"]), str(event["environment"]))
        if key not in out or out[key][0] < at:
            out[key] = (at, _TOGGLES[str(event["type"])])
    return out


def launchdarkly(services: dict[str, dict[str, Any]], keys: list[str], timeout: float
                 ) -> tuple[list[FlagState], list[str]]:  # fmt: skip
    """State of each flag in every environment; notes for flags not found."""
    project, env = service_placement(services.get(LAUNCHDARKLY) or {})
    out, notes = [], []
    with _client(services, LAUNCHDARKLY, timeout) as client:
        for key in keys:
            flag = _get(client, f"/api/v2/flags/{project}/{key}")
            envs = (flag or {}).get("environments") or {}
            if not isinstance(envs.get(env), dict):
                notes.append(f"LaunchDarkly flag {key}: not found in project {project}, "
                             f"environment {env}")  # fmt: skip
            for name, state in sorted(envs.items()):
                if not isinstance(state, dict):
                    continue
                stamp = state.get("lastModified")
                at = datetime.fromtimestamp(stamp / 1000, UTC) if isinstance(stamp, int) else None
                out.append(FlagState(LAUNCHDARKLY, key, str(name), bool(state.get("on")), at,
                                     configured=name == env))  # fmt: skip
    return out, notes
