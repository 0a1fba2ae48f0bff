"""GitLab CODEOWNERS: each section's last match, the union across sections, GitLab's globbing.

The files are GitLab's documented examples; the expected owners are what its documentation
says each merge request needs.
"""

from __future__ import annotations

import pytest

from stanch.owners import gitlab

# GitLab's "Regular entries and sections" example.
SECTIONS = """\
# Required for all files
* @general-approvers

[Documentation] @docs-team
docs/
README.md
*.txt

[Database] @database-team
model/db/
config/db/database-setup.md @docs-team
"""


@pytest.mark.parametrize(
    ("path", "owners"),
    [
        ("model/db/CHANGELOG.txt", ("@general-approvers", "@docs-team", "@database-team")),
        ("config/db/database-setup.md", ("@general-approvers", "@docs-team")),
        ("docs/guide/intro.md", ("@general-approvers", "@docs-team")),
        ("src/app.py", ("@general-approvers",)),
    ],
)
def test_the_owners_are_the_union_over_sections(path: str, owners: tuple[str, ...]) -> None:
    assert gitlab.owners_of(gitlab.parse(SECTIONS), path) == owners


def test_each_section_says_which_entry_matched() -> None:
    found = gitlab.matches(gitlab.parse(SECTIONS), "model/db/CHANGELOG.txt")
    assert [(m.section.name, m.entry.pattern, m.entry.owners) for m in found] == [
        ("", "*", ("@general-approvers",)),
        ("Documentation", "*.txt", ("@docs-team",)),
        ("Database", "model/db/", ("@database-team",)),
    ]


def test_the_last_match_wins_within_a_section_only() -> None:
    text = "[Docs]\ndocs/ @writers\ndocs/api/ @api-writers\n[Backend]\ndocs/api/ @backend\n"
    parsed = gitlab.parse(text)
    assert gitlab.owners_of(parsed, "docs/api/v1.md") == ("@api-writers", "@backend")
    assert gitlab.owners_of(parsed, "docs/intro.md") == ("@writers",)
    assert gitlab.owners_of(parsed, "src/main.go") is None


def test_a_pattern_written_twice_in_a_section_uses_the_later_line() -> None:
    parsed = gitlab.parse("[Docs]\ndocs/ @first\ndocs/ @second\n")
    assert gitlab.owners_of(parsed, "docs/a.md") == ("@second",)


def test_headers_optional_approvals_and_default_owners() -> None:
    text = ("[Documentation][2] @docs-team\ndocs/\nREADME.md\n\n"
            "^[Database] @database-team\nmodel/db/\nconfig/db/database-setup.md @docs-team\n"
            "^[Combined][3] @team @org/sub\nlib/\n")  # fmt: skip
    parsed = gitlab.parse(text)
    docs, database, combined = parsed.sections.values()
    assert (docs.name, docs.optional, docs.approvals, docs.defaults) == (
        "Documentation", False, 2, ("@docs-team",))  # fmt: skip
    assert (database.optional, database.approvals, database.defaults) == (
        True, 1, ("@database-team",))  # fmt: skip
    assert (combined.optional, combined.approvals, combined.defaults) == (
        True, 3, ("@team", "@org/sub"))  # fmt: skip
    assert gitlab.owners_of(parsed, "lib/x.rb") == ("@team", "@org/sub")
    # an entry's own owners replace the section's defaults
    assert gitlab.owners_of(parsed, "config/db/database-setup.md") == ("@docs-team",)


def test_section_names_are_case_insensitive_and_duplicates_combine() -> None:
    text = "[Docs]\ndocs/ @writers\n[Backend]\napp/ @backend\n[DOCS]\ndocs/api/ @api\n"
    parsed = gitlab.parse(text)
    assert [s.name for s in parsed.sections.values()] == ["Docs", "Backend"]
    assert gitlab.owners_of(parsed, "docs/api/a.md") == ("@api",)  # one section, last wins


def test_an_exclusion_takes_the_path_out_of_its_section_only() -> None:
    text = "* @default-owner\n!pom.xml\n[Ruby]\n*.rb @ruby-devs\n!/config/*\n* @x\n"
    parsed = gitlab.parse(text)
    assert gitlab.owners_of(parsed, "pom.xml") == ("@x",)
    assert gitlab.owners_of(parsed, "config/boot.rb") == ("@default-owner",)
    assert gitlab.owners_of(parsed, "app/a.rb") == ("@default-owner", "@x")


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("README.md", "README.md", True),
        ("README.md", "sub/dir/README.md", True),  # no leading `/`: at any depth
        ("/README.md", "sub/README.md", False),
        ("foo/bar", "baz/foo/bar", True),  # unlike GitHub, a middle `/` does not anchor
        ("foo", "foo/bar", False),  # a name without `/` is a file, not a directory
        ("foo/", "a/foo/b/c", True),
        ("/docs/", "docs/a/b.md", True),
        ("/docs/*", "docs/a", True),
        ("/docs/*", "docs/a/b", False),
        ("/docs/**/*.md", "docs/a/b/c.md", True),
        ("/docs/**/*.md", "docs/c.md", True),
        ("*", ".gitignore", True),  # FNM_DOTMATCH
        ("*.rb", "config/database.rb", True),
        ("[a-c]x.txt", "bx.txt", True),  # fnmatch brackets are a class
        ("[a-c]x.txt", "dx.txt", False),
        ("f\\*o", "f*o", True),
        ("f\\*o", "foo", False),
        ("\\#file_with_pound.rb", "#file_with_pound.rb", True),
        ("path\\ with\\ spaces/", "path with spaces/a.txt", True),
    ],
)
def test_gitlab_globbing(pattern: str, path: str, expected: bool) -> None:
    parsed = gitlab.parse(f"{pattern} @owner\n")
    assert (gitlab.owners_of(parsed, path) == ("@owner",)) is expected


def test_owners_in_an_inline_comment_count_and_other_words_do_not() -> None:
    parsed = gitlab.parse("docs/ @writers # and @reviewers, ask first\n")
    assert gitlab.owners_of(parsed, "docs/a.md") == ("@writers", "@reviewers")


def test_emails_and_roles_are_owners_and_a_bracketed_path_is_a_pattern() -> None:
    parsed = gitlab.parse("/config/ @@maintainer janedoe@gitlab.com\n[param]/file.ts @x\n")
    assert gitlab.owners_of(parsed, "config/a.yml") == ("@@maintainer", "janedoe@gitlab.com")
    assert list(parsed.sections) == [""]
    assert gitlab.owners_of(parsed, "[param]/file.ts") is None  # `[param]` is a class
    assert gitlab.owners_of(parsed, "p/file.ts") == ("@x",)
