"""Importing a file never writes to a restricted incident its importer may not read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stanch.services.context import App
from tests.people.test_access import declare_breach, people_apps
from tests.support.cli import cli


@pytest.fixture
def apps(project: Path, database_url: str) -> Iterator[dict[str, App]]:
    yield from people_apps(project, database_url)


def test_import_over_a_restricted_incident_needs_access(
    capsys: pytest.CaptureFixture[str], apps: dict[str, App], tmp_path: Path
) -> None:
    alice, mallory = apps["alice"], apps["mallory"]
    key = declare_breach(capsys, alice)
    assert cli(capsys, alice, "log", "pulled auth logs", "-i", key).code == 0
    carried = tmp_path / "carried.md"
    carried.write_bytes(alice.files.path(key).read_bytes())  # a copy carried elsewhere
    before = alice.store.chain(key)

    refused = cli(capsys, mallory, "import", str(carried))
    assert refused.code == 1
    assert refused.err.strip().endswith(
        f"incident {key!r} is restricted and not open to mallory: not imported"
    )
    assert alice.store.chain(key) == before

    allowed = cli(capsys, alice, "import", str(carried), "--json")
    assert allowed.code == 0, allowed.err
    assert allowed.json()["added"] == 0
    assert alice.store.chain(key) == before
