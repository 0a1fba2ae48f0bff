"""`stanch evidence logs` end to end: text, JSON, per-line ids, pinning, errors."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from stanch.services import incidents
from stanch.services.context import App
from tests.conftest import T0
from tests.fakes.logs_loki import FakeLoki, running
from tests.support.cli import cli


def stamp(seconds: int) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


@pytest.fixture
def logs(tmp_path: Path) -> list[Path]:
    api = tmp_path / "api.log"
    api.write_text("".join(f"{stamp(s)} INFO [main] c.e.Api: request ok id={s}\n" for s in range(-600, 0, 60))
                   + f"{stamp(-1)} WARN [main] c.e.Pool: pool exhausted size=10\n"
                   + f"{stamp(30)} ERROR [main] c.e.Pay: upstream timeout after 30s [req 7]\n"
                   + f"{stamp(40)} ERROR [main] c.e.Pay: upstream timeout after 31s [req 8]\n")  # fmt: skip
    worker = tmp_path / "worker.log"
    worker.write_text(
        f"{stamp(-300)} INFO [w] c.e.W: job 1 done\n{stamp(35)} INFO [w] c.e.W: job 2 done\n"
    )
    return [api, worker]


def test_text_report_ranks_new_signatures_with_first_occurrence(
    capsys: pytest.CaptureFixture[str], app: App, logs: list[Path]
) -> None:
    ran = cli(
        capsys, app, "evidence", "logs", *map(str, logs), "--onset", stamp(0), "--context", "1"
    )
    assert ran.code == 0, ran.err
    first = ran.out.split("\n#")[1]
    assert first.startswith("1 NEW ERROR")
    assert "upstream timeout after <*> [req <*>]" in first
    assert f"first: {stamp(30)}  {logs[0]}:12" in first
    assert "| " + f"{stamp(-1)} WARN [main] c.e.Pool: pool exhausted size=10" in first


def test_json_and_per_line(capsys: pytest.CaptureFixture[str], app: App, logs: list[Path]) -> None:
    data = cli(capsys, app, "evidence", "logs", str(logs[0]), "--onset", stamp(0), "--json").json()
    assert data["lines"]["in_window"] == 13
    assert [s["change"] for s in data["signatures"]] == ["new", "gone", "gone"]
    top = data["signatures"][0]
    assert (top["before_onset"], top["after_onset"], top["first"]["line"]) == (0, 2, 12)
    ids = cli(
        capsys, app, "evidence", "logs", str(logs[0]), "--per-line", "--from", stamp(-120)
    ).out.split()
    assert ids[:8] == ["-"] * 8 and len(set(ids[8:10])) == 1 and ids[11] == ids[12] == top["id"]


def test_pinning_records_evidence_on_the_incident(
    capsys: pytest.CaptureFixture[str], any_app: App, logs: list[Path]
) -> None:
    declared = incidents.declare(any_app, "Checkout 502s", severity="SEV2", started=stamp(0))
    ran = cli(
        capsys,
        any_app,
        "evidence",
        "logs",
        *map(str, logs),
        "--incident",
        declared.incident.id,
        "--json",
    )
    assert ran.code == 0, ran.err
    assert ran.json()["onset"] == stamp(0)  # taken from the incident
    events = any_app.store.events(declared.incident.id)
    assert events[-1].kind == "evidence.logs"
    assert events[-1].data["signatures"][0]["template"] == "upstream timeout after <*> [req <*>]"
    assert events[-1].seq == ran.json()["pinned"]["seq"]
    text = declared.path.read_text()
    assert "1 new and 0 surged since onset" in text


def test_loki_through_the_command(capsys: pytest.CaptureFixture[str], app: App) -> None:
    fake = FakeLoki()
    for second in range(5):
        fake.add(
            {"app": "checkout"},
            T0 + timedelta(seconds=second),
            f"level=error msg=refused id={second}",
        )
    with running(fake):
        ran = cli(capsys, app, "evidence", "logs", "--loki", '{app="checkout"}', "--loki-url", fake.url,
                  "--from", stamp(0), "--to", stamp(60), "--json")  # fmt: skip
    assert ran.code == 0, ran.err
    assert ran.json()["signatures"][0]["count"] == 5
    assert ran.json()["signatures"][0]["level"] == "ERROR"
    assert ran.json()["sources"] == ['loki: {app="checkout"}']


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.log"], "missing.log: no such file"),
        ([], "nothing to read"),
        (["x.log", "--from", "yesterday"], "cannot read time"),
        (["--loki", '{app="x"}'], "no Loki URL"),
    ],
)
def test_mistakes_are_one_line(
    capsys: pytest.CaptureFixture[str], app: App, args: list[str], message: str
) -> None:
    ran = cli(capsys, app, "evidence", "logs", *args)
    assert ran.code == 1
    assert message in ran.err and "Traceback" not in ran.err
    assert len(ran.err.strip().splitlines()) == 1


def test_per_line_keeps_one_output_line_per_input_line(
    capsys: pytest.CaptureFixture[str], app: App, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.log"
    path.write_bytes(b"GET /a 200\n\x00\x01\x02 garbage\n\nGET /b 200\nPOST /c 500\n")
    ids = cli(capsys, app, "evidence", "logs", str(path), "--per-line").out.splitlines()
    assert len(ids) == 5
    assert ids[1] == ids[2] == "-"
    assert ids[0] == ids[3] != ids[4]
