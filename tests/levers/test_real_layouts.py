"""Discovery on repositories laid out like well-known public ones: exact surfaces and levers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stanch.levers.candidates import candidates
from stanch.levers.discover import Discovery, discover
from stanch.model.levers import Lever
from tests.levers import real_repos
from tests.levers.repos import init_repo


def scan(tmp_path: Path, files: dict[str, str]) -> Discovery:
    init_repo(tmp_path, files)
    return discover(tmp_path)


def surfaces(found: Discovery) -> set[tuple[str, str, str]]:
    return {(s.kind, s.path, s.name) for s in found.surfaces}


def details(found: Discovery, kind: str, name: str) -> dict[str, Any]:
    (one,) = [s for s in found.of(kind) if s.name == name]
    return one.details


def levers(found: Discovery) -> dict[str, Lever]:
    return {lv.id: lv for lv in candidates(found.surfaces)}


def test_helm_chart_repository(tmp_path: Path) -> None:
    found = scan(tmp_path, real_repos.HELM_CHARTS)
    assert surfaces(found) == {
        ("ci_pipeline", ".github/workflows/ci.yaml", "Lint and Test Charts"),
        ("helm_chart", "bitnami/nginx", "nginx"),
        ("helm_chart", "bitnami/nginx/charts/common", "common"),
        ("helm_chart", "bitnami/redis", "redis"),
    }
    nginx = details(found, "helm_chart", "nginx")
    assert nginx["values_files"] == ["bitnami/nginx/values.yaml"]  # not the schema, not ci/
    assert nginx["ci_values"] == [
        "bitnami/nginx/ci/values-with-ingress-metrics-and-serverblock.yaml"]  # fmt: skip
    assert nginx["dependencies"] == ["common"] and nginx["vendored"] is False
    common = details(found, "helm_chart", "common")
    assert common["vendored"] is True and common["type"] == "library"
    # templates, _helpers.tpl, the test pod and the CRD are not workloads: no levers at all
    assert levers(found) == {}


def test_chart_at_the_top_of_the_repository_claims_only_its_own_files(tmp_path: Path) -> None:
    files = {
        "Chart.yaml": "apiVersion: v2\nname: app\nversion: 1.0.0\n",
        "values.yaml": "replicaCount: 1\n",
        "templates/deployment.yaml": real_repos.deploy("templated", "x:1"),
        "deploy/argocd-app.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\n"
        "metadata:\n  name: app\nspec:\n  source:\n    path: .\n  destination:\n"
        "    namespace: app\n",
    }
    found = scan(tmp_path, files)
    assert surfaces(found) == {
        ("helm_chart", ".", "app"),
        ("gitops", "deploy/argocd-app.yaml", "app"),
    }


def test_argo_cd_with_kustomize_overlays(tmp_path: Path) -> None:
    found = scan(tmp_path, real_repos.ARGO_KUSTOMIZE)
    base = "apps/guestbook/base/guestbook-ui-deployment.yaml"
    assert surfaces(found) == {
        ("gitops", "argocd/apps/guestbook-prod.yaml", "guestbook-prod"),
        ("gitops", "argocd/appset.yaml", "cluster-addons"),
        ("k8s_workload", "addons/metrics/metrics-deployment.yaml", "metrics-agent"),
        ("k8s_workload", base, "guestbook-ui-staging"),
        ("k8s_workload", base, "prod-guestbook-ui"),
        ("kustomize", "addons/metrics/kustomization.yaml", "addons/metrics"),
        ("kustomize", "apps/guestbook/base/kustomization.yaml", "apps/guestbook/base"),
        ("kustomize", "apps/guestbook/overlays/prod/kustomization.yaml",
         "apps/guestbook/overlays/prod"),
        ("kustomize", "apps/guestbook/overlays/staging/kustomization.yaml",
         "apps/guestbook/overlays/staging"),
    }  # fmt: skip
    prod = details(found, "k8s_workload", "prod-guestbook-ui")
    # the overlay's images: transformer, its replica patch, its namespace
    assert prod["images"] == ["gcr.io/heptio-images/ks-guestbook-demo:0.3"]
    assert prod["replicas"] == 4 and prod["namespace"] == "guestbook-prod"
    staging = details(found, "k8s_workload", "guestbook-ui-staging")
    assert staging["images"] == [
        "registry.example.com/guestbook@sha256:"
        "24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857230879ce7d3d3"
    ]
    assert staging["replicas"] == 1
    appset = details(found, "gitops", "cluster-addons")
    assert appset["directories"] == ["addons/*"] and appset["generators"] == ["git"]
    assert "path" not in appset and appset["target_namespace"] is None  # templated
    (declared,) = [s.to_dict() for s in found.of("gitops") if s.name == "cluster-addons"]
    assert declared["path"] == declared["file"] == "argocd/appset.yaml"
    assert details(found, "gitops", "guestbook-prod")["file"] == "argocd/apps/guestbook-prod.yaml"
    found_levers = levers(found)
    assert set(found_levers) == {
        "rollback:deployment:prod-guestbook-ui@guestbook-prod",
        "scale:deployment:prod-guestbook-ui@guestbook-prod",
        "rollback:deployment:guestbook-ui-staging@guestbook-staging",
        "scale:deployment:guestbook-ui-staging@guestbook-staging",
        "rollback:deployment:metrics-agent@metrics",
        "scale:deployment:metrics-agent@metrics",
    }
    # the Argo CD application syncs the overlay, so its auto-sync is turned off first
    undo = found_levers["rollback:deployment:prod-guestbook-ui@guestbook-prod"]
    assert [a.argv for a in undo.prelude] == [
        ("argocd", "app", "set", "guestbook-prod", "--sync-policy", "none")]  # fmt: skip
    assert [a.argv for a in undo.postlude] == [
        ("argocd", "app", "set", "guestbook-prod", "--sync-policy", "automated")]  # fmt: skip
    # the ApplicationSet generates an application per addons/* folder, named by its basename
    metrics = found_levers["rollback:deployment:metrics-agent@metrics"]
    assert metrics.prelude[0].argv == ("argocd", "app", "set", "metrics", "--sync-policy", "none")
    assert any("ApplicationSet cluster-addons" in e for e in metrics.evidence)
    assert found_levers["rollback:deployment:guestbook-ui-staging@guestbook-staging"].prelude == ()


def test_flux_repository(tmp_path: Path) -> None:
    found = scan(tmp_path, real_repos.FLUX)
    assert surfaces(found) == {
        ("gitops", "apps/base/podinfo/release.yaml", "podinfo"),
        ("gitops", "clusters/production/apps.yaml", "apps"),
        ("gitops", "clusters/production/flux-system/gotk-sync.yaml", "flux-system"),
        ("gitops", "clusters/production/infrastructure.yaml", "infra-configs"),
        ("gitops", "clusters/production/infrastructure.yaml", "infra-controllers"),
        ("gitops", "infrastructure/controllers/ingress-nginx.yaml", "ingress-nginx"),
        ("helm_release", "apps/base/podinfo/release.yaml", "podinfo"),
        ("helm_release", "infrastructure/controllers/ingress-nginx.yaml", "ingress-nginx"),
        ("kustomize", "apps/base/podinfo/kustomization.yaml", "apps/base/podinfo"),
        ("kustomize", "apps/production/kustomization.yaml", "apps/production"),
        ("kustomize", "clusters/production/flux-system/kustomization.yaml",
         "clusters/production/flux-system"),
        ("kustomize", "infrastructure/controllers/kustomization.yaml",
         "infrastructure/controllers"),
    }  # fmt: skip
    # Flux's own controllers (gotk-components.yaml) are not the system's workloads
    assert found.of("k8s_workload") == []
    assert details(found, "gitops", "apps")["path"] == "apps/production"
    assert details(found, "helm_release", "podinfo") == {
        "namespace": "podinfo", "chart": "podinfo", "via": "flux"}  # fmt: skip
    found_levers = levers(found)
    assert set(found_levers) == {"rollback:helm:podinfo@podinfo",
                                 "rollback:helm:ingress-nginx@ingress-nginx"}  # fmt: skip
    podinfo = found_levers["rollback:helm:podinfo@podinfo"]
    assert podinfo.prelude[0].argv == ("flux", "suspend", "helmrelease", "podinfo", "-n",
                                       "podinfo")  # fmt: skip
    assert podinfo.postlude[0].argv[:2] == ("flux", "resume")


def test_kube_prometheus_jsonnet_tree(tmp_path: Path) -> None:
    found = scan(tmp_path, real_repos.KUBE_PROMETHEUS)
    assert surfaces(found) == {
        ("k8s_workload", "manifests/grafana-deployment.yaml", "grafana"),
        ("k8s_workload", "manifests/kubeStateMetrics-deployment.yaml", "kube-state-metrics"),
        ("k8s_workload", "manifests/nodeExporter-daemonset.yaml", "node-exporter"),
        ("k8s_workload", "manifests/prometheusOperator-deployment.yaml", "prometheus-operator"),
    }
    assert details(found, "k8s_workload", "node-exporter")["workload_kind"] == "DaemonSet"
    found_levers = levers(found)
    assert "rollback:daemonset:node-exporter@monitoring" in found_levers
    assert "scale:daemonset:node-exporter@monitoring" not in found_levers  # one pod per node
    assert found_levers["rollback:daemonset:node-exporter@monitoring"].command.argv == (
        "kubectl", "rollout", "undo", "daemonset/node-exporter", "-n", "monitoring")  # fmt: skip


def test_monorepo_with_reusable_workflows(tmp_path: Path) -> None:
    found = scan(tmp_path, real_repos.MONOREPO_ACTIONS)
    assert surfaces(found) == {
        ("ci_pipeline", ".github/workflows/ci.yml", "CI"),
        ("ci_pipeline", ".github/workflows/deploy.yml", "Deploy service"),
        ("ci_pipeline", ".github/workflows/release.yml", "Release"),
        ("helm_chart", "services/api/chart", "api"),
        ("helm_chart", "services/web/chart", "web"),
    }
    release = details(found, "ci_pipeline", "Release")
    assert release["triggers"] == ["push", "workflow_dispatch"] and release["deploys"] is True
    assert release["calls"] == ["./.github/workflows/deploy.yml",
                                "acme/shared-workflows/.github/workflows/notify.yml@v2"]  # fmt: skip
    assert release["environments"] == ["production", "staging"]  # from the matrix
    reusable = details(found, "ci_pipeline", "Deploy service")
    assert reusable["triggers"] == ["workflow_call"] and reusable["environments"] == []
    assert details(found, "ci_pipeline", "CI")["triggers"] == ["pull_request", "push"]


def test_gitlab_ci_with_includes_and_manual_rollback(tmp_path: Path) -> None:
    found = scan(tmp_path, real_repos.GITLAB)
    assert surfaces(found) == {
        ("ci_pipeline", ".gitlab-ci.yml", ".gitlab-ci.yml"),
        ("ci_pipeline", ".gitlab/ci/deploy.gitlab-ci.yml", "deploy.gitlab-ci.yml"),
        ("codeowners", ".gitlab/CODEOWNERS", ".gitlab/CODEOWNERS"),
        ("codeowners", "docs/CODEOWNERS", "docs/CODEOWNERS"),
    }
    main = {s.path: s.details for s in found.of("ci_pipeline")}
    top = main[".gitlab-ci.yml"]
    assert top["jobs"] == ["build"]  # before_script, default, variables are not jobs
    assert top["includes"] == ["local: .gitlab/ci/deploy.gitlab-ci.yml",
                               "project: acme/ci-templates",
                               "template: Security/SAST.gitlab-ci.yml"]  # fmt: skip
    deploy = main[".gitlab/ci/deploy.gitlab-ci.yml"]
    assert deploy["jobs"] == ["deploy:production", "rollback:production"]
    assert deploy["environments"] == {"deploy:production": "production",
                                      "rollback:production": "production"}  # fmt: skip
    assert deploy["manual"] == ["rollback:production"]
    owners = {s.path: s.details for s in found.of("codeowners")}
    # GitHub and GitLab both read the root, then docs/, before .gitlab/
    assert owners["docs/CODEOWNERS"]["effective"] is True
    assert owners["docs/CODEOWNERS"]["effective_on_gitlab"] is True
    assert owners[".gitlab/CODEOWNERS"] == {
        "rules": 2, "default_owners": ["@acme/backend"], "effective": False,
        "effective_on_gitlab": False}  # fmt: skip


def test_terraform_roots_skip_modules_examples_and_cache(tmp_path: Path) -> None:
    found = scan(tmp_path, real_repos.TERRAFORM)
    assert surfaces(found) == {
        ("terraform", "infra/envs/prod", "infra/envs/prod"),
        ("terraform", "infra/envs/staging", "infra/envs/staging"),
    }
    assert details(found, "terraform", "infra/envs/prod") == {
        "backend": "gcs", "providers": ["google"]}  # fmt: skip
    assert details(found, "terraform", "infra/envs/staging")["backend"] == "cloud"


def test_terraform_cache_skipped_without_a_gitignore(tmp_path: Path) -> None:
    files = {k: v for k, v in real_repos.TERRAFORM.items() if k != ".gitignore"}
    found = scan(tmp_path, files)
    assert {s.path for s in found.of("terraform")} == {"infra/envs/prod", "infra/envs/staging"}


def test_compose_with_anchors_and_profiles(tmp_path: Path) -> None:
    found = scan(tmp_path, real_repos.COMPOSE)
    assert surfaces(found) == {
        ("compose_service", "compose.override.yaml", "api"),
        ("compose_service", "docker-compose.yml", "api"),
        ("compose_service", "docker-compose.yml", "debug"),
        ("compose_service", "docker-compose.yml", "worker"),
    }
    by = {(s.path, s.name): s.details for s in found.of("compose_service")}
    api = by[("docker-compose.yml", "api")]
    assert api["profiles"] == ["prod"] and api["replicas"] == 3
    assert [f["key"] for f in api["env_flags"]] == ["FEATURE_NEW_SEARCH"]  # via the x- anchor
    worker = by[("docker-compose.yml", "worker")]
    assert {f["key"]: f["inverted"] for f in worker["env_flags"]} == {
        "FEATURE_NEW_SEARCH": False, "DISABLE_EMAILS": True}  # fmt: skip
    assert by[("docker-compose.yml", "debug")]["profiles"] == ["debug"]
    assert by[("compose.override.yaml", "api")]["env_flags"][0]["switch"] is True


def test_flagd_with_shared_evaluators(tmp_path: Path) -> None:
    found = scan(tmp_path, real_repos.FLAGD)
    (flags,) = found.of("feature_flags")
    by = {f["key"]: f for f in flags.details["flags"]}
    assert set(by) == {"new-welcome-message", "color-palette", "legacy-checkout"}
    assert by["new-welcome-message"]["targeting"] is True
    assert by["legacy-checkout"]["state"] == "DISABLED"
    # only the flag with an off variant that is still enabled can be turned off
    assert set(levers(found)) == {"flag_off:flagd:new-welcome-message"}


def test_makefile_targets_and_included_fragments(tmp_path: Path) -> None:
    found = scan(tmp_path, real_repos.MAKEFILE)
    assert surfaces(found) == {
        ("deploy_script", "scripts/deploy.sh", "deploy.sh"),
        ("deploy_script", "scripts/restart.sh", "restart.sh"),
        ("deploy_script", "scripts/rollback.sh", "rollback.sh"),
        ("makefile", "Makefile", "."),
        ("makefile", "mk/db.mk", "mk"),
    }
    make = details(found, "makefile", ".")
    assert make["targets"] == ["deploy", "rollback", "restart-workers", "deploy-docs"]
    assert make["includes"] == ["mk/*.mk"]
    found_levers = levers(found)
    # the fragment's target runs through the Makefile that includes it
    assert found_levers["rollback:make:.:db-rollback"].command.argv == (
        "make", "-C", ".", "db-rollback")  # fmt: skip


def test_fragment_nobody_includes_offers_no_make_lever(tmp_path: Path) -> None:
    found = scan(tmp_path, {"mk/db.mk": "db-rollback:\n\ttrue\n"})
    assert [s.path for s in found.of("makefile")] == ["mk/db.mk"]
    assert levers(found) == {}


def test_backstage_multi_document_catalog(tmp_path: Path) -> None:
    found = scan(tmp_path, real_repos.BACKSTAGE)
    assert surfaces(found) == {
        ("service_catalog", "catalog-info.yaml", "checkout"),
        ("service_catalog", "catalog-info.yaml", "checkout-api"),
        ("service_catalog", "catalog-info.yaml", "commerce"),
        ("service_catalog", "services/orders/catalog-info.yaml", "orders-db"),
    }  # the Group and the Location are not services
    checkout = details(found, "service_catalog", "checkout")
    assert checkout["owner"] == "group:default/payments" and checkout["system"] == "commerce"
    assert checkout["annotations"] == {"pagerduty.com/integration-key": "abc"}
    assert checkout["depends_on"] == ["resource:default/orders-db"]


@pytest.mark.parametrize("layout", [
    "HELM_CHARTS", "ARGO_KUSTOMIZE", "FLUX", "KUBE_PROMETHEUS", "MONOREPO_ACTIONS", "GITLAB",
    "TERRAFORM", "COMPOSE", "FLAGD", "MAKEFILE", "BACKSTAGE",
])  # fmt: skip
def test_nothing_from_examples_docs_vendor_or_templates(tmp_path: Path, layout: str) -> None:
    found = scan(tmp_path, getattr(real_repos, layout))
    for s in found.surfaces:
        if s.kind in ("runbook", "codeowners"):
            continue
        parts = s.path.split("/")
        assert not {"examples", "docs", "vendor", ".terraform", "templates"} & set(parts), s
        assert "{{" not in s.name


def test_gitlab_reference_tags_and_cloudformation_tags_parse(tmp_path: Path) -> None:
    files = {
        ".gitlab-ci.yml": ".setup:\n  script: [echo setup]\ndeploy:\n  script:\n"
        "    - !reference [.setup, script]\n    - helm upgrade app ./chart\n"
        "  environment: production\n",
        "cfn/waf.yaml": "Resources:\n  Acl:\n    Type: AWS::WAFv2::WebACL\n    Properties:\n"
        "      Name: !Ref AclName\n      rate_limit:\n        enabled: false\n",
    }
    found = scan(tmp_path, files)
    assert found.notes == []
    (pipeline,) = found.of("ci_pipeline")
    assert pipeline.details["environments"] == {"deploy": "production"}
    assert [s.path for s in found.of("config_switch")] == ["cfn/waf.yaml"]


def test_flux_helmrelease_with_target_namespace(tmp_path: Path) -> None:
    files = {
        "apps/redis.yaml": "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n"
        "metadata:\n  name: redis\n  namespace: flux-system\nspec:\n  targetNamespace: cache\n"
        "  chart:\n    spec:\n      chart: redis\n",
    }
    found = scan(tmp_path, files)
    # Flux names the release `cache-redis` and stores it in the HelmRelease's namespace
    assert details(found, "helm_release", "cache-redis") == {
        "namespace": "flux-system", "chart": "redis", "via": "flux",
        "helmrelease": "redis", "helmrelease_namespace": "flux-system"}  # fmt: skip
    lever = levers(found)["rollback:helm:cache-redis@flux-system"]
    assert lever.command.argv == ("helm", "rollback", "cache-redis", "-n", "flux-system")
    assert lever.prelude[0].argv == ("flux", "suspend", "helmrelease", "redis", "-n",
                                     "flux-system")  # fmt: skip


def test_substituted_names_offer_no_lever(tmp_path: Path) -> None:
    envsubst = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n"
                "  namespace: {ns}\nspec:\n  replicas: 2\n  template:\n    spec:\n"
                "      containers:\n        - name: app\n          image: reg/app:${{TAG}}\n")  # fmt: skip
    files = {
        "deploy/app.yaml": envsubst.format(name="${APP_NAME}", ns="shop"),
        "deploy/worker.yaml": envsubst.format(name="worker", ns="${NAMESPACE}"),
    }
    found = scan(tmp_path, files)
    assert found.notes == []
    workloads = {s.name: s.details for s in found.of("k8s_workload")}
    assert workloads["${APP_NAME}"]["substituted"] is True
    assert any("filled in at deploy time" in n for n in workloads["worker"]["notes"])
    assert levers(found) == {}


def test_overlay_of_an_overlay_and_a_file_resource(tmp_path: Path) -> None:
    files = {
        "base/deployment.yaml": real_repos.deploy("api", "reg/api:v1", 1),
        "base/kustomization.yaml": "resources: [deployment.yaml]\n",
        "envs/common/kustomization.yaml": "namePrefix: shop-\nresources: [../../base]\n"
        "images:\n  - {name: reg/api, newTag: v2}\n",
        "envs/prod/kustomization.yaml": "namespace: prod\nnamePrefix: eu-\n"
        "resources: [../common]\nreplicas:\n  - {name: api, count: 6}\n",
        "single/kustomization.yaml": "namespace: single\nresources:\n  - ../base/deployment.yaml\n",
    }
    found = scan(tmp_path, files)
    workloads = {s.name: s.details for s in found.of("k8s_workload")}
    # envs/common is only used through envs/prod: the deployed names are the leaves
    assert set(workloads) == {"eu-shop-api", "api"}
    prod = workloads["eu-shop-api"]
    assert prod["namespace"] == "prod" and prod["overlay"] == "envs/prod"
    assert prod["images"] == ["reg/api:v2"] and prod["replicas"] == 6
    assert prod["base_name"] == "api"
    assert workloads["api"]["namespace"] == "single" and workloads["api"]["overlay"] == "single"


def test_kubebuilder_operator(tmp_path: Path) -> None:
    found = scan(tmp_path, real_repos.KUBEBUILDER)
    (manager,) = found.of("k8s_workload")
    assert manager.name == "memcached-operator-controller-manager"
    assert manager.details["namespace"] == "memcached-operator-system"
    assert manager.details["images"] == ["example.com/memcached-operator:v0.0.1"]
    assert manager.details["overlay"] == "config/default" and manager.details["notes"] == []
    assert details(found, "makefile", ".")["targets"] == ["deploy", "undeploy"]
    assert set(levers(found)) == {
        "rollback:deployment:memcached-operator-controller-manager@memcached-operator-system",
        "scale:deployment:memcached-operator-controller-manager@memcached-operator-system",
    }
    assert found.notes == []


def test_small_traps(tmp_path: Path) -> None:
    files = {
        "scripts/release-notes.sh": "#!/bin/sh\ngit log\n",
        "scripts/deploy.sh": "#!/bin/sh\nkubectl apply -f k8s/\n",
        "web/__tests__/deploy.yaml": real_repos.deploy("jest-fixture", "x:1"),
        "web/__mocks__/flags.json": '{"flags": {"f": {"variants": {"on": true, "off": false}, '
        '"defaultVariant": "on"}}}\n',
        "old-chart/Chart.yaml": "apiVersion: v1\nname: legacy\nversion: 0.1.0\n",
        "old-chart/requirements.yaml": "dependencies:\n  - name: postgresql\n    version: 8.x\n",
        "examples/hello/Makefile": "deploy:\n\tkubectl apply -f .\nrollback:\n\ttrue\n",
        "test/e2e/scripts/deploy.sh": "#!/bin/sh\n",
    }
    found = scan(tmp_path, files)
    assert surfaces(found) == {
        ("deploy_script", "scripts/deploy.sh", "deploy.sh"),
        ("helm_chart", "old-chart", "legacy"),
    }
    assert details(found, "helm_chart", "legacy")["dependencies"] == ["postgresql"]


def test_terragrunt_units_and_their_cache(tmp_path: Path) -> None:
    files = {
        "live/terragrunt.hcl": 'remote_state {\n  backend = "s3"\n  config = {\n'
        '    bucket = "acme-tf-state"\n  }\n}\n',
        "live/prod/vpc/terragrunt.hcl": 'include "root" {\n  path = find_in_parent_folders()\n'
        '}\nterraform {\n  source = "../../../modules//vpc"\n}\ninputs = {\n'
        '  cidr = "10.0.0.0/16"\n}\n',
        "live/prod/app/terragrunt.hcl": "include {\n  path = find_in_parent_folders()\n}\n",
        "live/prod/vpc/.terragrunt-cache/abc/def/main.tf": 'provider "aws" {}\n'
        'terraform {\n  backend "s3" {}\n}\n',
        "modules/vpc/main.tf": 'provider "aws" {}\n',
    }
    found = scan(tmp_path, files)
    assert surfaces(found) == {
        ("terraform", "live/prod/vpc", "live/prod/vpc"),
        ("terraform", "live/prod/app", "live/prod/app"),
    }
    assert details(found, "terraform", "live/prod/vpc") == {
        "backend": "terragrunt", "providers": [], "tool": "terragrunt",
        "source": "../../../modules//vpc"}  # fmt: skip


def test_argo_rollout_offers_the_plugin_undo(tmp_path: Path) -> None:
    files = {
        "blue-green/bluegreen-rollout.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\n"
        "metadata:\n  name: bluegreen-demo\n  namespace: demo\nspec:\n  replicas: 3\n"
        "  strategy:\n    blueGreen:\n      activeService: bluegreen-demo\n"
        "      autoPromotionEnabled: false\n  template:\n    spec:\n      containers:\n"
        "        - name: bluegreen-demo\n          image: argoproj/rollouts-demo:blue\n",
    }
    found = scan(tmp_path, files)
    assert details(found, "k8s_workload", "bluegreen-demo")["workload_kind"] == "Rollout"
    (lever,) = levers(found).values()
    assert lever.id == "rollback:rollout:bluegreen-demo@demo" and lever.safe
    assert lever.command.argv == ("kubectl", "argo", "rollouts", "undo", "bluegreen-demo", "-n",
                                  "demo")  # fmt: skip
    assert lever.rollback == lever.command
    assert lever.viability is not None and lever.viability.argv[:3] == (
        "kubectl", "get", "rollouts.argoproj.io")  # fmt: skip
