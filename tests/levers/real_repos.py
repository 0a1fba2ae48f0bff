"""Repositories laid out the way well-known public ones are, for discovery tests.

Each is a dict of path → text, written and committed by `tests.levers.repos.init_repo`.
They keep the traps those layouts really have: templates next to values, vendored
subcharts, CRDs, examples, patches, the GitOps tool's own install, caches.
"""

from __future__ import annotations

import json

_DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
{meta}spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
        - name: {name}
          image: {image}
"""


def deploy(name: str, image: str, replicas: int = 1, namespace: str | None = None) -> str:
    meta = f"  namespace: {namespace}\n" if namespace else ""
    return _DEPLOY.format(name=name, meta=meta, replicas=replicas, image=image)


# bitnami-style chart repository: several charts, a vendored library subchart, templates
# with helpers, a values schema, ci/ values, CRDs and a Helm test pod.
HELM_CHARTS: dict[str, str] = {
    "bitnami/nginx/Chart.yaml": "annotations:\n  category: Infrastructure\napiVersion: v2\n"
    "appVersion: 1.25.3\ndependencies:\n  - name: common\n    repository: oci://registry-1.docker.io/bitnamicharts\n"
    "    tags: [bitnami-common]\n    version: 2.x.x\ndescription: NGINX Open Source\n"
    "name: nginx\nversion: 15.4.4\n",
    "bitnami/nginx/Chart.lock": "dependencies:\n- name: common\n  version: 2.13.3\n",
    "bitnami/nginx/values.yaml": "## @param replicaCount\nreplicaCount: 1\nimage:\n"
    "  registry: docker.io\n  repository: bitnami/nginx\n  tag: 1.25.3-debian-11-r1\n",
    "bitnami/nginx/values.schema.json": '{"$schema": "http://json-schema.org/schema#",'
    ' "type": "object", "properties": {"replicaCount": {"type": "integer"}}}\n',
    "bitnami/nginx/ci/values-with-ingress-metrics-and-serverblock.yaml": "ingress:\n"
    "  enabled: true\nmetrics:\n  enabled: true\n",
    "bitnami/nginx/templates/_helpers.tpl": '{{- define "nginx.image" -}}\n'
    '{{ include "common.images.image" (dict "imageRoot" .Values.image) }}\n{{- end -}}\n',
    "bitnami/nginx/templates/NOTES.txt": "CHART NAME: {{ .Chart.Name }}\n",
    "bitnami/nginx/templates/deployment.yaml": 'apiVersion: {{ include "common.capabilities'
    '.deployment.apiVersion" . }}\nkind: Deployment\nmetadata:\n  name: {{ template '
    '"common.names.fullname" . }}\n  namespace: {{ include "common.names.namespace" . '
    "| quote }}\nspec:\n  replicas: {{ .Values.replicaCount }}\n",
    "bitnami/nginx/templates/tests/test-connection.yaml": "apiVersion: v1\nkind: Pod\n"
    'metadata:\n  name: nginx-test-connection\n  annotations:\n    "helm.sh/hook": test\n'
    "spec:\n  containers: [{name: wget, image: busybox}]\n",
    "bitnami/nginx/charts/common/Chart.yaml": "apiVersion: v2\nname: common\n"
    "type: library\nversion: 2.13.3\n",
    "bitnami/nginx/charts/common/templates/_labels.tpl": '{{- define "common.labels" -}}\n'
    "{{- end -}}\n",
    "bitnami/nginx/charts/common/values.yaml": "exampleValue: common-chart\n",
    "bitnami/redis/Chart.yaml": "apiVersion: v2\nappVersion: 7.2.3\nname: redis\nversion: 18.4.0\n",
    "bitnami/redis/values.yaml": "architecture: replication\n",
    "bitnami/redis/crds/redis-crd.yaml": "apiVersion: apiextensions.k8s.io/v1\n"
    "kind: CustomResourceDefinition\nmetadata:\n  name: redisfailovers.databases.spotahome.com\n"
    "spec:\n  group: databases.spotahome.com\n",
    "bitnami/redis/templates/master/application.yaml": "apiVersion: apps/v1\n"
    'kind: StatefulSet\nmetadata:\n  name: {{ printf "%s-master" (include '
    '"common.names.fullname" .) }}\n',
    "ct.yaml": "chart-dirs:\n  - bitnami\ntarget-branch: main\nhelm-extra-args: --timeout 600s\n",
    ".github/workflows/ci.yaml": "name: Lint and Test Charts\non: pull_request\njobs:\n"
    "  lint-test:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - uses: actions/checkout@v4\n      - run: ct lint --config ct.yaml\n",
    "README.md": "# The Bitnami Library for Kubernetes\n",
}

# Argo CD app-of-apps with kustomize base/overlays (patches, images:, namePrefix,
# configMapGenerator) and an ApplicationSet whose template uses {{ }} placeholders.
ARGO_KUSTOMIZE: dict[str, str] = {
    "apps/guestbook/base/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\n"
    "kind: Kustomization\ncommonLabels:\n  app: guestbook-ui\nresources:\n"
    "  - guestbook-ui-deployment.yaml\n  - guestbook-ui-svc.yaml\nconfigMapGenerator:\n"
    "  - name: guestbook-config\n    literals: [LOG_LEVEL=info]\n",
    "apps/guestbook/base/guestbook-ui-deployment.yaml": deploy(
        "guestbook-ui", "gcr.io/heptio-images/ks-guestbook-demo:0.2"
    ),
    "apps/guestbook/base/guestbook-ui-svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n"
    "  name: guestbook-ui\nspec:\n  ports: [{port: 80}]\n",
    "apps/guestbook/overlays/prod/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/"
    "v1beta1\nkind: Kustomization\nnamespace: guestbook-prod\nnamePrefix: prod-\nresources:\n"
    "  - ../../base\npatches:\n  - path: replica-patch.yaml\n    target:\n      kind: Deployment\n"
    "      name: guestbook-ui\n  - target:\n      kind: Deployment\n      name: guestbook-ui\n"
    "    patch: |-\n      - op: replace\n        path: /spec/template/spec/containers/0/name\n"
    "        value: ui\nimages:\n  - name: gcr.io/heptio-images/ks-guestbook-demo\n"
    "    newTag: '0.3'\nconfigMapGenerator:\n  - name: guestbook-config\n    behavior: merge\n"
    "    literals: [LOG_LEVEL=warn]\n",
    "apps/guestbook/overlays/prod/replica-patch.yaml": "apiVersion: apps/v1\nkind: Deployment\n"
    "metadata:\n  name: guestbook-ui\nspec:\n  replicas: 4\n",
    "apps/guestbook/overlays/staging/kustomization.yaml": "namespace: guestbook-staging\n"
    "nameSuffix: -staging\nresources:\n  - ../../base\nimages:\n"
    "  - name: gcr.io/heptio-images/ks-guestbook-demo\n    newName: registry.example.com/guestbook\n"
    "    digest: sha256:24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857230879ce7d3d3\n",
    "argocd/apps/guestbook-prod.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\n"
    "metadata:\n  name: guestbook-prod\n  namespace: argocd\n  finalizers:\n"
    "    - resources-finalizer.argocd.argoproj.io\nspec:\n  project: default\n  source:\n"
    "    repoURL: https://github.com/argoproj/argocd-example-apps.git\n    targetRevision: HEAD\n"
    "    path: apps/guestbook/overlays/prod\n  destination:\n"
    "    server: https://kubernetes.default.svc\n    namespace: guestbook-prod\n  syncPolicy:\n"
    "    automated:\n      prune: true\n      selfHeal: true\n    syncOptions: [CreateNamespace=true]\n",
    "argocd/appset.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n"
    "  name: cluster-addons\n  namespace: argocd\nspec:\n  goTemplate: true\n  generators:\n"
    "    - git:\n        repoURL: https://github.com/acme/gitops.git\n        revision: HEAD\n"
    "        directories:\n          - path: addons/*\n  template:\n    metadata:\n"
    "      name: '{{.path.basename}}'\n    spec:\n      project: default\n      source:\n"
    "        repoURL: https://github.com/acme/gitops.git\n        targetRevision: HEAD\n"
    "        path: '{{.path.path}}'\n      destination:\n"
    "        server: https://kubernetes.default.svc\n        namespace: '{{.path.basename}}'\n",
    "addons/metrics/kustomization.yaml": "resources:\n  - metrics-deployment.yaml\n",
    "addons/metrics/metrics-deployment.yaml": deploy(
        "metrics-agent", "acme/metrics-agent:1.0.0", namespace="metrics"
    ),
    "docs/example-deployment.yaml": deploy("docs-snippet", "nginx:1.25"),
    "examples/hello/deployment.yaml": deploy("hello-example", "nginx:latest", namespace="default"),
}

_GOTK = "\n---\n".join([
    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: flux-system\n",
    "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n"
    "  name: helmreleases.helm.toolkit.fluxcd.io\nspec:\n  group: helm.toolkit.fluxcd.io\n",
    *(deploy(name, f"ghcr.io/fluxcd/{name}:v1.2.0", namespace="flux-system")
      for name in ("helm-controller", "kustomize-controller", "source-controller")),
])  # fmt: skip

# Flux (flux2-kustomize-helm-example): clusters/<env>/flux-system, HelmRelease v2, and
# Flux Kustomizations pointing at kustomize folders that patch the HelmRelease.
FLUX: dict[str, str] = {
    "clusters/production/flux-system/gotk-components.yaml": "# Flux Version: v2.2.0\n---\n" + _GOTK,
    "clusters/staging/flux-stage/gotk-components.yaml": _GOTK,
    "clusters/production/flux-system/gotk-sync.yaml": "---\napiVersion: source.toolkit.fluxcd.io/"
    "v1\nkind: GitRepository\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n"
    "  interval: 1m0s\n  ref:\n    branch: main\n  url: ssh://git@github.com/acme/fleet\n---\n"
    "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n"
    "  name: flux-system\n  namespace: flux-system\nspec:\n  interval: 10m0s\n"
    "  path: ./clusters/production\n  prune: true\n  sourceRef:\n    kind: GitRepository\n"
    "    name: flux-system\n",
    "clusters/production/flux-system/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/"
    "v1beta1\nkind: Kustomization\nresources:\n- gotk-components.yaml\n- gotk-sync.yaml\n",
    "clusters/production/apps.yaml": "apiVersion: kustomize.toolkit.fluxcd.io/v1\n"
    "kind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n"
    "  interval: 10m0s\n  dependsOn:\n    - name: infra-configs\n  sourceRef:\n"
    "    kind: GitRepository\n    name: flux-system\n  path: ./apps/production\n  prune: true\n",
    "clusters/production/infrastructure.yaml": "apiVersion: kustomize.toolkit.fluxcd.io/v1\n"
    "kind: Kustomization\nmetadata:\n  name: infra-controllers\n  namespace: flux-system\n"
    "spec:\n  interval: 1h\n  path: ./infrastructure/controllers\n  prune: true\n---\n"
    "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n"
    "  name: infra-configs\n  namespace: flux-system\nspec:\n  interval: 1h\n"
    "  path: ./infrastructure/configs\n",
    "apps/base/podinfo/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\n"
    "kind: Kustomization\nnamespace: podinfo\nresources:\n  - namespace.yaml\n"
    "  - repository.yaml\n  - release.yaml\n",
    "apps/base/podinfo/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n"
    "  name: podinfo\n",
    "apps/base/podinfo/repository.yaml": "apiVersion: source.toolkit.fluxcd.io/v1beta2\n"
    "kind: HelmRepository\nmetadata:\n  name: podinfo\n  namespace: podinfo\nspec:\n"
    "  interval: 5m\n  url: https://stefanprodan.github.io/podinfo\n",
    "apps/base/podinfo/release.yaml": "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n"
    "metadata:\n  name: podinfo\n  namespace: podinfo\nspec:\n  releaseName: podinfo\n"
    "  chart:\n    spec:\n      chart: podinfo\n      version: '6.5.*'\n      sourceRef:\n"
    "        kind: HelmRepository\n        name: podinfo\n  interval: 50m\n  install:\n"
    "    remediation:\n      retries: 3\n  values:\n    ingress:\n      enabled: true\n",
    "apps/production/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\n"
    "kind: Kustomization\nnamespace: podinfo\nresources:\n  - ../base/podinfo\npatches:\n"
    "  - path: podinfo-values.yaml\n    target:\n      kind: HelmRelease\n",
    "apps/production/podinfo-values.yaml": "apiVersion: helm.toolkit.fluxcd.io/v2\n"
    "kind: HelmRelease\nmetadata:\n  name: podinfo\nspec:\n  chart:\n    spec:\n"
    "      version: '>=1.0.0'\n  values:\n    replicaCount: 3\n",
    "infrastructure/controllers/ingress-nginx.yaml": "apiVersion: v1\nkind: Namespace\n"
    "metadata:\n  name: ingress-nginx\n---\napiVersion: helm.toolkit.fluxcd.io/v2\n"
    "kind: HelmRelease\nmetadata:\n  name: ingress-nginx\n  namespace: ingress-nginx\nspec:\n"
    "  interval: 30m\n  chart:\n    spec:\n      chart: ingress-nginx\n      version: '*'\n"
    "      sourceRef:\n        kind: HelmRepository\n        name: ingress-nginx\n",
    "infrastructure/controllers/kustomization.yaml": "resources:\n  - ingress-nginx.yaml\n",
}

_CRD = (
    "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n"
    "  name: prometheuses.monitoring.coreos.com\nspec:\n  group: monitoring.coreos.com\n"
    "  versions:\n" + "".join(f"  - name: v{i}\n    served: true\n" for i in range(2000))
)

# kube-prometheus: jsonnet sources with a vendored jsonnet-bundler tree, generated manifests
# (CRDs under setup/, CRs that are not workloads), and examples.
KUBE_PROMETHEUS: dict[str, str] = {
    "jsonnetfile.json": json.dumps({"version": 1, "dependencies": []}) + "\n",
    "jsonnetfile.lock.json": json.dumps({"version": 1, "dependencies": []}) + "\n",
    "example.jsonnet": "local kp = (import 'kube-prometheus/main.libsonnet');\n{}\n",
    "build.sh": "#!/usr/bin/env bash\njsonnet -J vendor -m manifests example.jsonnet\n",
    "vendor/github.com/prometheus/node_exporter/docs/node-mixin/deploy.yaml": deploy(
        "vendored-exporter", "quay.io/x:latest"
    ),
    "manifests/setup/0namespace-namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n"
    "  name: monitoring\n",
    "manifests/setup/0prometheusCustomResourceDefinition.yaml": _CRD,
    "manifests/prometheusOperator-deployment.yaml": deploy(
        "prometheus-operator",
        "quay.io/prometheus-operator/prometheus-operator:v0.70.0",
        namespace="monitoring",
    ),
    "manifests/grafana-deployment.yaml": deploy(
        "grafana", "grafana/grafana:10.2.2", namespace="monitoring"
    ),
    "manifests/kubeStateMetrics-deployment.yaml": deploy(
        "kube-state-metrics",
        "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.10.1",
        replicas=1,
        namespace="monitoring",
    ),
    "manifests/nodeExporter-daemonset.yaml": "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n"
    "  name: node-exporter\n  namespace: monitoring\nspec:\n  template:\n    spec:\n"
    "      containers:\n        - name: node-exporter\n"
    "          image: quay.io/prometheus/node-exporter:v1.7.0\n",
    "manifests/prometheus-prometheus.yaml": "apiVersion: monitoring.coreos.com/v1\n"
    "kind: Prometheus\nmetadata:\n  name: k8s\n  namespace: monitoring\nspec:\n  replicas: 2\n",
    "manifests/alertmanager-alertmanager.yaml": "apiVersion: monitoring.coreos.com/v1\n"
    "kind: Alertmanager\nmetadata:\n  name: main\n  namespace: monitoring\nspec:\n  replicas: 3\n",
    "examples/thanos-sidecar.yaml": deploy("example-thanos", "quay.io/thanos/thanos:v0.33.0"),
    "docs/customizations/deploy.yaml": deploy("doc-snippet", "nginx:latest", namespace="x"),
}

# A monorepo: GitHub Actions reusable workflows called with a matrix of environments.
MONOREPO_ACTIONS: dict[str, str] = {
    ".github/workflows/ci.yml": "name: CI\non: [push, pull_request]\njobs:\n  test:\n"
    "    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n",
    ".github/workflows/deploy.yml": "name: Deploy service\non:\n  workflow_call:\n    inputs:\n"
    "      service: {required: true, type: string}\n      environment: {required: true, type:"
    " string}\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n"
    "    environment: ${{ inputs.environment }}\n    steps:\n"
    "      - run: helm upgrade --install ${{ inputs.service }} services/${{ inputs.service }}"
    "/chart\n",
    ".github/workflows/release.yml": "name: Release\non:\n  push:\n    tags: ['v*']\n"
    "  workflow_dispatch:\njobs:\n  deploy:\n    strategy:\n      matrix:\n"
    "        service: [api, web]\n        environment: [staging, production]\n"
    "    uses: ./.github/workflows/deploy.yml\n    with:\n      service: ${{ matrix.service }}\n"
    "      environment: ${{ matrix.environment }}\n    secrets: inherit\n"
    "  notify:\n    needs: deploy\n    uses: acme/shared-workflows/.github/workflows/notify.yml@v2\n",
    ".github/actions/setup/action.yml": "name: setup\nruns:\n  using: composite\n  steps:\n"
    "    - run: echo deploy\n      shell: bash\n",
    "services/api/chart/Chart.yaml": "apiVersion: v2\nname: api\nversion: 0.1.0\n",
    "services/api/chart/values.yaml": "replicaCount: 2\n",
    "services/web/chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    "services/web/chart/values.yaml": "replicaCount: 2\n",
    "services/web/chart/values-production.yaml": "replicaCount: 6\n",
}

# GitLab CI with includes, environments and manual rollback jobs; CODEOWNERS in .gitlab/.
GITLAB: dict[str, str] = {
    ".gitlab-ci.yml": "include:\n  - local: .gitlab/ci/deploy.gitlab-ci.yml\n"
    "  - project: acme/ci-templates\n    ref: main\n    file: /templates/docker.yml\n"
    "  - template: Security/SAST.gitlab-ci.yml\nstages: [build, test, deploy]\n"
    "variables:\n  DOCKER_DRIVER: overlay2\ndefault:\n  image: alpine:3.19\n"
    "before_script:\n  - echo start\nbuild:\n  stage: build\n  script: [make build]\n",
    ".gitlab/ci/deploy.gitlab-ci.yml": ".deploy:\n  stage: deploy\n  image: alpine/helm:3.13\n"
    "deploy:production:\n  extends: .deploy\n  script:\n"
    "    - helm upgrade --install shop ./chart -n shop\n  environment:\n"
    "    name: production\n    url: https://shop.example.com\n  rules:\n"
    '    - if: $CI_COMMIT_BRANCH == "main"\nrollback:production:\n  extends: .deploy\n'
    "  script:\n    - helm rollback shop -n shop\n  environment:\n    name: production\n"
    "    action: access\n  when: manual\n",
    ".gitlab/CODEOWNERS": "[Backend]\n* @acme/backend\n^[Docs] @acme/writers\n/docs/ @acme/writers\n",
    "docs/CODEOWNERS": "* @acme/old-docs-owners\n",
}

# A Terraform root calling local modules, with the .terraform/ cache left on disk.
TERRAFORM: dict[str, str] = {
    ".gitignore": ".terraform/\n*.tfstate\n",
    "infra/envs/prod/main.tf": 'module "vpc" {\n  source = "../../modules/vpc"\n}\n'
    'module "app" {\n  source = "../../modules/app"\n}\n',
    "infra/envs/prod/backend.tf": 'terraform {\n  backend "gcs" {\n    bucket = "tf-state"\n'
    "  }\n}\n",
    "infra/envs/prod/providers.tf": 'provider "google" {\n  project = "acme-prod"\n}\n',
    "infra/envs/prod/terraform.tfvars": 'region = "europe-west1"\n',
    "infra/envs/prod/.terraform.lock.hcl": 'provider "registry.terraform.io/hashicorp/google" {\n'
    '  version = "5.10.0"\n}\n',
    "infra/envs/prod/.terraform/modules/vpc/main.tf": 'provider "aws" {}\n'
    'terraform {\n  backend "s3" {}\n}\n',
    "infra/envs/prod/.terraform/modules/modules.json": '{"Modules": []}\n',
    "infra/envs/staging/main.tf": 'terraform {\n  cloud {\n    organization = "acme"\n'
    '    workspaces {\n      name = "staging"\n    }\n  }\n}\n',
    "infra/modules/vpc/main.tf": 'variable "cidr" {}\nprovider "google" {}\n',
    "infra/modules/vpc/examples/basic/main.tf": 'provider "google" {}\nmodule "vpc" {\n'
    '  source = "../.."\n}\n',
}

# docker-compose with x- anchors, merge keys and profiles.
COMPOSE: dict[str, str] = {
    "docker-compose.yml": "version: '3.8'\nx-common: &common\n  restart: unless-stopped\n"
    "  environment: &env\n    FEATURE_NEW_SEARCH: 'true'\n    LOG_LEVEL: info\n"
    "x-logging:\n  driver: json-file\nservices:\n  api:\n    <<: *common\n"
    "    image: ghcr.io/acme/api:1.4.2\n    profiles: [prod]\n    deploy:\n      replicas: 3\n"
    "  worker:\n    <<: *common\n    build: .\n    environment:\n      <<: *env\n"
    "      DISABLE_EMAILS: 'false'\n  debug:\n    image: busybox\n    profiles: ['debug']\n",
    "compose.override.yaml": "services:\n  api:\n    environment:\n      RATE_LIMIT_ENABLED: 'false'\n",
}

# OpenFeature flagd flag definitions with shared $evaluators referenced by $ref.
FLAGD: dict[str, str] = {
    "flags/demo.flagd.json": json.dumps(
        {
            "$schema": "https://flagd.dev/schema/v0/flags.json",
            "flags": {
                "new-welcome-message": {
                    "state": "ENABLED",
                    "variants": {"on": True, "off": False},
                    "defaultVariant": "off",
                    "targeting": {"if": [{"$ref": "isEmployee"}, "on", "off"]},
                },
                "color-palette": {
                    "state": "ENABLED",
                    "variants": {"red": "#c05543", "green": "#2f5230"},
                    "defaultVariant": "green",
                },
                "legacy-checkout": {
                    "state": "DISABLED",
                    "variants": {"on": True, "off": False},
                    "defaultVariant": "on",
                },
            },
            "$evaluators": {"isEmployee": {"ends_with": [{"var": "email"}, "@acme.com"]}},
        },
        indent=2,
    )
    + "\n",
}

# Makefile with .PHONY, help comments, variables, and deploy/rollback calling scripts.
MAKEFILE: dict[str, str] = {
    "Makefile": ".PHONY: help build test deploy rollback restart-workers\n"
    "SHELL := /bin/bash\nENV ?= staging\nVERSION = $(shell git describe --tags)\n"
    "include mk/*.mk\n\nhelp: ## Show this help\n\t@grep -E '^[a-z-]+:' $(MAKEFILE_LIST)\n"
    "build:\n\tdocker build -t acme/app:$(VERSION) .\n"
    "deploy: build ## Deploy $(VERSION) to $(ENV)\n\t./scripts/deploy.sh $(ENV) $(VERSION)\n"
    "rollback: ## Roll back $(ENV) to the previous release\n\t./scripts/rollback.sh $(ENV)\n"
    "restart-workers deploy-docs: ## two targets on one line\n\t./scripts/restart.sh\n"
    "ifeq ($(ENV),prod)\nCONFIRM := yes\nendif\n",
    "mk/db.mk": "db-migrate:\n\t./scripts/migrate.sh\ndb-rollback:\n\t./scripts/migrate.sh down\n",
    "scripts/deploy.sh": "#!/usr/bin/env bash\nkubectl apply -k k8s/overlays/$1\n",
    "scripts/rollback.sh": "#!/usr/bin/env bash\nkubectl rollout undo deployment/app -n $1\n",
    "scripts/restart.sh": "#!/usr/bin/env bash\nkubectl rollout restart deployment/worker\n",
    "scripts/migrate.sh": "#!/usr/bin/env bash\n",
}

# Backstage: one catalog file with several documents (Component, API, System, Group, Location).
BACKSTAGE: dict[str, str] = {
    "catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n"
    "  name: checkout\n  annotations:\n    pagerduty.com/integration-key: abc\n"
    "    github.com/project-slug: acme/checkout\nspec:\n  type: service\n  lifecycle: production\n"
    "  owner: group:default/payments\n  system: commerce\n  providesApis: [checkout-api]\n"
    "  dependsOn: ['resource:default/orders-db']\n---\napiVersion: backstage.io/v1alpha1\n"
    "kind: API\nmetadata:\n  name: checkout-api\nspec:\n  type: openapi\n"
    "  lifecycle: production\n  owner: payments\n  definition:\n"
    "    $text: ./openapi.yaml\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n"
    "  name: payments\nspec:\n  type: team\n  children: []\n---\n"
    "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: more\nspec:\n"
    "  targets: [./services/*/catalog-info.yaml]\n---\napiVersion: backstage.io/v1alpha1\n"
    "kind: System\nmetadata:\n  name: commerce\nspec:\n  owner: payments\n",
    "services/orders/catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Resource\n"
    "metadata:\n  name: orders-db\nspec:\n  type: database\n  owner: payments\n",
    "openapi.yaml": "openapi: 3.0.0\ninfo: {title: checkout, version: '1'}\npaths: {}\n",
}

# A kubebuilder operator: config/ kustomize tree (default → manager, crd, rbac), samples.
KUBEBUILDER: dict[str, str] = {
    "Makefile": "##@ Deployment\n.PHONY: deploy undeploy\n"
    "deploy: manifests kustomize ## Deploy controller to the K8s cluster\n"
    "\t$(KUSTOMIZE) build config/default | kubectl apply -f -\n"
    "undeploy: ## Undeploy controller\n\t$(KUSTOMIZE) build config/default | kubectl delete -f -\n"
    "$(LOCALBIN):\n\tmkdir -p $(LOCALBIN)\n",
    "config/default/kustomization.yaml": "namespace: memcached-operator-system\n"
    "namePrefix: memcached-operator-\nresources:\n- ../crd\n- ../rbac\n- ../manager\n"
    "patches:\n- path: manager_metrics_patch.yaml\n  target:\n    kind: Deployment\n",
    "config/default/manager_metrics_patch.yaml": "- op: add\n  path: /spec/template/spec/"
    "containers/0/args/0\n  value: --metrics-bind-address=:8443\n",
    "config/manager/kustomization.yaml": "resources:\n- manager.yaml\napiVersion: kustomize."
    "config.k8s.io/v1beta1\nkind: Kustomization\nimages:\n- name: controller\n"
    "  newName: example.com/memcached-operator\n  newTag: v0.0.1\n",
    "config/manager/manager.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n"
    "  name: system\n---\n" + deploy("controller-manager", "controller:latest", 1, "system"),
    "config/crd/kustomization.yaml": "resources:\n- bases/cache.example.com_memcacheds.yaml\n",
    "config/crd/bases/cache.example.com_memcacheds.yaml": "apiVersion: apiextensions.k8s.io/v1\n"
    "kind: CustomResourceDefinition\nmetadata:\n  name: memcacheds.cache.example.com\n",
    "config/rbac/kustomization.yaml": "resources:\n- role.yaml\n",
    "config/rbac/role.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
    "metadata:\n  name: manager-role\n",
    "config/samples/cache_v1alpha1_memcached.yaml": "apiVersion: cache.example.com/v1alpha1\n"
    "kind: Memcached\nmetadata:\n  name: memcached-sample\nspec:\n  size: 3\n",
    "config/samples/deployment-sample.yaml": deploy("sample", "memcached:1.6", 3, "default"),
}
