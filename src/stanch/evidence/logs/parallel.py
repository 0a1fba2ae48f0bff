"""Signatures on several cores: ids are hashes of templates, so workers need no coordination."""

from __future__ import annotations

import itertools
import multiprocessing
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from stanch.evidence.logs.analyze import Analysis, Options
from stanch.evidence.logs.miner import Miner
from stanch.evidence.logs.sources import (
    ReadStats,
    is_gzip,
    line_starts,
    lines_before,
    read_path,
    read_range,
)

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


PIECE = 16 * 1024**2  # a plain file is cut into ranges of at least this many bytes


@dataclass(frozen=True)
class _Job:
    """A whole file (`end` None: gzip or small) or bytes [start, end) of a plain file."""

    path: Path
    start: int = 0
    end: int | None = None


def plan(paths: Sequence[Path], workers: int, piece: int = PIECE) -> list[_Job]:
    """Jobs for `workers` processes: big plain files are cut at line starts, so one large
    file uses every worker; gzip files cannot be cut and go whole."""
    jobs: list[_Job] = []
    for path in paths:
        size = path.stat().st_size
        pieces = min(workers, size // max(piece, 1))
        if pieces < 2 or is_gzip(path):
            jobs.append(_Job(path))
            continue
        cuts = line_starts(path, size, pieces)
        jobs += [_Job(path, a, b) for a, b in itertools.pairwise(cuts)]
    return jobs


def _analyse_job(work: tuple[_Job, Options]) -> tuple[Analysis, ReadStats]:
    job, options = work
    analysis = Analysis(options)
    stats = ReadStats()
    if job.end is None:
        analysis.feed(read_path(job.path, stats))
    else:
        analysis.prime(str(job.path), lines_before(job.path, job.start))
        analysis.feed(read_range(job.path, job.start, job.end, stats))
    analysis.drop_streams()
    return analysis, stats


def analyse_files(paths: Sequence[Path], options: Options, workers: int = 2,
                  piece: int = PIECE) -> tuple[Analysis, ReadStats]:  # fmt: skip
    """Analyse files on `workers` processes and merge the results.

    Each file is its own stream, so preceding lines never cross files. A range of a file
    starts with the lines just before it as context and their last time for untimed
    lines; its line numbers are shifted by the lines of the ranges before it. Merging in
    file order is exact: counts add up, the earliest first occurrence wins (ties: the
    earlier file or range).
    """
    jobs = plan(paths, workers, piece)
    context = multiprocessing.get_context("spawn")
    with context.Pool(min(workers, len(jobs))) as pool:
        parts = pool.map(_analyse_job, [(job, options) for job in jobs], chunksize=1)
    merged, stats = Analysis(options), ReadStats()
    offsets: dict[Path, int] = {}
    for job, (analysis, part_stats) in zip(jobs, parts, strict=True):
        analysis.shift_lines(offsets.get(job.path, 0))
        offsets[job.path] = offsets.get(job.path, 0) + part_stats.lines
        merged.merge(analysis)
        stats.add(part_stats)
    return merged, stats
