"""Loki paging when several entries share one nanosecond at a page boundary."""

from __future__ import annotations

from datetime import timedelta

import pytest

from stanch.errors import InvalidInput
from stanch.evidence.logs.loki import LokiSource
from tests.evidence_logs.helpers import T0
from tests.fakes.logs_loki import FakeLoki, running

QUERY = '{app="checkout"}'
END = T0 + timedelta(seconds=10)


def _texts(fake: FakeLoki, limit: int) -> list[str]:
    with running(fake):
        lines = list(LokiSource(fake.url, limit=limit).lines(QUERY, T0, END))
    return [line.text.split(" ", 1)[1] for line in lines]


def test_entries_sharing_the_last_nanosecond_of_a_page_are_all_read() -> None:
    fake = FakeLoki()
    fake.add({"app": "checkout", "pod": "a"}, T0, "first")
    at = T0 + timedelta(seconds=1)
    for pod in "abcd":  # four streams write in the same nanosecond; a page ends among them
        fake.add({"app": "checkout", "pod": pod}, at, f"same instant from {pod}")
    fake.add({"app": "checkout", "pod": "a"}, T0 + timedelta(seconds=2), "last")
    texts = _texts(fake, limit=3)
    assert sorted(texts) == sorted(e.line for e in fake.entries)
    assert len(texts) == 6  # each entry once: none missed, none repeated
    assert texts[0] == "first" and texts[-1] == "last"


def test_the_same_line_in_two_streams_at_one_nanosecond_is_read_twice() -> None:
    fake = FakeLoki()
    at = T0 + timedelta(seconds=1)
    for pod in "abc":
        fake.add({"app": "checkout", "pod": pod}, at, "connection reset")
    with running(fake):
        lines = list(LokiSource(fake.url, limit=2).lines(QUERY, T0, END))
    assert sorted(line.source for line in lines) == [
        '{app="checkout",pod="a"}', '{app="checkout",pod="b"}', '{app="checkout",pod="c"}',
    ]  # fmt: skip


def test_a_page_wholly_at_one_nanosecond_reads_the_rest_of_that_nanosecond() -> None:
    fake = FakeLoki()
    for number in range(5):
        fake.add({"app": "checkout"}, T0, f"burst {number}")
    fake.add({"app": "checkout"}, T0 + timedelta(seconds=1), "after the burst")
    assert _texts(fake, limit=2) == [f"burst {n}" for n in range(5)] + ["after the burst"]
    at = str(fake.entries[0].ns)
    burst = [r for r in fake.requests if r["start"] == at and r["end"] == str(int(at) + 1)]
    assert [r["limit"] for r in burst] == ["5000"]


def test_more_entries_at_one_nanosecond_than_loki_returns_is_a_clear_error() -> None:
    fake = FakeLoki()
    for number in range(5001):
        fake.add({"app": "checkout"}, T0, f"burst {number}")
    with running(fake), pytest.raises(InvalidInput, match=r"more than 5000 .* one nanosecond"):
        list(LokiSource(fake.url, limit=100).lines(QUERY, T0, END))
