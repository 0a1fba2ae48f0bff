"""Blameless wording: find sentences that blame a person and suggest system-focused ones.

A postmortem asks what in the system let a reasonable action cause harm. Three signals:
a verb that only people do wrong ("forgot", "was careless"), a blaming label ("human
error"), and an ambiguous verb ("failed to", "should have") whose subject is a person —
someone from the roster or the incident, or a person word ("the engineer", "he").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_LABELS: dict[str, str] = {
    r"human[\s-]+error": "name the missing guardrail instead of 'human error'",
    r"operator[\s-]+error": "name the step the tooling allowed instead of 'operator error'",
    r"pilot[\s-]+error": "name the step the tooling allowed instead of 'pilot error'",
    r"user[\s-]+error": "describe what the interface let happen",
    r"(?:\w+'s|his|her|their)\s+fault": "describe the condition, not whose fault it was",
    r"to\s+blame|blamed?\b": "describe the condition, not who is to blame",
    r"careless(?:ly|ness)?|negligen(?:t|tly|ce)|sloppy|sloppiness|incompeten(?:t|ce)|lazy|"
    r"reckless(?:ly)?": "describe the conditions that made the action easy to get wrong",
    r"should\s+have\s+known(?:\s+better)?": "say which signal or check was missing",
    r"(?:made\s+a\s+mistake|his\s+mistake|her\s+mistake|their\s+mistake|a\s+mistake\s+by)":
        "describe the action and what in the system let it cause harm",
    r"(?:messed|screwed|botched)\s+up": "describe what changed and why it was not caught",
    r"didn'?t\s+bother": "say which step was not required or enforced",
}  # fmt: skip
# Verbs only a person does wrong: blame whatever the subject.
_HUMAN_VERBS = r"forgot|forgets|neglected|overlooked|ignored|disregarded|fat[\s-]?fingered"
# Verbs systems also do ("the deploy failed to …"): blame only with a person as subject.
_AMBIGUOUS = (
    r"failed\s+to|did\s*n[o']t|didnt|should\s+have|missed|broke|caused|"
    r"mistakenly|accidentally|wrongly|was\s+supposed\s+to"
)
_PERSON_WORDS = (
    r"he|she|they|someone|somebody|the\s+(?:engineer|developer|operator|on-?call(?:er)?|sre|"
    r"admin|administrator|intern|new\s+hire|reviewer|author|team)|an?\s+(?:engineer|developer|"
    r"operator|intern)|[a-z]+'s\s+team"
)


@dataclass(frozen=True)
class Finding:
    """One blaming phrase, why it blames, and how to say it about the system."""

    phrase: str
    reason: str
    suggestion: str

    def to_dict(self) -> dict[str, str]:
        return {"phrase": self.phrase, "reason": self.reason, "suggestion": self.suggestion}


# Login names that are also ordinary words ("root cause") are not treated as people.
_NOT_NAMES = frozenset({
    "root", "admin", "user", "users", "ubuntu", "ops", "oncall", "deploy", "responder",
    "system", "service", "bot", "ci", "team", "release", "build", "runner",
})  # fmt: skip


def _names_pattern(names: Iterable[str]) -> str | None:
    words: set[str] = set()
    for name in names:
        cleaned = name.strip().lstrip("@")
        if len(cleaned) < 2 or cleaned.lower() in _NOT_NAMES:
            continue
        words.add(re.escape(cleaned))
        parts = re.split(r"[\s._-]+", cleaned)
        words.update(re.escape(p) for p in parts if len(p) >= 3 and p.lower() not in _NOT_NAMES)
    return "|".join(sorted(words, key=len, reverse=True)) or None


def check(text: str, names: Iterable[str] = ()) -> list[Finding]:
    """Blaming phrases in `text`; names are people (roster, roles, actors) to look for."""
    found: list[Finding] = []
    for pattern, suggestion in _LABELS.items():
        for match in re.finditer(rf"\b(?:{pattern})", text, re.IGNORECASE):
            found.append(Finding(match.group(0), "blames a person", suggestion))
    for match in re.finditer(rf"(?:[\w'@-]+\s+)?\b(?:{_HUMAN_VERBS})\b", text, re.IGNORECASE):
        found.append(Finding(
            match.group(0), "describes a person's lapse",
            "say what check, default or reminder was missing (e.g. 'the runbook had no step for …')",
        ))  # fmt: skip
    people = _PERSON_WORDS
    named = _names_pattern(names)
    if named:
        people = f"{named}|{people}"
        for match in re.finditer(rf"(?<![\w@.-])@?(?:{named})\b", text, re.IGNORECASE):
            found.append(Finding(
                match.group(0), "names a person",
                "use the role or the system ('the deploy pipeline', 'the on-call tooling')",
            ))  # fmt: skip
    subject = rf"\b(?:{people})\s+(?:\w+ly\s+)?(?:{_AMBIGUOUS})\b"
    for match in re.finditer(subject, text, re.IGNORECASE):
        found.append(Finding(
            match.group(0), "makes a person the cause",
            "make the system the subject: 'the change reached production without …'",
        ))  # fmt: skip
    return _dedupe(found)


def _dedupe(found: list[Finding]) -> list[Finding]:
    seen: set[str] = set()
    out = []
    for item in found:
        key = item.phrase.lower()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


_VAGUE = (
    r"be\s+(?:more\s+)?careful|take\s+(?:more\s+)?care|pay\s+(?:more\s+)?attention|"
    r"be\s+more\s+(?:vigilant|diligent|thorough)|try\s+harder|remember\s+to|"
    r"don'?t\s+forget|do\s+not\s+forget|double[\s-]?check|think\s+twice|"
    r"more\s+attention|be\s+aware|avoid\s+(?:mistakes|errors)|improve\s+awareness"
)


def vague_action(text: str) -> str | None:
    """Why an action item is not concrete and testable, or None when it is fine."""
    if match := re.search(rf"\b(?:{_VAGUE})\b", text, re.IGNORECASE):
        return (
            f"'{match.group(0)}' depends on people trying harder; make the system enforce it "
            "(a guardrail, alert, test or automated rollback) so it can be checked as done"
        )
    if len(text.split()) < 3:
        return "too short to be concrete: say what changes, where, and how we will know"
    return None
