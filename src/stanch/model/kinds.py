"""Event kinds that more than one capability reads: one spelling for the whole tree.

Each capability owns the kinds it writes (and documents their data); the ones listed
here are also read elsewhere (durations, postmortem, watch, the server), so they are
spelled once. Kinds only one capability reads stay in that capability's model module.
"""

from __future__ import annotations

from typing import Final

# people and paging (MTTA = declared → first acknowledgement)
PAGE_SENT: Final = "page.sent"  # {"target", "service", "reason", "dedup_key", "provider"}
PAGE_ACKNOWLEDGED: Final = "page.acknowledged"  # {"by", "target"}
RESPONDER_JOINED: Final = "responder.joined"  # {"who", "role"}
TYPE_CHANGED: Final = "type.changed"  # {"type", "reason"}

# stabilize (time to mitigate = declared → first confirmed mitigation)
LEVER_PLANNED: Final = "lever.planned"  # {"lever", "command", "rollback", "destructive"}
LEVER_APPLIED: Final = "lever.applied"  # {"lever", "command", "rollback", "dry_run"}
LEVER_UNDONE: Final = "lever.undone"  # {"lever", "command"}

# confirm by the flagging signal
SIGNAL_SET: Final = "signal.set"  # {"kind", "expr", "threshold", "op", "source"}
SIGNAL_SAMPLED: Final = "signal.sampled"  # {"value", "healthy"}
MITIGATION_CONFIRMED: Final = "mitigation.confirmed"  # {"lever", "samples", "window_s"}
RELAPSE: Final = "signal.relapsed"  # {"value"}

# evidence
CHANGE_RECORDED: Final = "change.recorded"  # {"kind", "ref", "service", "at", "summary"}

# communication
UPDATE_POSTED: Final = "update.posted"  # {"audience", "text", "channels"}
