"""The standalone HTML page escapes everything the postmortem's authors typed."""

from __future__ import annotations

from stanch.postmortem.html import page


def test_markup_is_escaped_and_structure_kept() -> None:
    markdown = "\n".join([
        "**Status:** draft", "", "### Summary", "", "A <script>alert(1)</script> & more", "",
        "| Measure | Value |", "|---|---|", "| Users | 12 \\| 13 |", "",
        "- W1 (trigger): top", "  - W2 (code): <b>child</b>", "- W3: second",
    ])  # fmt: skip
    html = page("Postmortem: <checkout>", markdown)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert "<title>Postmortem: &lt;checkout&gt;</title>" in html
    assert "<h3>Summary</h3>" in html and "<strong>Status:</strong>" in html
    assert "<tr><th>Measure</th><th>Value</th></tr><tr><td>Users</td><td>12 | 13</td></tr>" in html
    assert (
        "<ul>\n<li>W1 (trigger): top</li>\n<ul>\n<li>W2 (code): &lt;b&gt;child&lt;/b&gt;</li>\n</ul>"
        in html
    )
    assert html.count("<ul>") == html.count("</ul>") == 2
