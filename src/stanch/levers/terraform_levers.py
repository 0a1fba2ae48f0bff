"""Weighted DNS records and load-balancer targets in Terraform, found read-only.

Files are read with python-hcl2's parser (levers/hcl.py), which keeps every value's
offsets. Levers set a failing record's or target group's weight to 0, or pull a
target-group attachment with `count = 0`; each edits one file and then runs
`terraform -chdir=DIR apply -target=ADDRESS` (its way back restores the previous bytes
and runs the same apply). A weight given as `var.NAME` is edited where its value comes
from: the last `*.auto.tfvars`, else `terraform.tfvars`, else the variable's `default`
(only when no other weight uses that variable).
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from stanch.levers.file_edit import SWITCH, sha
from stanch.levers.hcl import Attr, Block, parse
from stanch.levers.reading import Reader
from stanch.model.levers import Action, Lever, Surface

TRAFFIC_WEIGHT = "traffic_weight"
ETA_S = 300  # terraform apply, then DNS TTLs / target deregistration delay
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_LISTENERS = ("aws_lb_listener", "aws_lb_listener_rule", "aws_alb_listener")


@dataclass(frozen=True)
class Value:
    """A whole-number weight and where to edit it (its own file, or a variable's value)."""

    file: str
    attr: Attr
    number: int
    via: str = ""  # "var.x (default in infra/variables.tf)" when it comes from a variable
    sha256: str = ""  # of that file, when it is not the resource's own


@dataclass
class Folder:
    """The parsed .tf and .tfvars files of one folder, and where each variable's value is."""

    files: dict[str, Block]
    texts: dict[str, str]
    values: dict[str, tuple[str, Attr, str]]  # variable → (file, attr, where)
    uses: Counter[str]  # variable → how many weights use it

    def resolve(self, path: str, attr: Attr | None) -> Value | None:
        if attr is None:
            return None
        if attr.number is not None:
            return Value(path, attr, attr.number)
        name = attr.var
        if name is None or name not in self.values or self.uses[name] != 1:
            return None  # an expression, an unknown variable, or one shared by other weights
        file, found, where = self.values[name]
        if found.number is None:
            return None
        digest = sha(self.texts[file].encode("utf-8"))
        return Value(file, found, found.number, f"var.{name} ({where})", digest)


def _relevant(text: str) -> bool:
    return "aws_route53_record" in text or "aws_lb" in text or "aws_alb" in text


def _folders(tf_files: dict[str, str], reader: Reader | None) -> dict[str, Folder]:
    """Parse only folders that declare weighted records or load balancers (parsing is slow)."""
    wanted = {posixpath.dirname(p) for p, text in tf_files.items()
              if p.endswith(".tf") and _relevant(text)}  # fmt: skip
    out: dict[str, Folder] = {}
    for path, text in sorted(tf_files.items()):
        folder = posixpath.dirname(path)
        if folder not in wanted or (path.endswith(".tf") and not _relevant(text)
                                    and "variable" not in text):  # fmt: skip
            continue
        parsed = parse(text)
        if parsed is None:
            if reader is not None:
                reader.skip(path, "not valid HCL")
            continue
        found = out.setdefault(folder, Folder({}, {}, {}, Counter()))
        found.files[path], found.texts[path] = parsed, text
    for found in out.values():
        _variables(found)
    return out


def _variables(folder: Folder) -> None:
    """Defaults, then terraform.tfvars, then *.auto.tfvars in name order (Terraform's order)."""
    tf = [p for p in folder.files if p.endswith(".tf")]
    for path in tf:
        for b in folder.files[path].children("variable"):
            default = b.attrs.get("default")
            if b.labels and default is not None:
                folder.values[b.labels[0]] = (path, default, f"default in {path}")
        for weight in _weight_attrs(folder.files[path]):
            if weight.var:
                folder.uses[weight.var] += 1
    tfvars = sorted(p for p in folder.files if p.endswith("/terraform.tfvars")
                    or p == "terraform.tfvars")  # fmt: skip
    tfvars += sorted(p for p in folder.files if p.endswith(".auto.tfvars"))
    for path in tfvars:
        for name, attr in folder.files[path].attrs.items():
            if name in folder.values:
                folder.values[name] = (path, attr, f"value in {path}")


def _weight_attrs(root: Block) -> list[Attr]:
    found = []
    for r in _resources(root):
        for b in r.children("weighted_routing_policy"):
            found.extend([b.attrs["weight"]] if "weight" in b.attrs else [])
        for action in r.children("default_action", "action"):
            for fwd in action.children("forward"):
                found.extend(g.attrs["weight"] for g in fwd.children("target_group")
                             if "weight" in g.attrs)  # fmt: skip
    return found


def surfaces(tf_files: dict[str, str], reader: Reader | None = None) -> list[Surface]:
    out = []
    for folder in _folders(tf_files, reader).values():
        live = {path: _live_names(folder, path) for path in folder.files}
        for path, root in sorted(folder.files.items()):
            if not path.endswith(".tf"):
                continue
            elsewhere = Counter[str]()
            for other, names in live.items():
                if other != path:
                    elsewhere.update(names)
            found = _targets(folder, path, root, elsewhere)
            if found:
                text = folder.texts[path].encode("utf-8")
                out.append(Surface(TRAFFIC_WEIGHT, path, path,
                                   {"sha256": sha(text), "switches": found}))  # fmt: skip
    return out


def _live_names(folder: Folder, path: str) -> Counter[str]:
    """How many weighted records with weight > 0 each DNS name has in one file."""
    return Counter(name for _, value, name, _ in _weighted(folder, path) if value.number > 0)


def _resources(root: Block) -> list[Block]:
    return [b for b in root.children("resource")
            if len(b.labels) == 2 and _IDENT.fullmatch(b.labels[1])]  # fmt: skip


def _targets(folder: Folder, path: str, root: Block, elsewhere: Counter[str]
             ) -> list[dict[str, Any]]:  # fmt: skip
    resources = _resources(root)
    out: list[dict[str, Any]] = []
    out.extend(_records(_weighted(folder, path), elsewhere))
    for r in resources:
        if r.labels[0] in _LISTENERS:
            out.extend(_forwards(folder, path, r))
    out.extend(_attachments([r for r in resources
                             if r.labels[0] == "aws_lb_target_group_attachment"]))  # fmt: skip
    return out


Weighted = tuple[Block, Value, str, str]  # record, weight, name, id


def _weighted(folder: Folder, path: str) -> list[Weighted]:
    weighted: list[Weighted] = []
    for r in _resources(folder.files[path]):
        if r.labels[0] != "aws_route53_record":
            continue
        policy = r.children("weighted_routing_policy")
        value = folder.resolve(path, policy[0].attrs.get("weight")) if policy else None
        dns = r.attrs.get("name")
        if value is not None and dns is not None:
            ident = r.attrs.get("set_identifier")
            weighted.append((r, value, dns.raw, ident.raw if ident else ""))
    return weighted


def _records(weighted: list[Weighted], elsewhere: Counter[str]) -> list[dict[str, Any]]:
    """A record may go to weight 0 while another record of its name keeps weight."""
    out = []
    for r, value, name, label in weighted:
        others = [o for o in weighted if o[0] is not r and o[2] == name and o[1].number > 0]
        if value.number > 0 and (others or elsewhere[name] > 0):
            what = f"shift DNS weight away from {label or r.labels[1]} ({name})"
            out.append(_item(r, what, value))
    return out


def _forwards(folder: Folder, path: str, r: Block) -> list[dict[str, Any]]:
    out = []
    for action in r.children("default_action", "action"):
        for fwd in action.children("forward"):
            groups = [(g, folder.resolve(path, g.attrs.get("weight")))
                      for g in fwd.children("target_group")]  # fmt: skip
            live = [(g, v) for g, v in groups if v is not None and v.number > 0]
            for g, value in live if len(live) > 1 else []:
                arn = g.attrs.get("arn")
                what = arn.raw if arn else "target group"
                out.append(_item(r, f"shift load-balancer weight away from {what}", value))
    return out


def _attachments(found: list[Block]) -> list[dict[str, Any]]:
    groups: Counter[str] = Counter()
    for b in found:
        arn = b.attrs.get("target_group_arn")
        groups[arn.raw if arn else ""] += 1
    out = []
    for b in found:
        arn, target = b.attrs.get("target_group_arn"), b.attrs.get("target_id")
        if arn is None or "count" in b.attrs or "for_each" in b.attrs or groups[arn.raw] < 2:
            continue
        what = f"pull target {target.raw if target else b.labels[1]} from {arn.raw}"
        out.append({"key": f"{b.labels[0]}.{b.labels[1]}", "what": what, "edits": [
            {"offset": b.start, "old": "",
             "new": "\n  count = 0 # target pulled from the load balancer"}]})  # fmt: skip
    return out


def _item(r: Block, what: str, value: Value) -> dict[str, Any]:
    via = f" via {value.via}" if value.via else ""
    item: dict[str, Any] = {
        "key": f"{r.labels[0]}.{r.labels[1]}", "what": f"{what}: weight{via} {value.number} → 0",
        "edits": [{"offset": value.attr.start, "old": value.attr.raw, "new": "0"}],
    }  # fmt: skip
    if value.via:
        item["file"], item["sha256"] = value.file, value.sha256  # the variable's file is edited
    return item


def levers(s: Surface) -> list[Lever]:
    folder = posixpath.dirname(s.path) or "."
    out = []
    for item in s.details.get("switches", []):
        address = str(item["key"])
        file = str(item.get("file", s.path))  # a variable's value may live in another file
        argv = ("terraform", f"-chdir={folder}", "apply", "-input=false", "-auto-approve",
                f"-target={address}")  # fmt: skip
        run = Action(argv).text()
        out.append(Lever(
            id=f"failover:terraform:{s.path}:{address}:{item['edits'][0]['offset']}",
            kind="failover", target=f"{address} in {s.path}",
            command=Action(file=file, change=f"{item['what']}; then {run}"),
            rollback=Action(file=file, change=f"restore the exact previous bytes; then {run}"),
            executor=SWITCH, eta_s=ETA_S, source=s.path,
            evidence=(f"takes effect after terraform apply ({run})", item["what"]),
            params={"file": file, "key": address, "sha256": item.get("sha256", s.details["sha256"]),
                    "edits": item["edits"], "apply_argv": list(argv)},
        ))  # fmt: skip
    return out
