"""CI/CD pipelines: GitHub Actions, GitLab CI, Jenkins, Cloud Build, CircleCI, skaffold …"""

from __future__ import annotations

import re
from typing import Any

from stanch.levers.yamlio import mapping, one
from stanch.model.levers import Surface

_DEPLOY_WORDS = re.compile(
    r"\b(kubectl (?:apply|rollout|set image)|helm (?:upgrade|install|rollback)|"
    r"skaffold (?:run|deploy)|terraform apply|gcloud (?:run deploy|deploy)|argocd app sync|"
    r"flux reconcile|docker push|deploy)\b"
)


_BY_NAME = {
    ".gitlab-ci.yml": "gitlab_ci", ".gitlab-ci.yaml": "gitlab_ci", "Jenkinsfile": "jenkins",
    "cloudbuild.yaml": "cloud_build", "cloudbuild.yml": "cloud_build",
    "cloudbuild.json": "cloud_build", "skaffold.yaml": "skaffold", "skaffold.yml": "skaffold",
    "azure-pipelines.yml": "azure_pipelines", "bitbucket-pipelines.yml": "bitbucket_pipelines",
    ".drone.yml": "drone", ".travis.yml": "travis",
}  # fmt: skip


def ci_kind(path: str) -> str | None:
    """Which CI system a path belongs to, or None."""
    name = path.rsplit("/", 1)[-1]
    if path.startswith(".github/workflows/") and name.endswith((".yml", ".yaml")):
        return "github_actions"
    if path in (".circleci/config.yml", ".circleci/config.yaml"):
        return "circleci"
    if path.startswith(".buildkite/") and name.startswith("pipeline"):
        return "buildkite"
    if name.startswith("Jenkinsfile."):
        return "jenkins"
    return _BY_NAME.get(name)


def pipeline(text: str, path: str, system: str) -> Surface:
    """One pipeline: its name, triggers, jobs and whether (and where) it deploys."""
    details: dict[str, Any] = {"system": system, "deploys": bool(_DEPLOY_WORDS.search(text))}
    if system in ("github_actions", "gitlab_ci", "circleci", "cloud_build", "skaffold"):
        doc = mapping(one(text))
        if system == "github_actions":
            # YAML 1.1 reads `on:` as True; our loader keeps it, but accept both spellings.
            triggers = doc.get("on", doc.get(True))  # type: ignore[call-overload]
            if isinstance(triggers, str):
                triggers = [triggers]
            details["triggers"] = sorted(str(t) for t in (triggers or []))
            details["jobs"] = sorted(mapping(doc.get("jobs")))
        elif system == "gitlab_ci":
            reserved = {"stages", "variables", "default", "include", "workflow", "image"}
            details["stages"] = [str(s) for s in doc.get("stages") or []]
            details["jobs"] = sorted(
                k for k in doc if isinstance(k, str) and k not in reserved and not k.startswith(".")
            )
        elif system == "circleci":
            details["jobs"] = sorted(mapping(doc.get("jobs")))
    name = path.rsplit("/", 1)[-1]
    if system == "github_actions":
        doc = mapping(one(text))
        name = str(doc.get("name") or name)
    return Surface("ci_pipeline", path, name, details)
