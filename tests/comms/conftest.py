"""Local fakes of PagerDuty, Opsgenie, Slack and Statuspage, and a project wired to them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stanch.services.context import App
from tests.conftest import make_app
from tests.fakes.comms_http import serving
from tests.fakes.comms_opsgenie import FakeOpsgenie
from tests.fakes.comms_pagerduty import FakePagerDuty
from tests.fakes.comms_slack import FakeSlack
from tests.fakes.comms_statuspage import FakeStatuspage

PD_KEY = "e93facc04764012d7bfb002500d5d1a6"
OG_KEY = "eb243592-faa2-4ba2-a551-1afdf565c889"
SLACK_TOKEN = "xoxb-1234-5678-abcd"
SP_KEY = "89a229ce1a8dbcf9ff30430fbe35eb4c"
SP_PAGE = "gytm4qzbx9t6"
SP_COMPONENT = "8kbf7d35c070"
USERS = ("U111111", "U222222")


@pytest.fixture(scope="session")
def _pd_server() -> Iterator[FakePagerDuty]:
    with serving(FakePagerDuty((PD_KEY,))) as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture(scope="session")
def _og_server() -> Iterator[FakeOpsgenie]:
    with serving(FakeOpsgenie((OG_KEY,), teams=("payments-oncall",))) as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture(scope="session")
def _slack_server() -> Iterator[FakeSlack]:
    with serving(FakeSlack(SLACK_TOKEN, USERS)) as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture(scope="session")
def _sp_server() -> Iterator[FakeStatuspage]:
    with serving(FakeStatuspage(SP_KEY, SP_PAGE, {SP_COMPONENT: "Checkout"})) as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture
def pd(_pd_server: FakePagerDuty) -> FakePagerDuty:
    _pd_server.reset()
    return _pd_server


@pytest.fixture
def og(_og_server: FakeOpsgenie) -> FakeOpsgenie:
    _og_server.reset()
    return _og_server


@pytest.fixture
def slack(_slack_server: FakeSlack) -> FakeSlack:
    _slack_server.reset()
    return _slack_server


@pytest.fixture
def sp(_sp_server: FakeStatuspage) -> FakeStatuspage:
    _sp_server.reset()
    return _sp_server


def comms_toml(pd: str, og: str, slack: str, sp: str) -> str:
    return f"""\
[stanch]

[comms]
catalog = ["catalog-info.yaml"]
status_dir = "status"
timeout_seconds = 5

[comms.escalation]
owned_services = ["checkout"]

[comms.teams.payments]
pagerduty_routing_key_env = "PAYMENTS_PD_KEY"
opsgenie_team = "payments-oncall"
slack = "@payments-oncall"
aliases = ["@acme/payments"]

[comms.pagerduty]
url = "{pd}"

[comms.opsgenie]
url = "{og}"

[comms.slack]
url = "{slack}/api/"

[comms.statuspage]
url = "{sp}/v1"
page_id = "{SP_PAGE}"
public_names = {{ checkout = "Checkout" }}
components = {{ Checkout = "{SP_COMPONENT}" }}
"""


CATALOG = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  annotations:
    pagerduty.com/service-id: PABC123
    opsgenie.com/team: payments-oncall
spec:
  type: service
  lifecycle: production
  owner: group:default/payments
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments}
spec: {type: team, children: []}
"""


@pytest.fixture
def wired(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    pd: FakePagerDuty,
    og: FakeOpsgenie,
    slack: FakeSlack,
    sp: FakeStatuspage,
) -> Iterator[App]:
    """A project whose [comms] points at the four fakes, with the right keys set."""
    root = tmp_path / "wired"
    root.mkdir()
    (root / "stanch.toml").write_text(comms_toml(pd.url, og.url, slack.url, sp.url))
    (root / "catalog-info.yaml").write_text(CATALOG)
    monkeypatch.setenv("PAYMENTS_PD_KEY", PD_KEY)
    monkeypatch.setenv("OPSGENIE_API_KEY", OG_KEY)
    monkeypatch.setenv("SLACK_BOT_TOKEN", SLACK_TOKEN)
    monkeypatch.setenv("STATUSPAGE_API_KEY", SP_KEY)
    app = make_app(root)
    yield app
    app.close()
