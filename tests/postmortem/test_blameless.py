"""The blameless checker catches blame and passes neutral wording: a table of cases."""

from __future__ import annotations

import pytest

from stanch.model.blameless import check, vague_action

ROSTER = ["Alice Smith", "bob", "@carol"]

BLAMING = [
    ("Alice forgot to drain the node before the upgrade.", "Alice forgot"),
    ("bob pushed the config without review", "bob"),
    ("Root cause: human error during the failover.", "human error"),
    ("Operator error in the runbook step 4.", "Operator error"),
    ("The engineer failed to check the dashboard.", "The engineer failed to"),
    ("He should have rolled back sooner.", "He should have"),
    ("Someone accidentally deleted the volume.", "Someone accidentally"),
    ("It was Smith's fault for skipping the canary.", "Smith's fault"),
    ("The on-call overlooked the second alert.", "on-call overlooked"),
    ("A careless edit to values.yaml took down checkout.", "careless"),
    ("@carol ignored the warning from the linter.", "carol ignored"),
    ("The deploy broke because the intern missed a flag.", "the intern missed"),
    ("They didn't follow the runbook.", "They didn't"),
    ("Should have known better than to deploy on Friday.", "Should have known better"),
    ("Negligence in the review process let it through.", "Negligence"),
]

NEUTRAL = [
    "The deploy pipeline allowed a config push without schema validation.",
    "The rollout failed to complete because the readiness probe timed out.",
    "Detection took 14 min after onset because no alert covered the 5xx ratio.",
    "The runbook had no step for draining the node before the upgrade.",
    "The connection pool size of 1 caused request queueing under load.",
    "The canary stage was skipped by the pipeline when the flag was set.",
    "Root cause: the retry policy amplified load on the database.",
    "The alert missed the regression because it only watched p50 latency.",
    "Bobcat cache nodes ran out of memory.",  # a word that contains a name is not a name
    "The change reached production without a review gate.",
]


@pytest.mark.parametrize(("text", "phrase"), BLAMING)
def test_blame_is_caught(text: str, phrase: str) -> None:
    found = check(text, ROSTER)
    assert found, text
    assert any(phrase.lower() in f.phrase.lower() for f in found), [f.phrase for f in found]
    assert all(f.suggestion for f in found)


@pytest.mark.parametrize("text", NEUTRAL)
def test_neutral_wording_passes(text: str) -> None:
    assert check(text, ROSTER) == []


def test_login_names_that_are_words_do_not_flag_ordinary_text() -> None:
    assert check("The root cause was a stale DNS record.", ["root"]) == []


@pytest.mark.parametrize(
    ("text", "vague"),
    [("Be more careful when deploying", True), ("Pay more attention to alerts", True),
     ("Remember to drain nodes first", True), ("Double-check the config", True),
     ("Fix it", True),
     ("Add a CI check that rejects pool_size below 4 in checkout config", False),
     ("Alert on checkout 5xx ratio burn rate 14.4x over 1 h and 5 min", False),
     ("Automate rollback when the canary error ratio exceeds the SLO", False)],
)  # fmt: skip
def test_vague_action_items_are_rejected(text: str, vague: bool) -> None:
    assert (vague_action(text) is not None) is vague
