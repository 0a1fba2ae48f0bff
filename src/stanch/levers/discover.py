"""Read-only discovery of a repository's control surface."""

from __future__ import annotations

import posixpath
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from stanch.levers import ci, flags, helm, k8s, repo_files, switches, terraform_levers
from stanch.levers.reading import Reader
from stanch.levers.walk import is_fixture, list_files, vendored_chart
from stanch.model.levers import Surface

_CODE_EXT = (".py", ".js", ".mjs", ".ts", ".tsx", ".jsx", ".go", ".java", ".kt", ".rb", ".cs",
             ".php", ".env", ".properties", ".toml", ".ini")  # fmt: skip
_YAML = (".yaml", ".yml")
_OWN_INSTALLS = ("/gotk-components.yaml",)  # Flux's own controllers, not the system
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Discovery:
    root: Path
    surfaces: list[Surface]
    files: int
    notes: list[str] = field(default_factory=list)  # files that could not be read

    def of(self, kind: str) -> list[Surface]:
        return [s for s in self.surfaces if s.kind == kind]


_FLAG_SDK = "unleash|launchdarkly|ldclient|ld_client"


def _code_hits(root: Path) -> set[str] | None:
    """Code files that mention a flag SDK, by `git grep` (fast); None when not a git repo."""
    if not (root / ".git").exists():
        return None
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "grep", "--untracked", "-l", "-I", "-i", "-z", "-E",
             _FLAG_SDK],
            capture_output=True, check=False, timeout=120,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode not in (0, 1):
        return None
    return {p for p in done.stdout.decode("utf-8", "replace").split("\0") if p}


def discover(root: Path, progress: Progress | None = None) -> Discovery:
    """Every surface kind, with paths; read-only and without a cluster."""
    files = list_files(root)
    chart_dirs = {posixpath.dirname(p) for p in files if posixpath.basename(p) == "Chart.yaml"}
    out: list[Surface] = []
    reader = Reader(root)
    kustomizations = _kustomizations(reader, files, out)
    patches = {p for k in kustomizations for p in k.details["patches"]}
    scan = _Scan(reader, chart_dirs, patches, out, {}, {}, _code_hits(root))
    for index, path in enumerate(files):
        if progress and index % 2000 == 0:
            progress(index, len(files))
        reader.each(path, scan.one)
    if progress:
        progress(len(files), len(files))
    out.extend(repo_files.terraform_roots({p: t for p, t in scan.tf.items() if p.endswith(".tf")}))
    out.extend(terraform_levers.surfaces(scan.tf, reader))
    out.extend(repo_files.codeowners(scan.owners))
    out.extend(_releases_from_gitops(out))
    surfaces = _apply_kustomize(out, kustomizations)
    return Discovery(root, surfaces, len(files), reader.notes())


def _kustomizations(reader: Reader, files: list[str], out: list[Surface]) -> list[Surface]:
    found = []
    for path in files:
        name = path.rsplit("/", 1)[-1]
        if name not in ("kustomization.yaml", "kustomization.yml", "Kustomization") or (
            is_fixture(path)
        ):
            continue
        with reader.watch(path):
            text = reader.text(path)
            surface = k8s.kustomization(text, path) if text is not None else None
            if surface is not None:
                surface = _with_patched_replicas(reader, surface)
                found.append(surface)
                out.append(surface)
    return found


def _with_patched_replicas(reader: Reader, k: Surface) -> Surface:
    """Replicas set by the overlay's patch files (the `replicas:` field wins over them)."""
    counts: dict[str, int] = {}
    for patch in k.details["patches"]:
        with reader.watch(patch):
            text = reader.text(patch)
            counts.update(k8s.patched_replicas(text) if text else {})
    if not counts:
        return k
    return Surface(k.kind, k.path, k.name,
                   {**k.details, "replicas": {**counts, **k.details["replicas"]}})  # fmt: skip


_CHART_PARTS = ("templates/", "charts/", "crds/", "ci/", "values")


def _in_chart(path: str, chart_dirs: set[str]) -> bool:
    """A chart's own files; a chart at the top of the repository claims only those."""
    return any(path.startswith(d + "/") if d else path.startswith(_CHART_PARTS)
               for d in chart_dirs)  # fmt: skip


@dataclass
class _Scan:
    reader: Reader
    chart_dirs: set[str]
    patches: set[str]
    out: list[Surface]
    tf: dict[str, str]
    owners: dict[str, str]
    code_hits: set[str] | None = None  # code files worth reading for flag-SDK references

    def text(self, path: str) -> str:
        return self.reader.text(path) or ""

    def one(self, path: str) -> None:
        _one(self, path)


def _pipeline(scan: _Scan, path: str) -> bool:
    system = ci.ci_kind(path)
    found = ci.pipeline(scan.text(path), path, system) if system else None
    scan.out.extend([found] if found else [])
    return bool(system)


def _makefile(scan: _Scan, path: str) -> bool:
    if not repo_files.is_makefile(path):
        return False
    if is_fixture(path):
        return True  # an example's or a test's Makefile deploys nothing of this system
    found = repo_files.makefile(scan.text(path), path)
    scan.out.extend([found] if found else [])
    return True


def _script_or_runbook(scan: _Scan, path: str) -> bool:
    if repo_files.is_deploy_script(path):
        if not is_fixture(path):
            scan.out.append(Surface("deploy_script", path, path.rsplit("/", 1)[-1], {}))
        return True
    if repo_files.is_runbook(path):
        scan.out.append(repo_files.runbook(scan.text(path), path))
        return True
    return False


def _chart(scan: _Scan, path: str) -> bool:
    if path.rsplit("/", 1)[-1] != "Chart.yaml":
        return False
    if not is_fixture(path):
        folder = posixpath.dirname(path)
        values = _values_near(scan.reader.root, folder)
        requirements = posixpath.join(folder, "requirements.yaml")
        old_deps = scan.text(requirements) if (scan.reader.root / requirements).is_file() else ""
        chart = helm.chart(scan.text(path), path, values, vendored_chart(path), old_deps)
        scan.out.extend([chart] if chart else [])
    return True


def _named(scan: _Scan, path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    if name.endswith((".tf", ".tfvars")):
        scan.tf[path] = scan.text(path)
    elif name == "terragrunt.hcl":
        found = repo_files.terragrunt(scan.text(path), path)
        scan.out.extend([found] if found else [])
    elif name in ("catalog-info.yaml", "catalog-info.yml"):
        scan.out.extend(repo_files.catalog(scan.text(path), path))
    elif repo_files.is_compose(path):
        scan.out.extend(repo_files.compose_services(scan.text(path), path))
    elif name in ("helmfile.yaml", "helmfile.yml"):
        scan.out.extend(helm.helmfile_releases(scan.text(path), path))
    else:
        return False
    return True


def _one(scan: _Scan, path: str) -> None:
    if switches.is_config(path) and not is_fixture(path):
        scan.out.extend(switches.surfaces(scan.text(path), path))
    if (
        scan.code_hits is not None
        and path.endswith(_CODE_EXT)
        and path not in scan.code_hits
        and not repo_files.is_deploy_script(path)
    ):
        return  # plain code without a flag SDK: nothing to find in it
    if path in repo_files.CODEOWNERS_ORDER:
        scan.owners[path] = scan.text(path)
        return
    for handler in (_pipeline, _makefile, _script_or_runbook, _chart):
        if handler(scan, path):
            return
    if is_fixture(path) or _named(scan, path):
        return
    _structured(scan, path)


def _values_near(root: Path, folder: str) -> list[str]:
    """A chart's values*.yaml files, and the ci/*.yaml values chart-testing installs with."""
    out: list[str] = []
    for sub, wanted in (("", "values"), ("ci", "")):
        rel = posixpath.join(folder, sub) if sub else folder
        try:
            names = sorted(p.name for p in (root / rel if rel else root).iterdir()
                           if p.name.startswith(wanted) and p.suffix in _YAML)  # fmt: skip
        except OSError:
            continue
        out.extend(posixpath.join(rel, n) if rel else n for n in names)
    return out


def _structured(scan: _Scan, path: str) -> None:
    """YAML/JSON files: flag files and manifests; code files: flag-service references."""
    out = scan.out
    if path.endswith(_YAML) or path.endswith(".json"):
        if (_in_chart(path, scan.chart_dirs) or path in scan.patches
                or f"/{path}".endswith(_OWN_INSTALLS)):  # fmt: skip
            return  # chart templates/values, partial patches, the GitOps tool's own install
        text = scan.reader.text(path)
        if text is None:
            return
        if '"flags"' in text or "flags:" in text:
            found = flags.flagd(text, path)
            if found is not None:
                out.append(found)
                return
        if path.endswith(_YAML) and "apiVersion" in text and "kind" in text:
            out.extend(k8s.manifest_surfaces(text, path))
        if path.endswith(_YAML):
            out.extend(flags.service_refs(text, path))
        return
    if path.endswith(_CODE_EXT):
        text = scan.reader.text(path)
        if text is not None:
            out.extend(flags.service_refs(text, path))


def _releases_from_gitops(out: list[Surface]) -> list[Surface]:
    found = []
    for s in out:
        if s.kind == "gitops" and s.details.get("object") == "helmrelease":
            extra = {} if s.details["release"] == s.name and s.details.get(
                "storage_namespace") == s.details.get("namespace") else {
                "helmrelease": s.name, "helmrelease_namespace": s.details.get("namespace")}  # fmt: skip
            found.append(helm.release(str(s.details["release"]),
                                      s.details.get("storage_namespace"),
                                      s.details.get("chart"), s.path, "flux", **extra))  # fmt: skip
    return found


def _apply_kustomize(out: list[Surface], kustomizations: list[Surface]) -> list[Surface]:
    """Give base workloads the namespace, name affixes, images and replicas of the overlays
    that use them (overlays of overlays too; a resource may be a folder or one file)."""
    users: dict[str, list[Surface]] = {}
    for k in kustomizations:
        folder = posixpath.dirname(k.path)
        for res in k.details["resources"]:
            target = posixpath.normpath(posixpath.join(folder, res))
            users.setdefault(target, []).append(k)
    result = []
    for s in out:
        if s.kind not in ("k8s_workload", "hpa"):
            result.append(s)
            continue
        folder = posixpath.dirname(s.path)
        own = next((k for k in kustomizations if posixpath.dirname(k.path) == folder), None)
        base = _affixed(s, own, "") if own is not None else s
        result.extend(_variants(base, [folder, s.path], users, 0))
    return result


def _variants(s: Surface, used_as: list[str], users: dict[str, list[Surface]],
              depth: int) -> list[Surface]:  # fmt: skip
    """The surface as each kustomization using `used_as` deploys it, up the overlay chain."""
    here = posixpath.dirname(s.path) if depth == 0 else used_as[0]
    found = [k for target in used_as for k in users.get(target, [])
             if posixpath.dirname(k.path) != here]  # fmt: skip
    if not found or depth > 8:  # 8: deeper chains are cycles, not layouts
        return [s]
    out = []
    for user in found:
        folder = posixpath.dirname(user.path)
        out.extend(_variants(_affixed(s, user, folder), [folder], users, depth + 1))
    return out


def _affixed(s: Surface, k: Surface, overlay: str) -> Surface:
    d = k.details
    details = dict(s.details)
    if d.get("images"):
        details["containers"] = {c: k8s.retag(i, d["images"])
                                 for c, i in details.get("containers", {}).items()}  # fmt: skip
        details["images"] = [k8s.retag(i, d["images"]) for i in details.get("images", [])]
        notes = [n for n in details.get("notes", []) if "mutable tag" not in n]
        details["notes"] = k8s.image_notes(details["images"]) + notes
    original = details.setdefault("base_name", s.name)
    for known in (s.name, original):
        if known in d.get("replicas", {}):
            details["replicas"] = d["replicas"][known]
            break
    if d.get("namespace"):
        details["namespace"] = d["namespace"]
        details["notes"] = [n for n in details.get("notes", []) if "no namespace" not in n]
    if overlay:
        details["overlay"] = overlay
    name = f"{d.get('name_prefix', '')}{s.name}{d.get('name_suffix', '')}"
    if name == original:
        del details["base_name"]  # only said when kustomize renamed it
    return Surface(s.kind, s.path, name, details)
