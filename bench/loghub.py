"""Signature grouping: stanch's miner against Drain3, accuracy and speed, in one run.

1. For each Loghub-2k dataset ($STANCH_LOGHUB, default ../shared/data/loghub-2k from the
   repository root): grouping accuracy (GA) and lines/s of stanch on the raw lines (no
   format string) and of Drain3 (default config plus its usual number/IP/hex masks) on
   the dataset's `Content` column, which gives Drain3 the header split for free.
2. Throughput on a generated log of 1,000,000 non-repeated lines from varied templates
   and header formats: stanch in one process, stanch on two processes, and Drain3,
   all on the same raw lines; prints the ratios.

Needs the bench extra: pip install -e '.[bench]'. Run: .venv/bin/python bench/loghub.py
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from stanch.evidence.logs.miner import Miner
from stanch.evidence.logs.parallel import signatures_parallel
from stanch.evidence.logs.scoring import datasets, grouping_accuracy

ROOT = Path(__file__).resolve().parents[1]
SYNTHETIC_LINES = int(os.environ.get("STANCH_BENCH_LINES", "1000000"))
DRAIN_MASKS = (
    (r"((?<=[^A-Za-z0-9])|^)(([0-9a-f]{2,}:){3,}([0-9a-f]{2,}))((?=[^A-Za-z0-9])|$)", "ID"),
    (r"((?<=[^A-Za-z0-9])|^)(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})((?=[^A-Za-z0-9])|$)", "IP"),
    (r"((?<=[^A-Za-z0-9])|^)([0-9a-f]{6,} ?){3,}((?=[^A-Za-z0-9])|$)", "SEQ"),
    (r"((?<=[^A-Za-z0-9])|^)([0-9A-F]{4} ?){4,}((?=[^A-Za-z0-9])|$)", "SEQ"),
    (r"((?<=[^A-Za-z0-9])|^)(0x[a-f0-9A-F]+)((?=[^A-Za-z0-9])|$)", "HEX"),
    (r"((?<=[^A-Za-z0-9])|^)([\-\+]?\d+)((?=[^A-Za-z0-9])|$)", "NUM"),
)


def loghub_root() -> Path:
    """$STANCH_LOGHUB, else the nearest `shared/data/loghub-2k` above the repository."""
    if os.environ.get("STANCH_LOGHUB"):
        return Path(os.environ["STANCH_LOGHUB"])
    for parent in ROOT.parents:
        if (parent / "shared" / "data" / "loghub-2k").is_dir():
            return parent / "shared" / "data" / "loghub-2k"
    return ROOT.parent / "shared" / "data" / "loghub-2k"


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (pool workers)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def drain_final(lines: Sequence[str]) -> tuple[list[int], float, float]:
    """Drain3's cluster per line (clusters may merge later; ids stay), lines/s, lines/CPU-s."""
    miner = _drain_miner()
    began, cpu = time.perf_counter(), _cpu()
    ids = [int(miner.add_log_message(line)["cluster_id"]) for line in lines]
    return ids, *_rates(len(lines), began, cpu)


def _rates(count: int, began: float, cpu: float) -> tuple[float, float]:
    """Lines per wall-clock second and per CPU second since `began` / `cpu`."""
    return count / (time.perf_counter() - began), count / max(_cpu() - cpu, 1e-9)


def ours(lines: Sequence[str]) -> tuple[list[str], float, float]:
    miner = Miner()
    began, cpu = time.perf_counter(), _cpu()
    ids = miner.signatures(lines)
    return ids, *_rates(len(lines), began, cpu)


def accuracy_table() -> None:
    root = loghub_root()
    if not root.is_dir():
        print(f"Loghub-2k not found at {root}: set STANCH_LOGHUB; accuracy part skipped.")
        return
    print(f"Grouping accuracy on {root} (stanch: raw lines; Drain3: Content column)")
    print(
        f"{'dataset':<11} {'stanch GA':>9} {'Drain3 GA':>9} {'stanch l/s':>11} {'Drain3 l/s':>11}"
    )
    ga_ours, ga_drain = [], []
    for data in datasets(root):
        mine, speed, _ = ours(data.lines)
        theirs, drain_speed, _ = drain_final(data.contents)
        ga_ours.append(grouping_accuracy(mine, data.events))
        ga_drain.append(grouping_accuracy(theirs, data.events))
        print(
            f"{data.name:<11} {ga_ours[-1]:>9.4f} {ga_drain[-1]:>9.4f} {speed:>11,.0f} {drain_speed:>11,.0f}"
        )
    mean_ours = sum(ga_ours) / len(ga_ours)
    mean_drain = sum(ga_drain) / len(ga_drain)
    print(f"{'mean':<11} {mean_ours:>9.4f} {mean_drain:>9.4f}   (min stanch {min(ga_ours):.4f})")


_WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "checkout",
    "payments",
    "ledger",
    "cart",
    "search",
    "auth",
    "gateway",
]
_TEMPLATES = (
    "Received block blk_{n} of size {n} from /{ip}",
    "Connection from {ip}:{port} closed after {ms} ms",
    "GET /api/v1/orders/{n} HTTP/1.1 status: {code} len: {n} time: {f}",
    "user {hex} logged in from {ip} session={hex}",
    "Timeout waiting for lock on table orders_{n} after {ms}ms",
    "Retrying connect to server: {host}:{port}. Already tried {d} time(s)",
    "Task attempt_{n}_{d}_m_{n} done, progress {f}",
    "payment {hex} declined: card ending {d}{d}{d}{d}, amount {f} EUR",
    "Cache miss for key product:{n}:price, refilled in {ms} ms",
    "Worker {d} finished batch {n} with {n} records in {f} s",
    "Slow query ({ms} ms): SELECT * FROM items WHERE id = {n}",
    "Healthcheck ok for pod {word}-{hex}-{d}",
    "Failed to send email to user {n}: SMTP 451 temporary failure",
    "Rebalanced partition {d} of topic events-{word} to broker {d}",
    "GC pause {ms}ms, heap {n}MB -> {n}MB",
    "Accepted socket connection from /{ip}:{port}",
)
_HEADERS = (
    "2026-11-23 {h:02d}:{m:02d}:{s:02d},{ms:03d} {level} [{thread}] com.example.{comp}: ",
    "[Mon Nov 23 {h:02d}:{m:02d}:{s:02d} 2026] [{level}] ",
    "2026-11-23T{h:02d}:{m:02d}:{s:02d}.{ms:03d}Z {pid} {level} {comp} [req-{hexs}] ",
    "Nov 23 {h:02d}:{m:02d}:{s:02d} host{d} {comp}[{pid}]: ",
)


def synthetic(count: int, seed: int = 7) -> list[str]:
    """Realistic, non-repeated lines: varied templates, values and header formats."""
    rng = random.Random(seed)
    lines = []
    for index in range(count):
        values = {
            "n": rng.randrange(10**9), "ip": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}",
            "port": rng.randrange(1024, 65535), "ms": rng.randrange(5000), "f": f"{rng.random():.4f}",
            "hex": f"{rng.getrandbits(64):016x}", "host": f"node-{rng.randrange(99)}.dc1", "d": rng.randrange(10),
            "code": rng.choice((200, 404, 500, 503)), "word": rng.choice(_WORDS),
        }  # fmt: skip
        message = rng.choice(_TEMPLATES).format(**values)
        header = rng.choice(_HEADERS).format(
            h=index // 3_600_000 % 24, m=index // 60_000 % 60, s=index // 1000 % 60, ms=index % 1000,
            level=rng.choice(("INFO", "WARN", "ERROR")), thread=f"worker-{rng.randrange(16)}",
            comp=rng.choice(_WORDS), pid=rng.randrange(1, 99999), hexs=f"{rng.getrandbits(32):08x}",
            d=rng.randrange(9),
        )  # fmt: skip
        lines.append(header + message + f" #{index}")
    return lines


ROUNDS = 5  # Drain3 and stanch take turns, so both meet the same machine load


def _drain_miner() -> Any:
    from drain3 import TemplateMiner
    from drain3.masking import MaskingInstruction
    from drain3.template_miner_config import TemplateMinerConfig

    config = TemplateMinerConfig()
    config.masking_instructions = [MaskingInstruction(p, name) for p, name in DRAIN_MASKS]
    return TemplateMiner(config=config)


def _drain_all(drain: Any, lines: Sequence[str]) -> None:
    for line in lines:
        drain.add_log_message(line)


def _timed(spent: list[float], work: Callable[[], object]) -> None:
    """Add the wall and CPU seconds of `work` to `spent`."""
    began, cpu = time.perf_counter(), _cpu()
    work()
    spent[0] += time.perf_counter() - began
    spent[1] += _cpu() - cpu


def throughput() -> None:
    print(f"\nThroughput on {SYNTHETIC_LINES:,} generated non-repeated lines (raw, same input)")
    lines = synthetic(SYNTHETIC_LINES)
    sample = lines[: min(len(lines), 200_000)]  # Drain3's speed is flat; a sample is enough
    drain, miner = _drain_miner(), Miner()
    spent = {"drain": [0.0, 0.0], "one": [0.0, 0.0], "two": [0.0, 0.0]}
    for turn in range(ROUNDS):
        mine = lines[turn * len(lines) // ROUNDS : (turn + 1) * len(lines) // ROUNDS]
        theirs = sample[turn * len(sample) // ROUNDS : (turn + 1) * len(sample) // ROUNDS]
        _timed(spent["drain"], partial(_drain_all, drain, theirs))
        _timed(spent["one"], partial(miner.signatures, mine))
    _timed(spent["two"], lambda: signatures_parallel(lines, workers=2))
    counts = {"drain": len(sample), "one": len(lines), "two": len(lines)}
    rates = {k: (counts[k] / max(w, 1e-9), counts[k] / max(c, 1e-9)) for k, (w, c) in spent.items()}
    drain_wall, drain_cpu = rates["drain"]
    print(f"{'':<20}{'lines/s':>11} {'ratio':>6}  {'lines/CPU-s':>11} {'ratio':>6}")
    for name, key in (("Drain3 (baseline)", "drain"), ("stanch, 1 process", "one"),
                      ("stanch, 2 processes", "two")):  # fmt: skip
        wall, cpu_rate = rates[key]
        print(f"{name:<20}{wall:>11,.0f} {wall / drain_wall:>5.1f}x  {cpu_rate:>11,.0f} "
              f"{cpu_rate / drain_cpu:>5.1f}x")  # fmt: skip
    print(
        f"(Drain3 on the first {len(sample):,} lines, its speed is flat; Drain3 and one "
        f"stanch process take {ROUNDS} turns each)"
    )


def main() -> None:
    try:
        import drain3  # noqa: F401
    except ImportError:
        print("drain3 is not installed: pip install -e '.[bench]'")
        return
    accuracy_table()
    throughput()


if __name__ == "__main__":
    main()
