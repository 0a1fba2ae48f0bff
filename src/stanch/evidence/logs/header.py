"""Split a raw log line into its header (timestamp, level, pid, component …) and message.

No format string is needed: the header is recognised from the shapes common log
writers use (ISO-8601, syslog, ctime, Apache, compact dates; pids, levels, bracketed
threads or request contexts, `component:` names, `a|b|c|` prefixes, ` - ` separators).
A line with no recognisable header is all message.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_ZONE = r"(?:\s?(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}))?"
_FRACTION = r"(?:[.,:]\d{1,9})?"

# Each alternative is one timestamp shape; named so the time parser knows which it is.
TIMESTAMP = re.compile(
    r"\[?(?:"
    rf"(?P<iso>\d{{4}}-\d{{2}}-\d{{2}}[T ]\d{{1,2}}:\d{{2}}:\d{{2}}{_FRACTION}{_ZONE})"
    rf"|(?P<ctime>{_DAY} {_MONTH} +\d{{1,2}} \d{{2}}:\d{{2}}:\d{{2}}(?:\.\d+)? \d{{4}})"
    rf"|(?P<clf>\d{{2}}/{_MONTH}/\d{{4}}:\d{{2}}:\d{{2}}:\d{{2}} [+-]\d{{4}})"
    rf"|(?P<syslog>{_MONTH} +\d{{1,2}} \d{{2}}:\d{{2}}:\d{{2}}(?:\.\d+)?)"
    rf"|(?P<slash>\d{{2,4}}/\d{{2}}/\d{{2}} \d{{2}}:\d{{2}}:\d{{2}}{_FRACTION}{_ZONE})"
    r"|(?P<compact>\d{8}-\d{1,2}:\d{1,2}:\d{1,2}(?::\d{1,3})?)"
    r"|(?P<yymmdd>\d{6} \d{6})"
    r"|(?P<mmdd>\d{2}\.\d{2} \d{2}:\d{2}:\d{2})"
    r"|(?P<logcat>\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)"
    r"|(?P<epoch>1\d{9}(?:\.\d{1,9})?)(?=\s)"
    r")\]?"
)
# A leading source name (file name, host) before the timestamp: one token, no spaces.
_SOURCE = re.compile(r"\S+\s+")
_LEVEL = re.compile(
    r"\[?(?P<level>TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|CRIT|CRITICAL|FATAL|SEVERE"
    r"|ALERT|EMERG|trace|debug|info|notice|warn|warning|error|crit|fatal|Info|Warning|Error"
    r"|[VDIWEF](?=\s+[\w.$-]+\s*:))\]?:?(?=\s|$)"  # logcat: `D Tag: message`
)
_PID = re.compile(r"\d{1,10}(?=\s)")
_DASH = re.compile(r"[-,](?=\s)")
_COMPONENT_COLON = re.compile(r"[\w.$@/-]*[A-Za-z][\w.$@/-]*:(?=\s|$)")
_DOTTED = re.compile(r"[A-Za-z_][\w$-]*(?:\.[\w$-]+)+(?=\s+\[)")
_SYSLOG_TAG = re.compile(r"(?:[\w.-]+\s+)?[\w./()-]+\[\d+\]:(?=\s|$)")  # host program[pid]:
_SPACE = re.compile(r"\s+")


class Split(NamedTuple):
    """A line cut into header parts and the free-text message."""

    timestamp: str | None  # the timestamp text as written
    shape: str | None  # which TIMESTAMP alternative matched
    level: str | None
    message: str
    stamp_at: int = -1  # where the timestamp text starts in the line


def _bracket_end(text: str, start: int) -> int:
    """Index just past the balanced `[...]` group starting at `start`, or -1."""
    limit = min(len(text), start + 400)
    end = text.find("]", start, limit)
    while end >= 0:
        if text.count("[", start, end) == text.count("]", start, end) + 1:
            return end + 1
        end = text.find("]", end + 1, limit)
    return -1


def _skip_space(text: str, pos: int) -> int:
    match = _SPACE.match(text, pos)
    return match.end() if match else pos


def _find_timestamp(line: str) -> tuple[re.Match[str] | None, int]:
    match = TIMESTAMP.match(line)
    if match:
        return match, match.end()
    source = _SOURCE.match(line)
    if source and source.end() < 200:
        match = TIMESTAMP.match(line, source.end())
        if match:
            return match, match.end()
    return None, 0


def split(line: str) -> Split:
    """Cut `line` into timestamp, level and message."""
    stamp, pos = _find_timestamp(line)
    if stamp is None:
        bare = _LEVEL.match(line)
        if bare:
            return Split(None, None, bare["level"], line[_skip_space(line, bare.end()) :])
        return Split(None, None, None, line)
    shape = stamp.lastgroup
    text = stamp[shape] if shape else stamp[0]
    at = stamp.start(shape) if shape else stamp.start()
    pos = _skip_space(line, pos)
    if pos < len(line) and line[pos] == "|":
        return Split(text, shape, None, _pipe_message(line, pos), at)
    level, pos = _header_fields(line, pos)
    return Split(text, shape, level, line[pos:], at)


def _pipe_message(line: str, pos: int) -> str:
    """`ts|component|pid|message`: header fields have no spaces; the message may."""
    fields = line[pos + 1 :].split("|")
    for index, field in enumerate(fields[:-1]):
        if " " in field or index >= 3:
            return "|".join(fields[index:])
    return fields[-1]


def _header_fields(line: str, pos: int) -> tuple[str | None, int]:
    """Consume pid, level, bracket groups, component and separators after the timestamp."""
    level: str | None = None
    component = False
    for _ in range(8):
        pos = _skip_space(line, pos)
        if pos >= len(line):
            break
        if level is None and (match := _LEVEL.match(line, pos)):
            level, pos = match["level"], match.end()
        elif level is None and not component and (match := _PID.match(line, pos)):
            pos = match.end()
        elif line[pos] == "[" and (end := _bracket_end(line, pos)) > 0 and end - pos < 300:
            pos = end
            if component:  # `component [context] message`
                break
        elif _DASH.match(line, pos):
            pos += 1
            if level is not None:  # `LEVEL [thread] - message`
                break
        elif not component and (end := _component_end(line, pos, level)) > 0:
            component, pos = True, end
        else:
            break
    return level, _skip_space(line, pos)


def _component_end(line: str, pos: int, level: str | None) -> int:
    """`LEVEL name: message`, `name [context] message` or `program - message`."""
    if level is not None and (match := _COMPONENT_COLON.match(line, pos)):
        return match.end()
    if match := _DOTTED.match(line, pos):
        return match.end()
    if level is None and (match := _SYSLOG_TAG.match(line, pos)):
        return match.end()
    return _program_end(line, pos) if level is None else -1


def _program_end(line: str, pos: int) -> int:
    """`program [tag] - message`: a short name then a lone dash within three tokens."""
    window = line[pos : pos + 80]
    index = window.find(" - ")
    if index <= 0 or window[:index].count(" ") > 1:
        return -1
    return pos + index + 3
