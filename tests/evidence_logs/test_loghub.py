"""Grouping accuracy on the labelled Loghub-2k sample (skipped when the data is absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stanch.evidence.logs.miner import Miner
from stanch.evidence.logs.scoring import datasets, grouping_accuracy

REPO = Path(__file__).resolve().parents[2]


def loghub_root() -> Path | None:
    if os.environ.get("STANCH_LOGHUB"):
        return Path(os.environ["STANCH_LOGHUB"])
    for parent in REPO.parents:
        candidate = parent / "shared" / "data" / "loghub-2k"
        if candidate.is_dir():
            return candidate
    return None


def test_grouping_accuracy_beats_the_targets() -> None:
    root = loghub_root()
    if root is None or not root.is_dir():
        pytest.skip("Loghub-2k not found: set STANCH_LOGHUB to the loghub-2k folder")
    found = datasets(root)
    assert found, f"no labelled datasets under {root}"
    scores = {}
    for data in found:
        miner = Miner()
        scores[data.name] = grouping_accuracy(
            [miner.parse(x).signature for x in data.lines], data.events
        )
    mean = sum(scores.values()) / len(scores)
    assert mean >= 0.985, scores
    assert min(scores.values()) >= 0.90, scores


def test_grouping_accuracy_scores_exact_groups_only() -> None:
    assert grouping_accuracy(["a", "a", "b"], [1, 1, 2]) == 1.0
    assert grouping_accuracy(["a", "a", "a"], [1, 1, 2]) == 0.0
    assert grouping_accuracy(["a", "b", "c"], [1, 1, 2]) == pytest.approx(1 / 3)
