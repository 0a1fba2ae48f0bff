"""YAML reading that does not turn `on:` into True and survives bad documents."""

from __future__ import annotations

import re
from contextvars import ContextVar
from typing import Any

import yaml


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans: only true/false, so `on:` stays a string."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _untagged(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
    """Local tags (GitLab's `!reference`, CloudFormation's `!Ref`) read as their plain value."""
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_Loader.add_multi_constructor("!", _untagged)


# Problems met while one file is read; the scan turns the first into that file's note.
PROBLEMS: ContextVar[list[str] | None] = ContextVar("yaml_problems", default=None)
MAX_VALUES = 200_000  # more than this after alias expansion is a "billion laughs" file


def problem(text: str, what: str) -> None:
    """Record why a file could not be read (templates are not broken YAML: not recorded)."""
    found = PROBLEMS.get()
    if found is not None and "{{" not in text and "{%" not in text:
        found.append(what)


def yaml_error(exc: yaml.YAMLError) -> str:
    """One line: what the parser says and where."""
    mark = getattr(exc, "problem_mark", None)
    what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"not valid YAML ({what}" + (f" at line {mark.line + 1})" if mark else ")")


def documents(text: str) -> list[Any]:
    """Every document of a (multi-document) YAML text; [] when it does not parse."""
    try:
        docs = [doc for doc in yaml.load_all(text, Loader=_Loader) if doc is not None]
    except yaml.YAMLError as exc:
        problem(text, yaml_error(exc))
        return []
    except RecursionError:
        problem(text, "not readable YAML (nested too deeply)")
        return []
    if oversized(docs):
        problem(text, f"YAML aliases expand to more than {MAX_VALUES} values")
        return []
    return docs


def oversized(docs: list[Any]) -> bool:
    """Whether the values, counted as a reader walks them (aliases expanded), exceed the cap."""
    todo = list(docs)
    seen = 0
    while todo:
        seen += 1
        if seen > MAX_VALUES:
            return True
        item = todo.pop()
        if isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return False


def one(text: str) -> Any:
    docs = documents(text)
    return docs[0] if docs else None


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def seq(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
