"""The executor against real child processes: each way a command can end, and what is kept."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from stanch.errors import InvalidInput
from stanch.executor import Executor, Outcome, redact

PY = sys.executable


def test_a_command_that_succeeds_keeps_its_output_and_directory(tmp_path: Path) -> None:
    done = Executor().run([PY, "-c", "import os; print(os.getcwd())"], cwd=tmp_path)
    assert done.outcome is Outcome.OK and done.ok and done.exit_code == 0
    assert Path(done.stdout.strip()) == tmp_path.resolve()
    assert done.cwd == str(tmp_path)
    assert done.to_dict()["argv"] == [PY, "-c", "import os; print(os.getcwd())"]


def test_a_non_zero_exit_is_failed_with_its_code_and_stderr() -> None:
    done = Executor().run(
        [PY, "-c", "import sys; sys.stderr.write('no such release'); sys.exit(3)"]
    )
    assert done.outcome is Outcome.FAILED and not done.ok
    assert (done.exit_code, done.stderr) == (3, "no such release")


def test_a_command_past_its_timeout_is_stopped_with_what_it_printed() -> None:
    script = "import time; print('waiting', flush=True); time.sleep(60)"
    done = Executor(timeout=30).run([PY, "-c", script], timeout=0.5)
    assert done.outcome is Outcome.TIMEOUT and done.exit_code is None
    assert done.stdout == "waiting\n"
    assert done.stderr.endswith("timed out after 0.5s")


def test_a_missing_program_is_not_found_without_running() -> None:
    done = Executor().run(["stanch-no-such-program", "--version"])
    assert done.outcome is Outcome.NOT_FOUND
    assert done.stderr == "stanch-no-such-program: not found"


def test_dry_run_skips_changes_but_runs_reads() -> None:
    executor = Executor(dry_run=True)
    change = executor.run([PY, "-c", "print('changed')"])
    assert (change.outcome, change.stdout) == (Outcome.DRY_RUN, "")
    read = executor.run([PY, "-c", "print('read')"], mutating=False)
    assert (read.outcome, read.stdout) == (Outcome.OK, "read\n")


def test_stdin_env_and_path_reach_the_child(tmp_path: Path) -> None:
    stand_in = tmp_path / "kubectl"
    stand_in.write_text(f"#!{PY}\nimport os, sys\nprint(os.environ['KIND'], sys.stdin.read())\n")
    stand_in.chmod(0o755)
    executor = Executor(env={"KIND": "stand-in"}, path=f"{tmp_path}{os.pathsep}/usr/bin:/bin")
    done = executor.run(["kubectl"], stdin=b"manifest")
    assert (done.outcome, done.stdout) == (Outcome.OK, "stand-in manifest\n")
    assert done.argv == ("kubectl",)


def test_secrets_are_masked_in_argv_and_output() -> None:
    executor = Executor(secrets=["s3cr3t-value"])
    done = executor.run([PY, "-c", "print('token=abc123 and s3cr3t-value')", "s3cr3t-value"])
    assert done.argv[-1] == "***"
    assert done.stdout == "token=*** and ***\n"
    assert redact("https://user:pw@host/x") == "https://user:***@host/x"


def test_long_output_is_clipped_for_the_record() -> None:
    done = Executor(max_output=10).run([PY, "-c", "print('x' * 25, end='')"])
    assert done.stdout == "x" * 10 + "\n… (15 more characters)"


@pytest.mark.parametrize("argv", ["kubectl get pods", [], ["kubectl", "a\x00b"]])
def test_anything_but_an_argv_list_is_refused(argv: str | list[str]) -> None:
    with pytest.raises(InvalidInput):
        Executor().run(argv)
