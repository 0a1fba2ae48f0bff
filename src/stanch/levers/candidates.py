"""Turn discovered surfaces into candidate levers, each with its command and way back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stanch.levers import switches, terraform_levers
from stanch.model.levers import (
    FLAGD,
    LAUNCHDARKLY,
    UNLEASH,
    Action,
    Lever,
    Surface,
)  # fmt: skip


@dataclass(frozen=True)
class FlagServices:
    """Which flag services are configured (settings [levers.unleash] / [levers.launchdarkly])."""

    unleash: dict[str, Any] = field(default_factory=dict)
    launchdarkly: dict[str, Any] = field(default_factory=dict)


def _ns(namespace: Any) -> tuple[str, ...]:
    return ("-n", str(namespace)) if namespace else ()


def _gitops_for(s: Surface, gitops: list[Surface]) -> Surface | None:
    """The Flux/Argo object that reconciles this path, if any."""
    for g in gitops:
        root = g.details.get("path")
        if root and (s.path.startswith(str(root).rstrip("/") + "/") or root == "."):
            return g
    return None


def _suspend(g: Surface) -> tuple[tuple[Action, ...], tuple[Action, ...], str]:
    ns = ("-n", str(g.details.get("namespace")))
    if g.details.get("tool") == "flux":
        obj = str(g.details.get("object"))
        return ((Action(("flux", "suspend", obj, g.name, *ns)),),
                (Action(("flux", "resume", obj, g.name, *ns)),),
                f"managed by Flux {obj} {g.name}: reconciliation is suspended first")  # fmt: skip
    return ((Action(("argocd", "app", "set", g.name, "--sync-policy", "none")),),
            (Action(("argocd", "app", "set", g.name, "--sync-policy", "automated")),),
            f"managed by Argo CD application {g.name}: auto-sync is turned off first")  # fmt: skip


def _workload_levers(s: Surface, hpas: list[Surface], gitops: list[Surface]) -> list[Lever]:
    kind = str(s.details.get("workload_kind", "Deployment")).lower()
    if kind not in ("deployment", "statefulset", "daemonset"):
        return []
    ns = s.details.get("namespace")
    ref = f"{kind}/{s.name}"
    where = f"{ref} -n {ns}" if ns else ref
    owner = _gitops_for(s, gitops)
    pre, post, note = _suspend(owner) if owner else ((), (), "")
    evidence = tuple(n for n in (note, *s.details.get("notes", [])) if n)
    key = f"{s.name}@{ns}" if ns else s.name
    out = [Lever(
        id=f"rollback:{kind}:{key}", kind="rollback", target=where,
        command=Action(("kubectl", "rollout", "undo", ref, *_ns(ns))),
        rollback=Action(("kubectl", "rollout", "undo", ref, *_ns(ns))),
        viability=Action(("kubectl", "rollout", "history", ref, *_ns(ns))),
        eta_s=90, source=s.path, evidence=evidence,
        params={"resource": ref, "namespace": ns, "kind": kind}, prelude=pre, postlude=post,
    )]  # fmt: skip
    hpa = next((h for h in hpas if h.details.get("target", "").lower() == ref), None)
    replicas = s.details.get("replicas")
    if kind != "daemonset" and hpa is None:
        new = max(2, int(replicas or 1) * 2)
        out.append(Lever(
            id=f"scale:{kind}:{key}", kind="scale", target=where,
            command=Action(("kubectl", "scale", ref, f"--replicas={new}", *_ns(ns))),
            rollback=Action(("kubectl", "scale", ref, f"--replicas={replicas or 1}", *_ns(ns))),
            viability=Action(("kubectl", "get", ref, *_ns(ns), "-o",
                              "jsonpath={.spec.replicas}")),
            eta_s=45, source=s.path, evidence=(*evidence, f"replicas {replicas} → {new}"),
            params={"resource": ref, "namespace": ns, "replicas": new, "kind": kind},
            prelude=pre, postlude=post,
        ))  # fmt: skip
    for flag in s.details.get("env_flags", []):
        out.append(_env_lever(s, ref, ns, key, flag, evidence, pre, post))
    return out


def _env_lever(
    s: Surface, ref: str, ns: Any, key: str, flag: dict[str, Any],
    evidence: tuple[str, ...], pre: tuple[Action, ...], post: tuple[Action, ...],
) -> Lever:  # fmt: skip
    name = str(flag["key"])
    off = "true" if flag.get("inverted") else "false"
    old = flag.get("value")
    undo = f"{name}={old}" if old is not None else f"{name}-"
    kind = "failover" if flag.get("switch") else "flag_off"
    if flag.get("switch"):
        off = "true"
    why = f"{name} is inverted: setting it to true turns the feature off" if flag.get(
        "inverted") else f"{name}={off}"  # fmt: skip
    return Lever(
        id=f"{kind}:env:{key}:{name}", kind=kind, target=f"{ref} env {name}",
        command=Action(("kubectl", "set", "env", ref, *_ns(ns), f"{name}={off}")),
        rollback=Action(("kubectl", "set", "env", ref, *_ns(ns), undo)),
        viability=Action(("kubectl", "get", ref, *_ns(ns), "-o", "name")),
        eta_s=90, source=s.path, evidence=(*evidence, why), prelude=pre, postlude=post,
        params={"resource": ref, "namespace": ns, "env": name},
    )  # fmt: skip


def _hpa_lever(h: Surface, gitops: list[Surface]) -> Lever:
    ns = h.details.get("namespace")
    low = int(h.details.get("min_replicas") or 1)
    high = h.details.get("max_replicas")
    new = max(low * 2, low + 1) if not high else min(int(high), max(low * 2, low + 1))
    owner = _gitops_for(h, gitops)
    pre, post, note = _suspend(owner) if owner else ((), (), "")
    patch = '{"spec":{"minReplicas":%d}}'
    return Lever(
        id=f"scale:hpa:{h.name}@{ns}" if ns else f"scale:hpa:{h.name}", kind="scale",
        target=f"hpa/{h.name}" + (f" -n {ns}" if ns else ""),
        command=Action(("kubectl", "patch", "hpa", h.name, *_ns(ns), "--type=merge", "-p",
                        patch % new)),
        rollback=Action(("kubectl", "patch", "hpa", h.name, *_ns(ns), "--type=merge", "-p",
                         patch % low)),
        viability=Action(("kubectl", "get", "hpa", h.name, *_ns(ns), "-o",
                          "jsonpath={.spec.minReplicas}")),
        eta_s=60, source=h.path, prelude=pre, postlude=post,
        evidence=tuple(x for x in (note, f"minReplicas {low} → {new} (max {high})") if x),
        params={"hpa": h.name, "namespace": ns, "min_replicas": new, "old_min": low},
    )  # fmt: skip


def _helm_lever(r: Surface) -> Lever:
    ns = r.details.get("namespace")
    via = r.details.get("via")
    pre: tuple[Action, ...] = ()
    post: tuple[Action, ...] = ()
    note = f"release declared in {r.path} ({via})"
    if r.details.get("source") == "live":
        note = (f"live release: revision {r.details.get('revision')} "
                f"({r.details.get('status')}, chart {r.details.get('chart')})")  # fmt: skip
    if via == "flux":
        pre = (Action(("flux", "suspend", "helmrelease", r.name, *_ns(ns))),)
        post = (Action(("flux", "resume", "helmrelease", r.name, *_ns(ns))),)
        note += "; Flux would undo a rollback, so it is suspended first"
    return Lever(
        id=f"rollback:helm:{r.name}@{ns}" if ns else f"rollback:helm:{r.name}", kind="rollback",
        target=f"helm release {r.name}" + (f" -n {ns}" if ns else ""),
        command=Action(("helm", "rollback", r.name, *_ns(ns))),
        rollback=Action(("helm", "rollback", r.name, *_ns(ns))),
        viability=Action(("helm", "history", r.name, *_ns(ns), "-o", "json")),
        eta_s=120, source=r.path, evidence=(note,), prelude=pre, postlude=post,
        params={"release": r.name, "namespace": ns},
    )  # fmt: skip


def _flag_levers(s: Surface, services: FlagServices) -> list[Lever]:
    provider = s.details.get("provider")
    out = []
    for flag in s.details.get("flags", []):
        key = str(flag["key"])
        if provider == "flagd":
            off = flag.get("off_variant")
            if off is None or flag.get("state") == "DISABLED":
                continue
            change = f"flag {key!r}: defaultVariant → {off!r}" + (
                ", targeting removed (it overrides the default)" if flag.get("targeting") else ""
            )
            out.append(Lever(
                id=f"flag_off:flagd:{key}", kind="flag_off", target=f"flagd {key} in {s.path}",
                command=Action(file=s.path, change=change),
                rollback=Action(file=s.path, change="restore the exact previous bytes"),
                executor=FLAGD, eta_s=10, source=s.path,
                evidence=(f"default is {flag.get('default')!r}",),
                params={"file": s.path, "key": key, "off_variant": off},
            ))  # fmt: skip
        elif provider == UNLEASH and services.unleash:
            out.append(_service_lever(UNLEASH, key, s.path, services.unleash))
        elif provider == LAUNCHDARKLY and services.launchdarkly:
            out.append(_service_lever(LAUNCHDARKLY, key, s.path, services.launchdarkly))
    return out


def _service_lever(provider: str, key: str, path: str, conf: dict[str, Any]) -> Lever:
    env = str(conf.get("environment", "production"))
    project = str(conf.get("project", "default"))
    if provider == UNLEASH:
        base = f"/api/admin/projects/{project}/features/{key}/environments/{env}"
        command = {"method": "POST", "url": f"{base}/off"}
        undo = {"method": "POST", "url": f"{base}/on"}
        change = "Unleash environment toggle off"
    else:
        base = f"/api/v2/flags/{project}/{key}"
        command = {"method": "PATCH", "url": base, "instruction": "turnFlagOff"}
        undo = {"method": "PATCH", "url": base, "instruction": "turnFlagOn"}
        change = "LaunchDarkly semantic patch turnFlagOff"
    return Lever(
        id=f"flag_off:{provider}:{key}", kind="flag_off", target=f"{provider} {key} in {env}",
        command=Action(http=command, change=change),
        rollback=Action(http=undo, change=change.replace("off", "on").replace("Off", "On")),
        executor=provider, eta_s=15, source=path, evidence=(f"flag {key} referenced in {path}",),
        params={"key": key, "project": project, "environment": env},
    )  # fmt: skip


def _node_levers(nodes: list[str]) -> list[Lever]:
    out = []
    for node in nodes:
        out.append(Lever(
            id=f"failover:cordon:{node}", kind="failover", target=f"node/{node}",
            command=Action(("kubectl", "cordon", node)),
            rollback=Action(("kubectl", "uncordon", node)),
            viability=Action(("kubectl", "get", "node", node, "-o", "name")), eta_s=30,
            evidence=("stops new pods landing on the node; running pods stay",),
            params={"node": node},
        ))  # fmt: skip
        out.append(Lever(
            id=f"failover:drain:{node}", kind="failover", target=f"node/{node}",
            command=Action(("kubectl", "drain", node, "--ignore-daemonsets",
                            "--delete-emptydir-data", "--timeout=120s")),
            rollback=Action(("kubectl", "uncordon", node)),
            viability=Action(("kubectl", "get", "node", node, "-o", "name")), eta_s=180,
            destructive=True,
            evidence=("drain evicts pods: uncordon does not bring them back; emptyDir data is lost",),
            params={"node": node},
        ))  # fmt: skip
    return out


def _make_levers(s: Surface) -> list[Lever]:
    """Makefile rollback targets: offered, but with no known way back the guard refuses them."""
    folder = s.path.rsplit("/", 1)[0] if "/" in s.path else "."
    out = []
    for target in s.details.get("targets", []):
        if not any(word in target for word in ("rollback", "roll-back", "undo", "revert")):
            continue
        out.append(Lever(
            id=f"rollback:make:{folder}:{target}", kind="rollback", target=f"make {target}",
            command=Action(("make", "-C", folder, target)), rollback=None, reversible=False,
            eta_s=300, source=s.path,
            evidence=("a Makefile target: what it undoes and how to undo it are unknown",),
        ))  # fmt: skip
    return out


def candidates(
    surfaces: list[Surface], services: FlagServices | None = None, nodes: list[str] | None = None
) -> list[Lever]:
    """Every lever the surfaces offer (not yet ranked)."""
    services = services or FlagServices()
    gitops = [s for s in surfaces if s.kind == "gitops"]
    hpas = [s for s in surfaces if s.kind == "hpa"]
    out: list[Lever] = []
    for s in surfaces:
        if s.kind == "k8s_workload":
            out.extend(_workload_levers(s, hpas, gitops))
        elif s.kind == "hpa":
            out.append(_hpa_lever(s, gitops))
        elif s.kind == "helm_release":
            out.append(_helm_lever(s))
        elif s.kind == "feature_flags":
            out.extend(_flag_levers(s, services))
        elif s.kind == "makefile":
            out.extend(_make_levers(s))
        elif s.kind == switches.CONFIG_SWITCH:
            out.extend(switches.levers(s))
        elif s.kind == terraform_levers.TRAFFIC_WEIGHT:
            out.extend(terraform_levers.levers(s))
    out.extend(_node_levers(nodes or []))
    unique: dict[str, Lever] = {}
    for lever in out:
        unique.setdefault(lever.id, lever)
    return list(unique.values())
