"""The [logs] table: defaults, values, and refusals that name the key."""

from __future__ import annotations

import pytest

from stanch.errors import InvalidInput
from stanch.evidence.logs.settings import LogsSettings, load


def test_defaults_and_values() -> None:
    assert load({}) == LogsSettings()
    conf = load({"logs": {"context": 2, "timezone": "Europe/Berlin", "loki_url": "http://l:3100",
                          "loki_tenant": "a", "loki_limit": 100, "year": 2025, "top": 5}})  # fmt: skip
    assert (conf.context, conf.zone().key, conf.loki_limit, conf.year) == (
        2,
        "Europe/Berlin",
        100,
        2025,
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"contxt": 3}, "unknown key 'contxt'"),
        ({"context": -1}, "context"),
        ({"loki_limit": 6000}, "loki_limit"),
        ({"timezone": "Mars/Olympus"}, "unknown zone"),
        ({"top": True}, "top"),
        ({"loki_url": 3}, "loki_url"),
    ],
)
def test_bad_values_are_refused(table: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        load({"logs": table})
