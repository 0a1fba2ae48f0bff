"""Discovery on a messy fixture repository: every surface kind, every trap."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stanch.levers.candidates import candidates
from stanch.levers.discover import Discovery, discover
from stanch.model.levers import SURFACE_KINDS
from tests.levers.repos import init_repo, write


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> Discovery:
    root = tmp_path_factory.mktemp("repo")
    init_repo(root)
    return discover(root)


def named(found: Discovery, kind: str) -> dict[str, dict[str, Any]]:
    return {s.name: s.to_dict() for s in found.of(kind)}


def test_every_surface_kind_is_found(found: Discovery) -> None:
    assert {s.kind for s in found.surfaces} == set(SURFACE_KINDS)


def test_ci_pipelines_with_on_key_kept(found: Discovery) -> None:
    by_path = {s.path: s.details for s in found.of("ci_pipeline")}
    assert by_path[".github/workflows/deploy.yml"]["triggers"] == ["push", "workflow_dispatch"]
    assert by_path[".github/workflows/deploy.yml"]["deploys"] is True
    assert by_path[".gitlab-ci.yml"]["jobs"] == ["build", "deploy_prod"]
    systems = {d["system"] for d in by_path.values()}
    assert systems == {"github_actions", "gitlab_ci", "jenkins", "cloud_build", "circleci",
                       "skaffold"}  # fmt: skip


def test_makefile_targets_and_deploy_scripts(found: Discovery) -> None:
    (make,) = found.of("makefile")
    assert make.details["targets"] == ["deploy", "rollback", "scale-up"]
    scripts = {s.path for s in found.of("deploy_script")}
    assert scripts == {"scripts/deploy.sh", "scripts/rollback-prod.sh"}


def test_helm_charts_metadata_not_templates(found: Discovery) -> None:
    charts = named(found, "helm_chart")
    assert charts["web"]["values_files"] == ["charts/web/values-prod.yaml",
                                             "charts/web/values.yaml"]  # fmt: skip
    assert charts["web"]["version"] == "1.2.3"
    assert charts["redis"]["vendored"] is True and charts["web"]["vendored"] is False
    workloads = {s.name for s in found.of("k8s_workload")}
    assert not any("{{" in name or "web-test" in name for name in workloads)


def test_helm_releases_from_helmfile_and_flux(found: Discovery) -> None:
    releases = named(found, "helm_release")
    assert releases["web"]["namespace"] == "web" and releases["web"]["via"] == "helmfile"
    assert releases["search"]["via"] == "flux"


def test_workloads_kustomize_rendered_and_traps(found: Discovery) -> None:
    workloads = named(found, "k8s_workload")
    # base + prod overlay: the overlay's namespace and prefix; the patch is not a workload
    assert workloads["prod-api"]["namespace"] == "prod"
    assert workloads["prod-api"]["overlay"] == "k8s/overlays/prod"
    assert "api" not in workloads and all(s.path != "k8s/overlays/prod/replicas.yaml"
                                          for s in found.of("k8s_workload"))  # fmt: skip
    # rendered helm output: no namespace, no release, a mutable tag
    cache = workloads["cache"]
    assert cache["namespace"] is None and cache["rendered_helm"] is True
    assert any("mutable tag 'latest'" in n for n in cache["notes"])
    assert not any(n.startswith("cache-7d9f") for n in workloads)
    for hidden in ("vendored", "npm", "fixture", "generated"):
        assert hidden not in workloads
    payments = workloads["payments"]
    assert payments["images"] == ["reg/pay@sha256:abc"] and payments["notes"] == []


def test_kustomize_vs_flux_kustomization(found: Discovery) -> None:
    kust = {s.path for s in found.of("kustomize")}
    assert kust == {"k8s/base/kustomization.yaml", "k8s/overlays/prod/kustomization.yaml"}
    gitops = named(found, "gitops")
    assert gitops["payments"]["tool"] == "flux" and gitops["payments"]["path"] == "apps/payments"
    assert gitops["billing"]["tool"] == "argocd" and gitops["billing"]["automated"] is True


def test_env_flags_inverted_and_switches(found: Discovery) -> None:
    flags = {f["key"]: f for f in named(found, "k8s_workload")["payments"]["env_flags"]}
    assert flags["DISABLE_NEW_LEDGER"]["inverted"] is True
    assert flags["FEATURE_FAST_REFUNDS"]["inverted"] is False
    assert flags["LOAD_SHED_ENABLED"]["switch"] is True
    assert "LOG_LEVEL" not in flags
    worker = named(found, "compose_service")["worker"]
    assert {f["key"]: f["inverted"] for f in worker["env_flags"]} == {
        "FEATURE_BATCHING": False, "DISABLE_RETRIES": True}  # fmt: skip


def test_flag_files_targeting_and_service_refs(found: Discovery) -> None:
    files = {s.path: s.details for s in found.of("feature_flags")}
    flagd = {f["key"]: f for f in files["flags/flags.json"]["flags"]}
    assert flagd["new-checkout"]["default"] == "off" and flagd["new-checkout"]["targeting"]
    assert "override" in flagd["new-checkout"]["note"]
    assert flagd["new-checkout"]["description"] == "New checkout flow"
    assert flagd["banner"]["off_variant"] is None
    yaml_flags = {f["key"]: f for f in files["flags/more.flagd.yaml"]["flags"]}
    assert yaml_flags["dark-mode"]["variants"] == {"on": True, "off": False}
    assert files["src/app.py"]["provider"] == "unleash"
    assert [f["key"] for f in files["src/app.py"]["flags"]] == ["checkout-v2"]
    assert [f["key"] for f in files["web/flags.js"]["flags"]] == ["dark-banner"]
    assert "pkg/testdata/flags.json" not in files


def test_terraform_roots_runbooks_owners_catalog(found: Discovery) -> None:
    assert [s.path for s in found.of("terraform")] == ["infra/prod"]
    assert {s.path for s in found.of("runbook")} == {"docs/runbooks/checkout.md", "RUNBOOK.md"}
    owners = {s.path: s.details for s in found.of("codeowners")}
    assert owners[".github/CODEOWNERS"]["effective"] is True
    assert owners["CODEOWNERS"]["effective"] is False and owners["docs/CODEOWNERS"]
    # GitLab never reads .github/: the root file is the one it uses
    assert [p for p, d in owners.items() if d["effective_on_gitlab"]] == ["CODEOWNERS"]
    (entity,) = found.of("service_catalog")
    assert entity.details["owner"] == "team-payments"
    assert entity.details["annotations"] == {"pagerduty.com/service-id": "PX1"}


def test_levers_from_surfaces(found: Discovery) -> None:
    levers = {lv.id: lv for lv in candidates(found.surfaces, nodes=["node-1"])}
    pay = levers["rollback:deployment:payments@payments"]
    assert pay.command.argv == ("kubectl", "rollout", "undo", "deployment/payments", "-n",
                                "payments")  # fmt: skip
    assert pay.prelude[0].argv[:3] == ("flux", "suspend", "kustomization")
    assert pay.postlude[0].argv[:3] == ("flux", "resume", "kustomization")
    assert "scale:deployment:payments@payments" not in levers  # the HPA owns replicas
    hpa = levers["scale:hpa:payments@payments"]
    assert hpa.command.argv[-1] == '{"spec":{"minReplicas":6}}'
    assert hpa.rollback is not None and hpa.rollback.argv[-1] == '{"spec":{"minReplicas":3}}'
    ledger = levers["flag_off:env:payments@payments:DISABLE_NEW_LEDGER"]
    assert ledger.command.argv[-1] == "DISABLE_NEW_LEDGER=true"
    assert ledger.rollback is not None and ledger.rollback.argv[-1] == "DISABLE_NEW_LEDGER=false"
    shed = levers["failover:env:payments@payments:LOAD_SHED_ENABLED"]
    assert shed.command.argv[-1] == "LOAD_SHED_ENABLED=true"
    cache = levers["rollback:deployment:cache"]
    assert "-n" not in cache.command.argv
    assert levers["rollback:helm:web@web"].command.argv == ("helm", "rollback", "web", "-n", "web")
    assert levers["rollback:helm:search@search"].prelude[0].argv[:3] == (
        "flux", "suspend", "helmrelease")  # fmt: skip
    assert levers["failover:drain:node-1"].destructive
    assert not levers["failover:cordon:node-1"].destructive
    assert "flag_off:flagd:new-checkout" in levers and "flag_off:flagd:banner" not in levers
    make = levers["rollback:make:.:rollback"]
    # `make rollback` next to `make deploy`: re-deploying is the known way back
    assert make.command.argv == ("make", "-C", ".", "rollback")
    assert make.rollback is not None and make.rollback.argv == ("make", "-C", ".", "deploy")
    assert make.viability is not None
    assert make.viability.argv == ("make", "-C", ".", "-n", "rollback", "deploy")
    assert make.safe


def test_empty_repository_reports_nothing(tmp_path: Path) -> None:
    write(tmp_path, {"README.md": "# hello\n"})
    result = discover(tmp_path)
    assert result.surfaces == [] and candidates(result.surfaces) == []


def test_without_git_gitignore_and_vendor_still_respected(tmp_path: Path) -> None:
    write(tmp_path)
    names = {s.name for s in discover(tmp_path).of("k8s_workload")}
    assert "payments" in names
    assert not names & {"vendored", "npm", "fixture", "generated"}


def test_lever_settings_are_checked() -> None:
    from stanch.errors import InvalidInput
    from stanch.levers.settings import lever_settings

    conf = lever_settings({"levers": {"nodes": ["n1"], "unleash": {"url": "http://u"}}})
    assert conf.nodes == ("n1",) and conf.services["unleash"]["url"] == "http://u"
    with pytest.raises(InvalidInput, match="unknown setting"):
        lever_settings({"levers": {"nodez": []}})
    with pytest.raises(InvalidInput, match="list of node names"):
        lever_settings({"levers": {"nodes": "n1"}})
