"""Property tests: the onset detector on noisy steps, exclusive time under any clock skew."""

from __future__ import annotations

import random

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from stanch.evidence.onset import detect
from stanch.model.traces import Span, Trace, exclusive


@settings(max_examples=10, deadline=None)
@given(
    n=st.integers(min_value=40, max_value=120),
    where=st.floats(min_value=0.2, max_value=0.8),
    level=st.floats(min_value=0.0, max_value=1000.0),
    noise=st.floats(min_value=0.001, max_value=5.0),
    jump=st.floats(min_value=10.0, max_value=50.0),
    sign=st.sampled_from([1, -1]),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_a_clear_step_is_found_where_it_is(
    n: int, where: float, level: float, noise: float, jump: float, sign: int, seed: int
) -> None:
    rng = random.Random(seed)
    at = int(n * where)
    shift = sign * jump * noise
    # Shifts under 1 % of the level are wobble by design (the detector's noise floor).
    assume(abs(shift) >= 0.01 * level)
    points = [
        (float(i), level + (shift if i >= at else 0.0) + rng.gauss(0, noise)) for i in range(n)
    ]
    step = detect(points)
    assert step is not None
    assert abs(step.at - at) <= 1
    assert (step.after > step.before) == (sign > 0)


@settings(max_examples=100, deadline=None)
@given(
    parent=st.tuples(st.integers(0, 1000), st.integers(0, 1000)),
    children=st.lists(st.tuples(st.integers(-500, 1500), st.integers(0, 800)), max_size=6),
)
def test_exclusive_time_is_never_negative_nor_more_than_the_span(
    parent: tuple[int, int], children: list[tuple[int, int]]
) -> None:
    start, length = parent
    root = Span("t", "root", "", "svc", "op", 2, start, start + length, False)
    spans = [root] + [
        Span("t", f"c{i}", "root", "svc", "child", 3, s, s + d, False)
        for i, (s, d) in enumerate(children)
    ]
    trace = Trace.of(spans)
    own = exclusive(trace, root)
    assert 0 <= own <= length
    if not children:
        assert own == length
