"""The `[logs]` table of stanch.toml, validated once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from stanch.errors import InvalidInput
from stanch.evidence.logs.header_format import HeaderFormat, compile_format

_FORMAT = "stanch.toml [logs] format"
_TIME_FORMAT = "stanch.toml [logs] time_format"


@dataclass(frozen=True)
class LogsSettings:
    context: int = 5  # lines shown before a first occurrence
    top: int = 20  # signatures shown
    timezone: str = "UTC"  # zone of log timestamps that carry none
    year: int | None = None  # year of timestamps that carry none (default: this year)
    loki_url: str | None = None
    loki_tenant: str | None = None
    loki_limit: int = 5000
    workers: int = 2  # processes for several large files
    format: str | None = None  # header layout (`--log-format`); None: recognised per line
    time_format: str | None = None  # strptime format of that layout's timestamp

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def header(self, log_format: str | None = None,
               time_format: str | None = None) -> HeaderFormat | None:  # fmt: skip
        """The header layout to use: the command's options over these settings."""
        text = log_format or self.format
        if text is None:
            if time_format:
                raise InvalidInput("--time-format needs --log-format (or format in [logs])")
            return None
        return compile_format(
            text, time_format or self.time_format,
            origin="--log-format" if log_format else _FORMAT,
            time_origin="--time-format" if time_format else _TIME_FORMAT,
        )  # fmt: skip


def _int(table: Mapping[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"stanch.toml [logs] {key}: expected a whole number {low}–{high}")
    return value


def _text(table: Mapping[str, Any], key: str) -> str | None:
    value = table.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidInput(f"stanch.toml [logs] {key}: expected text")
    return value or None


def load(raw: Mapping[str, Any]) -> LogsSettings:
    """Read and check `[logs]`; unknown keys are refused so typos do not pass silently."""
    table = raw.get("logs", {})
    if not isinstance(table, Mapping):
        raise InvalidInput("stanch.toml [logs] must be a table")
    known = {f for f in LogsSettings.__dataclass_fields__}
    unknown = sorted(set(table) - known)
    if unknown:
        raise InvalidInput(f"stanch.toml [logs]: unknown key {unknown[0]!r}")
    zone = _text(table, "timezone") or "UTC"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"stanch.toml [logs] timezone: unknown zone {zone!r}") from None
    year = table.get("year")
    if year is not None:
        year = _int(table, "year", 1970, 1970, 9999)
    log_format, time_format = _text(table, "format"), _text(table, "time_format")
    if log_format is not None:
        compile_format(log_format, time_format, origin=_FORMAT, time_origin=_TIME_FORMAT)
    elif time_format is not None:
        raise InvalidInput(f"{_TIME_FORMAT}: needs format in [logs]")
    return LogsSettings(
        context=_int(table, "context", 5, 0, 100), top=_int(table, "top", 20, 1, 10_000),
        timezone=zone, year=year, loki_url=_text(table, "loki_url"),
        loki_tenant=_text(table, "loki_tenant"),
        loki_limit=_int(table, "loki_limit", 5000, 1, 5000),
        workers=_int(table, "workers", 2, 1, 64), format=log_format, time_format=time_format,
    )  # fmt: skip
