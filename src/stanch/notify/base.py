"""The protocol every notifier implements, and the typed result it returns."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from stanch.model.outbox import Message


class Status(enum.StrEnum):
    OK = "ok"
    RETRY = "retry"  # provider down, rate limited, network: try again later
    REJECTED = "rejected"  # the provider refused this message (auth, bad payload): do not retry
    NOT_CONFIGURED = "not_configured"


@dataclass(frozen=True)
class Delivery:
    """How one delivery attempt ended."""

    status: Status
    detail: str = ""
    retry_after: float | None = None  # seconds, when the provider said so
    ref: str = ""  # an id the provider gave back (alert, channel, incident)
    result: dict[str, Any] | None = None


class Notifier(Protocol):
    """Delivers one outbox message to one outside system."""

    name: str

    def send(self, message: Message, refs: dict[str, str]) -> Delivery:
        """Try once; never raise for the provider's or the network's failures."""
        ...


def retry_after(response: httpx.Response) -> float | None:
    """Seconds from a Retry-After header (delta-seconds form only)."""
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def classify(response: httpx.Response, ok: tuple[int, ...], what: str) -> Delivery | None:
    """Common HTTP outcomes: None when the status is one of `ok`."""
    code = response.status_code
    if code in ok:
        return None
    body = response.text[:300].replace("\n", " ")
    if code in (420, 429):
        return Delivery(Status.RETRY, f"{what}: rate limited ({code})", retry_after(response))
    if code >= 500:
        return Delivery(Status.RETRY, f"{what}: provider error {code}", retry_after(response))
    return Delivery(Status.REJECTED, f"{what}: HTTP {code} {body}".strip())


def network_failure(exc: httpx.HTTPError, what: str) -> Delivery:
    return Delivery(Status.RETRY, f"{what}: {type(exc).__name__}: {exc}"[:300])
