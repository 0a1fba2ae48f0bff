"""What an incident's type adds to the lever guard (security, data integrity).

A security incident preserves evidence before any mitigation and treats levers that
destroy evidence (restarts, deletions, drains) as destructive; a data-integrity incident
stops the write path before any data repair, which is destructive. The rules and their
words come from `[people.types]` in stanch.toml (see docs/people.md).
"""

from __future__ import annotations

from typing import Any

from stanch.model.types import (
    destructive_for_type,
    mitigation_refusal,
    repair_refusal,
    type_of,
)
from stanch.services.context import App
from stanch.services.people_config import people_config


def lever_words(plan: dict[str, Any]) -> str:
    """The words a lever is known by: its kind, its id and its command's verbs."""
    command = plan.get("command")
    argv = [str(part) for part in command] if isinstance(command, list) else []
    return " ".join([str(plan.get("kind", "")), str(plan.get("lever", "")), *argv[:3]])


def check(app: App, key: str, plan: dict[str, Any] | None) -> tuple[bool, list[str]]:
    """(destructive for this type, refusals) for pulling `plan` on incident `key` now."""
    if plan is None:
        return False, []
    rules = people_config(app.settings).rules
    state = app.store.state(key)
    events = list(app.store.iter_events(key))
    refusal = mitigation_refusal(state, events, rules)
    if refusal:
        return False, [refusal]
    destructive = destructive_for_type(type_of(state), lever_words(plan), rules)
    if destructive:
        refusal = repair_refusal(state, events, rules)
        if refusal:
            return True, [refusal]
    return destructive, []
