"""The demo: a realistic incident walked through every status on the embedded store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stanch.services import incidents, records
from stanch.services.context import App

Say = Callable[[str], None]


@dataclass(frozen=True)
class DemoResult:
    incident_id: str
    path: Path
    events: int
    file_ok: bool


def write_config(directory: Path) -> Path:
    """A stanch.toml for the demo project (the embedded SQLite store)."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "stanch.toml"
    if not config.exists():
        config.write_text('[stanch]\nseverity_scheme = "sev"\nchannel_pattern = "inc-{id}"\n')
    return config


def run(app: App, say: Say) -> DemoResult:
    """Declare a checkout outage and take it from investigating to resolved."""
    say("1. Frame: one command frames the incident, opens its file and names the channel.")
    declared = incidents.declare(
        app, "Checkout returns 502 for EU users", severity="SEV1",
        impact="~30% of checkout requests fail", regions=["eu-west-1"],
        started="40 min ago", detected="32 min ago", at="28 min ago",
        services=["checkout"], customer_visible=True, commander="alice", actor="alice",
    )  # fmt: skip
    key = declared.incident.id
    say(f"   {key} → {declared.path} (channel #{declared.incident.channel})")
    steps: list[tuple[str, Callable[[], object]]] = [
        ("Assign a scribe and a comms lead.", lambda: (
            incidents.assign(app, key, "scribe", ["bob"], actor="alice", at="27 min ago"),
            incidents.assign(app, key, "comms_lead", ["carol"], actor="alice", at="27 min ago"),
        )),
        ("Log what the responders see.", lambda: incidents.log(
            app, key, "5xx on checkout-api started right after deploy v2.14.0 (eu-west-1 only)",
            actor="bob", at="25 min ago")),
        ("Stabilize first: roll back the suspect deploy.", lambda: incidents.set_status(
            app, key, "mitigating", "rolling back checkout-api v2.14.0 → v2.13.2",
            actor="alice", at="22 min ago")),
        ("Severity drops once EU traffic recovers partially.", lambda: incidents.set_severity(
            app, key, "SEV2", "error ratio down from 30% to 4%", actor="alice",
            at="18 min ago")),
        ("Mitigated: the flagging metric is back under threshold.", lambda: incidents.set_status(
            app, key, "mitigated", "5xx ratio 0.2% (SLO 1%)", actor="alice", at="15 min ago")),
        ("Monitoring for a full recovery window.", lambda: incidents.set_status(
            app, key, "monitoring", "watching 5xx ratio for 10 min", actor="alice",
            at="14 min ago")),
        ("Relapse! Back to mitigating — going back is allowed and recorded.",
         lambda: incidents.set_status(app, key, "mitigating", "5xx ratio back to 3%: second "
                                      "pod pool still on v2.14.0", actor="bob", at="12 min ago")),
        ("Mitigated again after the second pool rolled back.", lambda: incidents.set_status(
            app, key, "mitigated", "all pools on v2.13.2, 5xx 0.1%", actor="alice",
            at="8 min ago")),
        ("Monitoring again.", lambda: incidents.set_status(
            app, key, "monitoring", "recovery window started", actor="alice", at="7 min ago")),
        ("Resolved after the recovery window stayed healthy.", lambda: incidents.set_status(
            app, key, "resolved", "5xx under 0.2% for 7 min across 14 samples",
            actor="alice")),
    ]  # fmt: skip
    for number, (title, action) in enumerate(steps, start=2):
        say(f"{number}. {title}")
        action()
    shown = records.show(app, key)
    say(f"Timeline file: {shown.path} ({len(shown.events)} events, "
        f"{'matches' if shown.file.ok else 'does NOT match'} the store)")  # fmt: skip
    return DemoResult(key, shown.path, len(shown.events), shown.file.ok)
