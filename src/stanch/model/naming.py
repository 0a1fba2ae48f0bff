"""Incident ids (the timeline file stem) and chat channel names."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from stanch.errors import InvalidInput
from stanch.model.clock import utc

MAX_SLUG = 40
MAX_CHANNEL = 80  # Slack's limit
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "for",
        "of",
        "to",
        "in",
        "on",
        "at",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "by",
        "with",
        "and",
        "or",
        "from",
        "returns",
        "return",
        "returning",
        "our",
        "some",
        "all",
        "users",
    ]
)
_ID = re.compile(r"^\d{4}-\d{2}-\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str, *, max_len: int = MAX_SLUG) -> str:
    """'Checkout returns 502 for EU users' → 'checkout-502-eu'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    kept = [w for w in words if w not in _STOPWORDS] or words
    slug = ""
    for word in kept:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_len:
            break
        slug = candidate
    return slug or (kept[0][:max_len] if kept else "incident")


def incident_id(declared_at: datetime, slug: str, suffix: int = 1) -> str:
    """'2026-11-22-checkout-502-eu', with '-2', '-3' … on collision."""
    base = f"{utc(declared_at):%Y-%m-%d}-{slug}"
    return base if suffix <= 1 else f"{base}-{suffix}"


def check_incident_id(text: str) -> str:
    """Refuse ids that could never name a timeline file (and so never reach a path)."""
    if not _ID.match(text) or len(text) > 64:
        raise InvalidInput(f"{text!r} is not an incident id (like 2026-11-22-checkout-502-eu)")
    return text


def channel_name(pattern: str, incident: str, slug: str, declared_at: datetime) -> str:
    """Render the channel pattern and force it into Slack's rules."""
    try:
        raw = pattern.format(id=incident, slug=slug, date=f"{utc(declared_at):%Y-%m-%d}")
    except (KeyError, IndexError, ValueError) as exc:
        raise InvalidInput(
            f"bad channel pattern {pattern!r}: use {{id}}, {{slug}} and {{date}}"
        ) from exc
    name = re.sub(r"[^a-z0-9_-]+", "-", raw.lower()).strip("-_")
    name = re.sub(r"-{2,}", "-", name)
    return name[:MAX_CHANNEL].rstrip("-_") or "incident"
