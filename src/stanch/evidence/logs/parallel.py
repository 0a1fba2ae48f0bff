"""Signatures on several cores: ids are hashes of templates, so workers need no coordination."""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from pathlib import Path

from stanch.evidence.logs.analyze import Analysis, Options
from stanch.evidence.logs.miner import Miner
from stanch.evidence.logs.sources import ReadStats, read_path

CHUNK = 20_000


def _chunk_signatures(lines: Sequence[str]) -> list[str]:
    miner = Miner()
    return [miner.parse(line).signature for line in lines]


def signatures_parallel(lines: Sequence[str], workers: int = 2) -> list[str]:
    """The signature of every line, in order, computed by `workers` processes."""
    if workers <= 1 or len(lines) < 2 * CHUNK:
        return _chunk_signatures(lines)
    chunks = [lines[i : i + CHUNK] for i in range(0, len(lines), CHUNK)]
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        parts = pool.map(_chunk_signatures, chunks, chunksize=1)
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
