"""Recurrence: does a new incident repeat a past one? Pure matching over fingerprints.

A match needs a shared service and one more shared trait: the trigger category, a log
signature, a suspect path, or (at declaration, before evidence exists) the same symptom.

Kind (data in the comment):
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from stanch.model.events import Event
from stanch.model.incident import Incident
from stanch.model.postmortem import facts

RECURRENCE: Final = "recurrence.flagged"  # {"of","link","matched_on","open_items","summary"}
SIMILAR_SYMPTOM: Final = 0.6  # Jaccard similarity of symptom words
_SIGNATURE_KEYS = ("signature", "signatures", "log_signature", "log_signatures")
_PATH_KEYS = ("suspect_path", "suspect_paths")
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset({"the", "a", "an", "for", "of", "on", "in", "to", "is", "are", "and", "with"})


@dataclass(frozen=True)
class Fingerprint:
    incident_id: str
    services: frozenset[str]
    trigger: str | None
    signatures: frozenset[str]
    paths: frozenset[str]
    words: frozenset[str]


def _values(data: dict[str, object], keys: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for key in keys:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            out.append(value.strip())
        elif isinstance(value, list):
            out += [str(v).strip() for v in value if str(v).strip()]
    return out


def fingerprint(state: Incident, events: Iterable[Event]) -> Fingerprint:
    """What identifies an incident for recurrence, from its state and events."""
    listed = list(events)
    signatures: list[str] = []
    paths: list[str] = []
    for event in listed:
        signatures += _values(event.data, _SIGNATURE_KEYS)
        paths += _values(event.data, _PATH_KEYS)
    words = frozenset(w for w in _WORD.findall(state.symptom.lower()) if w not in _STOP)
    return Fingerprint(
        state.id, frozenset(state.services), facts(listed).trigger,
        frozenset(signatures), frozenset(paths), words,
    )  # fmt: skip


def matched_on(new: Fingerprint, old: Fingerprint) -> list[str]:
    """Why `new` repeats `old` (empty when it does not)."""
    shared = sorted(new.services & old.services)
    if not shared:
        return []
    reasons: list[str] = []
    if new.trigger and new.trigger == old.trigger:
        reasons.append(f"trigger {new.trigger}")
    reasons += [f"log signature {s!r}" for s in sorted(new.signatures & old.signatures)]
    reasons += [f"suspect path {p}" for p in sorted(new.paths & old.paths)]
    union = new.words | old.words
    if union and len(new.words & old.words) / len(union) >= SIMILAR_SYMPTOM:
        reasons.append("same symptom")
    return [f"service {', '.join(shared)}", *reasons] if reasons else []


def already_flagged(events: Iterable[Event]) -> set[str]:
    """Incidents this one was already flagged as repeating."""
    return {str(e.data["of"]) for e in events if e.kind == RECURRENCE}
