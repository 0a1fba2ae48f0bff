"""Which host's CODEOWNERS rules apply to a checkout (GitHub or GitLab), and the owners of a path."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stanch.owners import codeowners, gitlab

HOSTS = ("auto", "github", "gitlab")


@dataclass(frozen=True)
class Found:
    """The owners of a path: None when no rule matches, () when the rule names nobody."""

    host: str
    file: Path | None
    owners: tuple[str, ...] | None
    sections: list[dict[str, Any]] = field(default_factory=list)  # GitLab: what each gave


def _has_sections(path: Path) -> bool:
    return any(gitlab.parse(_read(path)).sections.keys() - {""})


def host_of(repo: Path, setting: str = "auto") -> str:
    """`github` or `gitlab`: the setting, or what the checkout shows when it is `auto`."""
    if setting != "auto":
        return setting
    if (repo / ".github" / "CODEOWNERS").is_file():
        return "github"
    if (repo / ".gitlab-ci.yml").is_file() or (repo / ".gitlab").is_dir():
        return "gitlab"
    found = gitlab.find(repo)
    return "gitlab" if found is not None and _has_sections(found) else "github"


def lookup(repo: Path, path: str, setting: str = "auto") -> Found:
    """The owners of a repository path under the host's own rules."""
    host = host_of(repo, setting)
    if host == "github":
        found = codeowners.find(repo)
        rules = codeowners.parse(_read(found)) if found else []
        return Found(host, found, codeowners.owners_of(rules, path) if rules else None)
    found = gitlab.find(repo)
    if found is None:
        return Found(host, None, None)
    parsed = gitlab.parse(_read(found))
    sections = [{"section": m.section.name, "optional": m.section.optional,
                 "approvals": m.section.approvals, "pattern": m.entry.pattern,
                 "owners": list(m.entry.owners)} for m in gitlab.matches(parsed, path)]  # fmt: skip
    return Found(host, found, gitlab.owners_of(parsed, path), sections)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")
