"""GitLab CODEOWNERS: sections, section default owners, exclusions, GitLab's own globbing.

Each section is evaluated on its own (the last matching entry of the section wins) and the
owners of a path are the union over every section that matched. Entries before the first
header form an unnamed section. GitLab normalises each pattern and matches it with
`File.fnmatch` (FNM_PATHNAME | FNM_DOTMATCH) against `/<path>`:

    *            → /**/*         (everything)
    README.md    → /**/README.md (no leading `/`: at any depth, even with a `/` inside)
    docs/        → /**/docs/**/* (a trailing `/`: everything below that directory)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

LOCATIONS = ("CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")  # first found wins
_HEADER = re.compile(r"^(\^)?\[([^\]]+)\](?:\[(\d*)\])?(?:\s+(.*))?$")
_PATTERN = re.compile(r"^((?:\\\s|\S)+)(.*)$")
_OWNER = re.compile(r"^@{1,2}[\w.\-/]+$|^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MENTION = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+|@{1,2}[\w\-]+(?:[./][\w\-]+)*")


@dataclass(frozen=True)
class Section:
    """A `[Name]` header: optional with `^`, `[N]` approvals, default owners after it."""

    name: str  # as first written; "" for the entries before any header
    optional: bool = False
    approvals: int = 1
    defaults: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.name.lower()  # section names are not case-sensitive


@dataclass(frozen=True)
class Entry:
    pattern: str
    owners: tuple[str, ...]  # the line's owners, or its section's defaults
    line: int
    exclusion: bool = False  # `!pattern`: the section does not cover matching paths
    regex: re.Pattern[str] = field(default=re.compile(r"\Z."), compare=False, repr=False)

    def matches(self, path: str) -> bool:
        return self.regex.match("/" + path.lstrip("/")) is not None


@dataclass
class File:
    """Sections in order of first appearance; per section, entries keyed by pattern."""

    sections: dict[str, Section] = field(default_factory=dict)
    entries: dict[str, dict[str, Entry]] = field(default_factory=dict)


@dataclass(frozen=True)
class SectionMatch:
    section: Section
    entry: Entry


def normalise(pattern: str) -> str:
    """GitLab's own normalisation, before fnmatch."""
    pattern = re.sub(r"^\\#", "#", pattern)
    pattern = re.sub(r"\\\s+", " ", pattern)
    if pattern == "*":
        return "/**/*"
    if not pattern.startswith("/"):
        pattern = "/**/" + pattern
    if pattern.endswith("/"):
        pattern += "**/*"
    return pattern


def fnmatch_regex(pattern: str) -> re.Pattern[str]:
    """Ruby's `File.fnmatch` with FNM_PATHNAME | FNM_DOTMATCH, as a regular expression."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**/", i) and (i == 0 or pattern[i - 1] == "/"):
            out.append("(?:[^/]+/)*")
            i += 3
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        elif ch == "[" and (end := pattern.find("]", i + 2)) != -1:
            body = pattern[i + 1 : end]
            negate = body[:1] in ("!", "^")
            body = body[1:] if negate else body
            out.append("[" + ("^" if negate else "") + _class(body) + "]")
            i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("".join(out) + r"\Z")


def _class(body: str) -> str:
    """A bracket expression's body, kept as a set (ranges too) with the regex specials escaped."""
    return body.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _header(line: str) -> Section | None:
    found = _HEADER.match(line)
    if found is None or not found.group(2).strip():
        return None
    rest = (found.group(4) or "").split()
    if rest and not all(_OWNER.match(word) for word in rest):
        return None  # `[param]/file.ts @x` is a pattern, not a header
    count = found.group(3)
    return Section(found.group(2).strip(), bool(found.group(1)),
                   int(count) if count else 1, tuple(rest))  # fmt: skip


def _entry(line: str, number: int, section: Section) -> Entry | None:
    exclusion = line.startswith("!")
    found = _PATTERN.match(line[1:] if exclusion else line)
    if found is None:
        return None
    pattern = found.group(1)
    # Inline comments are not comments to GitLab: any owner written after the pattern counts.
    owners = tuple(dict.fromkeys(_MENTION.findall(found.group(2))))
    owners = owners or section.defaults
    return Entry(pattern, () if exclusion else owners, number, exclusion,
                 fnmatch_regex(normalise(pattern)))  # fmt: skip


def parse(text: str) -> File:
    """Every section and entry of a GitLab CODEOWNERS file, in file order."""
    parsed = File()
    current = Section("")
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        header = _header(line)
        if header is not None:
            current = header
            parsed.sections.setdefault(header.key, header)  # duplicates are one section
            continue
        entry = _entry(line, number, current)
        if entry is None:
            continue
        parsed.sections.setdefault(current.key, current)
        # A pattern written twice in a section: the later line is used, in the earlier
        # line's place (GitLab keeps a section's entries in a hash keyed by pattern).
        key = ("!" if entry.exclusion else "") + normalise(entry.pattern)
        parsed.entries.setdefault(current.key, {})[key] = entry
    return parsed


def matches(parsed: File, path: str) -> list[SectionMatch]:
    """The last matching entry of each section, unless an exclusion of the section matches."""
    found: list[SectionMatch] = []
    for key, entries in parsed.entries.items():
        hits = [entry for entry in entries.values() if entry.matches(path)]
        if not hits or any(entry.exclusion for entry in hits):
            continue
        found.append(SectionMatch(parsed.sections[key], hits[-1]))
    return found


def owners_of(parsed: File, path: str) -> tuple[str, ...] | None:
    """The union of the owners over the sections that match; None when none does."""
    found = matches(parsed, path)
    if not found:
        return None
    union: list[str] = []
    for match in found:
        union += [owner for owner in match.entry.owners if owner not in union]
    return tuple(union)


def find(repo: Path) -> Path | None:
    """The CODEOWNERS file GitLab would use in this checkout (first location found)."""
    return next((repo / p for p in LOCATIONS if (repo / p).is_file()), None)
