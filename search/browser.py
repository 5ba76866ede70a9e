"""The browser-side index: Pagefind (extended, with Chinese segmentation), written into the
built site under `pagefind/`.

Pagefind indexes HTML. Crawling the site's full pages is what made 50,000 pages cost 9.6 GB
(ARCHITECTURE.md, Search), and its Python API answers one record per 100 ms (it polls its
service at 10 Hz), so each public record is written as a small HTML file holding only what
is searchable, at its page's path, and the Pagefind command indexes that folder. Titles are
also indexed as character pairs (see `pairs`). Each file
carries the result's metadata (title, type, body, date) and the search page's filters: 类型,
执法主体, 行政区划, 年份, 决定类别, 状态.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from search.documents import KINDS, Document

OUTPUT = "pagefind"

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title></head>
<body><main data-pagefind-body>
<h1 data-pagefind-meta="title">{title}</h1>
<div data-pagefind-ignore>{hidden}</div>
<p>{codes}</p>
<p>{text}</p>
<p>{pairs}</p>
</main></body></html>
"""


class BrowserIndexError(Exception):
    """The Pagefind command failed; the message has its output."""


def _span(attribute: str, name: str, value: str) -> str:
    return f'<span {attribute}="{html.escape(name)}">{html.escape(value)}</span>'


def record_page(doc: Document, names: dict[str, str], regions: dict[str, str]) -> str:
    bodies = [names.get(b, b) for b in doc.body.split() if b]
    filters = [("类型", KINDS.get(doc.kind, doc.kind)), *(("执法主体", b) for b in bodies)]
    if doc.region:
        filters.append(("行政区划", regions.get(doc.region, doc.region)))
    if doc.year:
        filters.append(("年份", str(doc.year)))
    if doc.kind == "decisions" and doc.type:
        filters.append(("决定类别", doc.type))
    if doc.status:
        filters.append(("状态", doc.status))
    hidden = [_span("data-pagefind-filter", name, value) for name, value in filters]
    hidden += [_span("data-pagefind-meta", "kind", KINDS.get(doc.kind, doc.kind)),
               _span("data-pagefind-meta", "body", "、".join(bodies)),
               _span("data-pagefind-meta", "date", doc.date),
               _span("data-pagefind-sort", "date", doc.date or "0000-00-00")]
    return PAGE.format(title=html.escape(doc.title), hidden="".join(hidden),
                       codes=html.escape(doc.codes), text=html.escape(doc.text),
                       pairs=html.escape(pairs(doc.title)))


def pairs(text: str) -> str:
    """The character pairs of each run of a name: 东湖市拓新 -> 东湖 湖市 市拓 拓新. Pagefind
    cuts Chinese into words by a dictionary, and a name can be cut one way in a page and
    another way in a query (东湖/市拓/新 against 东湖市/拓新), so the title is also indexed as
    pairs, and the search page also searches the query's pairs (search.js)."""
    return " ".join(run[i:i + 2] for run in text.split() if len(run) > 2
                    for i in range(len(run) - 1))


def write_browser_index(documents: Iterable[Document], names: dict[str, str],
                        regions: dict[str, str], site_dir: Path, work: Path) -> int:
    """Index every document into `site_dir/pagefind/`; returns how many were indexed."""
    work.mkdir(parents=True, exist_ok=True)
    pages = Path(tempfile.mkdtemp(prefix="pagefind-", dir=work))
    count = 0
    try:
        for doc in documents:
            path = pages / doc.url / "index.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(record_page(doc, names, regions), encoding="utf-8")
            count += 1
        result = subprocess.run(
            [sys.executable, "-m", "pagefind", "--site", str(pages), "--output-path",
             str(site_dir / OUTPUT), "--force-language", "zh"],
            capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BrowserIndexError(f"pagefind failed (exit {result.returncode}):\n"
                                    f"{result.stdout}{result.stderr}")
    finally:
        shutil.rmtree(pages, ignore_errors=True)
    return count
