"""Use cases: every door (CLI, HTTP, MCP) calls these and only these."""

# Guards every door must pass through, installed on first import of any use case.
from stanch.services import meeting as _meeting
from stanch.services import recovery as _recovery

_recovery.install()
_meeting.install()  # on resolution, the postmortem meeting is proposed
