"""Bad input: one line, a non-zero exit, no traceback, nothing recorded."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from stanch.services.context import App
from tests.support.cli import cli
from tests.support.proc import stanch

ID = "2026-11-22-checkout-502-eu"


def declared(capsys: pytest.CaptureFixture[str], app: App) -> Path:
    ran = cli(capsys, app, "declare", "Checkout returns 502 for EU users", "-s", "SEV1")
    assert ran.code == 0, ran.err
    return app.settings.incidents_dir / f"{ID}.md"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["declare", "x", "--severity", "SEV9"], "unknown severity 'SEV9': use SEV1–SEV4 or P0–P3"),
        (["declare", "   ", "--severity", "SEV2"], "symptom is empty"),
        (["declare", "x", "-s", "P1", "--started", "in 5 min"], "cannot read time"),
        (["declare", "x", "-s", "P1", "--started", "2027-01-01T00:00:00Z"], "in the future"),
        (["declare", "x", "-s", "P1", "--started", "2026-11-22T09:00:00"], "has no offset"),
        (["declare", "x", "-s", "P1", "--started", "5 min ago", "--detected", "10 min ago"],
         "is after detection"),
        (["log", "hello", "-i", "2026-11-22-nope"], "no incident '2026-11-22-nope'"),
        (["show", "2026-01-01-nope"], "no incident"),
        (["log", "hello"], "no open incident"),
    ],
)  # fmt: skip
def test_user_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], app: App, args: list[str], message: str
) -> None:
    ran = cli(capsys, app, *args)
    assert ran.code == 1
    assert message in ran.err
    assert ran.err.count("\n") == 1 and ran.err.startswith("stanch: error: ")
    assert "Traceback" not in ran.err
    assert not app.settings.incidents_dir.exists() or not any(
        app.settings.incidents_dir.glob("*.md")
    )


def test_refusals_leave_the_record_untouched(capsys: pytest.CaptureFixture[str], app: App) -> None:
    path = declared(capsys, app)
    before = path.read_bytes()
    for args, message in [
        (["status", "resolved"], "allowed next: mitigating, mitigated"),
        (["status", "fixed"], "unknown status 'fixed'"),
        (["severity", "SEV1"], "already SEV1"),
        (["severity", "sev-x"], "unknown severity"),
        (["log", ""], "note is empty"),
        (["log", "x", "--at", "tomorrow"], "cannot read time"),
        (["assign", "boss", "zed"], "unknown role 'boss'"),
        (["status", "mitigating", "--at", "2026-11-22T09:00:00Z"], "before the incident was declared"),
    ]:  # fmt: skip
        ran = cli(capsys, app, *args)
        assert ran.code == 1, args
        assert message in ran.err, (args, ran.err)
    assert path.read_bytes() == before
    assert app.store.chain(ID)[0] == 1


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], app: App) -> None:
    ran = cli(capsys, app, "declare", "x")
    assert ran.code == 2
    assert "--severity" in ran.err
    assert cli(capsys, app, "declare", "x", "-s", "P1", "--percent", "130").code == 2


def test_bad_config_is_one_line(project: Path) -> None:
    (project / "stanch.toml").write_text("[stanch\nseverity_scheme = ")
    ran = stanch(["list"], project)
    assert ran.returncode == 1
    assert "not valid TOML" in ran.stderr and "Traceback" not in ran.stderr
    (project / "stanch.toml").write_text('[stanch]\nseverity_scheme = "colour"\n')
    assert "severity_scheme must be" in stanch(["list"], project).stderr


def test_unreachable_database_is_an_environment_error(project: Path) -> None:
    ran = stanch(["list"], project, env={
        "STANCH_DATABASE_URL": "postgresql://nobody:secret@127.0.0.1:1/none"})  # fmt: skip
    assert ran.returncode == 3
    assert "Traceback" not in ran.stderr and "secret" not in ran.stderr
    assert ran.stderr.startswith("stanch: error: database postgresql://nobody:***@")


def test_full_disk_records_nothing_and_says_so(project: Path) -> None:
    assert stanch(["declare", "Checkout down", "-s", "SEV1"], project).returncode == 0
    files = [p for p in project.rglob("*") if p.is_file()]
    # Room to rewrite any file but the database, not to grow the store by a 9 kB note
    # (the database's own size depends on how many capabilities' tables it holds).
    limit = max(p.stat().st_size for p in files if p.suffix != ".db")
    before = {p: p.read_bytes() for p in files}
    ran = stanch(["log", "x" * 9000], project, file_size_limit=limit)
    assert ran.returncode == 3, ran.stderr
    assert "disk full" in ran.stderr and "Traceback" not in ran.stderr
    shown = stanch(["show", "--json"], project)
    assert shown.returncode == 0, shown.stderr
    assert '"last_seq": 1' in shown.stdout
    incident_file = next(project.glob("incidents/*.md"))
    assert incident_file.read_bytes() == before[incident_file]
    assert stanch(["verify"], project).returncode == 0


def test_read_only_incidents_directory_records_nothing(project: Path) -> None:
    assert stanch(["declare", "Checkout down", "-s", "SEV1"], project).returncode == 0
    incidents = project / "incidents"
    incidents.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
    try:
        ran = stanch(["log", "rolled back"], project, honour_modes=True)
    finally:
        incidents.chmod(0o755)
    assert ran.returncode == 3, ran.stderr
    assert "not writable" in ran.stderr and "Traceback" not in ran.stderr
    shown = stanch(["show", "--json"], project)
    assert '"last_seq": 1' in shown.stdout
