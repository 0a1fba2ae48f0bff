"""Feature-flag definitions: flagd files, Unleash and LaunchDarkly references in code."""

from __future__ import annotations

import json
import re
from typing import Any

from stanch.levers.yamlio import mapping, one, problem
from stanch.model.levers import Surface

_OFF_NAMES = ("off", "disabled", "false", "control", "no", "legacy", "old")
UNLEASH_REF = re.compile(
    r"""(?:is_?enabled|isEnabled|IsEnabled|get_?variant|getVariant)\(\s*["']([\w.:\-/]+)["']"""
)
LD_REF = re.compile(
    r"""(?:[bB]ool|[sS]tring|[iI]nt|[fF]loat|[jJ]son|[nN]umber)?[vV]ariation(?:Detail)?"""
    r"""\(\s*["']([\w.:\-/]+)["']"""
)
_UNLEASH_HINT = ("unleash",)
_LD_HINT = ("launchdarkly", "ldclient", "ld_client", "ldClient")


def flagd(text: str, path: str) -> Surface | None:
    """A flagd flag file: each flag's key, variants, default and what targeting does."""
    doc: Any = None
    if path.endswith(".json"):
        try:
            doc = json.loads(text)
        except ValueError as exc:
            problem(text, f"not valid JSON ({exc})")
            return None
    elif "flags" in text:
        doc = one(text)
    flags = mapping(mapping(doc).get("flags"))
    if not flags or not all(isinstance(v, dict) and "variants" in v for v in flags.values()):
        return None
    out = [flag_info(str(key), mapping(value)) for key, value in flags.items()]
    return Surface("feature_flags", path, path, {"provider": "flagd", "flags": out})


def flag_info(key: str, flag: dict[str, Any]) -> dict[str, Any]:
    variants = mapping(flag.get("variants"))
    targeting = flag.get("targeting")
    has_targeting = bool(targeting) and targeting != {}
    meta = mapping(flag.get("metadata"))
    info: dict[str, Any] = {
        "key": key,
        "state": flag.get("state", "ENABLED"),
        "variants": variants,
        "default": flag.get("defaultVariant"),
        "targeting": has_targeting,
        "description": meta.get("description") or flag.get("description") or "",
        "off_variant": off_variant(variants),
    }
    if has_targeting:
        info["note"] = "targeting rules override defaultVariant for matching contexts"
    return info


def off_variant(variants: dict[str, Any]) -> str | None:
    """The variant that turns the feature off: a False value, else an 'off'-like name."""
    for name, value in variants.items():
        if value is False:
            return str(name)
    for wanted in _OFF_NAMES:
        for name in variants:
            if str(name).lower() == wanted:
                return str(name)
    return None


def service_refs(text: str, path: str) -> list[Surface]:
    """Unleash and LaunchDarkly flag keys used in code or configuration."""
    lowered = text.lower()
    out = []
    if any(h in lowered for h in _UNLEASH_HINT):
        keys = sorted(set(UNLEASH_REF.findall(text)))
        if keys:
            out.append(_refs("unleash", keys, path))
    if any(h.lower() in lowered for h in _LD_HINT):
        keys = sorted(set(LD_REF.findall(text)))
        if keys:
            out.append(_refs("launchdarkly", keys, path))
    return out


def _refs(provider: str, keys: list[str], path: str) -> Surface:
    flags = [{"key": k, "variants": None, "default": None, "description": ""} for k in keys]
    return Surface("feature_flags", path, path, {"provider": provider, "flags": flags})
