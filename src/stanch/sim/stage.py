"""Set the stage for the demo: the world built, its service and pager running, telemetry
written, and a stanch.toml that points every capability at them."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from stanch.errors import InvalidInput
from stanch.sim import traffic
from stanch.sim.receiver import Receiver
from stanch.sim.service import Running, Service
from stanch.sim.world import World, build

MARKER = ".stanch-demo"
SECRET_ENV = "STANCH_DEMO_WEBHOOK_SECRET"  # noqa: S105 (the name of the variable)


@dataclass(frozen=True)
class Stage:
    directory: Path
    config: Path
    world: World
    service: Service
    metrics_url: str
    pager: Receiver
    logs: Path
    traces: Path


def prepare(directory: Path) -> None:
    """An empty directory, or one an earlier demo left (recognised by its marker)."""
    if directory.exists():
        if not directory.is_dir():
            raise InvalidInput(f"{directory} exists and is not a directory")
        if any(directory.iterdir()) and not (directory / MARKER).exists():
            raise InvalidInput(
                f"{directory} is not empty and was not made by `stanch demo`; pick another --dir"
            )
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    (directory / MARKER).write_text("made by `stanch demo`; safe to delete\n")


def _config(directory: Path, metrics_url: str, pager_url: str, window_s: int) -> str:
    return f"""\
# Written by `stanch demo`: every capability pointed at the simulated production.
[stanch]
severity_scheme = "sev"
actor = "alice"

[levers]
repo = "shop"

[watch]
prometheus_url = "{metrics_url}"
interval = "2s"
confirm_samples = 3
min_samples = 5
stale_after = "1m"

[watch.recovery_window]
SEV1 = "{window_s}s"
SEV2 = "{window_s}s"
SEV3 = "{window_s}s"
SEV4 = "{window_s}s"

[evidence]
repos = ["shop"]
window = "6h"
prometheus_url = "{metrics_url}"

[evidence.services]
checkout = ["services/checkout/**", "flags/**", "deploy/k8s/checkout.yaml"]

[postmortem]
roster = ["alice", "dana"]

[[postmortem.slo]]
service = "checkout"
objective = 0.999
period_days = 30

[comms]
repo = "shop"
catalog = ["shop/catalog-info.yaml"]
default_team = "sre"
status_dir = "status"

[comms.escalation]
owned_services = ["checkout"]

[comms.teams.payments-team]
webhook = "{pager_url}/payments"
aliases = ["@shop/payments-team", "group:shop/payments-team", "shop/payments-team"]

[comms.webhook]
key_env = "{SECRET_ENV}"

[comms.statuspage]
public_names = {{ checkout = "Checkout" }}
"""


@contextlib.contextmanager
def running(directory: Path, *, window_s: int = 20) -> Iterator[Stage]:
    """Build everything in `directory`, run the service and the pager until exit."""
    prepare(directory)
    now = datetime.now(UTC).replace(microsecond=0)
    onset = now - timedelta(minutes=5)
    world = build(directory, onset)
    service = Service(world)
    logs = directory / "telemetry" / "checkout.log"
    service.write_logs(logs, onset - timedelta(minutes=10), now)
    traces = directory / "telemetry" / "traces.otlp.json"
    healthy = [onset - timedelta(minutes=8, seconds=n) for n in range(15)]
    failing = [onset + timedelta(minutes=2, seconds=n) for n in range(15)]
    service.write_traces(traces, healthy + failing)
    secret = secrets.token_hex(16)
    previous = os.environ.get(SECRET_ENV)
    os.environ[SECRET_ENV] = secret
    try:
        with Running(service) as metrics, Receiver(secret) as pager:
            config = directory / "stanch.toml"
            config.write_text(_config(directory, metrics.url, pager.url, window_s))
            yield Stage(directory, config, world, service, metrics.url, pager, logs, traces)
    finally:
        if previous is None:
            os.environ.pop(SECRET_ENV, None)
        else:
            os.environ[SECRET_ENV] = previous


SIGNAL = traffic.RECORDING_RULE
