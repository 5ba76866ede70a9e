"""Staff Markdown (free pages, descriptions) to HTML with raw HTML switched off.

Python-Markdown passes raw HTML through by default; staff text must never carry markup or
script into the public site, so the HTML block and inline HTML processors are removed (the
text then shows literally, escaped) and links with a scheme other than http(s), mailto or tel
are dropped. Links to other free pages (`complaint.md`) are turned into site links by the
caller's `rewrite_link`.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Callable

# Python-Markdown ships no type hints and types-Markdown is not a dependency (yet).
import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

LinkRewriter = Callable[[str], str | None]
_SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:")


class _LinkGuard(Treeprocessor):  # type: ignore[misc]
    def __init__(self, md: markdown.Markdown, rewrite_link: LinkRewriter | None) -> None:
        super().__init__(md)
        self._rewrite_link = rewrite_link

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None:
                    element.set(attribute, self._safe(value))

    def _safe(self, url: str) -> str:
        url = url.strip()
        if ":" in url.split("/", 1)[0]:
            return url if url.lower().startswith(_SAFE_SCHEMES) else "#"
        rewritten = self._rewrite_link(url) if self._rewrite_link else None
        return rewritten if rewritten is not None else url


class _NoRawHtml(Extension):  # type: ignore[misc]
    def __init__(self, rewrite_link: LinkRewriter | None) -> None:
        super().__init__()
        self._rewrite_link = rewrite_link

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_LinkGuard(md, self._rewrite_link), "gongshi_links", 0)


def safe_markdown(text: str, rewrite_link: LinkRewriter | None = None) -> Markup:
    """HTML for staff Markdown, with any HTML in it shown as text."""
    md = markdown.Markdown(extensions=["tables", "sane_lists", _NoRawHtml(rewrite_link)],
                           output_format="html")
    html: str = md.convert(text)
    # Backticks and tildes would start a code fence in the page's Markdown (see templates.py).
    return Markup(html.replace("`", "&#96;").replace("~", "&#126;"))
