"""Remote `create` on a taken id: the next free id, the same for a hidden incident as for
a visible one, so a caller learns nothing of an incident it may not read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from stanch.model.events import Kind
from stanch.services.context import App
from tests.server.test_restricted import SYMPTOM, Doors, _as, _doors


@pytest.fixture
def doors(any_app: App) -> Iterator[Doors]:
    yield from _doors(any_app)


def declaration(d: Doors, asked: str, symptom: str) -> dict[str, Any]:
    """What a client sends: its own declaration, made for the id it asks for."""
    template = d.app.store.events(d.plain)[0]
    data = dict(template.data, symptom=symptom, slug=asked.split("-", 3)[-1],
                channel=f"inc-{asked}")  # fmt: skip
    return {"kind": Kind.DECLARED, "occurred_at": "2026-11-22T10:00:00Z", "data": data}


def create(d: Doors, asked: str, symptom: str, token: str) -> Any:
    return d.client.post(
        f"/api/incidents/{asked}/create", json=declaration(d, asked, symptom), headers=_as(d, token)
    )


def test_a_hidden_id_answers_as_a_visible_taken_one_does(doors: Doors) -> None:
    d = doors
    before = len(d.app.store.events(d.breach))
    hidden = create(d, d.breach, "Search is slow", d.mallory)
    public = create(d, d.plain, "Search is slow", d.mallory)
    assert hidden.status_code == public.status_code == 201, hidden.text
    got = hidden.json()["state"]
    assert got["id"] == f"{d.breach}-2"
    assert public.json()["state"]["id"] == f"{d.plain}-2"
    assert sorted(hidden.json()) == sorted(public.json())
    for secret in (SYMPTOM, "security", "restricted", "exists"):
        assert secret not in hidden.text
    assert got["symptom"] == "Search is slow" and got["type"] != "security"
    # the channel is named for the id it got, not the one asked for (nor the hidden one's)
    breach_channel = d.app.store.state(d.breach).channel
    assert got["channel"] not in (f"inc-{d.breach}", breach_channel)
    assert "breach-2" in got["channel"]
    assert len(d.app.store.events(d.breach)) == before  # the hidden incident is untouched
    seen = d.client.get(f"/api/incidents/{got['id']}/state", headers=_as(d, d.mallory))
    assert seen.status_code == 200 and seen.json()["symptom"] == "Search is slow"


def test_a_free_id_is_taken_as_asked_with_the_client_s_channel(doors: Doors) -> None:
    d = doors
    asked = "2026-11-22-search-is-slow"
    made = create(d, asked, "Search is slow", d.mallory)
    assert made.status_code == 201, made.text
    assert made.json()["state"]["id"] == asked
    assert made.json()["state"]["channel"] == f"inc-{asked}"


def test_a_viewer_still_may_not_create(doors: Doors) -> None:
    d = doors
    refused = create(d, d.breach, "Search is slow", d.vera)
    assert refused.status_code == 403
    assert SYMPTOM not in refused.text
