"""A standalone, print-friendly HTML page from the postmortem's Markdown (a small subset)."""

from __future__ import annotations

import html
import re

_STYLE = (
    "body{font:15px/1.5 system-ui,sans-serif;max-width:60em;margin:2em auto;color:#111}"
    "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .5em}"
    "@media print{body{margin:0}}"
)


def _inline(text: str) -> str:
    out = html.escape(text, quote=False)
    out = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)
    out = re.sub(r"(?<!\w)_(.+?)_(?!\w)", r"<em>\1</em>", out)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", out)


def _row(line: str, cell: str) -> str:
    cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
    return "<tr>" + "".join(f"<{cell}>{_inline(c)}</{cell}>" for c in cells) + "</tr>"


PRIVATE_NOTE = (
    "PRIVATE: a restricted incident's postmortem, for the people named on it. "
    "Do not publish, forward or attach it anywhere public."
)


def page(title: str, markdown: str, *, private: bool = False) -> str:
    """HTML for `markdown` (headings, paragraphs, nested lists, tables, bold, italics).

    A private page says so at the top and asks search engines and archives to keep out.
    """
    body: list[str] = []
    lines = markdown.splitlines()
    depth = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        item = re.match(r"^(\s*)- (.*)$", line)
        want = (len(item.group(1)) // 2 + 1) if item else 0
        while depth < want:
            body.append("<ul>")
            depth += 1
        while depth > want:
            body.append("</ul>")
            depth -= 1
        if item:
            body.append(f"<li>{_inline(item.group(2))}</li>")
        elif heading := re.match(r"^(#{1,6}) (.*)$", line):
            level = len(heading.group(1))
            body.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif line.startswith("|") and i + 1 < len(lines) and lines[i + 1].startswith("|---"):
            rows = [_row(line, "th")]
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(_row(lines[i], "td"))
                i += 1
            body.append("<table>" + "".join(rows) + "</table>")
            continue
        elif line.strip():
            body.append(f"<p>{_inline(line)}</p>")
        i += 1
    body += ["</ul>"] * depth
    head = '<meta charset="utf-8">'
    if private:
        title = f"[PRIVATE] {title}"
        head += '<meta name="robots" content="noindex,nofollow,noarchive">'
        body.insert(0, f'<p class="private"><strong>{html.escape(PRIVATE_NOTE)}</strong></p>')
    return (
        f'<!doctype html>\n<html lang="en"><head>{head}'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>\n"
        f"<h1>{html.escape(title)}</h1>\n" + "\n".join(body) + "\n</body></html>\n"
    )
