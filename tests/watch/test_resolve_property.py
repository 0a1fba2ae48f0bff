"""No sequence of samples and resolve attempts gets `resolved` past the gate without evidence."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from stanch.errors import GuardRefused
from stanch.model.watching import Sample, fold_watch
from stanch.services import incidents, watch
from tests.watch.support import Scripted, fast_app

STEPS = st.lists(st.one_of(st.none(), st.sampled_from([0.001, 0.5]), st.just("resolve")),
                 min_size=1, max_size=14)  # fmt: skip


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(STEPS)
@example([0.001] * 3 + ["resolve"] + [0.001] * 10 + ["resolve"])
def test_resolved_only_after_min_samples_over_the_window(steps: list[float | str | None]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        app = fast_app(root)  # SEV2 window 1 min, 5 samples; the clock moves 5 s a call
        try:
            key = incidents.declare(app, "Checkout 502s", severity="SEV2").incident.id
            watch.set_signal(app, key, "promql", "error_ratio", "< 0.01")
            incidents.set_status(app, key, "mitigated")
            incidents.set_status(app, key, "monitoring")
            for step in steps:
                state = app.store.state(key)
                if step == "resolve":
                    if state.status.value != "monitoring":
                        continue
                    try:
                        incidents.set_status(app, key, "resolved")
                    except GuardRefused:
                        continue
                    samples = fold_watch(app.store.iter_events(key)).samples
                    tail = samples[-5:]
                    assert len(tail) == 5
                    assert all(s.healthy for s in tail)
                    assert (samples[-1].at - _streak_start(samples)).total_seconds() >= 60
                    return
                if state.status.value == "resolved":
                    return
                value = None if step is None else float(step)
                watch.sample(app, key, readers={"promql": Scripted([value])})
        finally:
            app.close()


def _streak_start(samples: tuple[Sample, ...]) -> datetime:
    start = samples[-1].at
    for sample in reversed(samples):
        if not sample.healthy:
            break
        start = sample.at
    return start
