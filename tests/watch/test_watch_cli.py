"""`stanch signal set` and `stanch watch` against a real Prometheus scraping a real service."""

from __future__ import annotations

from pathlib import Path

import pytest

from stanch.model.kinds import MITIGATION_CONFIRMED, SIGNAL_SAMPLED
from tests.support.cli import cli
from tests.watch.servers import Service, wait_for_value
from tests.watch.support import fast_app

QUERY = 'max(checkout_error_ratio{job="checkout"})'


def test_watch_confirms_and_gates_resolution_with_prometheus(
    capsys: pytest.CaptureFixture[str], project: Path, prometheus: str, service: Service
) -> None:
    app = fast_app(project)
    service.error_ratio = 0.3
    wait_for_value(prometheus, QUERY, 0.3)
    assert cli(capsys, app, "declare", "Checkout 502s", "--severity", "SEV2").code == 0
    done = cli(capsys, app, "signal", "set", "promql", QUERY, "--healthy", "< 0.01",
               "--source", prometheus, "--json")  # fmt: skip
    assert done.code == 0, done.err
    assert done.json()["signal"]["op"] == "<"
    assert cli(capsys, app, "status", "mitigating", "--reason", "flag off").code == 0

    bad = cli(capsys, app, "watch", "--until", "confirmed", "--max-samples", "2",
              "--interval", "0.05s", "--json")  # fmt: skip
    assert bad.code == 0, bad.err
    report = bad.json()
    assert report["stopped"] == "max_samples"
    assert [s["value"] for s in report["samples"]] == [0.3, 0.3]
    assert not any(s["healthy"] for s in report["samples"])

    service.error_ratio = 0.002
    wait_for_value(prometheus, QUERY, 0.002)
    good = cli(capsys, app, "watch", "--until", "confirmed", "--interval", "0.05s")
    assert good.code == 0, good.err
    assert "confirmed by the signal" in good.out
    assert "Stopped: confirmed" in good.out

    assert cli(capsys, app, "status", "monitoring").code == 0
    refused = cli(capsys, app, "status", "resolved")
    assert refused.code == 1
    assert refused.err.startswith("stanch: error: cannot resolve")
    assert "--override" in refused.err

    shown = cli(capsys, app, "signal", "show", "--json").json()
    assert shown["confirmed"] is True
    assert shown["recovery"]["complete"] is False

    resolved = cli(capsys, app, "watch", "--resolve", "--interval", "0.05s")
    assert resolved.code == 0, resolved.err
    assert "is now resolved" in resolved.out
    key = shown["id"]
    kinds = [e.kind for e in app.store.iter_events(key)]
    assert kinds.count(MITIGATION_CONFIRMED) == 1
    assert kinds.count(SIGNAL_SAMPLED) >= 5 + 2
    assert app.store.state(key).status.value == "resolved"
    app.close()


def test_watch_exits_4_on_relapse_and_refuses_bad_input(
    capsys: pytest.CaptureFixture[str], project: Path, service: Service
) -> None:
    app = fast_app(project)
    assert cli(capsys, app, "declare", "Checkout 502s", "--severity", "SEV2").code == 0
    bad_rule = cli(capsys, app, "signal", "set", "promql", "up", "--healthy", "below 1")
    assert bad_rule.code == 1
    assert "bad healthy rule" in bad_rule.err
    no_signal = cli(capsys, app, "watch")
    assert no_signal.code == 1
    assert "no flagging signal" in no_signal.err
    service.health_status = 200
    url = f"{service.url}/health"
    assert cli(capsys, app, "signal", "set", "http", url).code == 0
    assert cli(capsys, app, "status", "mitigated", "--reason", "rolled back").code == 0
    service.health_status = 503
    relapsed = cli(capsys, app, "watch", "--interval", "0.05s", "--max-samples", "5")
    service.health_status = 200
    assert relapsed.code == 4
    assert "RELAPSE" in relapsed.out
    assert "back to mitigating" in relapsed.out
    assert cli(capsys, app, "show", "--json").json()["status"] == "mitigating"
    app.close()
