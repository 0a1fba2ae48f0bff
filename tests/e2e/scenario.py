"""One incident, step by step, for any door; and the timeline made comparable across doors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from stanch.model.clock import iso
from stanch.sim import traffic
from tests.e2e.doors import Door, child_env
from tests.e2e.sim import Sim

CONFIG = """\
[watch]
interval = "1s"
min_samples = 5
confirm_samples = 3
relapse_samples = 2

[watch.recovery_window]
SEV1 = "6s"
SEV2 = "6s"

[mcp]
approval_required = []
"""
INTERVAL_S = 1.0
CONFIRM = 3  # healthy samples in a row that confirm the mitigation
AFTER = 5  # more healthy samples, so the 6 s window is complete over >= 5 samples


@dataclass
class Run:
    """What one door did: the incident id and what its answers said along the way."""

    key: str = ""
    samples: list[dict[str, Any]] = field(default_factory=list)
    recovery_before_resolve: dict[str, Any] = field(default_factory=dict)
    early_resolve: str = ""  # why resolving before the window was over was refused


async def play(door: Door, sim: Sim) -> Run:
    """Declare, frame, set the signal, mitigate with the flag, confirm, wait out, resolve."""
    run = Run()
    run.key = key = await door.declare({
        "symptom": "Checkout fails for about a third of orders",
        "severity": "SEV2",
        "impact": "~30% of POST /checkout return 502",
        "services": ["checkout"],
        "started": iso(sim.world.onset),
    })  # fmt: skip
    await door.log(key, "error ratio 30% since onset; new-payment-path was flipped just before")
    await door.assign(key, "commander", ["bob"])
    await door.signal(key, "promql", traffic.RECORDING_RULE, "< 0.01", sim.url)
    run.samples += await door.sample(key, 1, INTERVAL_S)
    await door.severity(key, "SEV1", "a third of all checkouts fail")
    await door.status(key, "mitigating", "turning new-payment-path off")
    sim.set_flag(False, child_env())
    await door.log(key, "new-payment-path is off in flags/flags.flagd.json")
    run.samples += await door.sample(key, CONFIRM, INTERVAL_S)  # confirms: now mitigated
    await door.status(key, "monitoring", "the signal is healthy; watching the window")
    run.early_resolve = await door.refused_status(key, "resolved", "looks fine already")
    run.samples += await door.sample(key, AFTER, INTERVAL_S)
    run.recovery_before_resolve = await door.recovery(key)
    await door.status(key, "resolved", "healthy for the whole recovery window")
    await door.log(key, "postmortem draft to follow")
    sim.set_flag(True, child_env())  # the fault comes back for the next door
    return run


ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
CLOCK_TIME = re.compile(r"\b\d{2}:\d{2}(:\d{2})?\b")
# Durations measured between real moments: they differ by scheduling jitter, not by meaning.
DURATION_KEYS = {"window_s"}


# Each door has its own project directory; what is written under it is named relative to it.
INCIDENTS_DIR = re.compile(r"/[^\s\"']*/incidents/")


def _text(value: str, key: str, actor: str) -> str:
    value = INCIDENTS_DIR.sub("<INCIDENTS>/", value.replace(key, "<ID>"))
    value = ISO_TIME.sub("<TIME>", value)
    return CLOCK_TIME.sub("<CLOCK>", value).replace(actor, "<ACTOR>")


def normal(value: Any, key: str, actor: str) -> Any:
    """Ids, timestamps and the door's own identity replaced by placeholders."""
    if isinstance(value, str):
        return _text(value, key, actor)
    if isinstance(value, dict):
        return {k: "<DURATION>" if k in DURATION_KEYS else normal(v, key, actor)
                for k, v in value.items()}  # fmt: skip
    if isinstance(value, list):
        return [normal(v, key, actor) for v in value]
    return value


# The file's hash chain covers every event's moments; its durations are between moments.
CHAIN = re.compile(r"chain=[0-9a-f]{64}")
SPAN = re.compile(r"\b\d+(\.\d+)?(d|h|min|m|s)\b")
EMBEDDED_DURATION = re.compile(r'"(' + "|".join(DURATION_KEYS) + r')":\s*\d+')


def normal_file(text: str, key: str, actor: str) -> str:
    """The incident file with ids, moments, spans between moments and its hash chain out."""
    text = EMBEDDED_DURATION.sub(r'"\1": "<DURATION>"', _text(text, key, actor))
    return SPAN.sub("<SPAN>", CHAIN.sub("chain=<HASH>", text))


def comparable(timeline: list[dict[str, Any]], key: str, actor: str) -> list[dict[str, Any]]:
    """Each event's kind, actor, text and data, without its moments."""
    return [
        {"seq": e["seq"], "kind": e["kind"], "actor": normal(e["actor"], key, actor),
         "text": normal(e["text"], key, actor), "data": normal(e["data"], key, actor)}
        for e in timeline
    ]  # fmt: skip
