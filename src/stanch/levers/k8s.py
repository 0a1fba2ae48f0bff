"""Kubernetes objects in plain and multi-document manifests, kustomize and GitOps objects."""

from __future__ import annotations

import posixpath
import re
from typing import Any

from stanch.levers.yamlio import documents, mapping, seq
from stanch.model.levers import Surface

WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Rollout", "CronJob", "Job"})
FLAG_ENV = re.compile(
    r"^(?:FEATURE|FF|FLAG|ENABLE|DISABLE|KILL|USE|NO)_|_(?:ENABLED|DISABLED|FLAG)$"
)
INVERTED_ENV = re.compile(r"^(?:DISABLE|NO|KILL)_|_DISABLED$")
SWITCH_ENV = re.compile(r"(?:LOAD_?SHED|RATE_?LIMIT|CIRCUIT_?BREAKER|MAINTENANCE|READ_?ONLY)")
MUTABLE_TAGS = frozenset({"latest", "main", "master", "stable", "dev", "edge", "nightly"})


def image_notes(images: list[str]) -> list[str]:
    """Warn about mutable tags: 'redeploy the prior image' cannot name a prior image."""
    notes = []
    for image in images:
        tail = image.rsplit("/", 1)[-1]
        if "@sha256:" in image:
            continue
        tag = tail.split(":", 1)[1] if ":" in tail else "latest"
        if tag in MUTABLE_TAGS:
            notes.append(f"{image} uses the mutable tag '{tag}': no prior image to redeploy")
    return notes


def env_flags(env: list[Any]) -> list[dict[str, Any]]:
    """Environment variables that switch behaviour: flags, load shedding, breakers."""
    out = []
    for raw in env:
        item = mapping(raw)
        name = str(item.get("name", ""))
        if not name or not (FLAG_ENV.search(name) or SWITCH_ENV.search(name)):
            continue
        out.append({"key": name, "value": _text(item.get("value")),
                    "inverted": bool(INVERTED_ENV.search(name)),
                    "switch": bool(SWITCH_ENV.search(name))})  # fmt: skip
    return out


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _pod_spec(kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    if kind == "CronJob":
        spec = mapping(mapping(mapping(spec.get("jobTemplate")).get("spec")))
    return mapping(mapping(spec.get("template")).get("spec"))


def _workload(doc: dict[str, Any], path: str) -> Surface | None:
    kind = str(doc.get("kind"))
    meta = mapping(doc.get("metadata"))
    name = str(meta.get("name") or "")
    annotations = mapping(meta.get("annotations"))
    if not name or "helm.sh/hook" in annotations or "argocd.argoproj.io/hook" in annotations:
        return None  # helm and Argo CD hooks (test pods, migrations …) are not the workload
    spec = mapping(doc.get("spec"))
    containers = seq(_pod_spec(kind, spec).get("containers"))
    images = [str(mapping(c).get("image")) for c in containers if mapping(c).get("image")]
    flags: list[dict[str, Any]] = []
    for c in containers:
        flags.extend(env_flags(seq(mapping(c).get("env"))))
    labels = mapping(meta.get("labels"))
    helm_rendered = (
        "helm.sh/chart" in labels or labels.get("app.kubernetes.io/managed-by") == "Helm"
    )
    details: dict[str, Any] = {
        "workload_kind": kind,
        "namespace": meta.get("namespace"),
        "replicas": spec.get("replicas") if isinstance(spec.get("replicas"), int) else None,
        "images": images,
        "containers": {
            str(mapping(c).get("name")): str(mapping(c).get("image"))
            for c in containers
            if mapping(c).get("image")
        },
        "env_flags": flags,
        "notes": image_notes(images),
    }
    if helm_rendered:
        details["rendered_helm"] = True
        details["notes"].append(
            "rendered Helm output applied with kubectl: no Helm release to roll back"
        )
    if meta.get("namespace") is None:
        details["notes"].append("no namespace in the manifest: it runs where it was applied")
    if substituted(name, meta.get("namespace")):
        details["substituted"] = True
        details["notes"].append("name or namespace is filled in at deploy time (envsubst, "
                                "Flux postBuild, kustomize vars): no lever can name it")  # fmt: skip
    return Surface("k8s_workload", path, name, details)


def substituted(*values: Any) -> bool:
    """`${VAR}` / `$(VAR)` placeholders that a deploy step replaces."""
    return any(isinstance(v, str) and ("${" in v or "$(" in v) for v in values)


def _hpa(doc: dict[str, Any], path: str) -> Surface:
    meta = mapping(doc.get("metadata"))
    spec = mapping(doc.get("spec"))
    ref = mapping(spec.get("scaleTargetRef"))
    return Surface("hpa", path, str(meta.get("name", "")), {
        "namespace": meta.get("namespace"),
        "min_replicas": spec.get("minReplicas", 1),
        "max_replicas": spec.get("maxReplicas"),
        "target": f"{ref.get('kind', '')}/{ref.get('name', '')}",
    })  # fmt: skip


def _gitops(doc: dict[str, Any], path: str) -> Surface | None:
    api = str(doc.get("apiVersion", ""))
    kind = str(doc.get("kind"))
    meta = mapping(doc.get("metadata"))
    spec = mapping(doc.get("spec"))
    name = str(meta.get("name", ""))
    ns = meta.get("namespace")
    if api.startswith("kustomize.toolkit.fluxcd.io/") and kind == "Kustomization":
        return Surface("gitops", path, name, {
            "tool": "flux", "object": "kustomization", "namespace": ns or "flux-system",
            "file": path,
            "path": str(spec.get("path", "")).lstrip("./") or ".",
            "target_namespace": spec.get("targetNamespace"),
            "suspended": bool(spec.get("suspend")),
        })  # fmt: skip
    if api.startswith("helm.toolkit.fluxcd.io/") and kind == "HelmRelease":
        chart = mapping(mapping(mapping(spec.get("chart")).get("spec")))
        target = spec.get("targetNamespace")
        # Flux's defaults: release name `[targetNamespace-]name`, stored in the HelmRelease's
        # own namespace (storageNamespace), which is where `helm rollback -n` must look
        return Surface("gitops", path, name, {
            "tool": "flux", "object": "helmrelease", "namespace": ns or "flux-system",
            "file": path,
            "release": spec.get("releaseName") or (f"{target}-{name}" if target else name),
            "chart": chart.get("chart") or mapping(spec.get("chartRef")).get("name"),
            "target_namespace": target or ns,
            "storage_namespace": spec.get("storageNamespace") or ns or "flux-system",
        })  # fmt: skip
    if api.startswith("argoproj.io/") and kind in ("Application", "ApplicationSet"):
        return _argo(kind, spec, path, name, ns)
    return None


def _argo(kind: str, spec: dict[str, Any], path: str, name: str, ns: Any) -> Surface:
    """An Argo CD Application, or an ApplicationSet (its template, with {{ }} placeholders)."""
    extra: dict[str, Any] = {}
    if kind == "ApplicationSet":
        template = mapping(spec.get("template"))
        extra = _generators(seq(spec.get("generators")))
        extra["app_name"] = str(mapping(template.get("metadata")).get("name") or "") or None
        spec = mapping(template.get("spec"))
    source = mapping(spec.get("source")) or mapping((seq(spec.get("sources")) or [{}])[0])
    dest = mapping(spec.get("destination"))
    where = str(source.get("path") or "")
    if where and "{{" not in where:
        extra["path"] = _clean_path(where)  # else the JSON `path` stays the declaring file
    return Surface("gitops", path, name, {
        "tool": "argocd", "object": kind.lower(), "namespace": ns or "argocd", "file": path,
        "chart": source.get("chart"),
        "target_namespace": None if "{{" in str(dest.get("namespace")) else dest.get("namespace"),
        "automated": "automated" in mapping(spec.get("syncPolicy")), **extra,
    })  # fmt: skip


def _clean_path(where: str) -> str:
    return posixpath.normpath(where).lstrip("/") if where not in (".", "./") else "."


def _generators(generators: list[Any]) -> dict[str, Any]:
    """Which generators an ApplicationSet uses, and the git directories it turns into apps."""
    kinds: list[str] = []
    dirs: list[str] = []
    for raw in generators:
        for kind, conf in mapping(raw).items():
            kinds.append(str(kind))
            for item in seq(mapping(conf).get("directories")):
                entry = mapping(item)
                if entry.get("path") and not entry.get("exclude"):
                    dirs.append(_clean_path(str(entry["path"])))
    return {"generators": kinds, "directories": dirs}


def manifest_surfaces(text: str, path: str) -> list[Surface]:
    """Workloads, HPAs and GitOps objects of one YAML file (templates are never manifests)."""
    if "{{" in text and "kind: ApplicationSet" not in text:
        return []  # a Go template (Helm/Jinja); only the chart's metadata is read
    out: list[Surface] = []
    templated = "{{" in text  # then only ApplicationSets, whose templates carry {{ }}
    for raw in documents(text):
        doc = mapping(raw)
        if not doc.get("apiVersion") or not doc.get("kind"):
            continue
        if templated and doc.get("kind") != "ApplicationSet":
            continue
        if doc.get("kind") == "List":
            for item in seq(doc.get("items")):
                out.extend(_one(mapping(item), path))
        else:
            out.extend(_one(doc, path))
    return out


def _one(doc: dict[str, Any], path: str) -> list[Surface]:
    kind = str(doc.get("kind"))
    if kind in WORKLOAD_KINDS:
        found = _workload(doc, path)
        return [found] if found else []
    if kind == "HorizontalPodAutoscaler":
        return [_hpa(doc, path)]
    gitops = _gitops(doc, path)
    return [gitops] if gitops else []


def kustomization(text: str, path: str) -> Surface | None:
    """A kustomize (not Flux) Kustomization: resources, patches, namespace, name affixes."""
    doc = mapping(next(iter(documents(text)), None))
    api = str(doc.get("apiVersion", ""))
    if api.startswith("kustomize.toolkit.fluxcd.io/"):
        return None  # a Flux object that happens to be named kustomization.yaml
    folder = posixpath.dirname(path)
    patches: list[str] = []
    for key in ("patchesStrategicMerge", "patches", "patchesJson6902"):
        for item in seq(doc.get(key)):
            target = item if isinstance(item, str) else mapping(item).get("path")
            if isinstance(target, str) and "\n" not in target:
                patches.append(posixpath.normpath(posixpath.join(folder, target)))
    resources = [str(r) for r in seq(doc.get("resources")) + seq(doc.get("bases"))]
    images = [
        {k: str(v) for k, v in mapping(i).items() if k in ("name", "newName", "newTag", "digest")}
        for i in seq(doc.get("images")) if mapping(i).get("name")
    ]  # fmt: skip
    replicas = {str(mapping(r).get("name")): mapping(r)["count"] for r in seq(doc.get("replicas"))
                if isinstance(mapping(r).get("count"), int)}  # fmt: skip
    return Surface("kustomize", path, folder or ".", {
        "namespace": doc.get("namespace"),
        "name_prefix": doc.get("namePrefix") or "",
        "name_suffix": doc.get("nameSuffix") or "",
        "resources": resources,
        "patches": patches,
        "images": images,
        "replicas": replicas,
        "role": "overlay" if any(r.startswith("..") for r in resources) else "base",
    })  # fmt: skip


def patched_replicas(text: str) -> dict[str, int]:
    """`spec.replicas` that a kustomize patch file sets, by the workload name it targets."""
    out = {}
    for raw in documents(text):
        doc = mapping(raw)
        name = mapping(doc.get("metadata")).get("name")
        count = mapping(doc.get("spec")).get("replicas")
        if doc.get("kind") in WORKLOAD_KINDS and name and isinstance(count, int):
            out[str(name)] = count
    return out


def retag(image: str, rules: list[dict[str, str]]) -> str:
    """An image as a kustomize `images:` transformer rewrites it."""
    name, tag = image, ""
    if "@" in name:
        name, tag = name.split("@", 1)
        tag = "@" + tag
    elif ":" in name.rsplit("/", 1)[-1]:
        name, tag = name.rsplit(":", 1)
        tag = ":" + tag
    for rule in rules:
        if rule.get("name") == name:
            new_tag = f"@{rule['digest']}" if rule.get("digest") else (
                f":{rule['newTag']}" if rule.get("newTag") else tag)  # fmt: skip
            return f"{rule.get('newName') or name}{new_tag}"
    return image
