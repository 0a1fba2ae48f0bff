"""REST for the capabilities: levers under the CLI's guard, evidence, updates, postmortem,
action items; through HTTP, the real store (both where the store matters) and real git."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.capability_support import kube, kube_standin, lever_app
from tests.server.conftest import Server, make_server

CHECKOUT = "rollback:deployment:checkout@shop"
DRAIN = "failover:drain:node-1"
HPA = "scale:hpa:search@shop"


def declare(s: Server, **extra: object) -> str:
    body = {"symptom": "Checkout returns 502", "severity": "SEV2", "services": ["checkout"],
            **extra}  # fmt: skip
    made = s.client.post("/api/incidents", json=body, headers=s.auth(s.responder))
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


@pytest.fixture
def kube_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return kube_standin(tmp_path, monkeypatch)


@pytest.fixture
def lever_server(
    project: Path, tmp_path: Path, kube_state: Path, database_url: str
) -> Iterator[Server]:
    """A server whose [levers] repo is a real git repository; once per store."""
    app = lever_app(project, tmp_path, database_url)
    made = make_server(app)
    with made.client:
        yield made
    app.close()


def test_levers_list_plan_apply_undo_confirm(lever_server: Server, kube_state: Path) -> None:
    s = lever_server
    key = declare(s)
    r, v = s.auth(s.responder), s.auth(s.viewer)
    listed = s.client.get("/api/levers", params={"incident": key}, headers=v)
    assert listed.status_code == 200, listed.text
    ids = [lever["id"] for lever in listed.json()["levers"]]
    assert CHECKOUT in ids and DRAIN in ids
    # a viewer reads but may not plan
    assert s.client.post(f"/api/incidents/{key}/levers/plan", json={"lever": CHECKOUT},
                         headers=v).status_code == 403  # fmt: skip
    # the guard: no plan, no apply — 409 with the one-line reason
    early = s.client.post(f"/api/incidents/{key}/levers/apply", json={"lever": CHECKOUT}, headers=r)
    assert early.status_code == 409 and "no recorded plan" in early.json()["error"]
    planned = s.client.post(f"/api/incidents/{key}/levers/plan", json={"lever": CHECKOUT},
                            headers=r)  # fmt: skip
    assert planned.status_code == 201, planned.text
    assert planned.json()["command"][-1] == "--to-revision=2" and planned.json()["viable"]
    assert kube(kube_state)["deployments"]["shop/checkout"]["revisions"] == [1, 2, 3]  # type: ignore[index]
    applied = s.client.post(f"/api/incidents/{key}/levers/apply", json={"lever": CHECKOUT},
                            headers=r)  # fmt: skip
    assert applied.status_code == 201, applied.text
    assert applied.json()["status"] == "mitigating"
    assert applied.json()["rollback"][-1] == "--to-revision=3"
    state = s.client.get(f"/api/incidents/{key}/levers", headers=v).json()
    assert state["unconfirmed"] == [CHECKOUT]
    undone = s.client.post(f"/api/incidents/{key}/levers/undo", json={}, headers=r)
    assert undone.status_code == 201 and undone.json()["lever"] == CHECKOUT
    # a second lever while one is unconfirmed would be refused; after the undo it may go
    for step in ("plan", "apply"):
        went = s.client.post(f"/api/incidents/{key}/levers/{step}", json={"lever": HPA}, headers=r)
        assert went.status_code == 201, went.text
    assert kube(kube_state)["hpas"]["shop/search"]["min"] == 4  # type: ignore[index]
    confirmed = s.client.post(f"/api/incidents/{key}/levers/confirm",
                              json={"evidence": "5xx back under 0.1%"}, headers=r)  # fmt: skip
    assert confirmed.status_code == 201 and confirmed.json()["status"] == "mitigated"
    kinds = [e.kind for e in s.app.store.events(key)]
    assert kinds.count("lever.applied") == 2 and "mitigation.confirmed" in kinds
    (ok,) = [e for e in s.app.store.events(key) if e.kind == "mitigation.confirmed"]
    assert ok.data["lever"] == HPA
    actors = {e.actor for e in s.app.store.events(key) if e.kind.startswith("lever.")}
    assert actors == {"rory"}  # the token's owner, not the server's actor


def test_destructive_lever_needs_another_responders_approval(
    project: Path, tmp_path: Path, kube_state: Path
) -> None:
    app = lever_app(project, tmp_path)
    s = make_server(app)
    try:
        key = declare(s)
        r = s.auth(s.responder)
        assert s.client.post(f"/api/incidents/{key}/levers/plan", json={"lever": DRAIN},
                             headers=r).status_code == 201  # fmt: skip
        refused = s.client.post(f"/api/incidents/{key}/levers/apply", json={"lever": DRAIN},
                                headers=r)  # fmt: skip
        assert refused.status_code == 409 and "destructive" in refused.json()["error"]
        own = s.client.post(f"/api/incidents/{key}/levers/approve", json={"lever": DRAIN},
                            headers=r)  # fmt: skip
        assert own.status_code == 201
        assert s.client.post(f"/api/incidents/{key}/levers/apply", json={"lever": DRAIN},
                             headers=r).status_code == 409  # fmt: skip
        assert kube(kube_state)["nodes"] == {"node-1": {"unschedulable": False}}
        second = s.client.post(f"/api/incidents/{key}/levers/approve",
                               json={"lever": DRAIN, "note": "ok"}, headers=s.auth(s.admin))  # fmt: skip
        assert second.status_code == 201 and second.json()["approved_by"] == "ada"
        done = s.client.post(f"/api/incidents/{key}/levers/apply", json={"lever": DRAIN},
                             headers=r)  # fmt: skip
        assert done.status_code == 201, done.text
        assert done.json()["confirmed_by"] == ["ada"]
        assert kube(kube_state)["nodes"] == {"node-1": {"unschedulable": True}}
    finally:
        s.client.close()
        app.close()


def test_hypotheses_and_diagnose(any_server: Server) -> None:
    s = any_server
    key = declare(s)
    r, v = s.auth(s.responder), s.auth(s.viewer)
    body = {"text": "the flag flip broke checkout", "predict": "errors only for flagged users"}
    made = s.client.post(f"/api/incidents/{key}/hypotheses", json=body, headers=r)
    assert made.status_code == 201, made.text
    assert made.json()["id"] == "H1" and made.json()["verdict"] == "open"
    sneaky = s.client.post(f"/api/incidents/{key}/hypotheses",
                           json={**body, "check": "traces:/etc/passwd", "expect": "> 0"},
                           headers=r)  # fmt: skip
    assert sneaky.status_code == 422 and "PromQL" in sneaky.json()["error"]
    bad = s.client.post(f"/api/incidents/{key}/hypotheses/H1/verdict",
                        json={"verdict": "maybe"}, headers=r)  # fmt: skip
    assert bad.status_code == 422
    decided = s.client.post(f"/api/incidents/{key}/hypotheses/H1/verdict",
                            json={"verdict": "supported", "evidence": "flag off fixed it"},
                            headers=r)  # fmt: skip
    assert decided.status_code == 201 and decided.json()["verdict"] == "supported"
    found = s.client.get(f"/api/incidents/{key}/diagnose", headers=v).json()
    assert [h["id"] for h in found["hypotheses"]["decided"]] == ["H1"]
    assert "changes" in found["missing"]
    (proposed,) = [e for e in s.app.store.events(key) if e.kind == "hypothesis.proposed"]
    assert proposed.actor == "rory"


def test_evidence_changes_ranks_recorded_changes(server: Server) -> None:
    s = server
    key = declare(s)
    r = s.auth(s.responder)
    change = {"kind": "flag", "ref": "new-checkout", "service": "checkout",
              "summary": "enabled new checkout"}  # fmt: skip
    posted = s.client.post("/api/changes", json=change, headers=r)
    assert posted.status_code == 201 and posted.json()["recorded_on"] == [key], posted.text
    found = s.client.post(f"/api/incidents/{key}/evidence/changes",
                          json={"window": "2h"}, headers=r)  # fmt: skip
    assert found.status_code == 201, found.text
    data = found.json()
    assert data["recorded_seq"] is not None
    assert any("new-checkout" in str(sus["id"]) or "new checkout" in sus["summary"]
               for sus in data["suspects"])  # fmt: skip


def test_updates_compose_post_agenda(any_server: Server) -> None:
    s = any_server
    key = declare(s, customer_visible=True)
    r, v = s.auth(s.responder), s.auth(s.viewer)
    owed = s.client.get(f"/api/incidents/{key}/agenda", headers=v).json()
    assert owed["id"] == key and owed["updates_due"]
    draft = s.client.post(f"/api/incidents/{key}/updates/compose",
                          json={"did": "rolled back checkout"}, headers=v)  # fmt: skip
    assert draft.status_code == 200, draft.text
    assert "rolled back checkout" in draft.json()["internal"]
    assert s.client.post(f"/api/incidents/{key}/updates", json={}, headers=v).status_code == 403
    bad = s.client.post(f"/api/incidents/{key}/updates", json={"audience": "everyone"}, headers=r)
    assert bad.status_code == 422
    posted = s.client.post(f"/api/incidents/{key}/updates",
                           json={"audience": "both", "did": "rolled back checkout",
                                 "message": "We are fixing payments."}, headers=r)  # fmt: skip
    assert posted.status_code == 201, posted.text
    assert [p["audience"] for p in posted.json()["posted"]] == ["internal", "public"]
    kinds = [e.kind for e in s.app.store.events(key)]
    assert kinds.count("update.posted") == 2


def test_postmortem_draft_show_final(any_server: Server) -> None:
    s = any_server
    key = declare(s)
    r, v = s.auth(s.responder), s.auth(s.viewer)
    for to in ("mitigated", "monitoring", "resolved"):
        assert s.client.post(f"/api/incidents/{key}/status", json={"to": to},
                             headers=r).status_code == 201  # fmt: skip
    drafted = s.client.post(f"/api/incidents/{key}/postmortem/draft", headers=r)
    assert drafted.status_code == 201, drafted.text
    assert drafted.json()["state"] == "draft" and "## " in (drafted.json()["markdown"] or "## ")
    shown = s.client.get(f"/api/incidents/{key}/postmortem", headers=v).json()
    assert shown["ready_for_final"] is False
    refused = s.client.post(f"/api/incidents/{key}/postmortem/final", headers=r)
    assert refused.status_code == 409 and "cannot be final" in refused.json()["error"]
    assert s.client.post(f"/api/incidents/{key}/postmortem/final",
                         headers=v).status_code == 403  # fmt: skip


def test_action_items_add_list_done(any_server: Server) -> None:
    s = any_server
    key = declare(s)
    r, v = s.auth(s.responder), s.auth(s.viewer)
    vague = s.client.post(f"/api/incidents/{key}/actions",
                          json={"text": "be more careful", "owner": "bob"}, headers=r)  # fmt: skip
    assert vague.status_code == 422 and "not concrete" in vague.json()["error"]
    item = {"text": "Add a CI check that rejects flag flips without a rollout plan",
            "owner": "bob", "priority": "P1", "kind": "guardrail"}  # fmt: skip
    added = s.client.post(f"/api/incidents/{key}/actions", json=item, headers=r)
    assert added.status_code == 201, added.text
    assert added.json()["item"] == "A1" and added.json()["status"] == "open"
    listed = s.client.get("/api/actions", params={"owner": "bob"}, headers=v).json()
    assert [i["ref"] for i in listed] == [f"{key}#A1"]
    other = s.client.post(f"/api/incidents/{key}/actions/other%23A1/done", json={}, headers=r)
    assert other.status_code == 422
    done = s.client.post(f"/api/incidents/{key}/actions/A1/done", json={"note": "merged"},
                         headers=r)  # fmt: skip
    assert done.status_code == 201 and done.json()["status"] == "done"
    again = s.client.post(f"/api/incidents/{key}/actions/A1/done", json={}, headers=r)
    assert again.status_code == 409 and "already done" in again.json()["error"]
    assert s.client.get("/api/actions", headers=v).json() == []
    assert len(s.client.get("/api/actions", params={"all": True}, headers=v).json()) == 1
    per = s.client.get(f"/api/incidents/{key}/actions", headers=v).json()
    assert per[0]["status"] == "done"


def test_unknown_incident_is_404_everywhere(server: Server) -> None:
    s = server
    v, r = s.auth(s.viewer), s.auth(s.responder)
    for path in ("diagnose", "hypotheses", "agenda", "postmortem", "actions", "levers"):
        got = s.client.get(f"/api/incidents/nope/{path}", headers=v)
        assert got.status_code == 404, (path, got.text)
    assert s.client.post("/api/incidents/nope/actions/A1/done", json={},
                         headers=r).status_code == 404  # fmt: skip
    assert s.client.get("/api/actions").status_code == 401


def test_openapi_lists_the_capability_routes(server: Server) -> None:
    spec = server.client.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert {"/api/levers", "/api/incidents/{incident_id}/levers/apply",
            "/api/incidents/{incident_id}/evidence/changes",
            "/api/incidents/{incident_id}/updates", "/api/incidents/{incident_id}/agenda",
            "/api/incidents/{incident_id}/postmortem/final", "/api/actions",
            "/api/incidents/{incident_id}/actions/{item}/done"} <= paths  # fmt: skip


def test_generated_input_on_a_real_incident_gets_no_server_error(server: Server) -> None:
    """schemathesis on the capability routes, aimed at an incident that exists."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error

    s = server
    key = declare(s)
    tags = {"levers", "evidence", "updates", "postmortem", "actions"}
    schema = schemathesis.openapi.from_asgi("/openapi.json", s.client.app)
    operations = [
        op
        for result in schema.get_all_operations()
        if set((op := result.ok()).definition.raw.get("tags", [])) & tags  # type: ignore[union-attr]
    ]
    assert len(operations) >= 20
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=3, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def run(case: schemathesis.Case) -> None:  # type: ignore[type-arg]
            if "incident_id" in (case.path_parameters or {}):
                case.path_parameters["incident_id"] = key
            case.call_and_validate(headers=s.auth(s.responder), checks=[not_a_server_error])

        run()
    assert len(s.app.store.events(key)) > 1  # the generated writes reached the incident
