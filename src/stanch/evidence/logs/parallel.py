"""Signatures on several cores: ids are hashes of templates, so workers need no coordination."""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence

from stanch.evidence.logs.miner import Miner

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
