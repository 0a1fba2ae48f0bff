"""Several deliverers at once: each message is claimed, so each is posted exactly once.

Two deliverers are two Apps with their own store connections on one database (SQLite
and the PostgreSQL the tests start), as two `stanch deliver` processes or a CLI deliver
beside the server's job would be. The Slack and Statuspage fakes count what arrives.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from stanch.errors import StoreUnavailable
from stanch.model import outbox as model
from stanch.services import channel, incidents, outbox, updates
from stanch.services.context import App
from stanch.store import claims
from tests.comms.clock import ManualClock
from tests.comms.conftest import CATALOG, OG_KEY, PD_KEY, SLACK_TOKEN, SP_KEY, USERS, comms_toml
from tests.conftest import T0, make_app
from tests.fakes.comms_http import Fake, Request, Response
from tests.fakes.comms_opsgenie import FakeOpsgenie
from tests.fakes.comms_pagerduty import FakePagerDuty
from tests.fakes.comms_slack import FakeSlack
from tests.fakes.comms_statuspage import FakeStatuspage

DELIVERERS = 2


@pytest.fixture
def root(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    pd: FakePagerDuty,
    og: FakeOpsgenie,
    slack: FakeSlack,
    sp: FakeStatuspage,
) -> Path:
    """A project wired to the fakes, its keys in the environment."""
    where = tmp_path / "wired"
    where.mkdir()
    (where / "stanch.toml").write_text(comms_toml(pd.url, og.url, slack.url, sp.url))
    (where / "catalog-info.yaml").write_text(CATALOG)
    for name, value in (("PAYMENTS_PD_KEY", PD_KEY), ("OPSGENIE_API_KEY", OG_KEY),
                        ("SLACK_BOT_TOKEN", SLACK_TOKEN), ("STATUSPAGE_API_KEY", SP_KEY)):  # fmt: skip
        monkeypatch.setenv(name, value)
    return where


@pytest.fixture
def apps(root: Path, database_url: str) -> Iterator[list[App]]:
    """One App per deliverer, each with its own connections to the same database."""
    made = [make_app(root, database_url) for _ in range(DELIVERERS)]
    for app in made:
        app.clock = ManualClock(T0)
    yield made
    for app in made:
        app.close()


def slowed(fake: Fake, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each call takes a little while, so both deliverers are mid-pass at once."""
    handle: Callable[[Request], Response] = fake.handle

    def slow(request: Request) -> Response:
        time.sleep(0.05)
        return handle(request)

    monkeypatch.setattr(fake, "handle", slow)


def queue_work(app: App) -> str:
    """Declare, then queue a channel set-up and a public update without sending them."""
    key = incidents.declare(
        app, "Checkout returns 502 for EU users", severity="SEV2", services=["checkout"],
        customer_visible=True, commander="alice",
    ).incident.id  # fmt: skip
    channel.open_channel(app, key, invite=list(USERS), deliver=False)
    updates.post(app, updates.compose(app, key, message="Some payments fail."),
                 audience="public", deliver=False)  # fmt: skip
    return key


def deliver_at_once(apps: list[App], key: str) -> list[list[outbox.Attempt]]:
    start = threading.Barrier(len(apps))
    results: list[list[outbox.Attempt]] = [[] for _ in apps]
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            start.wait(timeout=30)
            results[n] = outbox.deliver(apps[n], key)
        except BaseException as exc:  # reported by the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(apps))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def calls(fake: Fake, path: str, method: str = "POST") -> int:
    return sum(1 for c in fake.calls if c.path.rstrip("/").endswith(path) and c.method == method)


def test_two_deliverers_at_once_post_each_message_exactly_once(
    apps: list[App], slack: FakeSlack, sp: FakeStatuspage, monkeypatch: pytest.MonkeyPatch
) -> None:
    slowed(slack, monkeypatch)
    slowed(sp, monkeypatch)
    key = queue_work(apps[0])
    queued = outbox.state(apps[0], key).pending
    results = deliver_at_once(apps, key)
    sent = [a.message.message_id for result in results for a in result]
    assert sorted(sent) == sorted(m.message_id for m in queued)  # each tried by one only
    assert calls(slack, "conversations.create") == 1
    assert calls(slack, "conversations.setTopic") == 1
    assert calls(slack, "conversations.invite") == 1
    [made] = slack.channels
    assert len(made.messages) == 1 and made.messages[0].startswith("Declared SEV2")
    assert len(sp.incidents) == 1
    assert sum(1 for c in sp.calls if c.method == "POST") == 1
    events = apps[1].store.events(key)
    delivered = [e.data["message_id"] for e in events if e.kind == model.DELIVERED]
    assert sorted(delivered) == sorted(m.message_id for m in queued)
    assert outbox.state(apps[1], key).pending == ()


def test_two_deliver_processes_at_once_post_each_message_exactly_once(
    apps: list[App], root: Path, slack: FakeSlack, sp: FakeStatuspage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    slowed(slack, monkeypatch)
    slowed(sp, monkeypatch)
    key = queue_work(apps[0])
    queued = outbox.state(apps[0], key).pending
    env = {**os.environ, "STANCH_DATABASE_URL": apps[0].settings.database_url}
    argv = [sys.executable, "-m", "stanch", "deliver", key, "--json"]
    children = [subprocess.Popen(argv, cwd=root, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(DELIVERERS)]  # fmt: skip
    answers = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0] * DELIVERERS, answers
    sent = [d for out, _ in answers for d in json.loads(out)["deliveries"]]
    assert len(sent) == len(queued) and {d["status"] for d in sent} == {"ok"}
    assert calls(slack, "conversations.create") == 1
    [made] = slack.channels
    assert len(made.messages) == 1
    assert sum(1 for c in sp.calls if c.method == "POST") == 1
    events = apps[1].store.events(key)
    delivered = [e.data["message_id"] for e in events if e.kind == model.DELIVERED]
    assert sorted(delivered) == sorted(m.message_id for m in queued)


def test_a_claim_held_elsewhere_holds_the_lane_until_its_lease_runs_out(
    apps: list[App], slack: FakeSlack
) -> None:
    app = apps[0]
    key = queue_work(app)
    first = outbox.state(app, key).pending[0]
    assert first.action == "create_channel"
    # A deliverer took the channel's creation and died before recording anything.
    assert claims.claim(app.store.engine, first.message_id, key, "dead", T0, timedelta(minutes=2))
    sent = outbox.deliver(app, key)
    assert all(a.message.provider != "slack" for a in sent)  # the lane waits, in order
    assert calls(slack, "conversations.create") == 0
    clock = app.clock
    assert isinstance(clock, ManualClock)
    clock.advance(minutes=2, seconds=1)
    again = outbox.deliver(app, key)
    assert [a.message.action for a in again] == ["create_channel", "set_topic", "invite", "post"]
    assert calls(slack, "conversations.create") == 1
    assert outbox.state(app, key).pending == ()


def test_a_send_whose_outcome_was_not_recorded_is_held_until_the_lease_ends(
    apps: list[App], slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = apps[0]
    key = queue_work(app)
    real = outbox._record_outcome
    failures = [StoreUnavailable("lost the connection to the database")]

    def failing_once(*args: Any, **kwargs: Any) -> None:
        if failures:
            raise failures.pop()
        real(*args, **kwargs)

    monkeypatch.setattr(outbox, "_record_outcome", failing_once)
    with pytest.raises(StoreUnavailable):
        outbox.deliver(app, key)
    assert calls(slack, "conversations.create") == 1  # sent, but not recorded
    assert [a.message.provider for a in outbox.deliver(app, key)] == ["statuspage"]
    assert calls(slack, "conversations.create") == 1  # not sent again at once
    clock = app.clock
    assert isinstance(clock, ManualClock)
    clock.advance(minutes=2, seconds=1)
    again = outbox.deliver(app, key)
    assert [a.message.action for a in again] == ["create_channel", "set_topic", "invite", "post"]
    assert len(slack.channels) == 1  # the name was taken by the first try: it is reused
    assert outbox.state(app, key).pending == ()


def test_a_claim_is_exclusive_until_it_expires_and_only_its_owner_lets_go(
    apps: list[App],
) -> None:
    engine = apps[0].store.engine
    lease = timedelta(seconds=60)
    assert claims.claim(engine, "m1", "inc", "a", T0, lease)
    assert not claims.claim(apps[1].store.engine, "m1", "inc", "b", T0, lease)
    claims.release(engine, "m1", "b")  # not b's to let go
    assert not claims.claim(engine, "m1", "inc", "b", T0 + lease, lease)
    assert claims.claim(engine, "m1", "inc", "b", T0 + lease + timedelta(seconds=1), lease)
    claims.release(engine, "m1", "a")  # a's claim was taken over: b keeps it
    assert not claims.claim(engine, "m1", "inc", "c", T0 + lease, lease)
    claims.release(engine, "m1", "b")
    assert claims.claim(engine, "m1", "inc", "c", T0, lease)


def test_claim_seconds_must_be_positive(root: Path) -> None:
    from stanch.errors import InvalidInput

    toml = root / "stanch.toml"
    toml.write_text(toml.read_text().replace("timeout_seconds = 5", "claim_seconds = -1"))
    app = make_app(root)
    with pytest.raises(InvalidInput, match=r"comms\.claim_seconds must be a positive number"):
        outbox.config(app)
    app.close()
