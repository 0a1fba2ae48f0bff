"""CODEOWNERS files: GitHub's locations and pattern rules, last matching line wins."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# GitHub searches these in order and uses the first; GitLab's own location comes last.
LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")
MAX_BYTES = 3 * 1024 * 1024  # GitHub ignores larger files entirely
_SECTION = re.compile(r"^\^?\[[^\]/]+\](\[\d+\])?(\s+\S.*)?$")


@dataclass(frozen=True)
class Rule:
    """One line: a pattern and its owners (none means 'nobody owns these')."""

    pattern: str
    owners: tuple[str, ...]
    line: int
    regex: re.Pattern[str]

    def matches(self, path: str) -> bool:
        return self.regex.match(path.lstrip("/")) is not None


def _segment(seg: str) -> str:
    if seg == "*":
        return "[^/]+"
    out: list[str] = []
    escaped = False
    for ch in seg:
        if escaped:
            out.append(re.escape(ch))
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """Compile a CODEOWNERS pattern (gitignore-like, no negation, no ranges)."""
    dir_only = pattern.endswith("/") and len(pattern) > 1
    anchored = "/" in pattern.rstrip("/")
    segs = pattern.strip("/").split("/")
    body = "" if anchored else "(?:.*/)?"
    last = len(segs) - 1
    for i, seg in enumerate(segs):
        glue = "" if i == 0 or segs[i - 1] == "**" else "/"
        if seg == "**":
            if i == last:
                body += ".+" if i == 0 else "/.+"
            else:
                body += "(?:.*/)?" if i == 0 else "/(?:.*/)?"
            continue
        body += glue + _segment(seg)
    if segs[last] != "**":
        if dir_only:
            body += "/.+"
        elif segs[last] != "*":
            body += "(?:/.*)?"  # a name also matches a directory and all below it
    return re.compile(body + r"\Z")


def _strip_comment(line: str) -> str:
    # A trailing ' # comment' is a comment; an escaped '\#' is not.
    found = re.search(r"(?<!\\)\s#", line)
    return line[: found.start()] if found else line


def parse(text: str) -> list[Rule]:
    """The rules of one CODEOWNERS file, in file order; section headers are skipped."""
    rules: list[Rule] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#") or _SECTION.match(line):
            continue
        fields = _strip_comment(line).split()
        if not fields:
            continue
        pattern = fields[0]
        if pattern.startswith("!"):
            continue  # negation is not supported by GitHub: the line is skipped
        rules.append(Rule(pattern, tuple(fields[1:]), number, pattern_regex(pattern)))
    return rules


def owners_of(rules: list[Rule], path: str) -> tuple[str, ...] | None:
    """Owners from the last matching rule; () when that rule names nobody, None if none match."""
    for rule in reversed(rules):
        if rule.matches(path):
            return rule.owners
    return None


def find(repo: Path) -> Path | None:
    """The CODEOWNERS file GitHub would use in this checkout (first location found)."""
    for relative in LOCATIONS:
        candidate = repo / relative
        if candidate.is_file() and candidate.stat().st_size <= MAX_BYTES:
            return candidate
    return None


def load(repo: Path) -> list[Rule]:
    """Rules of the repository's CODEOWNERS file, or [] when it has none."""
    found = find(repo)
    return parse(found.read_text(encoding="utf-8", errors="replace")) if found else []
