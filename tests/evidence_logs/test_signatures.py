"""Signature stability: the same statement gets the same id whatever its values."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from stanch.evidence.logs.miner import Miner, signature_id

STATEMENTS = (
    "Received block blk_{0} of size {1} from /{2}",
    "Connection from {2}:{1} closed after {1} ms",
    "user {3} logged in from {2} session={3}",
    "Retrying connect to server: {4}:{1}. Already tried {1} time(s)",
    "GET /api/v1/orders/{0} HTTP/1.1 status: {1} len: {1} time: {5}",
    "Deleting block blk_{0} file {6}",
    "Timeout waiting for lock on table orders after {1}ms",
)
HEADERS = (
    "",
    "2026-11-23 10:00:0{d},123 ERROR [main] com.example.Checkout: ",
    "[Mon Nov 23 10:00:0{d} 2026] [error] ",
    "Nov 23 10:00:0{d} web-{d} checkout[4{d}]: ",
    "2026-11-23T10:00:0{d}+02:00 ",
)

numbers = st.integers(min_value=0, max_value=10**12)
ips = st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t)))
hexes = st.binary(min_size=8, max_size=16).map(bytes.hex)
hosts = st.tuples(st.text(string.ascii_lowercase, min_size=2, max_size=8), st.integers(0, 99)).map(
    lambda t: f"{t[0]}-{t[1]}.example.com"
)
floats = st.floats(0, 1000, allow_nan=False).map(lambda f: f"{f:.4f}")
paths = st.lists(st.text(string.ascii_lowercase + "0123456789_", min_size=1, max_size=8),
                 min_size=1, max_size=5).map(lambda p: "/data/" + "/".join(p))  # fmt: skip
values = st.tuples(st.integers(-(10**18), 10**18), numbers, ips, hexes, hosts, floats, paths)


@settings(max_examples=150, deadline=None)
@given(statement=st.sampled_from(STATEMENTS), header=st.sampled_from(HEADERS),
       first=values, second=values, digit=st.integers(0, 9))  # fmt: skip
def test_same_statement_same_signature_whatever_the_values(
    statement: str, header: str, first: tuple[object, ...], second: tuple[object, ...], digit: int
) -> None:
    miner = Miner()
    one = miner.parse(header.format(d=digit) + statement.format(*first))
    other = Miner().parse(header.format(d=(digit + 3) % 10) + statement.format(*second))
    assert one.signature == other.signature, (one.template, other.template)
    assert one.signature == signature_id(one.template)


def test_different_statements_differ() -> None:
    miner = Miner()
    sample = (1234, 80, "10.0.0.1", "deadbeefcafe0042", "db-1.example.com", "0.5", "/data/x")
    ids = {miner.parse(s.format(*sample)).signature for s in STATEMENTS}
    assert len(ids) == len(STATEMENTS)


def test_words_with_one_digit_stay_literal() -> None:
    miner = Miner()
    socks = miner.parse(
        "[10.30 16:49:06] chrome.exe - a.com:80 open through proxy p.hk:5070 SOCKS5"
    )
    https = miner.parse(
        "[10.30 16:49:07] chrome.exe - b.com:443 open through proxy p.hk:5070 HTTPS"
    )
    assert socks.signature != https.signature
    assert socks.template == "<*> open through proxy <*> SOCKS5"


def test_units_and_optional_detail_fold_into_one_variable() -> None:
    miner = Miner()
    kib = miner.parse("Block rdd_1_2 stored as bytes in memory (estimated size 16.0 KB, free 1 GB)")
    byt = miner.parse("Block rdd_3_4 stored as bytes in memory (estimated size 312 B, free 2 MB)")
    assert kib.signature == byt.signature


@settings(max_examples=100, deadline=None)
@given(statement=st.sampled_from(STATEMENTS), header=st.sampled_from(HEADERS),
       first=values, second=values, digit=st.integers(0, 9))  # fmt: skip
def test_remembered_shapes_answer_exactly_like_a_fresh_parse(
    statement: str, header: str, first: tuple[object, ...], second: tuple[object, ...], digit: int
) -> None:
    warm = Miner()
    for line in (header.format(d=digit) + statement.format(*first),
                 header.format(d=digit) + statement.format(*second)):  # fmt: skip
        cold = Miner().parse(line)
        assert warm.parse(line) == cold
        assert (
            warm.parse(line.translate(str.maketrans("0123456789", "9876543210"))).signature
            == cold.signature
        )
