"""The `[evidence]` table of stanch.toml, parsed and validated once."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from stanch.errors import InvalidInput

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str, what: str = "duration") -> timedelta:
    """'90s', '15m', '24h', '2d' → timedelta."""
    found = _DURATION.match(str(text))
    if not found:
        raise InvalidInput(f"{what}: {text!r} is not a duration like 30m, 24h or 2d")
    return timedelta(seconds=float(found.group(1)) * _UNITS[found.group(2)])


@dataclass(frozen=True)
class MetricNames:
    """Metric names and the label selecting a service; adapt to the instrumentation in use."""

    selector: str = 'job="{service}"'
    requests: str = "http_requests_total"
    error_matcher: str = 'code=~"5.."'
    duration_bucket: str = "http_request_duration_seconds_bucket"
    cpu: str = "process_cpu_seconds_total"
    memory: str = "process_resident_memory_bytes"
    threads: str = "process_threads"
    connections: str = "process_open_fds"
    rate_window: str = "1m"


@dataclass(frozen=True)
class EvidenceSettings:
    repos: tuple[Path, ...] = ()
    helm_releases: tuple[str, ...] = ()
    deployments: tuple[str, ...] = ()
    window: timedelta = timedelta(hours=24)
    prometheus_url: str | None = None
    onset_tolerance: timedelta = timedelta(minutes=5)
    change_log: Path | None = None
    services: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    metrics: MetricNames = MetricNames()


def _str_list(value: Any, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f"stanch.toml [evidence] {key}: expected a list of strings")
    return tuple(value)


def load(raw: Mapping[str, Any], root: Path, data_dir: Path) -> EvidenceSettings:
    """Validate `[evidence]`; paths are relative to the directory of stanch.toml."""
    table = raw.get("evidence", {})
    if not isinstance(table, Mapping):
        raise InvalidInput("stanch.toml [evidence] must be a table")
    services = table.get("services", {})
    if not isinstance(services, Mapping):
        raise InvalidInput("stanch.toml [evidence.services] must be a table")
    metrics = table.get("metrics", {})
    if not isinstance(metrics, Mapping) or not all(isinstance(v, str) for v in metrics.values()):
        raise InvalidInput("stanch.toml [evidence.metrics] must map names to strings")
    known = set(MetricNames.__dataclass_fields__)
    unknown = sorted(set(metrics) - known)
    if unknown:
        raise InvalidInput(f"stanch.toml [evidence.metrics]: unknown key {unknown[0]!r}")
    url = table.get("prometheus_url")
    if url is not None and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
        raise InvalidInput("stanch.toml [evidence] prometheus_url: expected an http(s) URL")
    log = table.get("change_log")
    return EvidenceSettings(
        repos=tuple(root / r for r in _str_list(table.get("repos", []), "repos")),
        helm_releases=_str_list(table.get("helm_releases", []), "helm_releases"),
        deployments=_str_list(table.get("deployments", []), "deployments"),
        window=parse_duration(table.get("window", "24h"), "[evidence] window"),
        prometheus_url=url,
        onset_tolerance=parse_duration(
            table.get("onset_tolerance", "5m"), "[evidence] onset_tolerance"
        ),
        change_log=root / log if isinstance(log, str) else data_dir / "changes.jsonl",
        services={k: _str_list(v, f"services.{k}") for k, v in services.items()},
        metrics=MetricNames(**dict(metrics)),
    )
