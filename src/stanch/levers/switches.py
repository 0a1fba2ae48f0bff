"""Circuit breakers, load shedding and rate limits in config files, found read-only.

Each switch becomes a file-change lever: trip the breaker (`failover`), turn load
shedding on or halve a rate limit (`scale`). The edit is exact (only the value's
characters change) and the way back is the file's previous bytes.
"""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

import yaml

from stanch.levers.file_edit import SWITCH, sha
from stanch.levers.yamlio import MAX_VALUES, _Loader, problem, yaml_error
from stanch.model.levers import Action, Lever, Surface

CONFIG_SWITCH = "config_switch"
_WORDS = re.compile(
    r"circuit.?breaker|load.?shed|shed.?load|shedding|rate.?limit|limit_req_zone", re.IGNORECASE
)
MAX_CHARS = 512 * 1024  # switches live in small config files, not in data or lock files
_CONFIG_EXT = (".yaml", ".yml", ".json", ".toml", ".conf")
_BREAKER = {"circuitbreaker", "circuitbreakers", "breaker"}
_SHED = {"loadshedding", "shedload", "loadshed", "shedding", "loadshedder"}
_RATE = {"ratelimit", "ratelimits", "ratelimiting", "ratelimiter"}
_ON = {"enabled", "enable", "on", "active"}
_FORCE = {"forceopen", "forcetrip", "tripped", "open"}
_LIMITS = {"limit", "rps", "qps", "requestspersecond", "requestsperminute", "requestsperunit",
           "rate", "maxrequests", "maxrps", "average", "perSecond".lower()}  # fmt: skip
_ENVOY = {"maxconnections", "maxpendingrequests", "maxrequests", "maxretries"}
_NOT_CONFIG = {"package-lock.json", "composer.lock", "Cargo.lock", "poetry.lock", "pnpm-lock.yaml",
               "yarn.lock", "package.json", "tsconfig.json", "pyproject.toml", "Cargo.toml"}  # fmt: skip
ETA_S = 150  # the file must reach the service: a reload or a redeploy


def _norm(key: Any) -> str:
    return re.sub(r"[_\-\s]", "", str(key)).lower()


def is_config(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return (path.endswith(_CONFIG_EXT) and "/templates/" not in f"/{path}"
            and name not in _NOT_CONFIG)  # fmt: skip


def surfaces(text: str, path: str) -> list[Surface]:
    """The switches one config file holds (none when it does not parse)."""
    if len(text) > MAX_CHARS or not _WORDS.search(text):
        return []
    if path.endswith(".conf"):
        found = _nginx(text)
    else:
        found = _toml(text) if path.endswith(".toml") else _yaml(text, path)
    if not found:
        return []
    digest = sha(text.encode("utf-8"))
    return [Surface(CONFIG_SWITCH, path, path, {"sha256": digest, "switches": found})]


# --- finding the switches in a parsed tree --------------------------------------------------

Leaf = tuple[int, str, Any]  # (offset, raw text, value)


def _find(tree: Any, keys: tuple[str, ...], out: list[dict[str, Any]]) -> None:
    """Walk a tree of dicts/lists whose leaves are Leaf tuples."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            here = (*keys, str(key))
            _classify(_norm(key), value, here, out)
            _find(value, here, out)
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            _find(value, (*keys, str(index)), out)


def _leaf(value: Any, kind: type) -> Leaf | None:
    if isinstance(value, tuple) and type(value[2]) is kind:
        return value
    return None


def _classify(name: str, value: Any, keys: tuple[str, ...], out: list[dict[str, Any]]) -> None:
    if name in _BREAKER:
        _breaker(value, keys, out)
    elif name in _SHED:
        _toggle(value, keys, out, "scale", "turn load shedding on")
    elif name in _RATE:
        _rate(value, keys, out)


def _child(tree: Any, names: set[str]) -> tuple[str, Any] | None:
    if isinstance(tree, dict):
        for key, value in tree.items():
            if _norm(key) in names:
                return str(key), value
    return None


def _toggle(value: Any, keys: tuple[str, ...], out: list[dict[str, Any]], kind: str,
            what: str, names: set[str] = _ON) -> bool:  # fmt: skip
    """A `false` that turns the switch on: the value itself or its `enabled` child."""
    leaf, where = _leaf(value, bool), keys
    if leaf is None:
        child = _child(value, names)
        if child is None:
            return False
        leaf, where = _leaf(child[1], bool), (*keys, child[0])
    if leaf is None or leaf[2]:
        return False
    out.append(_switch(kind, what, where, [_edit(leaf, True)]))
    return True


def _breaker(value: Any, keys: tuple[str, ...], out: list[dict[str, Any]]) -> None:
    if _toggle(value, keys, out, "failover", "force the circuit breaker open", _FORCE):
        return
    if _toggle(value, keys, out, "failover", "turn the circuit breaker on"):
        return
    thresholds = value.get("thresholds") if isinstance(value, dict) else None
    for index, entry in enumerate(thresholds if isinstance(thresholds, list) else []):
        edits = [_edit(leaf, max(1, leaf[2] // 2)) for key, v in _items(entry)
                 if _norm(key) in _ENVOY and (leaf := _leaf(v, int)) and leaf[2] > 1]  # fmt: skip
        if edits:
            where = (*keys, "thresholds", str(index))
            out.append(_switch("failover", "halve the Envoy circuit breaker thresholds so it "
                               "trips sooner", where, edits))  # fmt: skip


def _items(tree: Any) -> list[tuple[str, Any]]:
    return [(str(k), v) for k, v in tree.items()] if isinstance(tree, dict) else []


def _rate(value: Any, keys: tuple[str, ...], out: list[dict[str, Any]]) -> None:
    if _toggle(value, keys, out, "scale", "turn the rate limit on"):
        return
    leaf = _leaf(value, int)
    if leaf is not None and leaf[2] > 1:
        out.append(_switch("scale", "halve the rate limit", keys, [_edit(leaf, leaf[2] // 2)]))
        return
    for key, child in _items(value):
        leaf = _leaf(child, int)
        if _norm(key) in _LIMITS and leaf is not None and leaf[2] > 1:
            out.append(_switch("scale", "halve the rate limit", (*keys, key),
                               [_edit(leaf, leaf[2] // 2)]))  # fmt: skip


def _edit(leaf: Leaf, new: Any) -> dict[str, Any]:
    text = ("true" if new else "false") if isinstance(new, bool) else str(new)
    return {"offset": leaf[0], "old": leaf[1], "new": text}


def _switch(kind: str, what: str, keys: tuple[str, ...], edits: list[dict[str, Any]]) -> dict[
        str, Any]:  # fmt: skip
    return {"key": ".".join(keys), "kind": kind, "what": what, "edits": edits}


# --- parsers that keep each value's offset ---------------------------------------------------


def _yaml(text: str, path: str) -> list[dict[str, Any]]:
    """YAML and JSON (JSON parses as YAML) through the node graph, which keeps offsets."""
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.YAMLError as exc:
        if not path.endswith(".json"):
            problem(text, yaml_error(exc))
        elif not _json_ok(text):  # valid JSON that YAML refuses (tabs): nothing to report
            problem(text, "not valid JSON")
        return []
    if _node_count(nodes) > MAX_VALUES:
        problem(text, f"YAML aliases expand to more than {MAX_VALUES} values")
        return []
    out: list[dict[str, Any]] = []
    for index, node in enumerate(n for n in nodes if n is not None):
        _find(_tree(node, text), (str(index),) if len(nodes) > 1 else (), out)
    return out


def _json_ok(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _node_count(nodes: list[Any]) -> int:
    """Nodes as `_tree` walks them (an alias is walked again each time), up to the cap."""
    todo = [n for n in nodes if n is not None]
    seen = 0
    while todo and seen <= MAX_VALUES:
        seen += 1
        node = todo.pop()
        if isinstance(node, yaml.MappingNode):
            todo.extend(v for _, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)
    return seen


def _tree(node: yaml.Node, text: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        return {str(k.value): _tree(v, text) for k, v in node.value
                if isinstance(k, yaml.ScalarNode)}  # fmt: skip
    if isinstance(node, yaml.SequenceNode):
        return [_tree(v, text) for v in node.value]
    if isinstance(node, yaml.ScalarNode) and not node.style:
        raw = text[node.start_mark.index : node.end_mark.index]
        if re.fullmatch(r"true|false|True|False|TRUE|FALSE", raw):
            return (node.start_mark.index, raw, raw.lower() == "true")
        if re.fullmatch(r"[0-9]+", raw):
            return (node.start_mark.index, raw, int(raw))
    return None


_HEADER = re.compile(r"^[ \t]*\[([^\[\]\n]+)\][ \t]*(?:#.*)?$", re.MULTILINE)
_ASSIGN = re.compile(r"^[ \t]*([A-Za-z0-9_\-\.\"' ]+?)[ \t]*=[ \t]*(true|false|[0-9]+)[ \t]*"
                     r"(?:#.*)?$", re.MULTILINE)  # fmt: skip


def _toml(text: str) -> list[dict[str, Any]]:
    """Plain `[table]` / `key = value` TOML; the parser confirms what the lines say."""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problem(text, f"not valid TOML ({exc})")
        return []
    tree: dict[str, Any] = {}
    headers = [(m.start(), _dotted(m.group(1))) for m in _HEADER.finditer(text)]
    for m in _ASSIGN.finditer(text):
        table = next((h for start, h in reversed(headers) if start < m.start()), [])
        node = tree
        keys = [*table, *_dotted(m.group(1))]
        for key in keys[:-1]:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                break
        else:
            raw = m.group(2)
            value: Any = raw == "true" if raw in ("true", "false") else int(raw)
            node[keys[-1]] = (m.start(2), raw, value)
    return _confirmed(tree, tomllib.loads(text), [])


def _dotted(key: str) -> list[str]:
    return [part.strip().strip("\"'") for part in key.split(".")]


def _confirmed(tree: dict[str, Any], parsed: Any, out: list[dict[str, Any]]) -> list[
        dict[str, Any]]:  # fmt: skip
    """Keep a switch only where the TOML parser reads the same value at the same key."""
    found: list[dict[str, Any]] = []
    _find(tree, (), found)
    for item in found:
        value: Any = parsed
        for key in item["key"].split("."):
            value = value.get(key) if isinstance(value, dict) else None
        (edit,) = item["edits"] if len(item["edits"]) == 1 else (None,)
        if edit is not None and str(value).lower() == edit["old"] and type(value) in (bool, int):
            out.append(item)
    return out


_ZONE = re.compile(r"^[ \t]*limit_req_zone\b[^;#\n]*?\bzone=([^:\s;]+)[^;#\n]*?\brate=([0-9]+)r/([sm])",
                   re.MULTILINE)  # fmt: skip


def _nginx(text: str) -> list[dict[str, Any]]:
    """nginx `limit_req_zone ... rate=Nr/s`: halve the rate of every zone that is used."""
    out = []
    for m in _ZONE.finditer(text):
        rate = int(m.group(2))
        if rate > 1 and re.search(r"\blimit_req\s+zone=" + re.escape(m.group(1)) + r"\b", text):
            edit = {"offset": m.start(2), "old": m.group(2), "new": str(rate // 2)}
            out.append(_switch("scale", f"halve the nginx request rate of zone {m.group(1)} "
                               "(takes effect after nginx -s reload)", ("limit_req_zone",
                               m.group(1)), [edit]))  # fmt: skip
    return out


# --- levers ----------------------------------------------------------------------------------


def levers(s: Surface) -> list[Lever]:
    out = []
    for item in s.details.get("switches", []):
        change = f"{item['what']}: " + ", ".join(
            f"{e['old']} → {e['new']}" for e in item["edits"]) + f" at {item['key']}"  # fmt: skip
        out.append(Lever(
            id=f"{item['kind']}:switch:{s.path}:{item['key']}", kind=str(item["kind"]),
            target=f"{item['key']} in {s.path}",
            command=Action(file=s.path, change=change),
            rollback=Action(file=s.path, change="restore the exact previous bytes"),
            executor=SWITCH, eta_s=ETA_S, source=s.path,
            evidence=(item["what"], "takes effect when the service reloads or is redeployed "
                      "with this file"),
            params={"file": s.path, "key": item["key"], "sha256": s.details["sha256"],
                    "edits": item["edits"]},
        ))  # fmt: skip
    return out
