"""Changes before onset from a real git repository and the change log, with red herrings."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from stanch.evidence.changes import ServiceMap, classify
from stanch.model.kinds import CHANGE_RECORDED
from stanch.services import evidence, incidents
from stanch.services.context import App
from tests.conftest import T0
from tests.evidence.gitrepo import Repo, lines
from tests.support.cli import cli

ONSET = T0 - timedelta(minutes=30)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Repo, str]:
    """Many unrelated changes; one bad checkout commit 40 min before onset (read-only)."""
    repo = Repo(tmp_path_factory.mktemp("history") / "shop")
    repo.commit(ONSET - timedelta(days=3), "initial", {"README.md": "shop\n"})
    for i in range(30):  # a busy day on other services
        at = ONSET - timedelta(hours=20) + timedelta(minutes=37 * i)
        service = ("search", "web", "inventory")[i % 3]
        repo.commit(
            at, f"{service}: tweak {i}", {f"services/{service}/m{i}.py": lines(5 + i, service)}
        )
    repo.commit(
        ONSET - timedelta(hours=6),
        "checkout: log format",
        {"services/checkout/log.py": lines(3, "log")},
    )
    bad = repo.commit(
        ONSET - timedelta(minutes=40), "checkout: new payment client with shorter timeouts",
        {"services/checkout/payment_client.py": lines(120, "client")},
    )  # fmt: skip
    # Red herrings right before onset: docs, a big search change, checkout tests only.
    repo.commit(
        ONSET - timedelta(minutes=20),
        "checkout: test fixtures",
        {"services/checkout/tests/test_pay.py": lines(50, "t")},
    )
    repo.commit(
        ONSET - timedelta(minutes=5),
        "search: ranking rewrite",
        {"services/search/rank.py": lines(400, "rank")},
    )
    repo.commit(ONSET - timedelta(minutes=2), "docs: runbook typo", {"docs/runbook.md": "fix\n"})
    # After onset: cannot be the cause.
    repo.commit(
        ONSET + timedelta(minutes=20),
        "checkout: retry tweak",
        {"services/checkout/retry.py": lines(10, "r")},
    )
    return repo, bad


def _declare(app: App, service: str = "checkout") -> str:
    done = incidents.declare(
        app, "Checkout returns 502", severity="SEV2", started=ONSET.isoformat(), services=[service]
    )
    return done.incident.id


def test_bad_commit_beats_recent_unrelated_changes(app: App, history: tuple[Repo, str]) -> None:
    repo, bad = history
    key = _declare(app)
    report = evidence.changes(app, key, repos=[repo.root])
    top = report.suspects[0].to_dict()
    assert top["id"] == bad
    assert top["services"] == ["checkout"]
    assert top["kind"] == "code"
    assert top["undo"] == f"git -C {repo.root} revert --no-edit {bad}"
    ids = [s.change.summary for s in report.suspects]
    assert "checkout: retry tweak" not in ids  # after onset
    kinds = {s.change.summary: s.change.kind for s in report.suspects}
    assert kinds["docs: runbook typo"] == "docs"
    assert kinds["checkout: test fixtures"] == "test"


def test_without_a_known_service_proximity_and_kind_decide(
    app: App, history: tuple[Repo, str]
) -> None:
    repo, _ = history
    done = incidents.declare(app, "Everything slow", severity="SEV3", started=ONSET.isoformat())
    report = evidence.changes(app, done.incident.id, repos=[repo.root], record_it=False)
    top = report.suspects[0].change
    assert top.summary == "search: ranking rewrite"  # the big code change right before onset


def test_cli_json_schema_and_timeline(
    app: App, history: tuple[Repo, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, bad = history
    key = _declare(app)
    ran = cli(
        capsys,
        app,
        "evidence",
        "changes",
        key,
        "--repo",
        str(repo.root),
        "--json",
        "--window",
        "2h",
    )
    assert ran.code == 0, ran.err
    data = ran.json()
    assert data["onset"] == "2026-11-22T09:30:00Z"
    first = data["suspects"][0]
    assert set(first) >= {"rank", "kind", "id", "at", "summary", "services", "score", "undo"}
    assert first["rank"] == 1 and first["id"] == bad
    assert all(s["at"] >= "2026-11-22T07:30:00Z" for s in data["suspects"])  # --window 2h
    events = app.store.events(key)
    assert events[-1].kind == "evidence.changes"
    assert events[-1].data["suspects"][0]["id"] == bad
    text = app.files.path(key).read_text()
    assert bad[:12] in text


def test_recorded_deploys_and_flag_flips(app: App, capsys: pytest.CaptureFixture[str]) -> None:
    key = _declare(app)
    ran = cli(
        capsys, app, "change", "record", "--kind", "deploy", "--ref", "search v9", "--service",
        "search", "--summary", "search deploy", "--at", (ONSET - timedelta(minutes=1)).isoformat(),
    )  # fmt: skip
    assert ran.code == 0, ran.err
    ran = cli(
        capsys, app, "change", "record", "--kind", "flag", "--ref", "new-pricing", "--service",
        "checkout", "--summary", "new-pricing on for 50%", "--undo",
        "flagd: set new-pricing off", "--at", (ONSET - timedelta(minutes=25)).isoformat(),
        "--incident", key, "--json",
    )  # fmt: skip
    assert ran.code == 0, ran.err
    assert app.store.events(key)[-1].kind == CHANGE_RECORDED
    data = cli(capsys, app, "evidence", "changes", key, "--json").json()
    top = data["suspects"][0]
    assert top["kind"] == "flag" and top["undo"] == "flagd: set new-pricing off"
    assert top["id"].startswith("event:")
    assert [s["summary"] for s in data["suspects"]][1] == "search deploy"


def test_bad_inputs_give_one_line(
    app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = _declare(app)
    ran = cli(capsys, app, "evidence", "changes", key, "--repo", str(tmp_path))
    assert ran.code == 1 and "not a git repository" in ran.err
    ran = cli(capsys, app, "evidence", "changes", key, "--window", "soon")
    assert ran.code == 1 and "duration" in ran.err
    ran = cli(capsys, app, "change", "record", "--kind", "magic", "--ref", "x", "--summary", "y")
    assert ran.code == 1 and "change kind" in ran.err


def test_merge_commits_are_diffed_against_first_parent(app: App, tmp_path: Path) -> None:
    repo = Repo(tmp_path / "m")
    repo.commit(ONSET - timedelta(hours=5), "init", {"README.md": "x\n"})
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit(
        ONSET - timedelta(hours=3),
        "payments: new retry",
        {"services/payments/retry.go": lines(30, "p")},
    )
    repo.git("checkout", "-q", "main")
    repo.commit(ONSET - timedelta(hours=2), "docs", {"docs/a.md": "a\n"})
    repo.git(
        "merge", "-q", "--no-ff", "-m", "Merge feature", "feature", at=ONSET - timedelta(minutes=30)
    )
    key = _declare(app, "payments")
    report = evidence.changes(app, key, repos=[repo.root], record_it=False)
    assert "payments: wild idea" not in [s.change.summary for s in report.suspects]  # unmerged
    merge = next(s.change for s in report.suspects if s.change.summary == "Merge feature")
    assert merge.kind == "merge" and merge.services == ("payments",)
    assert merge.undo is not None and "-m 1" in merge.undo


@pytest.mark.parametrize(
    ("files", "kind"),
    [
        (["services/a/x.py"], "code"),
        (["flags/checkout.flagd.json"], "flag"),
        (["config/checkout.yaml"], "config"),
        (["infra/main.tf"], "infra"),
        (["README.md", "docs/x.md"], "docs"),
        (["go.sum"], "dependency"),
    ],
)
def test_classify(files: list[str], kind: str) -> None:
    assert classify(files) == kind


def test_service_map_from_paths_and_settings() -> None:
    paths = ServiceMap({"billing": ("legacy/bill/**",)}, ("checkout",))
    assert paths.services_of("legacy/bill/a/b.py") == {"billing"}
    assert paths.services_of("services/checkout/app.py") == {"checkout"}
    assert paths.services_of("flags/checkout.flagd.json") == {"checkout"}
    assert paths.services_of("lib/util.py") == set()


def test_backstage_catalog_maps_folders_to_services(app: App, tmp_path: Path) -> None:
    repo = Repo(tmp_path / "mono")
    catalog = (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments-api\n"
        "  annotations:\n    pagerduty.com/service-id: PX\nspec:\n  owner: team-pay\n"
    )
    repo.commit(ONSET - timedelta(hours=5), "catalog", {"pay/catalog-info.yaml": catalog})
    pay = repo.commit(
        ONSET - timedelta(hours=2), "fix rounding", {"pay/core/round.go": lines(30, "r")}
    )
    repo.commit(ONSET - timedelta(minutes=3), "search tweak", {"search/core/q.go": lines(30, "q")})
    key = _declare(app, "payments-api")
    report = evidence.changes(app, key, repos=[repo.root], record_it=False)
    assert report.suspects[0].change.id == pay
    assert report.suspects[0].change.services == ("payments-api",)


def test_service_spelled_differently_and_from_traces(app: App, history: tuple[Repo, str]) -> None:
    repo, bad = history
    key = _declare(app, "checkout-api")  # the folder is services/checkout
    report = evidence.changes(app, key, repos=[repo.root], record_it=False)
    assert report.suspects[0].change.id == bad
    assert report.suspects[0].change.services == ("checkout-api",)


def test_without_a_named_service_the_failing_hop_decides(app: App, tmp_path: Path) -> None:
    from tests.evidence.otel_app import App as Shop
    from tests.evidence.otel_app import Fault

    repo = Repo(tmp_path / "shop")
    repo.commit(ONSET - timedelta(days=1), "init", {"README.md": "x\n"})
    pay = repo.commit(
        ONSET - timedelta(hours=3),
        "payments: bank client",
        {"services/payments/bank.py": lines(40, "b")},
    )
    repo.commit(
        ONSET - timedelta(minutes=4), "search: rewrite", {"services/search/q.py": lines(400, "q")}
    )
    key = incidents.declare(
        app, "checkout 502", severity="SEV2", started=ONSET.isoformat()
    ).incident.id
    shop = Shop()
    for i in range(10):
        shop.request(Fault(bank_timeout=i % 2 == 0))
    from stanch.services import traces

    traces.traces(app, key, shop.write(tmp_path / "t.json"))
    report = evidence.changes(app, key, repos=[repo.root], record_it=False)
    assert report.services == ("payments", "bank.example")
    assert report.suspects[0].change.id == pay


def test_helm_history_gives_deploys_with_rollback(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json
    import os

    history = [
        {"revision": 1, "updated": "2026-11-21T08:00:00.123456789Z", "status": "superseded",
         "chart": "checkout-1.4.0", "app_version": "2.13.2", "description": "Install complete"},
        {"revision": 2, "updated": "2026-11-22T09:20:00.5Z", "status": "deployed",
         "chart": "checkout-1.5.0", "app_version": "2.14.0", "description": "Upgrade complete"},
    ]  # fmt: skip
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    stand_in = bin_dir / "helm"
    stand_in.write_text(
        f"#!/bin/sh\necho \"$@\" >> {calls}\ncat <<'EOF'\n{json.dumps(history)}\nEOF\n"
    )
    stand_in.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    key = _declare(app)
    report = evidence.changes(app, key, helm=["shop/checkout"], record_it=False)
    assert calls.read_text().split() == [
        "history",
        "checkout",
        "--max",
        "50",
        "-o",
        "json",
        "-n",
        "shop",
    ]
    assert len(report.suspects) == 1  # revision 1 installed the release: nothing to roll back to
    top = report.suspects[0].to_dict()
    assert top["kind"] == "deploy" and top["id"] == "helm:shop/checkout:2"
    assert top["undo"] == "helm rollback checkout 1 -n shop"
    assert top["at"] == "2026-11-22T09:20:00Z" and "checkout" in top["services"]


def test_expired_certificate_in_the_repo(project: Path, tmp_path: Path) -> None:
    import subprocess
    from datetime import UTC, datetime

    from tests.conftest import make_app

    repo = Repo(tmp_path / "tls")
    cert_dir = repo.root / "deploy" / "gateway"
    cert_dir.mkdir(parents=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=gateway.example", "-keyout", str(tmp_path / "k.pem"), "-out", str(cert_dir / "tls.crt")],
        check=True, capture_output=True,
    )  # fmt: skip
    shown = subprocess.run(["openssl", "x509", "-noout", "-enddate", "-in", str(cert_dir / "tls.crt")],
                           check=True, capture_output=True, text=True).stdout  # fmt: skip
    expiry = datetime.strptime(
        " ".join(shown.split("=", 1)[1].split()), "%b %d %H:%M:%S %Y %Z"
    ).replace(tzinfo=UTC)
    repo.commit(
        expiry - timedelta(hours=20),
        "gateway tls",
        {"deploy/gateway/tls.crt": (cert_dir / "tls.crt").read_text()},
    )
    repo.commit(
        expiry - timedelta(minutes=5),
        "gateway: log level",
        {"services/gateway/log.py": lines(3, "l")},
    )
    later = make_app(project, start=expiry + timedelta(hours=1))
    key = incidents.declare(later, "TLS errors", severity="SEV1", services=["gateway"],
                            started=(expiry + timedelta(minutes=1)).isoformat()).incident.id  # fmt: skip
    report = evidence.changes(later, key, repos=[repo.root], record_it=False)
    top = report.suspects[0].change
    assert top.kind == "cert" and top.id == "cert:deploy/gateway/tls.crt"
    assert "gateway.example" in top.summary and top.services == ("gateway",)
    later.close()


def _stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, program: str, output: str) -> Path:
    import os

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    calls = tmp_path / f"{program}.calls"
    script = bin_dir / program
    script.write_text(f"#!/bin/sh\necho \"$@\" >> {calls}\ncat <<'EOF'\n{output}\nEOF\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return calls


def test_kubernetes_rollouts_from_replicasets(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    def rs(revision: int, created: str, image: str, owner: str = "checkout") -> dict[str, object]:
        return {
            "metadata": {"name": f"{owner}-{revision}", "creationTimestamp": created,
                         "annotations": {"deployment.kubernetes.io/revision": str(revision)},
                         "ownerReferences": [{"kind": "Deployment", "name": owner}]},
            "spec": {"template": {"spec": {"containers": [{"name": "app", "image": image}]}}},
        }  # fmt: skip

    items = [
        rs(3, "2026-11-22T09:12:00Z", "registry.example/shop/checkout:v2.14.0"),
        rs(2, "2026-11-20T10:00:00Z", "registry.example/shop/checkout:v2.13.2"),
        rs(7, "2026-11-22T09:25:00Z", "registry.example/shop/search:v9", owner="search"),
    ]
    calls = _stand_in(tmp_path, monkeypatch, "kubectl", json.dumps({"items": items}))
    key = _declare(app)
    report = evidence.changes(app, key, k8s=["shop/checkout", "shop/search"], record_it=False)
    assert calls.read_text().splitlines()[0].split() == [
        "get",
        "replicasets",
        "-o",
        "json",
        "-n",
        "shop",
    ]
    top = report.suspects[0].to_dict()
    assert top["id"] == "k8s:shop/checkout:3" and top["kind"] == "deploy"
    assert top["undo"] == "kubectl rollout undo deployment/checkout --to-revision=2 -n shop"
    assert "v2.14.0" in top["summary"]
    assert len(report.suspects) == 1  # search has a single revision: nothing to roll back to
