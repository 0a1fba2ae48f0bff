"""Makefiles, deploy scripts, Terraform roots, Compose services, runbooks, owners, catalog."""

from __future__ import annotations

import posixpath
import re
from typing import Any

from stanch.levers.k8s import env_flags, image_notes
from stanch.levers.yamlio import documents, mapping, one, seq
from stanch.model.levers import Surface

OPS_WORDS = re.compile(
    r"(deploy|rollback|roll-back|rollout|restart|scale|release|undo|revert|failover|drain|"
    r"promote|canary)", re.IGNORECASE,
)  # fmt: skip
_NOT_OPS = re.compile(r"notes|changelog|readme", re.IGNORECASE)  # release-notes.sh is no deploy
_SCRIPT_DIRS = frozenset({"scripts", "script", "bin", "deploy", "ops", "tools", "hack", "ci"})
_SCRIPT_EXT = (".sh", ".bash", ".py", ".ps1", ".rb", "")
CODEOWNERS_ORDER = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")
_CATALOG_KINDS = frozenset({"Component", "System", "API", "Resource", "Domain"})
_RUNBOOK = re.compile(r"(runbook|playbook|on-?call|oncall)", re.I)


def is_makefile(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name in ("Makefile", "makefile", "GNUmakefile") or name.endswith(".mk")


def make_targets(text: str) -> list[str]:
    """Explicit targets (several per rule line too); not variables, patterns or specials."""
    found: list[str] = []
    for line in text.replace("\\\n", " ").splitlines():
        if line.startswith(("\t", " ", "#")) or ":" not in line:
            continue
        head, _, rest = line.partition(":")
        if "=" in head or rest.startswith(("=", ":=")) or "$" in head or "%" in head:
            continue  # VAR := x, VAR ::= x, $(BIN): …, %.o: %.c
        found.extend(t for t in head.split() if not t.startswith("."))
    return list(dict.fromkeys(found))


def make_includes(text: str, path: str) -> list[str]:
    """The files a Makefile includes, as repository-relative globs."""
    folder = posixpath.dirname(path)
    out = []
    for line in text.splitlines():
        found = re.match(r"^-?s?include\s+(.+)$", line)
        for word in found.group(1).split() if found else []:
            if "$" not in word:
                out.append(posixpath.normpath(posixpath.join(folder, word)))
    return out


def makefile(text: str, path: str) -> Surface | None:
    """Targets that deploy, roll back, restart or scale."""
    ops = [t for t in make_targets(text) if OPS_WORDS.search(t)]
    includes = make_includes(text, path)
    if not ops and not (includes and not path.endswith(".mk")):
        return None
    details: dict[str, Any] = {"targets": ops}
    if includes:
        details["includes"] = includes
    return Surface("makefile", path, posixpath.dirname(path) or ".", details)


def is_deploy_script(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    stem, ext = posixpath.splitext(name)
    if ext not in _SCRIPT_EXT or not OPS_WORDS.search(stem) or _NOT_OPS.search(stem):
        return False
    parts = path.split("/")[:-1]
    return not parts or parts[0] in _SCRIPT_DIRS or bool(set(parts) & _SCRIPT_DIRS)


def terraform_roots(tf_files: dict[str, str]) -> list[Surface]:
    """Folders with a backend or provider block that are not reusable modules."""
    folders: dict[str, list[str]] = {}
    for path, text in tf_files.items():
        folders.setdefault(posixpath.dirname(path) or ".", []).append(text)
    out = []
    for folder, texts in sorted(folders.items()):
        joined = "\n".join(texts)
        is_module = "/modules/" in f"/{folder}/"
        cloud = re.search(r"^\s*cloud\s*\{", joined, re.M)  # HCP Terraform / Terraform Cloud
        has_root = re.search(r'^\s*(backend|provider)\s+"', joined, re.M) or cloud
        if is_module or not has_root:
            continue
        backend = re.search(r'backend\s+"([^"]+)"', joined) or cloud
        providers = sorted(set(re.findall(r'^\s*provider\s+"([^"]+)"', joined, re.M)))
        out.append(Surface("terraform", folder, folder, {
            "backend": (backend.group(1) if backend is not cloud else "cloud") if backend else None,
        "providers": providers,
        }))  # fmt: skip
    return out


def terragrunt(text: str, path: str) -> Surface | None:
    """A Terragrunt unit: a folder whose terragrunt.hcl sets a `terraform` source or includes
    the parent config (a parent holding only `remote_state` is shared settings, not a root)."""
    source = re.search(r'^\s*terraform\s*\{[^}]*?\bsource\s*=\s*"([^"]+)"', text, re.M | re.S)
    included = re.search(r"^\s*include(?:\s+\"[^\"]*\")?\s*\{", text, re.M)
    if not source and not included:
        return None
    folder = posixpath.dirname(path) or "."
    return Surface("terraform", folder, folder, {
        "backend": "terragrunt", "providers": [], "tool": "terragrunt",
        "source": source.group(1) if source else None,
    })  # fmt: skip


def is_compose(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return bool(re.fullmatch(r"(docker-)?compose(\.[\w-]+)?\.ya?ml", name))


def compose_services(text: str, path: str) -> list[Surface]:
    doc = mapping(one(text))
    out = []
    for name, raw in mapping(doc.get("services")).items():
        service = mapping(raw)
        env = service.get("environment")
        items: list[Any] = []
        if isinstance(env, dict):
            items = [{"name": k, "value": v} for k, v in env.items()]
        elif isinstance(env, list):
            items = [
                {
                    "name": str(e).split("=", 1)[0],
                    "value": str(e).split("=", 1)[1] if "=" in str(e) else None,
                }
                for e in env
            ]
        image = service.get("image")
        images = [str(image)] if image else []
        out.append(Surface("compose_service", path, str(name), {
            "image": image, "replicas": mapping(service.get("deploy")).get("replicas"),
            "profiles": [str(p) for p in seq(service.get("profiles"))],
            "env_flags": env_flags(items), "notes": image_notes(images),
        }))  # fmt: skip
    return out


def is_runbook(path: str) -> bool:
    if not path.lower().endswith((".md", ".rst", ".adoc", ".txt")):
        return False
    return bool(_RUNBOOK.search(path)) or path.lower().startswith(("docs/services/", "runbooks/"))


def runbook(text: str, path: str) -> Surface:
    title = next((ln.lstrip("# ").strip() for ln in text.splitlines() if ln.startswith("#")), "")
    return Surface("runbook", path, title or path.rsplit("/", 1)[-1], {})


GITLAB_ORDER = ("CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")


def codeowners(found: dict[str, str]) -> list[Surface]:
    """Every CODEOWNERS file, marking the one GitHub uses (.github/ → root → docs/) and the
    one GitLab uses (root → docs/ → .gitlab/)."""
    github_order = [p for p in CODEOWNERS_ORDER[:3] if p in found]
    gitlab_first = next((p for p in GITLAB_ORDER if p in found), None)
    out = []
    for path in CODEOWNERS_ORDER:
        if path not in found:
            continue
        rules = [ln.split() for ln in found[path].splitlines()
                 if ln.strip() and not ln.lstrip().startswith(("#", "[", "^["))]  # fmt: skip
        default = next((r[1:] for r in reversed(rules) if r[0] == "*"), [])
        out.append(Surface("codeowners", path, path, {
            "rules": len(rules), "default_owners": default,
            "effective": (bool(github_order) and path == github_order[0])
            or (path == ".gitlab/CODEOWNERS" and not github_order),
            "effective_on_gitlab": path == gitlab_first,
        }))  # fmt: skip
    return out


def catalog(text: str, path: str) -> list[Surface]:
    """Backstage entities: name, kind, owner, system, on-call annotations."""
    out = []
    for raw in documents(text):
        doc = mapping(raw)
        if not str(doc.get("apiVersion", "")).startswith("backstage.io/"):
            continue
        meta = mapping(doc.get("metadata"))
        if doc.get("kind") not in _CATALOG_KINDS or not meta.get("name"):
            continue  # Group, User, Location, Template: people and pointers, not services
        spec = mapping(doc.get("spec"))
        notes = {k: v for k, v in mapping(meta.get("annotations")).items()
                 if str(k).startswith(("pagerduty.com/", "opsgenie.com/", "backstage.io/"))}  # fmt: skip
        out.append(Surface("service_catalog", path, str(meta.get("name", "")), {
            "entity_kind": doc.get("kind"), "owner": spec.get("owner"),
            "system": spec.get("system"), "lifecycle": spec.get("lifecycle"),
            "type": spec.get("type"), "annotations": notes,
            "depends_on": [str(d) for d in seq(spec.get("dependsOn"))],
        }))  # fmt: skip
    return out
