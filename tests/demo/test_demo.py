"""`stanch demo` runs the whole process on the simulated production, in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stanch.services.context import App
from stanch.settings import load_settings


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    where = tmp_path_factory.mktemp("demo") / "stanch-demo"
    done = subprocess.run(
        [sys.executable, "-m", "stanch", "demo", "--dir", str(where)],
        capture_output=True, text=True, timeout=400, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return where, done.stdout


def events_of(where: Path) -> tuple[str, list[tuple[str, dict[str, object]]]]:
    app = App(load_settings(config_path=where / "stanch.toml"))
    try:
        (incident,) = app.store.incidents()
        return incident.id, [(e.kind, dict(e.data)) for e in app.store.events(incident.id)]
    finally:
        app.close()


def test_every_step_of_the_process_is_on_the_record(demo: tuple[Path, str]) -> None:
    where, _ = demo
    key, events = events_of(where)
    kinds = [kind for kind, _ in events]
    for expected in (
        "incident.declared", "signal.set", "lever.planned", "lever.applied", "page.sent",
        "page.acknowledged", "update.posted", "mitigation.confirmed", "evidence.changes",
        "evidence.logs", "evidence.traces", "hypothesis.proposed", "hypothesis.checked",
        "why.added", "action.added", "section.set",
    ):  # fmt: skip
        assert expected in kinds, expected
    statuses = [data["to"] for kind, data in events if kind == "status.changed"]
    assert statuses[-1] == "resolved" and "mitigated" in statuses
    # the second lever was refused while the first was unconfirmed: never applied
    applied = [data["lever"] for kind, data in events if kind == "lever.applied"]
    assert applied == ["flag_off:flagd:new-payment-path"]
    text = (where / "incidents" / f"{key}.md").read_text()
    for heading in ("## Postmortem", "### Impact", "### Causal analysis", "### Action items",
                    "## Timeline"):  # fmt: skip
        assert heading in text, heading


def test_the_evidence_points_at_the_fault(demo: tuple[Path, str]) -> None:
    where, _ = demo
    _, events = events_of(where)
    data = {kind: payload for kind, payload in events}
    culprit = subprocess.run(
        ["git", "-C", str(where / "shop"), "log", "-n1", "--format=%H", "--", "flags"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    suspects = data["evidence.changes"]["suspects"]
    assert isinstance(suspects, list) and suspects[0]["id"] == culprit
    hop = data["evidence.traces"]["failing_hop"]
    assert isinstance(hop, dict)
    assert (hop["service"], hop["downstream"]) == ("payments", "payment-gateway")
    top = data["evidence.logs"]["signatures"]
    assert isinstance(top, list) and "payment-gateway timeout" in top[0]["template"]
    checked = data["hypothesis.checked"]
    assert checked["verdict"] == "supported"


def test_the_flag_is_off_in_the_repository_and_the_page_was_signed(
    demo: tuple[Path, str],
) -> None:
    where, out = demo
    flags = json.loads((where / "shop/flags/flags.flagd.json").read_text())
    assert flags["flags"]["new-payment-path"]["defaultVariant"] == "off"
    assert "pager received: /payments" in out  # the receiver accepts only valid signatures


def test_the_public_page_says_nothing_internal(demo: tuple[Path, str]) -> None:
    where, _ = demo
    page = (where / "status" / "index.html").read_text()
    assert "resolved" in page.lower()
    for internal in ("new-payment-path", "payment-gateway", "alice", "dana", "flagd", "kubectl"):
        assert internal not in page, internal


def test_a_directory_it_did_not_make_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me\n")
    done = subprocess.run(
        [sys.executable, "-m", "stanch", "demo", "--dir", str(tmp_path)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert "not empty" in done.stderr and (tmp_path / "mine.txt").read_text() == "keep me\n"
