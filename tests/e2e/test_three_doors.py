"""The same incident through the CLI, the HTTP API and MCP leaves the same timeline.

The scenario runs once per door, each against its own fresh store, with the simulated
checkout service as the flagging signal; then the three timelines (read back through
each door) and incident files are compared with ids, timestamps and the door's own
identity (the person, the token's name, the agent) replaced by placeholders.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stanch.model.events import Kind
from stanch.model.kinds import MITIGATION_CONFIRMED, SIGNAL_SAMPLED, SIGNAL_SET
from stanch.model.meeting import MEETING_PROPOSED
from stanch.sim import traffic
from tests.e2e.doors import CliDoor, Door, agent, child_env, person_app, serving
from tests.e2e.scenario import AFTER, CONFIG, CONFIRM, Run, comparable, normal_file, play
from tests.e2e.sim import Sim, running_sim

DOORS = ("cli", "http", "mcp")
SAMPLED, CONFIRMED, NOTE, STATUS = SIGNAL_SAMPLED, MITIGATION_CONFIRMED, Kind.NOTE, Kind.STATUS
EXPECTED_KINDS = [
    Kind.DECLARED, NOTE, Kind.ROLE, SIGNAL_SET,
    SAMPLED,  # 30 %: unhealthy
    Kind.SEVERITY, STATUS,  # SEV1, mitigating
    NOTE,  # the flag is off
    SAMPLED, SAMPLED, SAMPLED, CONFIRMED, STATUS,  # mitigated, by the signal
    STATUS,  # monitoring; resolving now is refused and records nothing
    *[SAMPLED] * AFTER,
    STATUS,  # resolved
    MEETING_PROPOSED,  # the postmortem meeting, proposed on resolution
    NOTE,
]  # fmt: skip


class Result:
    def __init__(self, run: Run, timeline: list[dict[str, Any]], file: str) -> None:
        self.run, self.timeline, self.file = run, timeline, file


def _project(root: Path) -> Path:
    root.mkdir()
    (root / "stanch.toml").write_text(CONFIG)
    return root


async def _through(door: Door, sim: Sim) -> Result:
    run = await play(door, sim)
    timeline = comparable(await door.timeline(run.key), run.key, door.actor)
    return Result(run, timeline, normal_file(await door.file(run.key), run.key, door.actor))


async def _through_mcp(project: Path, sim: Sim) -> Result:
    async with agent(project) as door:
        return await _through(door, sim)


def _all_doors(root: Path) -> dict[str, Result]:
    results: dict[str, Result] = {}
    with running_sim(root / "world", child_env()) as sim:
        app = person_app(_project(root / "cli"))
        try:
            results["cli"] = asyncio.run(_through(CliDoor(app), sim))
        finally:
            app.close()
        with serving(_project(root / "http")) as http:
            results["http"] = asyncio.run(_through(http, sim))
        results["mcp"] = asyncio.run(_through_mcp(_project(root / "mcp"), sim))
    return results


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Result]]:
    """The scenario through every door, once for the module (it takes real seconds)."""
    root = tmp_path_factory.mktemp("e2e")
    with pytest.MonkeyPatch.context() as patch:  # the guards of conftest, module-wide
        (root / "home").mkdir()
        patch.setenv("HOME", str(root / "home"))
        patch.setenv("KUBECONFIG", str(root / "home" / "no-such-kubeconfig"))
        for name in list(os.environ):
            if name.startswith("STANCH_") or name.endswith(("_TOKEN", "_API_KEY")):
                patch.delenv(name)
        yield _all_doors(root)


@pytest.mark.parametrize("door", DOORS)
def test_each_door_reads_judges_and_gates_the_signal(results: dict[str, Result],
                                                     door: str) -> None:  # fmt: skip
    run, timeline = results[door].run, results[door].timeline
    values = [s["value"] for s in run.samples]
    assert values[0] == pytest.approx(traffic.FAULTY_RATIO)
    assert values[1:] == pytest.approx([traffic.BACKGROUND_RATIO] * (len(values) - 1))
    assert [s["healthy"] for s in run.samples] == [False] + [True] * (len(values) - 1)
    assert [s["confirmed"] for s in run.samples].index(True) == CONFIRM
    assert run.samples[CONFIRM]["status"] == "mitigated"
    assert f"cannot resolve {run.key}: healthy for " in run.early_resolve
    assert f"over {CONFIRM} samples; the window needs 6s" in run.early_resolve
    assert run.recovery_before_resolve["complete"] is True
    assert [e["kind"] for e in timeline] == EXPECTED_KINDS
    moves = [e["data"].get("to") for e in timeline if e["kind"] == STATUS]
    assert moves == ["mitigating", "mitigated", "monitoring", "resolved"]


@pytest.mark.parametrize("door", DOORS)
def test_every_event_is_recorded_as_whoever_used_the_door(results: dict[str, Result],
                                                          door: str) -> None:  # fmt: skip
    wrong = [(e["seq"], e["kind"], e["actor"]) for e in results[door].timeline
             if e["actor"] != "<ACTOR>"]  # fmt: skip
    assert wrong == []


def test_http_gives_the_same_timeline_and_file_as_the_cli(results: dict[str, Result]) -> None:
    assert results["http"].timeline == results["cli"].timeline
    assert results["http"].file == results["cli"].file


def test_mcp_gives_the_same_timeline_and_file_as_the_cli(results: dict[str, Result]) -> None:
    assert results["mcp"].timeline == results["cli"].timeline
    assert results["mcp"].file == results["cli"].file


def _without_actors(text: str) -> str:
    return text.replace("<ACTOR>", "?").replace("alice", "?")
