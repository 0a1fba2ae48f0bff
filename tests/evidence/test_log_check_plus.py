"""Hypothesis checks by log signature count: lines of one signature after onset."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from stanch.evidence.logs.miner import Miner
from stanch.services import incidents
from stanch.services.context import App
from tests.conftest import T0
from tests.support.cli import cli


def _stamp(minutes: int, seconds: int = 0) -> str:
    return (T0 + timedelta(minutes=minutes, seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _write_logs(tmp_path: Path) -> tuple[Path, Path]:
    """Before onset (T0 − 10 min): a few timeouts; after: many, on two hosts."""
    api, worker = tmp_path / "api.log", tmp_path / "worker.log"
    lines = [f"{_stamp(-30, i)} INFO request served in {i} ms" for i in range(20)]
    lines += [f"{_stamp(-20, i)} ERROR upstream timeout after {30 + i}s" for i in range(3)]
    lines += [f"{_stamp(-5, i)} ERROR upstream timeout after {30 + i}s" for i in range(50)]
    api.write_text("\n".join(lines) + "\n")
    worker.write_text(
        "\n".join(f"{_stamp(-2, i)} ERROR upstream timeout after {i}s" for i in range(40))
        + f"\n{_stamp(-1)} WARN disk almost full on /var\n"
    )
    return api, worker


def _declare(app: App) -> str:
    onset = _stamp(-10)
    return incidents.declare(app, "api 5xx", severity="SEV2", started=onset).incident.id


def test_count_after_onset_across_files_decides(
    app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api, worker = _write_logs(tmp_path)
    key = _declare(app)
    ran = cli(capsys, app, "hypothesis", key, "the upstream is timing out",
              "--predict", "many timeouts after onset",
              "--check", f"logs:{api},{worker}:upstream timeout after 31s", "--expect", "> 80",
              "--json")  # fmt: skip
    assert ran.code == 0, ran.err
    found = ran.json()
    assert found["value"] == 90  # 50 + 40 after onset; the 3 before onset are not counted
    assert found["verdict"] == "supported"
    assert "since onset" in found["evidence"]
    ran = cli(capsys, app, "hypothesis", key, "timeouts are rare", "--predict", "few",
              "--check", f"logs:{api}:upstream timeout", "--expect", "< 10", "--json")  # fmt: skip
    assert ran.json()["value"] == 50 and ran.json()["verdict"] == "refuted"
    text = app.files.path(key).read_text()
    assert "hypothesis H2 refuted" in text and "hypothesis H1 supported" in text


def test_signature_id_and_absent_signature(
    app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api, worker = _write_logs(tmp_path)
    key = _declare(app)
    sig = Miner().signature(Miner().template("disk almost full on /var"))
    ran = cli(capsys, app, "hypothesis", key, "disk pressure", "--predict", "disk warnings",
              "--check", f"logs:{worker}:{sig}", "--expect", ">= 1", "--json")  # fmt: skip
    assert ran.code == 0, ran.err
    assert ran.json()["value"] == 1 and ran.json()["verdict"] == "supported"
    assert sig in ran.json()["evidence"]
    ran = cli(capsys, app, "hypothesis", key, "OOM kills", "--predict", "out of memory lines",
              "--check", f"logs:{api},{worker}:out of memory", "--expect", "> 0",
              "--json")  # fmt: skip
    assert ran.json()["value"] == 0 and ran.json()["verdict"] == "refuted"
    assert "no log signature matches" in ran.json()["evidence"]


def test_bad_log_checks_are_one_line_errors(
    app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = _declare(app)
    ran = cli(capsys, app, "hypothesis", key, "x", "--predict", "y",
              "--check", "logs:only-a-file", "--expect", "> 1")  # fmt: skip
    assert ran.code == 1 and "logs:FILE" in ran.err
    assert cli(capsys, app, "hypotheses", key, "--json").json() == []
    ran = cli(capsys, app, "hypothesis", key, "x", "--predict", "y",
              "--check", f"logs:{tmp_path / 'missing.log'}:boom", "--expect", "> 1")  # fmt: skip
    assert ran.code == 1 and "missing.log" in ran.err and "Traceback" not in ran.err
