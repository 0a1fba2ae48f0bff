"""One settings object, read once from stanch.toml, the environment and flags."""

from __future__ import annotations

import getpass
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stanch.errors import InvalidInput
from stanch.model.severity import Scheme

CONFIG_NAME = "stanch.toml"
DEFAULT_CHANNEL_PATTERN = "inc-{id}"

# Every setting, its environment variable and meaning; docs/settings.md is checked against it.
SETTINGS_DOC: dict[str, tuple[str | None, str]] = {
    "database_url": (
        "STANCH_DATABASE_URL",
        "SQLAlchemy URL of the store; default SQLite in .stanch/",
    ),
    "severity_scheme": ("STANCH_SEVERITY_SCHEME", "'sev' (SEV1–SEV4) or 'p' (P0–P3) for display"),
    "channel_pattern": (None, "incident channel name; {id}, {slug} and {date} are filled in"),
    "incidents_dir": (None, "where incident files are written; default incidents/"),
    "data_dir": (None, "where the embedded store lives; default .stanch/"),
    "actor": ("STANCH_ACTOR", "who is recorded as acting; default the login name"),
}


@dataclass(frozen=True)
class Settings:
    root: Path
    data_dir: Path
    incidents_dir: Path
    database_url: str
    severity_scheme: Scheme = Scheme.SEV
    channel_pattern: str = DEFAULT_CHANNEL_PATTERN
    actor: str = "responder"
    config_path: Path | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)  # sections other domains read


def find_config(start: Path) -> Path | None:
    """stanch.toml in `start` or the nearest parent."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read ({exc.strerror})") from None


def _default_actor(env: Mapping[str, str]) -> str:
    if env.get("STANCH_ACTOR"):
        return env["STANCH_ACTOR"]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "responder"


def load_settings(
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    config_path: Path | None = None,
) -> Settings:
    """Read settings once: explicit file or the nearest stanch.toml, then the environment."""
    env = os.environ if env is None else env
    cwd = (cwd or Path.cwd()).resolve()
    if config_path is None and env.get("STANCH_CONFIG"):
        config_path = Path(env["STANCH_CONFIG"])
    path = config_path or find_config(cwd)
    if config_path is not None and not config_path.is_file():
        raise InvalidInput(f"config file {config_path} does not exist")
    raw = _read_toml(path) if path else {}
    core = raw.get("stanch", raw)
    if not isinstance(core, dict):
        raise InvalidInput(f"{path}: [stanch] must be a table")
    root = path.parent.resolve() if path else cwd
    data_dir = root / str(core.get("data_dir", ".stanch"))
    incidents_dir = root / str(core.get("incidents_dir", "incidents"))
    url = env.get("STANCH_DATABASE_URL") or core.get("database_url")
    if not url:
        url = f"sqlite:///{data_dir / 'stanch.db'}"
    scheme_text = str(env.get("STANCH_SEVERITY_SCHEME") or core.get("severity_scheme", "sev"))
    try:
        scheme = Scheme(scheme_text.lower())
    except ValueError:
        raise InvalidInput(f"severity_scheme must be 'sev' or 'p', not {scheme_text!r}") from None
    return Settings(
        root=root,
        data_dir=data_dir,
        incidents_dir=incidents_dir,
        database_url=str(url),
        severity_scheme=scheme,
        channel_pattern=str(core.get("channel_pattern", DEFAULT_CHANNEL_PATTERN)),
        actor=str(core.get("actor") or _default_actor(env)),
        config_path=path,
        raw=raw,
    )
