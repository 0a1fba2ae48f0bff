"""HCL (Terraform) read with python-hcl2's parser: blocks, labels and attributes, each with
its character offsets in the text, so a lever can edit one value and nothing else."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

VAR = re.compile(r"var\.([A-Za-z_][\w-]*)")


@dataclass(frozen=True)
class Attr:
    """`name = value`: where the value's text starts and ends."""

    start: int
    end: int
    raw: str

    @property
    def number(self) -> int | None:
        return int(self.raw) if self.raw.isdigit() else None

    @property
    def var(self) -> str | None:
        """The variable a bare `var.NAME` value names."""
        found = VAR.fullmatch(self.raw)
        return found.group(1) if found else None


@dataclass(frozen=True)
class Block:
    type: str
    labels: tuple[str, ...]
    start: int  # just after `{`
    end: int  # at the closing `}`
    attrs: dict[str, Attr] = field(default_factory=dict)
    blocks: tuple[Block, ...] = ()

    def children(self, *types: str) -> list[Block]:
        return [b for b in self.blocks if b.type in types]


def parse(text: str) -> Block | None:
    """The whole file as one unlabelled block; None when it is not valid HCL."""
    import hcl2
    from lark.exceptions import LarkError

    try:
        tree = hcl2.parses_to_tree(text)
    except (LarkError, ValueError, RecursionError):
        return None
    body = next((c for c in tree.children if _name(c) == "body"), None)
    attrs, blocks = _body(body, text)
    return Block("", (), 0, len(text), attrs, blocks)


def _name(node: Any) -> str:
    return str(getattr(node, "data", "") or getattr(node, "type", ""))


def _body(body: Any, text: str) -> tuple[dict[str, Attr], tuple[Block, ...]]:
    attrs: dict[str, Attr] = {}
    blocks: list[Block] = []
    for node in getattr(body, "children", []):
        if _name(node) == "attribute":
            name, value = node.children[0], node.children[-1]
            key = _ident(name, text)
            start, end = value.meta.start_pos, value.meta.end_pos
            attrs.setdefault(key, Attr(start, end, text[start:end].strip()))
        elif _name(node) == "block":
            blocks.append(_block(node, text))
    return attrs, tuple(blocks)


def _block(node: Any, text: str) -> Block:
    kids = node.children
    kind = _ident(kids[0], text)
    labels = tuple(_label(k, text) for k in kids[1:] if _name(k) in ("string", "identifier"))
    lbrace = next(k for k in kids if _name(k) == "LBRACE")
    rbrace = next(k for k in reversed(kids) if _name(k) == "RBRACE")
    body = next((k for k in kids if _name(k) == "body"), None)
    attrs, blocks = _body(body, text)
    return Block(kind, labels, int(lbrace.start_pos) + 1, int(rbrace.start_pos), attrs, blocks)


def _ident(node: Any, text: str) -> str:
    return text[node.meta.start_pos : node.meta.end_pos].strip()


def _label(node: Any, text: str) -> str:
    raw = text[node.meta.start_pos : node.meta.end_pos]
    if _name(node) == "identifier":
        return raw
    try:
        return str(json.loads(raw))
    except ValueError:
        return raw[1:-1]
