"""`stanch evidence logs --log-format/--time-format`, `[logs] format`, year-less syslog times."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stanch.services.context import App
from tests.conftest import T0, make_app
from tests.support.cli import cli

FORMAT = "<Date> <Time> <Host> <Level> <Content>"
DAY_FIRST = "%d/%m/%Y %H:%M:%S"


@pytest.fixture
def day_first_log(tmp_path: Path) -> Path:
    """Day-first dates no built-in shape reads: without a format no line has a time."""
    path = tmp_path / "pay.log"
    path.write_text(
        "22/11/2026 09:50:00 web-3 INFO request ok id=1\n"
        "22/11/2026 09:58:00 web-3 INFO request ok id=2\n"
        "22/11/2026 10:00:05 web-3 ERROR payment declined code=51\n"
        "22/11/2026 10:00:07 web-12 ERROR payment declined code=05\n"
    )
    return path


WINDOW = ["--from", "2026-11-22T09:55:00Z", "--to", "2026-11-22T10:05:00Z",
          "--onset", "2026-11-22T10:00:00Z"]  # fmt: skip


def test_log_and_time_format_put_lines_in_the_window(
    capsys: pytest.CaptureFixture[str], app: App, day_first_log: Path
) -> None:
    plain = cli(capsys, app, "evidence", "logs", str(day_first_log), *WINDOW, "--json").json()
    assert plain["lines"]["in_window"] == 0  # unreadable times: nothing falls in the window
    ran = cli(capsys, app, "evidence", "logs", str(day_first_log), *WINDOW, "--json",
              "--log-format", FORMAT, "--time-format", DAY_FIRST)  # fmt: skip
    assert ran.code == 0, ran.err
    data = ran.json()
    assert (data["lines"]["in_window"], data["lines"]["outside_window"]) == (3, 1)
    top = data["signatures"][0]
    assert (top["template"], top["level"], top["change"]) == (
        "payment declined code=<*>",
        "ERROR",
        "new",
    )
    assert top["first"]["at"] == "2026-11-22T10:00:05Z" and top["first"]["line"] == 3


def test_format_from_stanch_toml_and_the_option_overrides_it(
    capsys: pytest.CaptureFixture[str], project: Path, day_first_log: Path
) -> None:
    (project / "stanch.toml").write_text(
        f'[stanch]\n[logs]\nformat = "{FORMAT}"\ntime_format = "{DAY_FIRST}"\n'
    )
    app = make_app(project)
    try:
        data = cli(capsys, app, "evidence", "logs", str(day_first_log), *WINDOW, "--json").json()
        assert data["lines"]["in_window"] == 3
        other = cli(capsys, app, "evidence", "logs", str(day_first_log), *WINDOW, "--json",
                    "--log-format", "<Date> <Time> <Content>")  # fmt: skip
        # Host and level are now part of the message; the [logs] time_format still applies.
        assert other.code == 0, other.err
        assert {(s["template"], s["level"]) for s in other.json()["signatures"]} == {
            ("<*> INFO request ok id=<*>", None), ("<*> ERROR payment declined code=<*>", None),
        }  # fmt: skip
    finally:
        app.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--log-format", "<Date> <Time> <Level>"], "--log-format: no message in the format"),
        (["--log-format", "(?P<message>.*"], "--log-format: not a valid pattern"),
        (["--time-format", DAY_FIRST], "--time-format needs --log-format"),
        (
            ["--log-format", FORMAT, "--time-format", "%d/%Q"],
            "--time-format: 'Q' is a bad directive",
        ),
    ],
)
def test_bad_formats_are_one_line_errors(
    capsys: pytest.CaptureFixture[str], app: App, day_first_log: Path, args: list[str],
    message: str,
) -> None:  # fmt: skip
    ran = cli(capsys, app, "evidence", "logs", str(day_first_log), *args)
    assert ran.code == 1
    assert message in ran.err and "Traceback" not in ran.err
    assert len(ran.err.strip().splitlines()) == 1


def test_bad_format_in_stanch_toml_names_the_key(
    capsys: pytest.CaptureFixture[str], project: Path, day_first_log: Path
) -> None:
    (project / "stanch.toml").write_text('[stanch]\n[logs]\nformat = "<Date> <Time>"\n')
    app = make_app(project)
    try:
        ran = cli(capsys, app, "evidence", "logs", str(day_first_log))
    finally:
        app.close()
    assert ran.code == 1
    assert "stanch.toml [logs] format: no message" in ran.err
    assert len(ran.err.strip().splitlines()) == 1


@pytest.fixture
def january_app(project: Path) -> Iterator[App]:
    """Now is early January: last December's syslog lines are last year's."""
    instance = make_app(project, start=T0.replace(year=2027, month=1, day=3))
    yield instance
    instance.close()


def test_syslog_lines_read_in_january_are_last_december(
    capsys: pytest.CaptureFixture[str], january_app: App, tmp_path: Path
) -> None:
    path = tmp_path / "syslog"
    path.write_text("Dec 30 22:00:00 web-1 nginx[7]: upstream timed out\n"
                    "Jan  2 09:00:00 web-1 nginx[7]: upstream timed out\n")  # fmt: skip
    data = cli(capsys, january_app, "evidence", "logs", str(path), "--json").json()
    (sig,) = data["signatures"]
    assert sig["first"]["at"] == "2026-12-30T22:00:00Z"
    window = cli(capsys, january_app, "evidence", "logs", str(path), "--json",
                 "--from", "2026-03-01T00:00:00Z", "--to", "2026-03-02T00:00:00Z").json()  # fmt: skip
    assert window["lines"]["in_window"] == 0  # judged against the window end: both in the past


def test_the_window_end_is_the_reference_for_a_past_window(
    capsys: pytest.CaptureFixture[str], app: App, tmp_path: Path
) -> None:
    path = tmp_path / "syslog"
    path.write_text("Mar  1 10:00:00 web-1 nginx[7]: upstream timed out\n")
    data = cli(capsys, app, "evidence", "logs", str(path), "--json",
               "--from", "2025-03-01T00:00:00Z", "--to", "2025-03-02T00:00:00Z").json()  # fmt: skip
    assert data["lines"]["in_window"] == 1
    assert data["signatures"][0]["first"]["at"] == "2025-03-01T10:00:00Z"
