"""Backstage catalog-info.yaml: the owner and on-call annotations of a component."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stanch.errors import InvalidInput

CATALOG_NAMES = ("catalog-info.yaml", "catalog-info.yml")
PD_INTEGRATION_KEY = "pagerduty.com/integration-key"
PD_SERVICE_ID = "pagerduty.com/service-id"
OPSGENIE_TEAM = "opsgenie.com/team"


@dataclass(frozen=True)
class Entity:
    """One catalog entity (Component, System, Group, Resource …)."""

    kind: str
    name: str
    namespace: str = "default"
    owner: str | None = None  # entity ref as written, e.g. group:default/payments
    system: str | None = None
    annotations: dict[str, str] = field(default_factory=dict)

    @property
    def owner_name(self) -> str | None:
        """The owner's bare name: 'group:default/payments' → 'payments'."""
        if not self.owner:
            return None
        return self.owner.split(":", 1)[-1].split("/", 1)[-1]


def _entity(doc: dict[str, Any]) -> Entity | None:
    meta = doc.get("metadata")
    if not isinstance(meta, dict) or not meta.get("name"):
        return None
    spec_raw = doc.get("spec")
    spec: dict[str, Any] = spec_raw if isinstance(spec_raw, dict) else {}
    annotations = meta.get("annotations") or {}
    return Entity(
        kind=str(doc.get("kind") or ""),
        name=str(meta["name"]),
        namespace=str(meta.get("namespace") or "default"),
        owner=str(spec["owner"]) if spec.get("owner") else None,
        system=str(spec["system"]) if spec.get("system") else None,
        annotations={str(k): str(v) for k, v in dict(annotations).items()},
    )


def parse(text: str, source: str = "catalog-info.yaml") -> list[Entity]:
    """Every entity in a (possibly multi-document) catalog file."""
    import yaml

    try:
        docs = list(yaml.safe_load_all(text))
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{source}: not valid YAML ({exc})") from None
    found = (_entity(doc) for doc in docs if isinstance(doc, dict))
    return [entity for entity in found if entity is not None]


def load(paths: list[Path]) -> list[Entity]:
    """Entities from catalog files, or from catalog-info.yaml under given directories."""
    entities: list[Entity] = []
    for path in paths:
        files = [path] if path.is_file() else [p for n in CATALOG_NAMES for p in path.rglob(n)]
        for file in sorted(files):
            entities.extend(parse(file.read_text(encoding="utf-8"), str(file)))
    return entities


def component(entities: list[Entity], name: str) -> Entity | None:
    """The Component (or Resource/System) called `name`; Components first."""
    ranked = sorted(
        (e for e in entities if e.name == name and e.owner),
        key=lambda e: {"Component": 0, "Resource": 1, "System": 2}.get(e.kind, 3),
    )
    return ranked[0] if ranked else None
