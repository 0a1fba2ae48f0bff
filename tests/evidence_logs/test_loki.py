"""The Loki reader against a local server that enforces the query_range contract."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from stanch.errors import InvalidInput
from stanch.evidence.logs.analyze import Analysis, Options
from stanch.evidence.logs.loki import LokiSource, LokiUnavailable
from tests.evidence_logs.helpers import T0
from tests.fakes.logs_loki import FakeLoki, running


@pytest.fixture
def loki() -> Iterator[FakeLoki]:
    fake = FakeLoki(tenant="team-a")
    for second in range(0, 20, 2):
        fake.add({"app": "checkout", "pod": "c-1"}, T0 + timedelta(seconds=second),
                 f"level=info msg=\"request ok\" id={second}")  # fmt: skip
    for second in range(1, 20, 4):
        fake.add({"app": "checkout", "pod": "c-2"}, T0 + timedelta(seconds=second),
                 f"level=error msg=\"db conn refused\" host=10.0.0.{second}")  # fmt: skip
    fake.add({"app": "search", "pod": "s-1"}, T0 + timedelta(seconds=3), "not ours")
    with running(fake):
        yield fake


def test_pages_through_the_window_and_merges_streams_by_time(loki: FakeLoki) -> None:
    source = LokiSource(loki.url, tenant="team-a", limit=4)
    lines = list(source.lines('{app="checkout"}', T0, T0 + timedelta(seconds=20)))
    assert len(lines) == 15
    assert len(loki.requests) == 5  # 4 + 3 + 3 + 3 + 2: each page re-reads its first timestamp
    assert all(
        r["direction"] == "forward" and r["X-Scope-OrgID"] == "team-a" for r in loki.requests
    )
    assert [x.text[:20] for x in lines] == sorted(x.text[:20] for x in lines)
    c2 = [x for x in lines if 'pod="c-2"' in x.source]
    assert [x.number for x in c2] == [1, 2, 3, 4, 5]


def test_window_end_is_exclusive_and_analysis_sees_loki_time(loki: FakeLoki) -> None:
    source = LokiSource(loki.url, tenant="team-a")
    analysis = Analysis(Options(onset=T0 + timedelta(seconds=9), context=2))
    analysis.feed(source.lines('{app="checkout"} |= "error"', T0, T0 + timedelta(seconds=13)))
    (refused,) = analysis.signatures.values()
    assert (refused.before, refused.after) == (
        2,
        1,
    )  # 1 and 5 before onset, 9 after, 13 is past the end
    assert refused.first is not None and refused.first.at == T0 + timedelta(seconds=1)


def test_contract_errors_become_one_line_errors(loki: FakeLoki) -> None:
    with pytest.raises(InvalidInput, match="refused the credentials"):
        list(LokiSource(loki.url).lines('{app="checkout"}', T0, T0 + timedelta(seconds=5)))
    with pytest.raises(InvalidInput, match="refused the query: parse error"):
        list(LokiSource(loki.url, tenant="team-a").lines("checkout errors", T0, T0 + timedelta(1)))
    with pytest.raises(InvalidInput, match="not a log query"):
        list(
            LokiSource(loki.url, tenant="team-a").lines(
                'sum(rate({app="x"}[5m]))', T0, T0 + timedelta(1)
            )
        )
    with pytest.raises(InvalidInput, match="max entries limit"):
        list(
            LokiSource(loki.url, tenant="team-a", limit=6000).lines(
                '{app="x"}', T0, T0 + timedelta(1)
            )
        )
    loki.fail_with = 503
    with pytest.raises(LokiUnavailable, match="503"):
        list(LokiSource(loki.url, tenant="team-a").lines('{app="x"}', T0, T0 + timedelta(1)))


def test_unreachable_loki_is_an_environment_problem() -> None:
    source = LokiSource("http://127.0.0.1:9", timeout=2)
    with pytest.raises(LokiUnavailable):
        list(source.lines('{app="x"}', T0, T0 + timedelta(1)))


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 400),
        ({"query": "{app=checkout}"}, 400),
        ({"query": '{app="x"}', "limit": "5001"}, 400),
        ({"query": '{app="x"}', "direction": "sideways"}, 400),
        ({"query": '{app="x"}', "start": "yesterday"}, 400),
        ({"query": '{app="x"}', "start": "20", "end": "10"}, 400),
        ({"query": '{app="x"}', "start": "2026-11-23T10:00:00Z", "end": "1795428060.5"}, 200),
    ],
)
def test_the_fake_enforces_the_contract(
    loki: FakeLoki, params: dict[str, str], status: int
) -> None:
    answer = httpx.get(loki.url + "/loki/api/v1/query_range", params=params,
                       headers={"X-Scope-OrgID": "team-a"})  # fmt: skip
    assert answer.status_code == status, answer.text
    if status == 400:
        assert answer.headers["content-type"].startswith("text/plain")
    else:
        assert answer.json()["data"]["resultType"] == "streams"
