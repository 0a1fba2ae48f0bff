"""[server] settings: defaults, validation naming the key, and every key documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from stanch.errors import InvalidInput
from stanch.model.severity import Severity
from stanch.server.app import route_modules
from stanch.server.config import SERVER_SETTINGS, load_server_config

DOC = Path(__file__).resolve().parents[2] / "docs" / "server.md"


def test_defaults_and_overrides() -> None:
    assert load_server_config({}).group_by == ("alertname", "service")
    config = load_server_config(
        {"server": {"group_by": [], "default_severity": "P1", "severity_labels": {"Crit": "SEV1"}}}
    )
    assert config.group_by == () and config.default_severity is Severity.SEV2
    assert config.severity_labels == {"crit": "SEV1"}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"group_by": "alertname"}, "group_by"),
        ({"rate_per_second": 0}, "rate_per_second"),
        ({"severity_labels": {"x": "SEV9"}}, "unknown severity"),
        ({"colour": "red"}, "unknown setting 'colour'"),
    ],
)
def test_bad_values_name_the_key(table: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        load_server_config({"server": table})


def test_every_server_setting_is_documented() -> None:
    text = DOC.read_text()
    for key in SERVER_SETTINGS:
        assert f"| `{key}` |" in text, key


def test_routers_are_discovered() -> None:
    assert {"alerts", "api", "changes", "status", "ui"} <= set(route_modules())
