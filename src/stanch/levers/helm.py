"""Helm charts (metadata and values only, never templates) and known Helm releases."""

from __future__ import annotations

import posixpath
from typing import Any

from stanch.levers.yamlio import documents, mapping, one, seq
from stanch.model.levers import Surface


def chart(text: str, path: str, files_in_dir: list[str], vendored: bool,
          requirements: str = "") -> Surface | None:  # fmt: skip
    """A chart's metadata; Helm 2 charts list dependencies in requirements.yaml."""
    doc = mapping(one(text))
    if not doc.get("name"):
        return None
    folder = posixpath.dirname(path)
    yaml_files = [f for f in files_in_dir if f.endswith((".yaml", ".yml"))]
    values = sorted(f for f in yaml_files if posixpath.dirname(f) == folder
                    and posixpath.basename(f).startswith("values"))  # fmt: skip
    ci_values = sorted(f for f in yaml_files
                       if posixpath.dirname(f) == posixpath.join(folder, "ci"))  # fmt: skip
    listed = seq(doc.get("dependencies")) or seq(mapping(one(requirements)).get("dependencies"))
    deps = [str(mapping(d).get("name")) for d in listed if mapping(d).get("name")]
    return Surface("helm_chart", folder or ".", str(doc["name"]), {
        "version": doc.get("version"), "app_version": doc.get("appVersion"),
        "values_files": values, "ci_values": ci_values, "dependencies": deps,
        "vendored": vendored,
        "type": doc.get("type", "application"),
    })  # fmt: skip


def helmfile_releases(text: str, path: str) -> list[Surface]:
    out = []
    for doc in documents(text.replace("{{", "#{{")) if "{{" in text else documents(text):
        for item in seq(mapping(doc).get("releases")):
            rel = mapping(item)
            if rel.get("name"):
                out.append(release(str(rel["name"]), rel.get("namespace"), rel.get("chart"), path,
                                   "helmfile"))  # fmt: skip
    return out


def release(name: str, namespace: Any, chart_ref: Any, path: str, via: str,
            **extra: Any) -> Surface:  # fmt: skip
    return Surface("helm_release", path, name, {
        "namespace": namespace, "chart": chart_ref, "via": via, **extra,
    })  # fmt: skip
