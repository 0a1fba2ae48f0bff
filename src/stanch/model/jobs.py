"""Periodic jobs of the server's scheduler: slots and the events only the scheduler writes. Pure.

A job runs once per slot across every replica: slots are aligned to the epoch, so all
replicas agree on which slot `now` falls in without talking to each other.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

JOB_PREFIX: Final = "job:"  # server_timers rows of periodic jobs: id and rule "job:<name>"
SCHEDULER: Final = "stanch-scheduler"  # the actor of everything the jobs record

# A resolved incident's postmortem passed its due date, still not final or waived.
# {"due", "overdue_s", "summary"}
POSTMORTEM_OVERDUE: Final = "postmortem.overdue"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def slot_start(now: datetime, every: timedelta) -> datetime:
    """The start of the slot `now` falls in (slots of `every`, aligned to the epoch)."""
    if every <= timedelta(0):
        raise ValueError("a job's period must be positive")
    whole = (now - _EPOCH) // every
    return _EPOCH + whole * every


def next_slot(now: datetime, every: timedelta) -> datetime:
    """When the job is next due after running in `now`'s slot."""
    return slot_start(now, every) + every


def overdue_summary(overdue: timedelta) -> str:
    hours = int(overdue.total_seconds() // 3600)
    late = f"{hours} h" if hours else f"{int(overdue.total_seconds() // 60)} min"
    return f"postmortem overdue by {late}: finalize it or waive it with a reason"
