"""Flag services: Unleash environment toggles and LaunchDarkly semantic patches."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import httpx

from stanch.levers.executors import Check, Ctx, Done, Plan

LD_SEMANTIC = "application/json; domain-model=launchdarkly.semanticpatch"
LD_DEFAULT_URL = "https://app.launchdarkly.com"


def _conf(ctx: Ctx, provider: str) -> tuple[str, dict[str, str]]:
    return connection(ctx.services, provider)


def connection(services: dict[str, dict[str, Any]], provider: str) -> tuple[str, dict[str, str]]:
    """Base URL and auth header of a configured flag service; LookupError when incomplete."""
    conf = services.get(provider) or {}
    url = str(conf.get("url") or (LD_DEFAULT_URL if provider == "launchdarkly" else ""))
    token = os.environ.get(str(conf.get("token_env") or f"{provider.upper()}_TOKEN"), "")
    if not url or not token:
        raise LookupError(f"{provider}: set url and the token variable in [levers.{provider}]")
    return url.rstrip("/"), {"Authorization": token}


def _client(url: str, headers: dict[str, str], ctx: Ctx) -> httpx.Client:
    return httpx.Client(base_url=url, headers=headers, timeout=ctx.runner.timeout)


def _shown(response: httpx.Response) -> dict[str, Any]:
    return {"http": f"{response.request.method} {response.request.url.path}",
            "status": response.status_code, "body": response.text[:500]}  # fmt: skip


ReadState = Callable[[httpx.Client, Plan], tuple[bool | None, httpx.Response]]


def _check_on(plan: Plan, ctx: Ctx, service: str, read: ReadState, restores: str) -> Check:
    """Viability of a flag-off lever on a flag service: the flag exists and is on now."""
    try:
        url, headers = _conf(ctx, service)
        with _client(url, headers, ctx) as client:
            on, got = read(client, plan)
    except (LookupError, httpx.HTTPError) as exc:
        return Check(False, str(exc))
    if on is None:
        return Check(False, f"flag or environment not found (HTTP {got.status_code})",
                     results=(_shown(got),))  # fmt: skip
    if not on:
        return Check(False, "the flag is already off in that environment")
    return Check(True, f"flag is on; {restores}", plan["command"], plan["rollback"],
                 (_shown(got),))  # fmt: skip


class UnleashExecutor:
    """POST …/environments/{env}/off, verified by reading the flag back."""

    def _enabled(self, client: httpx.Client, plan: Plan) -> tuple[bool | None, httpx.Response]:
        p = plan["params"]
        got = client.get(f"/api/admin/projects/{p['project']}/features/{p['key']}")
        if got.status_code != 200:
            return None, got
        envs = {e.get("name"): e for e in got.json().get("environments", [])}
        env = envs.get(p["environment"])
        return (None if env is None else bool(env.get("enabled"))), got

    def check(self, plan: Plan, ctx: Ctx) -> Check:
        return _check_on(plan, ctx, "unleash", self._enabled, "turning it on again restores it")

    def _toggle(self, plan: Plan, ctx: Ctx, action: dict[str, Any], want: bool) -> Done:
        try:
            url, headers = _conf(ctx, "unleash")
            if ctx.runner.dry_run:
                return Done(True, f"dry run: {action['method']} {action['url']}")
            with _client(url, headers, ctx) as client:
                sent = client.request(str(action["method"]), str(action["url"]), json={})
                enabled, got = self._enabled(client, plan)
        except (LookupError, httpx.HTTPError) as exc:
            return Done(False, str(exc))
        ok = sent.status_code == 200 and enabled is want
        return Done(ok, f"environment {'on' if want else 'off'}" if ok else
                    f"HTTP {sent.status_code}: {sent.text[:200]}",
                    (_shown(sent), _shown(got)), plan.get("rollback"))  # fmt: skip

    def apply(self, plan: Plan, ctx: Ctx) -> Done:
        return self._toggle(plan, ctx, plan["command"]["http"], want=False)

    def undo(self, applied: Plan, ctx: Ctx) -> Done:
        return self._toggle(applied, ctx, applied["rollback"]["http"], want=True)


class LaunchDarklyExecutor:
    """Semantic patch turnFlagOff / turnFlagOn in one environment."""

    def _on(self, client: httpx.Client, plan: Plan) -> tuple[bool | None, httpx.Response]:
        p = plan["params"]
        got = client.get(f"/api/v2/flags/{p['project']}/{p['key']}",
                         params={"env": p["environment"]})  # fmt: skip
        if got.status_code != 200:
            return None, got
        env = (got.json().get("environments") or {}).get(p["environment"])
        return (None if env is None else bool(env.get("on"))), got

    def check(self, plan: Plan, ctx: Ctx) -> Check:
        return _check_on(plan, ctx, "launchdarkly", self._on, "turnFlagOn restores it")

    def _patch(self, plan: Plan, ctx: Ctx, action: dict[str, Any], want: bool) -> Done:
        p = plan["params"]
        body = {"environmentKey": p["environment"], "comment": "stanch mitigation",
                "instructions": [{"kind": action["instruction"]}]}  # fmt: skip
        try:
            url, headers = _conf(ctx, "launchdarkly")
            if ctx.runner.dry_run:
                return Done(True, f"dry run: PATCH {action['url']} {action['instruction']}")
            headers = {**headers, "Content-Type": LD_SEMANTIC, "LD-API-Version": "20240415"}
            with _client(url, headers, ctx) as client:
                sent = client.patch(str(action["url"]), json=body)
        except (LookupError, httpx.HTTPError) as exc:
            return Done(False, str(exc))
        env: dict[str, Any] = {}
        if sent.status_code == 200:
            env = (sent.json().get("environments") or {}).get(p["environment"]) or {}
        ok = sent.status_code == 200 and env.get("on") is want
        return Done(ok, action["instruction"] if ok else
                    f"HTTP {sent.status_code}: {sent.text[:200]}", (_shown(sent),),
                    plan.get("rollback"))  # fmt: skip

    def apply(self, plan: Plan, ctx: Ctx) -> Done:
        return self._patch(plan, ctx, plan["command"]["http"], want=False)

    def undo(self, applied: Plan, ctx: Ctx) -> Done:
        return self._patch(applied, ctx, applied["rollback"]["http"], want=True)
