"""A hypothesis check on logs: how many lines of one signature came after onset.

`logs:FILE[,FILE]:SIGNATURE` names the files and the signature, either its 12-hex id
(as `stanch logs` prints it) or a piece of its text. Text matches a signature when it
appears in the template, or in the first line seen of it, or when its masked form
appears in the template (so `timeout after 30s` finds `timeout after <*>`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from stanch.errors import InvalidInput
from stanch.evidence.logs.analyze import Analysis, Signature
from stanch.evidence.logs.mask import mask

PREFIX = "logs:"
_ID = re.compile(r"^[0-9a-f]{12}$")


@dataclass(frozen=True)
class LogCheck:
    paths: tuple[Path, ...]
    needle: str


def parse(check: str) -> LogCheck:
    """'logs:a.log,b.log:connection refused' → the files and the signature to count."""
    body = check.removeprefix(PREFIX)
    files, sep, needle = body.partition(":")
    paths = tuple(Path(p.strip()) for p in files.split(",") if p.strip())
    if not sep or not paths or not needle.strip():
        raise InvalidInput(
            f"check {check!r}: write logs:FILE[,FILE]:SIGNATURE_ID_OR_TEXT "
            "(e.g. logs:app.log:connection refused)"
        )
    return LogCheck(paths, needle.strip())


def matching(analysis: Analysis, needle: str) -> list[Signature]:
    """The signatures the needle names: the one with that id, else those whose text holds it."""
    if _ID.match(needle) and needle in analysis.signatures:
        return [analysis.signatures[needle]]
    wanted, masked = needle.casefold(), mask(needle).casefold()
    return [
        sig
        for sig in analysis.signatures.values()
        if wanted in sig.template.casefold()
        or masked in sig.template.casefold()
        or (sig.first is not None and wanted in sig.first.text.casefold())
    ]


def count(analysis: Analysis, check: LogCheck) -> tuple[float, str]:
    """Lines of the signature after onset (all lines when no onset is known), with a summary."""
    found = matching(analysis, check.needle)
    onset = analysis.options.onset
    total = sum(sig.after if onset is not None else sig.count for sig in found)
    where = ", ".join(str(p) for p in check.paths)
    when = "since onset" if onset is not None else "in all lines (no onset known)"
    if not found:
        return 0.0, f"no log signature matches {check.needle!r} in {where}"
    names = ", ".join(f"{sig.id} {sig.template[:60]!r}" for sig in found[:3])
    more = f" and {len(found) - 3} more" if len(found) > 3 else ""
    return float(total), f"{total} line(s) {when} of {names}{more} in {where}"
