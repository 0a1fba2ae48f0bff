"""CODEOWNERS matching over the contract's case table, precedence and file locations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stanch.owners import codeowners

# A copy of the contract's case table (hmarr/codeowners testdata, MIT; see data/README.md).
CASES_FILE = Path(__file__).parent / "data" / "codeowners-patterns.hmarr.json"


def _cases() -> list[tuple[str, str, bool]]:
    groups = json.loads(CASES_FILE.read_text())
    return [
        (group["pattern"], path, expected)
        for group in groups
        for path, expected in group["paths"].items()
    ]


CASES = _cases()


def test_the_table_is_complete() -> None:
    assert len(CASES) == 153


@pytest.mark.parametrize(("pattern", "path", "expected"), CASES)
def test_pattern_case(pattern: str, path: str, expected: bool) -> None:
    rule = codeowners.parse(f"{pattern} @owner")[0]
    assert rule.matches(path) is expected


GITHUB_EXAMPLE = """\
# from GitHub's documentation
*       @global
*.js    @js-owner   # trailing comment
/apps/  @octocat
/apps/github
"""


@pytest.mark.parametrize(
    ("path", "owners"),
    [
        ("src/x.js", ("@js-owner",)),
        ("apps/main/app.js", ("@octocat",)),
        ("apps/github/index.js", ()),
        ("README.md", ("@global",)),
    ],
)
def test_last_match_wins(path: str, owners: tuple[str, ...]) -> None:
    rules = codeowners.parse(GITHUB_EXAMPLE)
    assert codeowners.owners_of(rules, path) == owners


def test_no_rule_means_none() -> None:
    assert codeowners.owners_of(codeowners.parse("/docs/ @docs"), "src/a.py") is None


def test_negation_and_sections_are_skipped() -> None:
    rules = codeowners.parse("[Backend] @be\n!secret @x\n*.py @py\n")
    assert [r.pattern for r in rules] == ["*.py"]


@pytest.mark.parametrize(
    ("present", "chosen"),
    [
        (["CODEOWNERS", ".github/CODEOWNERS"], ".github/CODEOWNERS"),
        (["CODEOWNERS", "docs/CODEOWNERS"], "CODEOWNERS"),
        (["docs/CODEOWNERS", ".gitlab/CODEOWNERS"], "docs/CODEOWNERS"),
        ([".gitlab/CODEOWNERS"], ".gitlab/CODEOWNERS"),
    ],
)
def test_location_order(tmp_path: Path, present: list[str], chosen: str) -> None:
    for relative in present:
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"* @{relative.replace('/', '_')}\n")
    found = codeowners.find(tmp_path)
    assert found is not None
    assert found.relative_to(tmp_path).as_posix() == chosen


def test_directory_named_codeowners_is_ignored(tmp_path: Path) -> None:
    (tmp_path / ".github" / "CODEOWNERS").mkdir(parents=True)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "CODEOWNERS").write_text("* @docs\n")
    assert codeowners.load(tmp_path)[0].owners == ("@docs",)


def test_oversized_file_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "CODEOWNERS").write_text("* @big\n" + "#" * codeowners.MAX_BYTES)
    assert codeowners.find(tmp_path) is None
