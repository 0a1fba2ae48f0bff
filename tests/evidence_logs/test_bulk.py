"""The bulk path (a block of lines keyed at once) answers exactly like one line at a time."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from stanch.evidence.logs.miner import BLOCK, Miner, facts_of
from stanch.evidence.logs.shape_keys import digit_keys, hex_keys, shape_key
from tests.evidence_logs.test_signatures import HEADERS, STATEMENTS, values

# A hex id with at least one digit and one letter, of the lengths ids are written in.
hex_ids = (
    st.tuples(st.sampled_from((8, 12, 16, 32)), st.randoms(use_true_random=False))
    .map(lambda t: "".join(t[1].choice("0123456789abcdef") for _ in range(t[0])))
    .filter(lambda h: any(c.isdigit() for c in h) and any(c.isalpha() for c in h))
)

structured = st.tuples(st.sampled_from(HEADERS), st.sampled_from(STATEMENTS), values,
                       st.integers(0, 9)).map(lambda t: t[0].format(d=t[3]) + t[1].format(*t[2]))  # fmt: skip
noise = st.text(alphabet=string.printable + "é€\x00", max_size=60)
lines = st.lists(st.one_of(structured, noise), max_size=40)


@settings(max_examples=150, deadline=None)
@given(block=lines)
def test_block_keys_are_the_keys_of_each_line(block: list[str]) -> None:
    assert hex_keys(digit_keys(block)) == [shape_key(line) for line in block]
    assert hex_keys(hex_keys(digit_keys(block))) == hex_keys(digit_keys(block))


@settings(max_examples=150, deadline=None)
@given(block=lines)
def test_bulk_signatures_and_parses_match_one_line_at_a_time(block: list[str]) -> None:
    repeated = block + block[::-1]  # seen twice: answered from remembered shapes
    single = [Miner().parse(line) for line in repeated]
    assert Miner().signatures(repeated) == [p.signature for p in single]
    assert Miner().facts_many(repeated) == [facts_of(p) for p in single]
    warm = Miner()
    assert [warm.signatures([line])[0] for line in repeated] == [p.signature for p in single]


def test_bulk_crosses_block_boundaries() -> None:
    many = [f"2026-11-23 10:00:{i % 60:02d} INFO worker {i} done in {i % 97} ms"
            for i in range(2 * BLOCK + 5)]  # fmt: skip
    assert len(set(Miner().signatures(many))) == 1


@settings(max_examples=100, deadline=None)
@given(first=hex_ids, second=hex_ids)
def test_request_ids_with_few_digits_are_masked(first: str, second: str) -> None:
    template = "2026-11-23T10:00:00Z 42 INFO checkout [req-{0}] payment {0} declined"
    miner = Miner()
    one, other = miner.parse(template.format(first)), miner.parse(template.format(second))
    assert one.signature == other.signature, (one.template, other.template)
    assert first not in one.template


def test_hex_looking_words_without_digits_stay_literal() -> None:
    miner = Miner()
    assert miner.parse("cache deadbeef evicted").template == "cache deadbeef evicted"
    assert (
        miner.parse("cache facade evicted").signature
        != miner.parse("cache decade evicted").signature
    )


def _bracket_end_by_depth(text: str, start: int) -> int:
    depth = 0
    for index in range(start, min(len(text), start + 400)):
        depth += {"[": 1, "]": -1}.get(text[index], 0)
        if text[index] == "]" and depth == 0:
            return index + 1
    return -1


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="[]a ", min_size=1, max_size=450))
def test_bracket_groups_close_where_their_depth_returns_to_zero(text: str) -> None:
    from stanch.evidence.logs.header import _bracket_end

    start = text.find("[")
    if start >= 0:
        assert _bracket_end(text, start) == _bracket_end_by_depth(text, start)


ten_digits = st.integers(10**9, 10**10 - 1).map(str)
epochish = st.tuples(st.sampled_from(("{0} ", "node-7 {0} ", "[{0}] ", "{0}.25 ")), ten_digits,
                     st.sampled_from(STATEMENTS), values).map(
    lambda t: t[0].format(t[1]) + t[2].format(*t[3]))  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(block=st.lists(epochish, min_size=2, max_size=20))
def test_the_leading_one_of_epoch_seconds_never_mixes_shapes(block: list[str]) -> None:
    # `1xxxxxxxxx` is read as epoch seconds and `2xxxxxxxxx` is not, though both key alike:
    # whichever comes first, every line answers as a fresh parse would.
    single = [Miner().parse(line) for line in block]
    warm = Miner()
    assert [warm.parse(line) for line in block] == single
    assert Miner().signatures(block) == [p.signature for p in single]
    assert Miner().facts_many(block) == [facts_of(p) for p in single]
