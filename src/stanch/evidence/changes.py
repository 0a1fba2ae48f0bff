"""Changes from git history: commits and merges, their files, size and the services they touch."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath

from stanch.errors import InvalidInput
from stanch.evidence import infra
from stanch.executor import Executor, Result
from stanch.model.clock import from_iso, iso
from stanch.model.evidence import Change

# Folders whose next segment names a service: services/checkout/…, apps/payments/…
SERVICE_ROOTS = frozenset(
    {"services", "service", "apps", "app", "cmd", "charts", "deploy", "deployments", "k8s",
     "manifests", "helm", "src", "packages", "components", "config", "flags", "terraform"}
)  # fmt: skip
# Folders whose files are named after the service: flags/checkout.json, charts/payments.yaml
_NAMED_FILE_ROOTS = frozenset(
    {"flags", "config", "deploy", "deployments", "k8s", "manifests", "charts", "helm"}
)
_DOCS_SUFFIXES = (".md", ".rst", ".txt", ".adoc")
_CONFIG_SUFFIXES = (
    ".yaml",
    ".yml",
    ".toml",
    ".json",
    ".ini",
    ".conf",
    ".cfg",
    ".env",
    ".properties",
)
_FLAG_HINTS = ("flag", "feature", "toggle")
_TEST_HINTS = ("test", "tests", "spec", "__tests__")
_DEPENDENCY_FILES = frozenset(
    {"requirements.txt", "poetry.lock", "package-lock.json", "go.sum", "go.mod", "Cargo.lock",
     "yarn.lock", "pnpm-lock.yaml", "uv.lock", "Gemfile.lock"}
)  # fmt: skip
_SEP = "\x1e"
_BATCH = 40


@dataclass(frozen=True)
class ServiceMap:
    """Which files belong to which service: configured globs first, then path conventions."""

    globs: Mapping[str, tuple[str, ...]]
    known: tuple[str, ...] = ()

    def services_of(self, path: str) -> set[str]:
        found = {name for name, pats in self.globs.items() if any(_glob(path, p) for p in pats)}
        if found:
            return found
        parts = PurePosixPath(path).parts
        dirs = parts[:-1]
        for i, part in enumerate(dirs):
            if part not in SERVICE_ROOTS:
                continue
            if i + 1 < len(dirs) and dirs[i + 1] not in SERVICE_ROOTS:
                found.add(dirs[i + 1])  # services/checkout/app.py
                break
            if i + 1 == len(dirs) and part in _NAMED_FILE_ROOTS:
                found.add(PurePosixPath(parts[-1]).stem.split(".")[0])  # flags/checkout.json
                break
        names = {normalise(n) for n in (*dirs, PurePosixPath(path).stem.split(".")[0])}
        aliases = {normalise(s): s for s in self.known}
        # services/checkout/… with "checkout-api" affected: one service, spelled two ways
        found = {aliases.get(normalise(s), s) for s in found}
        found.update(s for key, s in aliases.items() if key in names)
        return found


_SUFFIXES = ("-api", "-service", "-svc", "-server", "-app", "-srv")


def normalise(name: str) -> str:
    """'Checkout_Service' and 'checkout' name the same service."""
    text = name.lower().replace("_", "-")
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def _glob(path: str, pattern: str) -> bool:
    pattern = pattern.lstrip("/")
    if pattern.endswith("/"):
        pattern += "**"
    return fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, pattern.replace("/**", "/*"))


def classify(files: Sequence[str]) -> str:
    """The change kind a commit's files suggest (code, config, flag, infra, docs …)."""
    if not files:
        return "code"
    kinds = {_file_kind(f) for f in files}
    for kind in ("code", "flag", "config", "infra", "dependency", "cert", "test"):
        if kind in kinds:
            return kind
    return "docs"


_FILE_RULES: tuple[tuple[str, Callable[[str, tuple[str, ...]], bool]], ...] = (
    ("dependency", lambda name, _: name in {n.lower() for n in _DEPENDENCY_FILES}),
    ("test", lambda name, parts: any(p in _TEST_HINTS for p in parts[:-1]) or name.startswith("test_")),
    ("docs", lambda name, parts: name.endswith(_DOCS_SUFFIXES) or "docs" in parts[:-1]
        or name in {"license", "codeowners"}),
    ("flag", lambda _, parts: any(h in part for part in parts for h in _FLAG_HINTS)),
    ("infra", lambda name, _: name.endswith((".tf", ".tfvars", ".hcl"))),
    ("cert", lambda name, _: name.endswith((".pem", ".crt"))),
    ("config", lambda name, parts: name.endswith(_CONFIG_SUFFIXES) or "config" in parts[:-1]
        or name == "dockerfile"),
)  # fmt: skip


def _file_kind(path: str) -> str:
    pure = PurePosixPath(path.lower())
    for kind, matches in _FILE_RULES:
        if matches(pure.name, pure.parts):
            return kind
    return "code"


@dataclass(frozen=True)
class GitSource:
    """Reads commits of one repository through the executor (read-only)."""

    repo: Path
    services: ServiceMap
    executor: Executor

    def _git(self, *args: str) -> str:
        result: Result = self.executor.run(
            ["git", "-C", str(self.repo), *args], mutating=False, timeout=60
        )
        if not result.ok:
            detail = (result.stderr.strip().splitlines() or [result.outcome.value])[-1]
            raise InvalidInput(f"git history of {self.repo}: {detail}")
        return result.stdout

    def changes(self, since: datetime, until: datetime) -> list[Change]:
        """Commits (and merges, diffed against their first parent) landed in [since, until]."""
        if not (self.repo / ".git").exists() and not (self.repo / "HEAD").is_file():
            raise InvalidInput(f"{self.repo}: not a git repository")
        shas = self._git(
            "rev-list",
            "HEAD",  # what the deployed branch contains; unmerged branches never shipped
            f"--since={iso(since)}",
            f"--until={iso(until)}",
            "--max-count=2000",
        ).split()
        found: list[Change] = []
        for start in range(0, len(shas), _BATCH):
            found.extend(self._details(shas[start : start + _BATCH]))
        reverted = _reverted_shas(found)
        return [replace(c, reverted=c.id in reverted) for c in found]

    def _details(self, shas: list[str]) -> list[Change]:
        fmt = f"{_SEP}%H%x00%P%x00%cI%x00%an%x00%s%x00%b%x00"
        out = self._git(
            "show", "--no-renames", "--numstat", "--diff-merges=first-parent",
            f"--format={fmt}", *shas,
        )  # fmt: skip
        return [c for block in out.split(_SEP) if block.strip() for c in [self._parse(block)]]

    def _parse(self, block: str) -> Change:
        sha, parents, when, author, subject, body, stat = block.split("\x00", 6)
        files: list[str] = []
        size = 0
        for line in stat.strip().splitlines():
            added, deleted, path = ([*line.split("\t", 2), "", "", ""])[:3]
            if path:
                files.append(path)
                size += int(added) if added.isdigit() else 0
                size += int(deleted) if deleted.isdigit() else 0
        merge = len(parents.split()) > 1
        services = sorted({s for f in files for s in self.services.services_of(f)})
        kind = "merge" if merge and classify(files) == "code" else classify(files)
        kind = infra.kind_of(kind, files)
        undo = ["git", "-C", str(self.repo), "revert", "--no-edit"]
        undo += ["-m", "1", sha] if merge else [sha]
        note = infra.undo_note(self.repo, " ".join(undo), files)
        summary = subject.strip() + (f" — {_reverts(body)}" if _reverts(body) else "")
        return Change(
            kind=kind, id=sha, at=from_iso(when), summary=summary,
            source=f"git:{self.repo.name}", services=tuple(services), files=tuple(files),
            size=size, undo=note, author=author,
        )  # fmt: skip


def _reverts(body: str) -> str:
    for line in body.splitlines():
        if line.startswith("This reverts commit "):
            return line.strip().rstrip(".")
    return ""


def _reverted_shas(changes: list[Change]) -> set[str]:
    """Commits undone by a later `git revert` inside the same window."""
    done: set[str] = set()
    for change in changes:
        marker = "This reverts commit "
        if marker in change.summary:
            done.add(change.summary.split(marker, 1)[1].split(",")[0].split()[0])
    return done


_CATALOG_NAME = re.compile(
    r"^metadata:\s*\n(?:[ \t]+.*\n)*?[ \t]+name:\s*['\"]?([\w.-]+)", re.MULTILINE
)
_CATALOG_KIND = re.compile(r"^kind:\s*Component\b", re.MULTILINE)


def catalog_globs(repo: Path, executor: Executor) -> dict[str, tuple[str, ...]]:
    """Backstage components (`catalog-info.yaml`): the folder of each file is that service's."""
    listed = executor.run(
        ["git", "-C", str(repo), "ls-files", "--", "catalog-info.yaml", "*/catalog-info.yaml"],
        mutating=False, timeout=30,
    )  # fmt: skip
    found: dict[str, tuple[str, ...]] = {}
    for name in listed.stdout.splitlines() if listed.ok else ():
        try:
            text = (repo / name).read_text(errors="replace")
        except OSError:
            continue
        for document in text.split("\n---"):
            match = _CATALOG_NAME.search(document.lstrip("-\n") + "\n")
            if match and _CATALOG_KIND.search(document.lstrip("-\n")):
                folder = str(PurePosixPath(name).parent)
                found[match.group(1)] = ("**",) if folder == "." else (f"{folder}/**",)
    return found


def window_bounds(onset: datetime, window: timedelta) -> tuple[datetime, datetime]:
    return onset - window, onset + timedelta(minutes=2)
