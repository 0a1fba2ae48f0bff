"""The tracker `stanch actions sync` opens issues in: `[postmortem.github]` or `[postmortem.gitlab]`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from stanch.errors import InvalidInput
from stanch.postmortem.github_issues import GitHubIssues
from stanch.postmortem.gitlab_issues import GitLabIssues
from stanch.postmortem.tracker import Tracker

HOSTS = {"github": ("repo", "GITHUB_TOKEN", "https://api.github.com"),
         "gitlab": ("project", "GITLAB_TOKEN", "https://gitlab.com")}  # fmt: skip
LABEL = {"github": "GitHub", "gitlab": "GitLab"}
NONE = ('no tracker configured: add [postmortem.github] repo = "owner/name" or '
        '[postmortem.gitlab] project = "group/project"')  # fmt: skip


def _section(raw: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]] | None:
    postmortem = raw.get("postmortem") or {}
    found = [
        (host, postmortem[host]) for host in HOSTS if isinstance(postmortem.get(host), Mapping)
    ]
    if len(found) > 1:
        raise InvalidInput("stanch.toml: configure one tracker, [postmortem.github] or "
                           "[postmortem.gitlab], not both")  # fmt: skip
    return found[0] if found else None


def from_settings(raw: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Tracker:
    """The configured tracker; its token comes from the environment."""
    found = _section(raw)
    if found is None or not found[1].get(HOSTS[found[0]][0]):
        raise InvalidInput(NONE)
    return _tracker(found[0], found[1], private=False, env=env)


def private_from_settings(
    raw: Mapping[str, Any], env: Mapping[str, str] | None = None
) -> Tracker | None:
    """Where private postmortems' items go (`private_repo` / `private_project`), if anywhere."""
    found = _section(raw)
    if found is None or not found[1].get(f"private_{HOSTS[found[0]][0]}"):
        return None
    return _tracker(found[0], found[1], private=True, env=env)


def _tracker(host: str, section: Mapping[str, Any], *, private: bool,
             env: Mapping[str, str] | None) -> Tracker:  # fmt: skip
    field, variable_default, url_default = HOSTS[host]
    key = f"private_{field}" if private else field
    where = str(section[key]).strip("/")
    if host == "github" and where.count("/") != 1:
        raise InvalidInput(
            f"stanch.toml: postmortem.github {key} must be owner/name, not {where!r}"
        )
    if host == "gitlab" and not where:
        raise InvalidInput(f"stanch.toml: postmortem.gitlab {key} must be group/project or an id")
    variable = str(section.get("token_env", variable_default))
    token = (os.environ if env is None else env).get(variable, "")
    if not token:
        raise InvalidInput(f"set {variable} to a {LABEL[host]} token that may create issues "
                           f"in {where}")  # fmt: skip
    url = str(section.get("url", url_default)).rstrip("/")
    name = f"{host}-private" if private else host
    if host == "github":
        return GitHubIssues(where, token, url, name=name)
    return GitLabIssues(where, token, url, name=name)
