"""Fixture repositories built in the tests: every surface kind, every trap."""

from __future__ import annotations

import subprocess
from pathlib import Path

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
{ns}spec:
  replicas: {replicas}
  template:
    spec:
      containers:
        - name: app
          image: {image}
"""

FILES: dict[str, str] = {
    ".github/workflows/deploy.yml": (
        "name: Deploy prod\non:\n  push:\n    branches: [main]\n  workflow_dispatch: {}\n"
        "jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: helm upgrade web charts/web\n"
    ),
    ".gitlab-ci.yml": "stages: [build, deploy]\nbuild:\n  script: [make]\ndeploy_prod:\n"
    "  stage: deploy\n  script: [kubectl apply -k k8s/overlays/prod]\n.hidden: {}\n",
    "Jenkinsfile": "pipeline { stages { stage('Deploy') { steps { sh 'make deploy' } } } }\n",
    "cloudbuild.yaml": "steps:\n- name: gcr.io/cloud-builders/gcloud\n  args: [run, deploy, api]\n",
    ".circleci/config.yml": "version: 2.1\njobs:\n  test: {docker: [{image: cimg/base}]}\n",
    "skaffold.yaml": "apiVersion: skaffold/v4beta6\nkind: Config\nmanifests:\n  rawYaml: [k8s/base/*.yaml]\n",
    "Makefile": "build:\n\tgo build\ndeploy:\n\tkubectl apply -k k8s/overlays/prod\n"
    "rollback:\n\tkubectl rollout undo deployment/prod-api -n prod\nscale-up:\n\ttrue\nX := 1\n",
    "scripts/deploy.sh": "#!/bin/sh\nkubectl apply -f rendered/\n",
    "scripts/rollback-prod.sh": "#!/bin/sh\nhelm rollback web\n",
    "scripts/lint.sh": "#!/bin/sh\nruff\n",
    # a chart: metadata and values only; templates (with {{ }}) and helm test pods are not manifests
    "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.2.3\nappVersion: '4.5'\n"
    "dependencies:\n  - name: redis\n    version: 17.0.0\n",
    "charts/web/values.yaml": "replicaCount: 2\nimage: {repository: reg/web, tag: v1}\n",
    "charts/web/values-prod.yaml": "replicaCount: 6\n",
    "charts/web/templates/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
    '  name: {{ include "web.fullname" . }}\nspec:\n  replicas: {{ .Values.replicaCount }}\n',
    "charts/web/templates/tests/test-connection.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n"
    "  name: web-test\n  annotations:\n    helm.sh/hook: test\nspec: {containers: []}\n",
    "charts/web/charts/redis/Chart.yaml": "apiVersion: v2\nname: redis\nversion: 17.0.0\n",
    "helmfile.yaml": "releases:\n  - name: web\n    namespace: web\n    chart: ./charts/web\n",
    # kustomize base + overlay with a patch that is a partial Deployment
    "k8s/base/deployment.yaml": DEPLOYMENT.format(
        name="api", ns="", replicas=2, image="reg/api:v7"
    ),
    "k8s/base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
    "k8s/overlays/prod/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\n"
    "kind: Kustomization\nnamespace: prod\nnamePrefix: prod-\nresources:\n  - ../../base\n"
    "patches:\n  - path: replicas.yaml\nconfigMapGenerator:\n  - name: api-config\n",
    "k8s/overlays/prod/replicas.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
    "  name: api\nspec:\n  replicas: 5\n",
    # rendered `helm template` output applied with kubectl: no namespace, no release
    "rendered/all.yaml": "---\napiVersion: v1\nkind: Service\nmetadata: {name: cache}\n---\n"
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cache\n  labels:\n"
    "    helm.sh/chart: cache-0.1.0\n    app.kubernetes.io/managed-by: Helm\nspec:\n"
    "  replicas: 1\n  template:\n    spec:\n      containers:\n        - {name: c, image: "
    "'redis:latest'}\n---\napiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n"
    "  name: cache-7d9f8b6c5d\n  labels: {pod-template-hash: 7d9f8b6c5d}\n",
    # GitOps: Flux owns apps/payments; an Argo CD app; a Flux HelmRelease
    "clusters/prod/payments.yaml": "apiVersion: kustomize.toolkit.fluxcd.io/v1\n"
    "kind: Kustomization\nmetadata:\n  name: payments\n  namespace: flux-system\n"
    "spec:\n  path: ./apps/payments\n  interval: 5m\n",
    "clusters/prod/search-release.yaml": "apiVersion: helm.toolkit.fluxcd.io/v2\n"
    "kind: HelmRelease\nmetadata:\n  name: search\n  namespace: search\nspec:\n"
    "  chart:\n    spec:\n      chart: opensearch\n",
    "argocd/billing.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n"
    "  name: billing\n  namespace: argocd\nspec:\n  source:\n    path: apps/billing\n"
    "  destination:\n    namespace: billing\n  syncPolicy:\n    automated: {prune: true}\n",
    "apps/payments/deployment.yaml": DEPLOYMENT.format(
        name="payments", ns="  namespace: payments\n", replicas=3, image="reg/pay@sha256:abc"
    )
    + "          env:\n            - name: DISABLE_NEW_LEDGER\n              value: 'false'\n"
    "            - name: FEATURE_FAST_REFUNDS\n              value: 'true'\n"
    "            - name: LOAD_SHED_ENABLED\n              value: 'false'\n"
    "            - name: LOG_LEVEL\n              value: info\n"
    "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n"
    "  name: payments\n  namespace: payments\nspec:\n  scaleTargetRef:\n"
    "    kind: Deployment\n    name: payments\n  minReplicas: 3\n  maxReplicas: 12\n",
    "infra/prod/main.tf": 'terraform {\n  backend "s3" {}\n}\nprovider "aws" {}\n',
    "infra/modules/vpc/main.tf": 'variable "cidr" {}\nprovider "aws" {}\n',
    "docker-compose.yml": "services:\n  worker:\n    image: reg/worker:latest\n    environment:\n"
    "      - FEATURE_BATCHING=true\n      - DISABLE_RETRIES=false\n  db:\n    image: postgres:16\n",
    "flags/flags.json": '{"$schema": "https://flagd.dev/schema/v0/flags.json", "flags": {\n'
    '  "new-checkout": {"state": "ENABLED", "variants": {"on": true, "off": false},\n'
    '    "defaultVariant": "off", "targeting": {"if": [{"ends_with": [{"var": "email"}, '
    '"@example.com"]}, "on"]}, "metadata": {"description": "New checkout flow"}},\n'
    '  "banner": {"state": "ENABLED", "variants": {"big": "b", "small": "s"}, '
    '"defaultVariant": "big"}}}\n',
    "flags/more.flagd.yaml": "flags:\n  dark-mode:\n    state: ENABLED\n    variants: {on: true, "
    "off: false}\n    defaultVariant: on\n",
    "src/app.py": "client = UnleashClient()\nif client.is_enabled('checkout-v2'):\n    pass\n",
    "web/flags.js": "const ldClient = LaunchDarkly.init(k);\nldClient.variation('dark-banner', false)\n",
    "docs/runbooks/checkout.md": "# Checkout runbook\n\nRoll back first.\n",
    "RUNBOOK.md": "# On-call runbook\n",
    ".github/CODEOWNERS": "* @acme/platform\n/apps/payments/ @acme/payments\n",
    "CODEOWNERS": "* @acme/old\n",
    "docs/CODEOWNERS": "* @acme/docs\n",
    "catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n"
    "  name: payments\n  annotations:\n    pagerduty.com/service-id: PX1\nspec:\n"
    "  type: service\n  owner: team-payments\n  lifecycle: production\n  system: money\n",
    # things that look like manifests but are not ours
    "vendor/github.com/x/deploy.yaml": DEPLOYMENT.format(
        name="vendored", ns="", replicas=1, image="x"
    ),
    "node_modules/pkg/k8s.yaml": DEPLOYMENT.format(name="npm", ns="", replicas=1, image="x"),
    "tests/fixtures/deployment.yaml": DEPLOYMENT.format(
        name="fixture", ns="", replicas=1, image="x"
    ),
    "pkg/testdata/flags.json": '{"flags": {"fixture-flag": {"state": "ENABLED", '
    '"variants": {"on": true, "off": false}, "defaultVariant": "on"}}}\n',
    ".gitignore": "generated/\n",
    "generated/deploy.yaml": DEPLOYMENT.format(name="generated", ns="", replicas=1, image="x"),
}


def write(root: Path, files: dict[str, str] | None = None) -> Path:
    for rel, text in (FILES if files is None else files).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    base = {"GIT_AUTHOR_NAME": "dev", "GIT_AUTHOR_EMAIL": "dev@example.com",
            "GIT_COMMITTER_NAME": "dev", "GIT_COMMITTER_EMAIL": "dev@example.com",
            "PATH": "/usr/bin:/bin", "HOME": str(root)}  # fmt: skip
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          env={**base, **(env or {})}, check=True)  # fmt: skip
    return done.stdout.strip()


def commit_all(root: Path, message: str, when: str) -> str:
    git(root, "add", "-A")
    stamp = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    git(root, "commit", "-q", "-m", message, env=stamp)
    return git(root, "rev-parse", "HEAD")


def init_repo(
    root: Path, files: dict[str, str] | None = None, when: str = "2026-11-20T10:00:00Z"
) -> str:
    write(root, files)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "dev")
    git(root, "config", "user.email", "dev@example.com")
    return commit_all(root, "initial", when)
