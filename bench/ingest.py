"""10,000 Alertmanager alerts posted over one minute into a real `stanch serve`.

The alerts arrive the way Alertmanager sends them: notifications of 5 alerts, each alert
repeated 4 times (repeat_interval, HA replicas), in 50 groups. The load comes from this
process; the server is a separate one, on loopback. Checks: none lost (every unique alert
is on its incident exactly once), duplicates dropped, one incident per group. Prints
p50/p99 request latency, and the same for the baseline: plain `POST .../log` calls at the
same request rate (no parsing, grouping or dedup).
Run: .venv/bin/python bench/ingest.py [--alerts 10000] [--seconds 60]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from serving import percentile, serving, stanch

PER_NOTIFICATION = 5
REPEATS = 4
GROUPS = 50


def notifications(total: int) -> list[dict[str, Any]]:
    unique = total // REPEATS
    start = datetime.now(UTC) - timedelta(minutes=5)
    alerts = []
    for n in range(unique):
        group = n % GROUPS
        alerts.append(
            {
                "status": "firing",
                "labels": {
                    "alertname": f"Alert{group % 10}",
                    "service": f"svc{group // 10}",
                    "instance": f"10.0.{n // 250}.{n % 250}:8080",
                    "severity": "warning",
                },
                "annotations": {"summary": f"group {group} is unhappy"},
                "startsAt": (start + timedelta(seconds=n % 60)).isoformat().replace("+00:00", "Z"),
                "endsAt": "0001-01-01T00:00:00Z",
                "fingerprint": f"{n:016x}",
            }
        )
    batches = [alerts[i : i + PER_NOTIFICATION] for i in range(0, len(alerts), PER_NOTIFICATION)]
    sends = [b for _ in range(REPEATS) for b in batches]
    return [
        {
            "version": "4",
            "status": "firing",
            "receiver": "stanch",
            "groupKey": "{}:{}",
            "alerts": batch,
        }
        for batch in sends
    ]


def paced(
    base: str, token: str, path: str, bodies: list[dict[str, Any]], seconds: float
) -> tuple[list[float], list[dict[str, Any]]]:
    """POST every body, spread evenly over `seconds`, 8 in flight at most."""
    latencies: list[float] = []
    answers: list[dict[str, Any]] = []
    lock = threading.Lock()
    start = time.monotonic()
    interval = seconds / len(bodies)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(
        base_url=base, headers=headers, timeout=30, limits=httpx.Limits(max_connections=8)
    ) as client:

        def send(index: int) -> None:
            delay = start + index * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            began = time.perf_counter()
            response = client.post(path, json=bodies[index])
            took = time.perf_counter() - began
            response.raise_for_status()
            with lock:
                latencies.append(took)
                answers.append(response.json())

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(send, range(len(bodies))))
    return latencies, answers


def print_split(latencies: list[float], answers: list[dict[str, Any]]) -> None:
    """The tail split: requests that opened an incident, and those that only attached."""
    opening = [t for t, a in zip(latencies, answers, strict=True) if a["opened"]]
    rest = [t for t, a in zip(latencies, answers, strict=True) if not a["opened"]]
    if opening and rest:
        print(
            f"  {len(opening)} requests opened incidents: max {max(opening) * 1000:.1f} ms; "
            f"the other {len(rest)}: p50 {percentile(rest, 0.5) * 1000:.1f} ms  "
            f"p99 {percentile(rest, 0.99) * 1000:.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stanch-ingest-") as tmp:
        root = Path(tmp)
        (root / "stanch.toml").write_text("[server]\nrate_per_second = 10000\nrate_burst = 10000\n")
        token = stanch(root, "tokens", "create", "alertmanager")
        bodies = notifications(args.alerts)
        with serving(root) as base:
            began = time.monotonic()
            latencies, answers = paced(
                base, token, "/api/alerts/alertmanager", bodies, args.seconds
            )
            took = time.monotonic() - began
            key = json.loads(stanch(root, "list", "--json"))[0]["id"]
            notes = [{"text": f"baseline note {n}"} for n in range(min(500, len(bodies)))]
            base_lat, _ = paced(
                base,
                token,
                f"/api/incidents/{key}/log",
                notes,
                args.seconds * len(notes) / len(bodies),
            )
        listed = json.loads(stanch(root, "list", "--json"))
        recorded: dict[str, int] = {}
        for incident in listed:
            shown = json.loads(stanch(root, "show", incident["id"], "--json"))
            for event in shown["timeline"]:
                if event["kind"] == "alert.fired":
                    for alert in event["data"]["alerts"]:
                        recorded[alert["fingerprint"]] = recorded.get(alert["fingerprint"], 0) + 1
    unique = len(bodies) * PER_NOTIFICATION // REPEATS
    duplicates = sum(a["duplicates"] for a in answers)
    lost = unique - len(recorded)
    twice = sum(1 for n in recorded.values() if n > 1)
    print(
        f"posted {len(bodies) * PER_NOTIFICATION} alerts in {len(bodies)} notifications "
        f"over {took:.1f} s ({len(bodies) / took:.0f} req/s)"
    )
    print(
        f"incidents: {len(listed)} (groups {GROUPS}); unique alerts recorded: {len(recorded)} "
        f"of {unique}; lost: {lost}; recorded twice: {twice}; duplicates dropped: {duplicates}"
    )
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    b50, b99 = percentile(base_lat, 0.5) * 1000, percentile(base_lat, 0.99) * 1000
    print(f"alert webhook latency  p50 {p50:.1f} ms  p99 {p99:.1f} ms")
    print(f"baseline (POST log)    p50 {b50:.1f} ms  p99 {b99:.1f} ms")
    print(f"ratio webhook/baseline p50 {p50 / b50:.2f}x  p99 {p99 / b99:.2f}x")
    print_split(latencies, answers)
    ok = lost == 0 and twice == 0 and len(listed) == GROUPS and duplicates == unique * (REPEATS - 1)
    print("OK" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
