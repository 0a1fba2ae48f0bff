"""Weighted DNS records and load-balancer targets in Terraform, found read-only.

A careful reader limited to the blocks it needs (strings, comments and heredocs are
skipped when matching braces). Levers set a failing record's or target group's weight
to 0, or pull a target-group attachment with `count = 0`; each edits the .tf file and
then runs `terraform -chdir=DIR apply -target=ADDRESS` (its way back restores the
previous bytes and runs the same apply).
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from stanch.levers.file_edit import SWITCH, sha
from stanch.model.levers import Action, Lever, Surface

TRAFFIC_WEIGHT = "traffic_weight"
ETA_S = 300  # terraform apply, then DNS TTLs / target deregistration delay
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_HEAD = re.compile(r"^[ \t]*([A-Za-z_][\w\-]*)((?:[ \t]+\"[^\"\n]*\")*)[ \t]*\{", re.MULTILINE)


@dataclass(frozen=True)
class Block:
    type: str
    labels: tuple[str, ...]
    start: int  # just after `{`
    end: int  # at the closing `}`


def _mask(text: str) -> list[int]:
    """Brace depth before each character; -1 inside strings, comments and heredocs."""
    depth, out, i, n = 0, [0] * len(text), 0, len(text)
    while i < n:
        c = text[i]
        skip = _skip(text, i)
        if skip > i:
            out[i:skip] = [-1] * (skip - i)
            i = skip
            continue
        out[i] = depth
        depth += 1 if c == "{" else -1 if c == "}" else 0
        i += 1
    return out


def _skip(text: str, i: int) -> int:
    """Where a string, comment or heredoc starting at i ends (i when none starts)."""
    c = text[i]
    if c == '"':
        j = i + 1
        while j < len(text) and text[j] not in '"\n':
            j += 2 if text[j] == "\\" else 1
        return min(j + 1, len(text))
    if c == "#" or text.startswith("//", i):
        j = text.find("\n", i)
        return len(text) if j < 0 else j
    if text.startswith("/*", i):
        j = text.find("*/", i + 2)
        return len(text) if j < 0 else j + 2
    heredoc = re.match(r"<<-?([A-Za-z_]\w*)[ \t]*\n", text[i : i + 80])
    if heredoc:
        end = re.compile(r"^[ \t]*" + re.escape(heredoc.group(1)) + r"[ \t]*$", re.MULTILINE)
        found = end.search(text, i + heredoc.end())
        return len(text) if found is None else found.end()
    return i


def blocks(text: str, mask: list[int], start: int, end: int, depth: int) -> list[Block]:
    out = []
    for m in _HEAD.finditer(text, start, end):
        brace = m.end() - 1
        if mask[m.start(1)] != depth or mask[brace] != depth:
            continue
        close = next((j for j in range(brace + 1, end) if text[j] == "}" and mask[j] == depth + 1
                      and mask[j] >= 0), None)  # fmt: skip
        if close is None:
            continue
        labels = tuple(re.findall(r"\"([^\"\n]*)\"", m.group(2)))
        out.append(Block(m.group(1), labels, brace + 1, close))
    return out


def attr(text: str, mask: list[int], b: Block, name: str, depth: int) -> tuple[int, str] | None:
    """(offset, raw value) of `name = value` directly in block b."""
    rx = re.compile(r"^[ \t]*" + re.escape(name) + r"[ \t]*=[ \t]*([^\n#]*?)[ \t]*(?:(?:#|//).*)?$",
                    re.MULTILINE)  # fmt: skip
    for m in rx.finditer(text, b.start, b.end):
        if mask[m.start()] == depth + 1 or (
            mask[m.start()] == -1 and mask[m.start(1)] == depth + 1
        ):
            return m.start(1), m.group(1)
    return None


def surfaces(tf_files: dict[str, str]) -> list[Surface]:
    out = []
    live = _live_names(tf_files)
    for path, text in sorted(tf_files.items()):
        if "aws_route53_record" not in text and "aws_lb" not in text and "aws_alb" not in text:
            continue
        folder = posixpath.dirname(path)
        elsewhere = Counter[str]()
        for other, names in live.items():
            if other != path and posixpath.dirname(other) == folder:
                elsewhere.update(names)
        found = _targets(text, elsewhere)
        if found:
            out.append(Surface(TRAFFIC_WEIGHT, path, path,
                               {"sha256": sha(text.encode("utf-8")), "switches": found}))  # fmt: skip
    return out


def _live_names(tf_files: dict[str, str]) -> dict[str, Counter[str]]:
    """Per file: how many weighted records with weight > 0 each DNS name has."""
    out = {}
    for path, text in tf_files.items():
        if "aws_route53_record" in text:
            names = Counter(name for _, (_, weight), name, _ in _weighted(text, _mask(text))
                            if weight > 0)  # fmt: skip
            out[path] = names
    return out


def _resources(text: str, mask: list[int]) -> list[Block]:
    return [b for b in blocks(text, mask, 0, len(text), 0)
            if b.type == "resource" and len(b.labels) == 2
            and _IDENT.fullmatch(b.labels[1])]  # fmt: skip


def _targets(text: str, elsewhere: Counter[str]) -> list[dict[str, Any]]:
    mask = _mask(text)
    resources = _resources(text, mask)
    out: list[dict[str, Any]] = []
    out.extend(_records(_weighted(text, mask), elsewhere))
    for r in resources:
        if r.labels[0] in ("aws_lb_listener", "aws_lb_listener_rule", "aws_alb_listener"):
            out.extend(_forwards(text, mask, r))
    out.extend(_attachments(text, mask, [r for r in resources
                                         if r.labels[0] == "aws_lb_target_group_attachment"]))  # fmt: skip
    return out


def _weight(text: str, mask: list[int], b: Block, depth: int) -> tuple[int, int] | None:
    found = attr(text, mask, b, "weight", depth)
    if found is None or not found[1].isdigit():
        return None
    return found[0], int(found[1])


Weighted = tuple[Block, tuple[int, int], str, str]  # record, (offset, weight), name, id


def _weighted(text: str, mask: list[int]) -> list[Weighted]:
    weighted: list[Weighted] = []
    records = [r for r in _resources(text, mask) if r.labels[0] == "aws_route53_record"]
    for r in records:
        policy = [b for b in blocks(text, mask, r.start, r.end, 1)
                  if b.type == "weighted_routing_policy"]  # fmt: skip
        found = _weight(text, mask, policy[0], 1) if policy else None
        dns = attr(text, mask, r, "name", 0)
        if found is not None and dns is not None:
            ident = attr(text, mask, r, "set_identifier", 0)
            weighted.append((r, found, dns[1], ident[1] if ident else ""))
    return weighted


def _records(weighted: list[Weighted], elsewhere: Counter[str]) -> list[dict[str, Any]]:
    """A record may go to weight 0 while another record of its name keeps weight."""
    out = []
    for r, (offset, weight), name, label in weighted:
        others = [o for o in weighted if o[0] is not r and o[2] == name and o[1][1] > 0]
        if weight > 0 and (others or elsewhere[name] > 0):
            out.append(_item(r, f"shift DNS weight away from {label or r.labels[1]} "
                             f"({name}): weight {weight} → 0",
                             [{"offset": offset, "old": str(weight), "new": "0"}]))  # fmt: skip
    return out


def _forwards(text: str, mask: list[int], r: Block) -> list[dict[str, Any]]:
    out = []
    actions = [b for b in blocks(text, mask, r.start, r.end, 1)
               if b.type in ("default_action", "action")]  # fmt: skip
    for action in actions:
        for fwd in [b for b in blocks(text, mask, action.start, action.end, 2)
                    if b.type == "forward"]:  # fmt: skip
            groups = [(g, _weight(text, mask, g, 3)) for g in
                      blocks(text, mask, fwd.start, fwd.end, 3) if g.type == "target_group"]  # fmt: skip
            live = [(g, w) for g, w in groups if w is not None and w[1] > 0]
            for g, w in live if len(live) > 1 else []:
                arn = attr(text, mask, g, "arn", 3)
                what = arn[1] if arn else "target group"
                out.append(_item(r, f"shift load-balancer weight away from {what}: "
                                 f"weight {w[1]} → 0",
                                 [{"offset": w[0], "old": str(w[1]), "new": "0"}]))  # fmt: skip
    return out


def _attachments(text: str, mask: list[int], found: list[Block]) -> list[dict[str, Any]]:
    out = []
    groups: dict[str, int] = {}
    for b in found:
        arn = attr(text, mask, b, "target_group_arn", 0)
        groups[arn[1] if arn else ""] = groups.get(arn[1] if arn else "", 0) + 1
    for b in found:
        arn = attr(text, mask, b, "target_group_arn", 0)
        target = attr(text, mask, b, "target_id", 0)
        counted = attr(text, mask, b, "count", 0) or attr(text, mask, b, "for_each", 0)
        if arn is None or counted is not None or groups[arn[1]] < 2:
            continue
        what = f"pull target {target[1] if target else b.labels[1]} from {arn[1]}"
        out.append(_item(b, what, [{"offset": b.start, "old": "",
                                    "new": "\n  count = 0 # target pulled from the load balancer"}]))  # fmt: skip
    return out


def _item(r: Block, what: str, edits: list[dict[str, Any]]) -> dict[str, Any]:
    return {"key": f"{r.labels[0]}.{r.labels[1]}", "what": what, "edits": edits}


def levers(s: Surface) -> list[Lever]:
    folder = posixpath.dirname(s.path) or "."
    out = []
    for item in s.details.get("switches", []):
        address = str(item["key"])
        argv = ("terraform", f"-chdir={folder}", "apply", "-input=false", "-auto-approve",
                f"-target={address}")  # fmt: skip
        run = Action(argv).text()
        out.append(Lever(
            id=f"failover:terraform:{s.path}:{address}:{item['edits'][0]['offset']}",
            kind="failover", target=f"{address} in {s.path}",
            command=Action(file=s.path, change=f"{item['what']}; then {run}"),
            rollback=Action(file=s.path, change=f"restore the exact previous bytes; then {run}"),
            executor=SWITCH, eta_s=ETA_S, source=s.path,
            evidence=(f"takes effect after terraform apply ({run})", item["what"]),
            params={"file": s.path, "key": address, "sha256": s.details["sha256"],
                    "edits": item["edits"], "apply_argv": list(argv)},
        ))  # fmt: skip
    return out
