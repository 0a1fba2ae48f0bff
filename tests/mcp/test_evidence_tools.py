"""Evidence, log and comms tools over stdio with the MCP SDK's own client.

A real git history with a bad commit before onset, OTLP traces exported by the
OpenTelemetry SDK, a metric series file and a log file; every finding is recorded on the
incident under the agent's name, and bad input comes back as a typed refusal.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from stanch.model.clock import iso
from stanch.services.context import App
from tests.conftest import make_app
from tests.evidence.gitrepo import Repo, lines
from tests.evidence.otel_app import App as Shop
from tests.evidence.otel_app import Fault
from tests.fakes.comms_http import serving
from tests.fakes.comms_pagerduty import FakePagerDuty
from tests.mcp.support import client, server_params, structured
from tests.support.cli import cli

EVIDENCE_TOOLS = {"evidence_changes", "evidence_traces", "evidence_onset", "evidence_metrics",
                  "diagnose", "hypothesis", "verdict", "hypotheses_list"}  # fmt: skip


def world(project: Path, now: datetime) -> dict[str, Path]:
    """A shop repository, its traces and its error-ratio series, around an onset 20 min ago."""
    onset = now - timedelta(minutes=20)
    repo = Repo(project / "shop")
    repo.commit(onset - timedelta(days=2), "initial", {"README.md": "shop\n"})
    repo.commit(onset - timedelta(minutes=30), "checkout: payment client with 200ms timeout",
                {"services/checkout/payment_client.py": lines(80, "client")})  # fmt: skip
    repo.commit(onset - timedelta(minutes=3), "docs: typo", {"docs/runbook.md": "fix\n"})
    shop = Shop()
    for i in range(40):
        shop.request(Fault(bank_timeout=i >= 10 and i % 2 == 0))
    traces = shop.write(project / "traces.json")
    series = project / "error_ratio.csv"
    start = now - timedelta(minutes=60)
    rows = []
    for step in range(120):
        at = start + timedelta(seconds=30 * step)
        rows.append(f"{int(at.timestamp())},{0.4 if at >= onset else 0.01}")
    series.write_text("time,value\n" + "\n".join(rows) + "\n")
    log = project / "checkout.log"
    log.write_text(
        "".join(f"{iso(onset - timedelta(minutes=m))} INFO [main] c.e.Api: ok id={m}\n"
                for m in range(30, 0, -3))
        + "".join(f"{iso(onset + timedelta(minutes=m))} ERROR [main] c.e.Pay: upstream "
                  f"timeout after {200 + m}ms [req {m}]\n" for m in range(1, 6))
    )  # fmt: skip
    (project / "stanch.toml").write_text(
        '[evidence]\nrepos = ["shop"]\n[evidence.services]\ncheckout = ["services/checkout/**"]\n'
    )
    return {"traces": traces, "series": series, "log": log}


def test_an_agent_gathers_evidence_and_it_lands_on_the_incident(project: Path) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    files = world(project, now)
    out: dict[str, Any] = {}

    async def go() -> None:
        async with client(project) as s:

            async def call(name: str, **args: Any) -> dict[str, Any]:
                return structured(await s.call_tool(name, args))

            tools = {t.name: t for t in (await s.list_tools()).tools}
            assert set(tools) >= EVIDENCE_TOOLS
            assert all(tools[name].output_schema is not None for name in EVIDENCE_TOOLS)
            declared = await call("declare", symptom="Checkout times out", severity="SEV2",
                                  services=["checkout"], started="20 min ago")  # fmt: skip
            key = out["key"] = declared["incident"]["id"]

            changes = await call("evidence_changes", window="6h")
            assert changes["outcome"] == "ok", changes
            out["suspects"] = changes["report"]["suspects"]
            hop = await call("evidence_traces", file=str(files["traces"]))
            assert hop["outcome"] == "ok", hop
            out["hop"] = hop["report"]["failing_hop"]
            onset = await call("evidence_onset", file=str(files["series"]),
                               since=iso(now - timedelta(minutes=60)), until=iso(now))  # fmt: skip
            assert onset["outcome"] == "ok", onset
            out["onset"] = onset["report"]["onset"]

            peek = await call("evidence_logs", files=[str(files["log"])], pin=False, top=3)
            assert peek["outcome"] == "ok" and peek["recorded_seq"] is None, peek
            pinned = await call("evidence_logs", files=[str(files["log"])], top=3)
            assert pinned["outcome"] == "ok" and pinned["recorded_seq"], pinned
            out["signature"] = pinned["report"]["signatures"][0]
            stdin = await call("evidence_logs", files=["-"])
            assert stdin["outcome"] == "refused" and "stdin" in stdin["message"]

            # bad input and missing configuration are typed refusals, not crashes
            both = await call("evidence_onset", query="up", file=str(files["series"]))
            assert both["outcome"] == "refused" and "either" in both["message"]
            no_prom = await call("evidence_metrics", prometheus="http://127.0.0.1:9")
            assert no_prom["outcome"] == "refused", no_prom
            wrong = await call("verdict", hid="H9", verdict="supported", evidence="x")
            assert wrong["outcome"] == "refused"

            checked = await call("hypothesis", text="the bank call times out",
                                 predict="failing traces end at payments → bank.example",
                                 check=f"traces:{files['traces']}", expect="> 0.1")  # fmt: skip
            assert checked["outcome"] == "ok", checked
            out["checked"] = checked["hypotheses"][0]
            await call("hypothesis", text="the docs change", predict="nothing at all")
            refuted = await call("verdict", hid="H2", verdict="refuted",
                                 evidence="docs are not deployed")  # fmt: skip
            assert refuted["hypotheses"][0]["verdict"] == "refuted"
            out["listing"] = (await call("hypotheses_list"))["hypotheses"]
            out["diagnosis"] = (await call("diagnose", incident=key))["report"]

    asyncio.run(go())
    assert out["suspects"][0]["summary"].startswith("checkout: payment client")
    assert out["hop"]["service"] == "payments" and out["hop"]["downstream"] == "bank.example"
    detected = datetime.fromisoformat(out["onset"].replace("Z", "+00:00"))
    assert abs((detected - (now - timedelta(minutes=20))).total_seconds()) <= 60
    sig = out["signature"]
    assert sig["change"] == "new" and sig["level"] == "ERROR" and sig["after_onset"] == 5
    assert "upstream timeout" in sig["template"]
    assert out["checked"]["verdict"] == "supported" and out["checked"]["value"] > 0.1
    assert [h["verdict"] for h in out["listing"]] == ["supported", "refuted"]
    assert out["diagnosis"]["incident"] == out["key"]
    human: App = make_app(project)
    found = [e for e in human.store.iter_events(out["key"]) if e.kind.startswith("evidence.")]
    assert [e.kind for e in found] == ["evidence.changes", "evidence.traces", "evidence.onset",
                                     "evidence.logs"]  # fmt: skip
    assert {e.actor for e in found} == {"agent:oncall"}
    text = human.files.path(out["key"]).read_text()
    assert "payment client" in text and "bank.example" in text
    human.close()


COMMS_TOOLS = {"owner", "escalate", "handoff", "update_compose", "update_post", "updates_agenda"}
PD_KEY = "e93facc04764012d7bfb002500d5d1a6"
CATALOG = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: checkout}
spec: {type: service, lifecycle: production, owner: group:default/payments}
"""


def test_an_agent_communicates_escalates_and_is_asked_before_going_public(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    (project / "catalog-info.yaml").write_text(CATALOG)
    (project / "stanch.toml").write_text(
        '[comms]\ncatalog = ["catalog-info.yaml"]\nstatus_dir = "status"\ntimeout_seconds = 5\n'
        '[comms.teams.payments]\npagerduty_routing_key_env = "PAYMENTS_PD_KEY"\n'
        '[comms.pagerduty]\nurl = "{pd}"\n'
        '[mcp]\napproval_required = ["update:public", "update:both"]\n'
    )
    human = make_app(project)
    out: dict[str, Any] = {}
    pd = FakePagerDuty((PD_KEY,))
    with serving(pd):
        toml = project / "stanch.toml"
        toml.write_text(toml.read_text().replace("{pd}", pd.url))
        params = server_params(project)
        assert params.env is not None
        params.env["PAYMENTS_PD_KEY"] = PD_KEY

        async def go() -> None:
            async with Client(params, read_timeout_seconds=60) as s:

                async def call(name: str, **args: Any) -> dict[str, Any]:
                    return structured(await s.call_tool(name, args))

                assert {t.name for t in (await s.list_tools()).tools} >= COMMS_TOOLS
                owner = await call("owner", subject="checkout")
                assert owner["details"]["team"] == "payments", owner
                declared = await call("declare", symptom="Checkout returns 502", severity="SEV1",
                                      services=["checkout"], impact="30% of requests fail")  # fmt: skip
                key = out["key"] = declared["incident"]["id"]
                owed = await call("updates_agenda")
                assert owed["details"]["updates_due"][0]["reason"] == "declaration"
                draft = await call("update_compose", did="rolled back to v41")
                assert "rolled back to v41" in draft["details"]["internal"]
                assert human.store.state(key).last_seq == declared["event_seq"]  # nothing recorded
                posted = await call("update_post", did="rolled back to v41", next_step="watch")
                assert posted["outcome"] == "ok", posted
                public = await call("update_post", audience="public", message="Checkout errors")
                assert public["outcome"] == "approval_required", public
                granted = cli(capsys, human, "approve", public["request_id"])
                assert granted.code == 0, granted.err
                again = await call("update_post", audience="public", message="Checkout errors")
                assert again["outcome"] == "ok", again
                paged = await call("escalate", reason="no lever left", next_step="check the bank")
                assert paged["outcome"] == "ok", paged
                out["paged"] = paged
                handed = await call("handoff", to="payments", next_step="check the bank")
                assert handed["outcome"] == "ok" and "payments" in handed["details"]["text"]
                blank = await call("handoff", to="  ")
                assert blank["outcome"] == "refused"

        asyncio.run(go())
        alerts = list(pd.alerts)
    key = out["key"]
    assert out["paged"]["details"]["team"] == "payments"
    assert [d["status"] for d in out["paged"]["deliveries"]] == ["ok"]
    assert [(a.routing_key, a.dedup_key) for a in alerts] == [(PD_KEY, f"stanch/{key}")]
    events = list(human.store.iter_events(key))
    posted = [e for e in events if e.kind == "update.posted"]
    assert [e.data["audience"] for e in posted] == ["internal", "public"]
    assert {e.actor for e in posted} == {"agent:oncall"}
    assert [e.kind for e in events].count("escalation.requested") == 1
    assert (project / "status").is_dir()
    human.close()
