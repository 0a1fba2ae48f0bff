"""Signatures on several cores: ids are hashes of templates, so workers need no coordination."""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from stanch.evidence.logs.analyze import Analysis, Options
from stanch.evidence.logs.miner import Miner
from stanch.evidence.logs.sources import ReadStats, read_path

MIN_LINES = 100_000  # below this, one process is faster than starting another


@dataclass
class _Worker:
    """Per-process state: the lines (inherited by fork, never pickled) and one warm miner."""

    lines: Sequence[str] = ()
    miner: Miner = field(default_factory=Miner)


_WORKER = _Worker()


def _share_signatures(share: tuple[int, int]) -> list[str]:
    """The signatures of the lines whose length is `index` modulo `count`, in order."""
    index, count = share
    return _WORKER.miner.signatures([line for line in _WORKER.lines if len(line) % count == index])


def signatures_parallel(lines: Sequence[str], workers: int = 2) -> list[str]:
    """The signature of every line, in order, computed by `workers` processes.

    Lines are shared out by length: two lines of the same shape have the same length, so
    every shape is learned by one worker only and no parse is repeated across workers.
    """
    if workers <= 1 or len(lines) < MIN_LINES:
        return Miner().signatures(lines)
    _WORKER.lines = lines
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_share_signatures, [(i, workers) for i in range(workers)])
    finally:
        _WORKER.lines = ()
    shares = [iter(part) for part in parts]
    return [next(shares[len(line) % workers]) for line in lines]


def _analyse_file(job: tuple[Path, Options]) -> tuple[Analysis, ReadStats]:
    path, options = job
    analysis = Analysis(options)
    stats = ReadStats()
    analysis.feed(read_path(path, stats))
    analysis.drop_streams()
    return analysis, stats


def analyse_files(paths: Sequence[Path], options: Options,
                  workers: int = 2) -> tuple[Analysis, ReadStats]:  # fmt: skip
    """Analyse files on `workers` processes, one file per task, and merge the results.

    Each file is its own stream, so preceding lines never cross files and merging is
    exact: counts add up, the earliest first occurrence wins (ties: the earlier file).
    """
    jobs = [(path, options) for path in paths]
    context = multiprocessing.get_context("spawn")
    with context.Pool(min(workers, len(jobs))) as pool:
        parts = pool.map(_analyse_file, jobs, chunksize=1)
    merged, stats = Analysis(options), ReadStats()
    for analysis, part_stats in parts:
        merged.merge(analysis)
        stats.add(part_stats)
    return merged, stats
