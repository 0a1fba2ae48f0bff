"""Quotas at (or near) their limit at onset, read from Prometheus: suspects like expiries.

A quota that runs out breaks whatever needs one more pod, volume or request, at the moment
it runs out; `evidence changes` lists every quota at or above the threshold at onset. The
default query reads kube-state-metrics' `kube_resourcequota` (used / hard per quota and
resource); any PromQL returning used/limit ratios with identifying labels works.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from stanch.errors import InvalidInput
from stanch.model.evidence import Change
from stanch.prometheus import PrometheusClient

DEFAULT_QUERY = (
    'max by (namespace, resourcequota, resource) (kube_resourcequota{type="used"})'
    " / on (namespace, resourcequota, resource)"
    ' max by (namespace, resourcequota, resource) (kube_resourcequota{type="hard"} > 0)'
)
NAME_LABELS = ("namespace", "resourcequota", "resource", "service", "quota", "name")


@dataclass(frozen=True)
class QuotaSettings:
    query: str = DEFAULT_QUERY
    threshold: float = 0.9  # share of the limit used that makes a quota a suspect


def load_settings(raw: Mapping[str, Any]) -> QuotaSettings | None:
    """`[evidence.quotas]`, or None when the table is absent (quotas are not read)."""
    table = raw.get("evidence", {}).get("quotas")
    if table is None:
        return None
    if not isinstance(table, Mapping):
        raise InvalidInput("stanch.toml [evidence.quotas] must be a table")
    query = table.get("query", DEFAULT_QUERY)
    if not isinstance(query, str) or not query.strip():
        raise InvalidInput("stanch.toml [evidence.quotas] query: expected a PromQL string")
    threshold = table.get("threshold", 0.9)
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, int | float)
        or not (0 < threshold <= 1)
    ):
        raise InvalidInput("stanch.toml [evidence.quotas] threshold: expected a number in (0, 1]")
    return QuotaSettings(query, float(threshold))


def _name(labels: Mapping[str, str]) -> str:
    parts = [labels[k] for k in NAME_LABELS if labels.get(k)]
    return "/".join(parts) or ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def quota_changes(
    client: PrometheusClient, settings: QuotaSettings, onset: datetime,
    known_services: tuple[str, ...] = (),
) -> list[Change]:  # fmt: skip
    """Quotas used at or above the threshold at onset, fullest first."""
    found = []
    for series in client.instant(settings.query, at=onset):
        points = series.finite().points
        if not points or points[-1][1] < settings.threshold:
            continue
        share = points[-1][1]
        name = _name(series.labels)
        state = "exhausted" if share >= 1 else f"at {share:.0%} of its limit"
        words = set(name.replace("/", " ").replace("-", " ").split())
        services = tuple(s for s in known_services if s in words or s in name.split("/"))
        found.append((share, Change(
            kind="quota", id=f"quota:{name}", at=onset, services=services,
            summary=f"quota {name} {state} at onset", source=f"prometheus:{client.url}",
        )))  # fmt: skip
    return [change for _, change in sorted(found, key=lambda pair: -pair[0])]
