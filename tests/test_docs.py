"""Docs are tested: every command and every setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from stanch.cli.app import app
from stanch.settings import SETTINGS_DOC

DOCS = Path(__file__).resolve().parents[1] / "docs"


def command_paths() -> list[str]:
    """'declare', 'evidence logs' … for every command of the CLI."""
    group = typer.main.get_command(app)
    found: list[str] = []

    def walk(command: object, prefix: str) -> None:
        commands = getattr(command, "commands", None)
        if commands is None:
            found.append(prefix)
            return
        for name, sub in commands.items():
            walk(sub, f"{prefix} {name}".strip())

    walk(group, "")
    return found


def all_docs() -> str:
    """Every page under docs/: each capability documents its commands in its own page."""
    return "\n".join(path.read_text() for path in sorted(DOCS.glob("*.md")))


def test_every_command_is_in_the_reference() -> None:
    text = all_docs()
    headings = re.findall(r"^#{2,4} `stanch ([a-z -]+?)(?: [A-Z\[\-].*)?`", text, re.MULTILINE)
    documented = {h.strip() for h in headings}
    missing = [path for path in command_paths() if path not in documented]
    assert not missing, f"undocumented commands: {missing}"


def test_every_core_setting_is_documented() -> None:
    text = all_docs()
    for name, (env, _) in SETTINGS_DOC.items():
        assert f"`{name}`" in text, name
        if env:
            assert f"`{env}`" in text, env


def test_readme_links_resolve() -> None:
    readme = (DOCS.parent / "README.md").read_text()
    for link in re.findall(r"\]\((docs/[^)#]+)\)", readme):
        assert (DOCS.parent / link).is_file(), link
