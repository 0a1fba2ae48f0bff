"""Signatures on several cores: ids are hashes of templates, so workers need no coordination."""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from stanch.evidence.logs.analyze import Analysis, Options
from stanch.evidence.logs.miner import Miner
from stanch.evidence.logs.sources import ReadStats, read_path

CHUNK = 50_000


@dataclass
class _Worker:
    """Per-process state: the lines (inherited by fork, never pickled) and one warm miner."""

    lines: Sequence[str] = ()
    miner: Miner = field(default_factory=Miner)


_WORKER = _Worker()


def _range_signatures(bounds: tuple[int, int]) -> list[str]:
    signature = _WORKER.miner.signature_of
    return [signature(line) for line in _WORKER.lines[bounds[0] : bounds[1]]]


def signatures_parallel(lines: Sequence[str], workers: int = 2) -> list[str]:
    """The signature of every line, in order, computed by `workers` processes."""
    if workers <= 1 or len(lines) < 2 * CHUNK:
        miner = Miner()
        return [miner.signature_of(line) for line in lines]
    ranges = [(i, min(i + CHUNK, len(lines))) for i in range(0, len(lines), CHUNK)]
    _WORKER.lines = lines
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_range_signatures, ranges, chunksize=1)
    finally:
        _WORKER.lines = ()
    return [sig for part in parts for sig in part]


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
