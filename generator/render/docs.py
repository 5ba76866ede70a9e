"""A rendered page as a Markdown source file for mkdocs, and writing the docs folder."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.render.errors import RenderError
from generator.render.reuse import Left, Reused
from generator.render.text import title_text


@dataclass(frozen=True)
class Fence:
    """A fenced block that mkdocs' Markdown turns into something (a mermaid diagram)."""

    language: str
    code: str


Block = str | Fence
"""A page is a sequence of raw HTML blocks (from templates) and fences."""


@dataclass(frozen=True)
class DocPage:
    """One page of the site: its source path in the docs folder, its title and its blocks."""

    src: str
    title: str
    blocks: tuple[Block, ...]
    feeds: tuple[Any, ...] = ()
    """FeedLinks (title, rss, atom) the theme writes into <head> for autodiscovery."""
    noindex: bool = False
    """A stub (withdrawn, expired) that search engines should drop."""
    head_override: str = ""
    """What head() gives instead (the marker of a shell page, generator/render/shell.py)."""
    key: bytes | None = None
    """What the page is made from (generator/render/reuse.py), when its maker knows."""

    def head(self) -> str:
        """What the page adds to <head>: noindex on a stub, and its feeds for autodiscovery.
        rel is "alternate feed", not "alternate" alone: the theme takes every
        link[rel=alternate] for a translation of the site and fetches a sitemap.xml next to
        it (404s from feeds/…/); feed readers match the alternate token with the feed type
        either way."""
        if self.head_override:
            return self.head_override
        lines = ['<meta name="robots" content="noindex">'] if self.noindex else []
        for feed in self.feeds:
            title, rss, atom = (html.escape(str(v)) for v in (feed.title, feed.rss, feed.atom))
            lines.append(f'<link rel="alternate feed" type="application/rss+xml" '
                         f'title="{title}（RSS）" href="{rss}">')
            lines.append(f'<link rel="alternate feed" type="application/atom+xml" '
                         f'title="{title}（Atom）" href="{atom}">')
        return "\n".join(lines)

    def content(self) -> str:
        """The page's HTML as the theme puts it in <article>, for pages without fences
        (Python-Markdown passes raw HTML blocks through, one blank line apart)."""
        return "\n\n".join(block.strip() for block in self.blocks if isinstance(block, str))

    def markdown(self) -> str:
        # JSON strings are YAML strings, so any title is a valid, literal front-matter value.
        meta = [f"title: {json.dumps(title_text(self.title), ensure_ascii=False)}"]
        head = self.head()
        if head:
            meta.append(f"gs_head: {json.dumps(head, ensure_ascii=False)}")
        parts = ["---\n" + "\n".join(meta) + "\n---\n"]
        for block in self.blocks:
            if isinstance(block, Fence):
                parts.append(f"```{block.language}\n{block.code}\n```\n")
            else:
                parts.append(block.strip() + "\n")
        return "\n".join(parts)


@dataclass(frozen=True)
class StaticFile:
    """A file mkdocs copies to the site as it is (a JSON data file, a redirect page)."""

    src: str
    text: str
    key: bytes | None = None
    """What the file is made from (generator/render/reuse.py), when its maker knows."""
    parts: Sequence[str] = ()
    """Or its text in parts (then `text` is empty), joined only where it is needed whole:
    the writer writes them one after another. (A year's open data, tens of MB, was joined
    and copied into new memory several times: a tenth of the page faults of a rebuild.)"""

    def markdown(self) -> str:
        return "".join(self.parts) if self.parts else self.text


Output = DocPage | StaticFile

Made = Output | Reused | Left
"""What a task yields: a page or file made now, or one left as the published site has it,
or many of those (`Left`)."""


def no_two_alike(sources: Iterable[str]) -> None:
    """Two outputs with one path mean two records want the same URL."""
    seen: set[str] = set()
    for src in sources:
        if src in seen:
            raise RenderError(f"two pages would be written to {src}; "
                              "rename one of the records whose id makes this path")
        seen.add(src)


def write_docs(pages: list[Output], docs_dir: Path) -> None:
    """Write every page and file (no two at one path)."""
    no_two_alike(page.src for page in pages)
    for page in pages:
        path = docs_dir / page.src
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page.markdown(), encoding="utf-8")
