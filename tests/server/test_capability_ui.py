"""The incident page's capability panels: rendered from the recorded events, forms with CSRF
that go through the same services (and guard) as the CLI, readable by a viewer, no forms."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from stanch.evidence.logs.finding import EVIDENCE_LOGS
from stanch.model import evidence as ev
from stanch.model.events import NewEvent
from stanch.model.kinds import SIGNAL_SAMPLED, SIGNAL_SET
from stanch.server.app import create_app
from stanch.server.config import ServerConfig
from stanch.server.svgplot import Mark, Point, chart
from stanch.services import incidents, levers, tokens
from stanch.services.context import App, record
from tests.conftest import T0
from tests.server.capability_support import kube, kube_standin, lever_app
from tests.server.conftest import Server, make_server
from tests.server.running import running

CHECKOUT = "rollback:deployment:checkout@shop"


def _login(s: Server, token: str) -> TestClient:
    assert s.client.post("/login", data={"token": token}, follow_redirects=False).status_code == 303
    return s.client


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found
    return found.group(1)


def _declare(s: Server) -> str:
    body = {"symptom": "Checkout returns 502", "severity": "SEV2", "services": ["checkout"]}
    made = s.client.post("/api/incidents", json=body, headers=s.auth(s.responder))
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def _add(app: App, key: str, kind: str, data: dict[str, Any]) -> None:
    now = app.clock()
    record(app, key, lambda _s: NewEvent(kind, "tester", now, now, data))


def _evidence(app: App, key: str) -> None:
    """What the evidence, logs and watch capabilities record, as they record it."""
    suspect = {"rank": 1, "kind": "flag", "trigger": "config", "id": "flag:new-checkout",
               "at": "2026-11-22T09:58:00Z", "summary": "enabled <new> checkout",
               "services": ["checkout"], "score": 0.91, "undo": "flagd off new-checkout"}  # fmt: skip
    now = app.clock()
    record(app, key, lambda _s: ev.finding(ev.EVIDENCE_CHANGES, {
        "summary": "1 suspect", "suspects": [suspect]}, "tester", now))  # fmt: skip
    hop = {"service": "checkout", "operation": "POST /pay", "downstream": "payments",
           "kind": "error", "error": "connection refused"}  # fmt: skip
    record(app, key, lambda _s: ev.finding(ev.EVIDENCE_TRACES, {
        "summary": "traces: 40/50 failing", "failing_hop": hop}, "tester", now))  # fmt: skip
    signature = {"id": "s1", "template": "upstream <*> refused", "change": "new", "count": 812,
                 "before_onset": 0, "after_onset": 812,
                 "first": {"at": "2026-11-22T09:59:30Z", "source": "app.log", "line": 3}}  # fmt: skip
    _add(app, key, EVIDENCE_LOGS, {"summary": "logs: 1 new signature", "signatures": [signature]})
    _add(app, key, SIGNAL_SET, {"kind": "promql", "expr": "sum(rate(errors[1m]))", "op": "<",
                                "threshold": 0.01, "source": "", "summary": "signal set"})  # fmt: skip
    for value in (0.3, 0.25, 0.004):
        _add(app, key, SIGNAL_SAMPLED, {"value": value, "healthy": value < 0.01,
                                        "summary": f"signal {value}"})  # fmt: skip


def test_panels_show_evidence_signatures_and_the_metric_plot(server: Server) -> None:
    s = server
    key = _declare(s)
    _evidence(s.app, key)
    page = _login(s, s.viewer).get(f"/incidents/{key}")
    assert page.status_code == 200, page.text
    html = page.text
    assert "flag:new-checkout" in html and "enabled &lt;new&gt; checkout" in html  # escaped
    assert "checkout</strong> POST /pay" in html and "payments" in html
    assert "connection refused" in html
    assert "upstream &lt;*&gt; refused" in html and "812×" in html
    svg = re.search(r'<svg class="plot".*?</svg>', html, re.S)
    assert svg and 'role="img"' in svg.group(0)
    points = re.search(r'<polyline class="series" points="([^"]+)"', svg.group(0))
    assert points and len(points.group(1).split()) == 3  # one per recorded sample
    assert svg.group(0).count('class="bad"') == 2 and svg.group(0).count('class="ok"') == 1
    assert 'class="threshold"' in svg.group(0)
    # a viewer reads every panel but gets no forms on them
    for panel in ("levers", "evidence", "updates", "actions", "postmortem"):
        assert f'id="{panel}"' in html
        assert f"/incidents/{key}/{panel}/form" not in html
        refused = s.client.post(f"/incidents/{key}/{panel}/form",
                                data={"action": "add", "csrf_token": "x"})  # fmt: skip
        assert refused.status_code == 403, panel
    s.client.post("/logout")
    gone = s.client.get(f"/incidents/{key}/levers", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"] == "/login"


def test_lever_forms_plan_apply_refusal_and_undo(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = kube_standin(tmp_path, monkeypatch)
    app = lever_app(project, tmp_path)
    s = make_server(app)
    try:
        with s.client:
            key = _declare(s)
            client = _login(s, s.responder)
            found = client.get(f"/incidents/{key}/levers")
            assert found.status_code == 200 and f"Plan {CHECKOUT}" in found.text
            assert "kubectl rollout undo deployment/checkout -n shop" in found.text
            page = client.get(f"/incidents/{key}")
            assert f'href="/incidents/{key}/levers"' in page.text
            form = f"/incidents/{key}/levers/form"
            assert form in page.text
            csrf = _csrf(page.text)
            forged = client.post(form, data={"action": "plan", "lever": CHECKOUT,
                                             "csrf_token": "0" * 64})  # fmt: skip
            assert forged.status_code == 403
            refused = client.post(form, data={"action": "apply", "lever": CHECKOUT,
                                              "csrf_token": csrf})  # fmt: skip
            assert refused.status_code == 200 and "no recorded plan" in refused.text
            assert 'role="alert"' in refused.text
            planned = client.post(form, data={"action": "plan", "lever": CHECKOUT,
                                              "csrf_token": csrf})  # fmt: skip
            assert (
                "kubectl rollout undo deployment/checkout -n shop --to-revision=2" in planned.text
            )
            assert "--to-revision=3" in planned.text  # the rollback, shown with the command
            applied = client.post(form, data={"action": "apply", "lever": CHECKOUT,
                                              "csrf_token": csrf})  # fmt: skip
            assert "applied, unconfirmed" in applied.text and "Confirm mitigation" in applied.text
            assert kube(state)["deployments"]["shop/checkout"]["revisions"] == [1, 3, 4]  # type: ignore[index]
            assert app.store.state(key).status.value == "mitigating"
            undone = client.post(form, data={"action": "undo", "lever": CHECKOUT,
                                             "csrf_token": csrf})  # fmt: skip
            assert undone.status_code == 200
            assert [e.kind for e in app.store.events(key)][-1] == "lever.undone"
    finally:
        app.close()


def test_action_item_update_hypothesis_and_postmortem_forms(any_server: Server) -> None:
    s = any_server
    key = _declare(s)
    client = _login(s, s.responder)
    csrf = _csrf(client.get(f"/incidents/{key}").text)
    vague = client.post(f"/incidents/{key}/actions/form", data={
        "action": "add", "text": "be more careful", "owner": "bob", "csrf_token": csrf})  # fmt: skip
    assert "not concrete" in vague.text
    added = client.post(f"/incidents/{key}/actions/form", data={
        "action": "add", "text": "Alert when checkout 5xx ratio exceeds 1% for 5 minutes",
        "owner": "bob", "priority": "P1", "csrf_token": csrf})  # fmt: skip
    assert "Alert when checkout 5xx ratio" in added.text and "bob, due" in added.text
    done = client.post(f"/incidents/{key}/actions/form", data={
        "action": "done", "item": "A1", "csrf_token": csrf})  # fmt: skip
    assert done.status_code == 200
    assert [e.kind for e in s.app.store.events(key)][-1] == "action.done"
    posted = client.post(f"/incidents/{key}/updates/form", data={
        "audience": "internal", "did": "rolled back checkout", "csrf_token": csrf})  # fmt: skip
    assert posted.status_code == 200
    (update,) = [e for e in s.app.store.events(key) if e.kind == "update.posted"]
    assert update.actor == "rory" and "rolled back checkout" in update.data["text"]
    proposed = client.post(f"/incidents/{key}/evidence/form", data={
        "action": "propose", "text": "the flag flip broke it", "predict": "flagged users fail",
        "csrf_token": csrf})  # fmt: skip
    assert "the flag flip broke it" in proposed.text and "Record verdict" in proposed.text
    drafted = client.post(f"/incidents/{key}/postmortem/form", data={
        "action": "draft", "csrf_token": csrf})  # fmt: skip
    assert "State: <strong>draft</strong>" in drafted.text
    final = client.post(f"/incidents/{key}/postmortem/form", data={
        "action": "final", "csrf_token": csrf})  # fmt: skip
    assert "cannot be final" in final.text  # refused: no trigger category yet


def test_updates_due_shown_and_overdue(server: Server) -> None:
    s = server
    key = _declare(s)
    page = _login(s, s.viewer).get(f"/incidents/{key}")
    section = page.text.split('id="updates"', 1)[1].split("</section>", 1)[0]
    assert "update due" in section or "update <strong>overdue" in section


def test_chart_is_pure_and_escaped() -> None:
    points = [Point(T0 + timedelta(minutes=i), v, v < 1) for i, v in enumerate((5.0, 2.0, 0.5))]
    svg = chart("<b>errors</b>", points, 1.0, [Mark(T0 + timedelta(minutes=1), "applied")])
    assert "<b>" not in svg and "&lt;b&gt;errors&lt;/b&gt;" in svg
    coords = re.search(r'points="([^"]+)"', svg)
    assert coords
    ys = [float(pair.split(",")[1]) for pair in coords.group(1).split()]
    assert ys[0] < ys[1] < ys[2]  # higher values are drawn higher up
    assert chart("empty", []) == ""


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "server"
UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(el => !(el.id && document.querySelector(`label[for="${el.id}"]`)) && !el.closest('label'))
  .map(el => el.name)"""


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian chromium")
def test_panels_on_a_phone_in_chromium(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every field labelled, nothing wider than the phone, the plot drawn; a screenshot kept."""
    from playwright.sync_api import sync_playwright

    kube_standin(tmp_path, monkeypatch)
    app = lever_app(project, tmp_path)
    token = tokens.create(app, "rory", "responder")
    key = incidents.declare(app, "Checkout returns 502", severity="SEV2",
                            services=["checkout"]).incident.id  # fmt: skip
    levers.plan(app, key, CHECKOUT, actor="rory")
    _evidence(app, key)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        with (
            running(create_app(app, ServerConfig(scheduler=False))) as base,
            sync_playwright() as pw,
        ):
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_context(
                viewport={"width": 390, "height": 844}, is_mobile=True
            ).new_page()
            page.goto(f"{base}/login")
            page.get_by_label("API token").fill(token)
            page.get_by_role("button", name="Log in").click()
            page.goto(f"{base}/incidents/{key}")
            assert page.evaluate(UNLABELLED) == []
            wide = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
            assert wide <= 0, f"the page scrolls sideways by {wide}px on a phone"
            box = page.locator("svg.plot").bounding_box()
            assert box and 0 < box["width"] <= 390
            assert page.get_by_role("img", name=re.compile("sum\\(rate")).count() == 1
            page.screenshot(path=str(ARTIFACTS / "incident-panels-phone.png"), full_page=True)
            for panel in ("levers", "signal", "evidence"):
                page.locator(f"#{panel}").screenshot(path=str(ARTIFACTS / f"panel-{panel}.png"))
            browser.close()
    finally:
        app.close()
