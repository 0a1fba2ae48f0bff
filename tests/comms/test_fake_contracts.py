"""The fakes refuse what the real services refuse: wrong auth, missing fields, limits."""

from __future__ import annotations

import httpx
import pytest

from tests.comms.conftest import OG_KEY, PD_KEY, SLACK_TOKEN, SP_KEY, SP_PAGE
from tests.fakes.comms_opsgenie import FakeOpsgenie
from tests.fakes.comms_pagerduty import FakePagerDuty
from tests.fakes.comms_slack import FakeSlack
from tests.fakes.comms_statuspage import FakeStatuspage

TRIGGER = {"routing_key": PD_KEY, "event_action": "trigger", "dedup_key": "k",
           "payload": {"summary": "s", "source": "h", "severity": "critical"}}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"routing_key": "short"}, "Length of 'routing_key'"),
        ({"routing_key": "f" * 32}, "Invalid routing key"),
        ({"event_action": "page"}, "event_action"),
        ({"payload": None}, "'payload' is required"),
        ({"payload": {"summary": "s", "source": "h"}}, "payload.severity"),
        ({"payload": {"summary": "s", "source": "h", "severity": "bad"}}, "invalid"),
        ({"payload": {"summary": "x" * 1025, "source": "h", "severity": "info"}}, "1024"),
        ({"event_action": "resolve", "dedup_key": None}, "dedup_key"),
        ({"dedup_key": "k" * 256}, "255"),
    ],
)
def test_pagerduty_rejects(pd: FakePagerDuty, change: dict[str, object], error: str) -> None:
    body = {**TRIGGER, **change}
    reply = httpx.post(
        f"{pd.url}/v2/enqueue", json={k: v for k, v in body.items() if v is not None}
    )
    assert reply.status_code == 400
    assert error in " ".join(reply.json()["errors"])


def test_pagerduty_dedups_and_drops_unknown_resolves(pd: FakePagerDuty) -> None:
    for _ in range(2):
        assert httpx.post(f"{pd.url}/v2/enqueue", json=TRIGGER).status_code == 202
    assert len(pd.alerts) == 1 and pd.alerts[0].events == ["trigger", "trigger"]
    resolve = {"routing_key": PD_KEY, "event_action": "resolve", "dedup_key": "other"}
    assert httpx.post(f"{pd.url}/v2/enqueue", json=resolve).status_code == 202
    assert pd.alerts[0].status == "triggered"


def test_pagerduty_outage_and_throttle(pd: FakePagerDuty) -> None:
    pd.outage, pd.throttle = 1, 1
    assert httpx.post(f"{pd.url}/v2/enqueue", json=TRIGGER).status_code == 503
    reply = httpx.post(f"{pd.url}/v2/enqueue", json=TRIGGER)
    assert reply.status_code == 429 and reply.headers["Retry-After"]


def test_opsgenie_auth_and_fields(og: FakeOpsgenie) -> None:
    url = f"{og.url}/v2/alerts"
    assert httpx.post(url, json={"message": "m"}).status_code == 401
    bad = {"Authorization": "Bearer " + OG_KEY}
    assert httpx.post(url, json={"message": "m"}, headers=bad).status_code == 401
    good = {"Authorization": "GenieKey " + OG_KEY}
    assert httpx.post(url, json={}, headers=good).status_code == 422
    assert httpx.post(url, json={"message": "x" * 131}, headers=good).status_code == 422
    assert httpx.post(url, json={"message": "m", "priority": "P9"}, headers=good).status_code == 422
    reply = httpx.post(url, json={"message": "m", "alias": "a"}, headers=good)
    assert reply.status_code == 202
    status = httpx.get(f"{url}/requests/{reply.json()['requestId']}", headers=good)
    assert status.json()["data"]["success"] is True
    closed = httpx.post(f"{url}/nope/close?identifierType=alias", json={}, headers=good)
    outcome = httpx.get(f"{url}/requests/{closed.json()['requestId']}", headers=good)
    assert outcome.json()["data"]["status"] == "Alert does not exist"


def test_slack_errors_are_200_ok_false(slack: FakeSlack) -> None:
    api = f"{slack.url}/api"
    assert httpx.post(f"{api}/chat.postMessage", json={}).json()["error"] == "not_authed"
    wrong = {"Authorization": "Bearer xoxb-nope"}
    assert httpx.post(f"{api}/chat.postMessage", json={}, headers=wrong).json()["error"] \
        == "invalid_auth"  # fmt: skip
    auth = {"Authorization": f"Bearer {SLACK_TOKEN}"}
    for name, error in (("Has Caps", "invalid_name_specials"), ("x" * 81, "invalid_name_maxlength"),
                        ("", "invalid_name_required")):  # fmt: skip
        reply = httpx.post(f"{api}/conversations.create", json={"name": name}, headers=auth)
        assert (reply.status_code, reply.json()["error"]) == (200, error)
    made = httpx.post(f"{api}/conversations.create", json={"name": "inc-1"}, headers=auth).json()
    again = httpx.post(f"{api}/conversations.create", json={"name": "inc-1"}, headers=auth)
    assert again.json()["error"] == "name_taken"
    channel = made["channel"]["id"]
    topic = {"channel": channel, "topic": "x" * 251}
    assert httpx.post(f"{api}/conversations.setTopic", json=topic, headers=auth).json()["error"] \
        == "too_long"  # fmt: skip
    assert httpx.post(f"{api}/chat.postMessage", json={"channel": channel},
                      headers=auth).json()["error"] == "no_text"  # fmt: skip
    slack.throttle = 1
    limited = httpx.post(f"{api}/chat.postMessage", json={"channel": channel, "text": "t"},
                         headers=auth)  # fmt: skip
    assert limited.status_code == 429 and limited.headers["Retry-After"]


def test_statuspage_auth_and_validation(sp: FakeStatuspage) -> None:
    url = f"{sp.url}/v1/pages/{SP_PAGE}/incidents"
    body = {"incident": {"name": "Checkout errors", "status": "investigating"}}
    assert httpx.post(url, json=body, headers={"Authorization": f"Bearer {SP_KEY}"}).status_code \
        == 401  # fmt: skip
    auth = {"Authorization": f"OAuth {SP_KEY}"}
    assert httpx.post(url, json={"incident": {}}, headers=auth).status_code == 422
    bad_status = {"incident": {"name": "n", "status": "fixed"}}
    assert httpx.post(url, json=bad_status, headers=auth).status_code == 422
    unknown = {"incident": {"name": "n", "components": {"nope": "major_outage"}}}
    assert httpx.post(url, json=unknown, headers=auth).status_code == 422
    assert httpx.patch(f"{url}/missing", json=body, headers=auth).status_code == 404
    assert httpx.post(url, json=body, headers=auth).status_code == 201


def test_pagerduty_limits_events_per_key_per_minute(pd: FakePagerDuty) -> None:
    with httpx.Client() as client:
        codes = [client.post(f"{pd.url}/v2/enqueue", json=TRIGGER).status_code
                 for _ in range(pd.per_minute + 1)]  # fmt: skip
    assert codes[:-1] == [202] * pd.per_minute
    assert codes[-1] == 429
