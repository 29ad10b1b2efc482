"""The report as one self-contained HTML page, pictures inlined as data URIs.

MLflow's artifact viewer renders Markdown without its images, but renders HTML: ``report.html``
shows the plots right in the UI. It converts only the Markdown that :mod:`sweeps.report.markdown`
writes (headings, paragraphs, tables, lists, images, code blocks, inline code and bold, and the
``<details>`` lines that collapse the configuration).
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterator
from pathlib import Path

__all__: list[str] = []  # nothing here for other packages

STYLE = (
    "body{font-family:sans-serif;max-width:60em;margin:1em auto;padding:0 1em;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .6em}"
    "th{background:#f3f3f3}img{max-width:100%}pre{background:#f6f6f6;padding:.6em;overflow:auto}"
    "summary{cursor:pointer;color:#555}h2{border-bottom:1px solid #ddd;margin-top:1.6em}"
)
IMAGE = re.compile(r"^!\[([^\]]*)\]\(([^)]+)\)$")
DETAILS = re.compile(r"^(<details><summary>[^<>]*</summary>|</details>)$")


def inline(text: str) -> str:
    """Escape ``text`` and render inline code, bold and links."""
    out = html.escape(text, quote=False).replace("\\|", "|")
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", out)
    return re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r'<a href="\2">\1</a>', out)


def data_uri(path: Path) -> str:
    """A PNG file as a ``data:`` URI (empty when the file is missing)."""
    if not path.is_file():
        return ""
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def _table(rows: list[str]) -> str:
    head, body = _cells(rows[0]), [_cells(r) for r in rows[2:]]
    out = ["<table><tr>", *(f"<th>{inline(c)}</th>" for c in head), "</tr>"]
    for row in body:
        out += ["<tr>", *(f"<td>{inline(c)}</td>" for c in row), "</tr>"]
    return "".join([*out, "</table>"])


def _blocks(lines: list[str]) -> Iterator[list[str]]:
    """Runs of lines that form one block: a code fence, a table, a list or one line (blank
    lines separate blocks: two tables in a row stay two)."""
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        if lines[i].startswith("```"):
            end = lines.index("```", i + 1)
            yield lines[i : end + 1]
            i = end + 1
            continue
        j = i + 1
        for prefix in ("|", "- "):
            if lines[i].startswith(prefix):
                while j < len(lines) and lines[j].startswith(prefix):
                    j += 1
        yield lines[i:j]
        i = j


def _block(block: list[str], folder: Path) -> str:
    first = block[0]
    if DETAILS.match(first):  # the report's own collapsible markup, passed through
        return first
    if first.startswith("```"):
        return "<pre>" + html.escape("\n".join(block[1:-1])) + "</pre>"
    if first.startswith("|"):
        return _table(block)
    if first.startswith("- "):
        return "<ul>" + "".join(f"<li>{inline(line[2:])}</li>" for line in block) + "</ul>"
    if heading := re.match(r"^(#{1,6}) (.*)$", first):
        level, text = len(heading.group(1)), heading.group(2)
        anchor = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
        return f'<h{level} id="{anchor}">{inline(text)}</h{level}>'
    if image := IMAGE.match(first):
        alt, src = image.groups()
        return f'<p><img alt="{html.escape(alt)}" src="{data_uri(folder / src)}"></p>'
    return f"<p>{inline(first)}</p>"


def to_html(markdown: str, folder: Path, title: str) -> str:
    """The report's Markdown as an HTML page; images are read from ``folder`` and inlined."""
    lines = markdown.splitlines()
    body = "\n".join(_block(block, folder) for block in _blocks(lines))
    head = f"<meta charset='utf-8'><title>{html.escape(title)}</title><style>{STYLE}</style>"
    return f"<!DOCTYPE html>\n<html><head>{head}</head><body>\n{body}\n</body></html>\n"
