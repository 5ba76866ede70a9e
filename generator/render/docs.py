"""A rendered page as a Markdown source file for mkdocs, and writing the docs folder."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.render.errors import RenderError
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

    def markdown(self) -> str:
        # JSON strings are YAML strings, so any title is a valid, literal front-matter value.
        meta = [f"title: {json.dumps(title_text(self.title), ensure_ascii=False)}"]
        if self.feeds:
            links = [{"title": f.title, "rss": f.rss, "atom": f.atom} for f in self.feeds]
            meta.append(f"feeds: {json.dumps(links, ensure_ascii=False)}")
        if self.noindex:
            meta.append('robots: "noindex"')
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

    def markdown(self) -> str:
        return self.text


Output = DocPage | StaticFile


def write_docs(pages: list[Output], docs_dir: Path) -> None:
    """Write every page and file; two with one path means two records want the same URL."""
    seen: set[str] = set()
    for page in pages:
        if page.src in seen:
            raise RenderError(f"two pages would be written to {page.src}; "
                              "rename one of the records whose id makes this path")
        seen.add(page.src)
        path = docs_dir / page.src
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page.markdown(), encoding="utf-8")
