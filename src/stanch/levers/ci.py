"""CI/CD pipelines: GitHub Actions, GitLab CI, Jenkins, Cloud Build, CircleCI, skaffold …"""

from __future__ import annotations

import re
from typing import Any

from stanch.levers.yamlio import mapping, one, seq
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
    if name.endswith((".gitlab-ci.yml", ".gitlab-ci.yaml")):
        return "gitlab_ci"  # included files (`include: local:`), often under .gitlab/ci/
    return _BY_NAME.get(name)


def pipeline(text: str, path: str, system: str) -> Surface | None:
    """One pipeline: its name, triggers, jobs and whether (and where) it deploys."""
    details: dict[str, Any] = {"system": system, "deploys": bool(_DEPLOY_WORDS.search(text))}
    parsed = one(text) if system in _YAML_SYSTEMS else None
    if system in _YAML_SYSTEMS and not isinstance(parsed, dict) and text.strip():
        return None  # not valid YAML: the CI system would not run it either (a note says why)
    doc = mapping(parsed)
    if system == "github_actions":
        details.update(_github(doc))
    elif system == "gitlab_ci":
        details.update(_gitlab(doc))
    elif system == "circleci":
        details["jobs"] = sorted(str(k) for k in mapping(doc.get("jobs")))
    name = path.rsplit("/", 1)[-1]
    if system == "github_actions":
        name = str(doc.get("name") or name)
    return Surface("ci_pipeline", path, name, details)


_YAML_SYSTEMS = ("github_actions", "gitlab_ci", "circleci", "cloud_build", "skaffold")
_GITLAB_GLOBAL = frozenset({"stages", "variables", "default", "include", "workflow", "image",
                            "services", "cache", "before_script", "after_script"})  # fmt: skip


def _github(doc: dict[str, Any]) -> dict[str, Any]:
    """Triggers, jobs, reusable workflows called, and the environments deployed to."""
    # YAML 1.1 reads `on:` as True; our loader keeps it, but accept both spellings.
    triggers = doc.get("on", doc.get(True))  # type: ignore[call-overload]
    if isinstance(triggers, (str, int)):
        triggers = [triggers]
    jobs = {str(k): mapping(v) for k, v in mapping(doc.get("jobs")).items()}
    calls = sorted({str(j["uses"]) for j in jobs.values() if isinstance(j.get("uses"), str)})
    envs: set[str] = set()
    for job in jobs.values():
        env = job.get("environment") or mapping(job.get("with")).get("environment")
        env = mapping(env).get("name") if isinstance(env, dict) else env
        envs.update(_expand(env, mapping(mapping(job.get("strategy")).get("matrix"))))
    return {"triggers": sorted(str(t) for t in (triggers if isinstance(triggers, (list, dict))
                                                else [])),
            "jobs": sorted(jobs), "calls": calls, "environments": sorted(envs)}  # fmt: skip


def _expand(env: Any, matrix: dict[str, Any]) -> list[str]:
    """An environment name, with `${{ matrix.X }}` taken from the job's matrix."""
    if not isinstance(env, str) or not env:
        return []
    found = re.fullmatch(r"\$\{\{\s*matrix\.([\w-]+)\s*\}\}", env.strip())
    if found:
        values = matrix.get(found.group(1))
        return [str(v) for v in values] if isinstance(values, list) else []
    return [] if "${{" in env else [env]


def _gitlab(doc: dict[str, Any]) -> dict[str, Any]:
    """Stages, jobs, included files, environments and the jobs a person starts (`when: manual`)."""
    jobs = {k: mapping(v) for k, v in doc.items()
            if isinstance(k, str) and k not in _GITLAB_GLOBAL and not k.startswith(".")}  # fmt: skip
    envs = {}
    for name, job in jobs.items():
        env = job.get("environment")
        env = mapping(env).get("name") if isinstance(env, dict) else env
        if isinstance(env, str) and env:
            envs[name] = env
    include = doc.get("include")
    includes = []
    for item in include if isinstance(include, list) else [include] if include else []:
        entry = mapping(item)
        ref = item if isinstance(item, str) else next(
            (f"{k}: {entry[k]}" for k in ("local", "project", "template", "remote", "component")
             if k in entry), None)  # fmt: skip
        if ref:
            includes.append(str(ref))
    return {"stages": [str(s) for s in seq(doc.get("stages"))], "jobs": sorted(jobs),
            "includes": includes, "environments": envs,
            "manual": sorted(n for n, j in jobs.items() if j.get("when") == "manual")}  # fmt: skip
