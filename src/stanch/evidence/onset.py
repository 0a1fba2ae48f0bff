"""When did it start? Change-point detection (ruptures, PELT) on the flagging metric."""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from stanch.errors import InvalidInput, classify_os_error

MIN_POINTS = 8


@dataclass(frozen=True)
class Step:
    at: float  # unix seconds of the first point after the change
    before: float  # mean level before
    after: float  # mean level after
    noise: float  # robust noise estimate

    @property
    def direction(self) -> str:
        return "up" if self.after > self.before else "down"

    def to_dict(self) -> dict[str, Any]:
        return {
            "before": round(self.before, 6), "after": round(self.after, 6),
            "direction": self.direction, "noise": round(self.noise, 6),
        }  # fmt: skip


def _noise(values: list[float]) -> float:
    diffs = sorted(abs(b - a) for a, b in pairwise(values))
    mad = diffs[len(diffs) // 2] if diffs else 0.0
    scale = max(abs(v) for v in values) if values else 0.0
    return max(mad / 0.6745 / math.sqrt(2), 1e-3 * scale, 1e-12)


def detect(points: list[tuple[float, float]], *, min_jump: float = 3.0) -> Step | None:
    """The main level shift: PELT change points, the biggest jump, walked back to where it began.

    `min_jump` is in noise units: smaller shifts are ordinary wobble, not an onset.
    """
    import numpy as np
    import ruptures as rpt

    if len(points) < MIN_POINTS:
        return None
    times = [t for t, _ in points]
    values = [v for _, v in points]
    sigma = _noise(values)
    signal = np.array(values, dtype=float).reshape(-1, 1)
    penalty = 3 * math.log(len(values)) * sigma**2
    breaks = rpt.Pelt(model="l2", min_size=2, jump=1).fit(signal).predict(pen=penalty)[:-1]
    if not breaks:
        return None
    bounds = [0, *breaks, len(values)]
    means = [float(np.mean(values[a:b])) for a, b in pairwise(bounds)]
    jumps = [means[i + 1] - means[i] for i in range(len(breaks))]
    biggest = max(range(len(jumps)), key=lambda i: abs(jumps[i]))
    if abs(jumps[biggest]) < min_jump * sigma:
        return None
    # Level before: the longest stretch before the jump; walk back over transition points
    # (a rate window or a ramp) to where the signal first left that level.
    head = values[: breaks[biggest]]
    level = float(np.median(head[max(0, len(head) - 20) :])) if head else means[biggest]
    after = means[biggest + 1]
    # A point counts as "already left" only beyond both 10 % of the jump and 3 noise units,
    # so ordinary noise just before a step does not drag the onset earlier.
    margin = max(0.1 * abs(after - level), 3 * sigma)
    edge = level + math.copysign(margin, after - level)
    at = breaks[biggest]
    while at > 0 and (values[at - 1] - edge) * (after - level) > 0:
        at -= 1
    before = values[max(0, at - 20) : at] or [level]
    return Step(times[at], float(np.mean(before)), after, sigma)


def read_series(path: Path) -> list[tuple[float, float]]:
    """A series from a file: CSV `time,value` (unix seconds or ISO-8601) or Prometheus JSON."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise classify_os_error(exc, f"cannot read {path}") from exc
    if not text.strip():
        raise InvalidInput(f"{path}: empty file")
    if text.lstrip().startswith(("{", "[")):
        return _from_json(text, path)
    return _from_csv(text, path)


def _stamp(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        from stanch.model.clock import from_iso

        return from_iso(text.replace("Z", "+00:00")).timestamp()


def _from_csv(text: str, path: Path) -> list[tuple[float, float]]:
    out = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or row[0].startswith("#"):
            continue
        try:
            out.append((_stamp(row[0].strip()), float(row[1])))
        except (ValueError, IndexError):
            if number == 1:
                continue  # a header line
            raise InvalidInput(f"{path}:{number}: expected `time,value`") from None
    return sorted(p for p in out if math.isfinite(p[1]))


def _from_json(text: str, path: Path) -> list[tuple[float, float]]:
    try:
        doc = json.loads(text)
        result = doc["data"]["result"] if isinstance(doc, dict) else doc
        values = result[0]["values"] if result and isinstance(result[0], dict) else result
        points = [(float(t), float(v)) for t, v in values]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise InvalidInput(
            f"{path}: not a Prometheus matrix or [[time, value]] list ({exc})"
        ) from None
    return sorted(p for p in points if math.isfinite(p[1]))
