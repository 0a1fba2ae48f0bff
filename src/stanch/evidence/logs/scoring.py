"""Grouping accuracy against a labelled log (Loghub layout), for benchmarks and tests.

A line is correct when the set of lines put in its group is exactly the set of lines
sharing its true event id. Labelled data is read from `<Name>_2k.log` and its
`<Name>_2k.log_structured.csv` (columns `Content` and `EventId`).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Labelled:
    name: str
    lines: list[str]  # raw lines, header included
    contents: list[str]  # the message part, as the dataset's format string cuts it
    events: list[str]  # true event id per line


def grouping_accuracy(predicted: Sequence[Hashable], truth: Sequence[Hashable]) -> float:
    """Share of lines whose predicted group is exactly their true group."""
    if len(predicted) != len(truth):
        raise ValueError("predicted and truth differ in length")
    if not truth:
        return 1.0
    ours: dict[Hashable, set[int]] = defaultdict(set)
    real: dict[Hashable, set[int]] = defaultdict(set)
    for index, (p, t) in enumerate(zip(predicted, truth, strict=True)):
        ours[p].add(index)
        real[t].add(index)
    correct = 0
    for members in ours.values():
        first = next(iter(members))
        if real[truth[first]] == members:
            correct += len(members)
    return correct / len(truth)


def datasets(root: Path) -> list[Labelled]:
    """Every `<Name>/<Name>_2k.log` with its structured CSV under `root`, by name."""
    found = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        log = folder / f"{folder.name}_2k.log"
        labels = folder / f"{folder.name}_2k.log_structured.csv"
        if not (log.is_file() and labels.is_file()):
            continue
        with labels.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        lines = log.read_text(encoding="utf-8").splitlines()[: len(rows)]
        found.append(
            Labelled(folder.name, lines, [r["Content"] for r in rows], [r["EventId"] for r in rows])
        )
    return found
