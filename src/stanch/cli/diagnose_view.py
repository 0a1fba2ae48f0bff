"""Plain lines for `stanch diagnose` (one screen, no markup surprises)."""

from __future__ import annotations

from typing import Any

from rich.markup import escape


def _onset(found: dict[str, Any]) -> str:
    onset = found["onset"]
    if not onset:
        return f"Onset: {found['responder_onset']} (responder; not checked: stanch evidence onset)"
    text = f"Onset: {onset['onset'] or 'no level shift found'} from {onset['query']}"
    if onset.get("disagree"):
        text += f" — DISAGREES with the responder's {onset['responder_onset']}"
    return text


def diagnose_lines(found: dict[str, Any]) -> list[str]:
    lines = [f"Diagnosis of {found['incident']} ({', '.join(found['services']) or 'service unknown'})",
             _onset(found), "Suspects:"]  # fmt: skip
    for s in found["suspects"]:
        lines.append(f"  {s['rank']}. {s['kind']} {s['id'][:12]} at {s['at']}: {s['summary'][:70]}"
                     f" — undo: {s['undo'] or 'none known'}")  # fmt: skip
    if not found["suspects"]:
        lines.append("  none recorded (stanch evidence changes)")
    hop = found["failing_hop"]
    if hop:
        down = f" → {hop['downstream']}" if hop.get("downstream") else ""
        lines.append(f"Failing hop: {hop['service']} {hop['operation']}{down} "
                     f"({hop.get('error') or 'latency'}) in {hop['share']:.0%} of failing traces, "
                     f"e.g. {', '.join(hop['trace_ids'][:2])}")  # fmt: skip
    else:
        lines.append("Failing hop: not analysed (stanch evidence traces FILE)")
    moved = [m for m in found["metrics"] if m["before"] is not None and m["after"] is not None]
    lines.append("Metrics: " + ("; ".join(f"{m['name']} {m['before']:.4g} → {m['after']:.4g}"
                                         for m in moved) or "none recorded"))  # fmt: skip
    for h in found["hypotheses"]["open"]:
        lines.append(f"Open hypothesis {h['id']}: {h['text']} — predicts {h['predict']}")
    for h in found["hypotheses"]["decided"]:
        lines.append(f"{h['id']} {h['verdict']}: {h['text']}")
    if found["missing"]:
        lines.append("Not yet gathered: " + ", ".join(found["missing"]))
    return [escape(line) for line in lines]
