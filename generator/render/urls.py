"""Where each page lives, and page-relative links between pages.

Pages are Markdown files in a docs folder that mkdocs builds with `use_directory_urls`:
`bodies/donghu-rsj.md` is served at `bodies/donghu-rsj/`. Links are relative to the page that
holds them, so the site works under any base path (a sub-folder of a government domain).
Every link goes through `Linker`, which knows every page of the build: a link to a page that
is not rendered is a RenderError, since links in raw HTML are not checked by mkdocs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from generator.model import (
    Benchmark,
    Body,
    Decision,
    LegalBasis,
    Officer,
    Page,
    Power,
    Procedure,
    Record,
)
from generator.render.errors import RenderError
from generator.render.templates import finalize

HOME = "index.md"
ABOUT = "about/index.md"

# The folder of each record type's pages, which is also its section page's folder.
FOLDERS: dict[type[Record], str] = {
    Body: "bodies",
    Officer: "officers",
    LegalBasis: "laws",
    Power: "powers",
    Procedure: "procedures",
    Benchmark: "benchmarks",
    Decision: "decisions",
    Page: "about",
}


def section_src(record_type: type[Record]) -> str:
    """The section (list) page of a record type, e.g. `bodies/index.md`."""
    return f"{FOLDERS[record_type]}/index.md"


def record_src(record: Record) -> str:
    """The page of one record; decisions are filed by year like their content files."""
    folder = FOLDERS.get(type(record))
    if folder is None:
        raise RenderError(f"{record.ref}: records of this type have no page")
    if isinstance(record, Decision):
        return f"{folder}/{record.decision_date.year}/{record.id}.md"
    return f"{folder}/{record.id}.md"


@functools.cache
def page_url(src: str) -> str:
    """The URL path (relative to the site root) mkdocs gives a source file."""
    if src == HOME:
        return ""
    stem = src.removesuffix(".md")
    if stem.endswith("/index"):
        return stem.removesuffix("index")
    return stem + "/"


def relpath(path: str, start: str) -> str:
    """posixpath.relpath for the clean relative paths of the site (no `..`, no `//`), without
    its calls to the file system: a build makes hundreds of thousands of links."""
    starts = start.split("/") if start not in ("", ".") else []
    parts = path.split("/") if path not in ("", ".") else []
    common = 0
    for a, b in zip(starts, parts, strict=False):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(starts) - common) + parts[common:]) or "."


@functools.cache
def _url_parts(src: str) -> tuple[str, ...]:
    url = page_url(src).rstrip("/")
    return tuple(url.split("/")) if url else ()


def relative_href(here: str, target: str, anchor: str = "") -> str:
    """The link from the page `here` to the page `target` (both source paths): relpath of
    their URLs, from their parts (made once per page; a build makes millions of links)."""
    starts, parts = _url_parts(here), _url_parts(target)
    if starts and parts and starts[0] != parts[0]:
        # Another section: up to the root and down, the same from every page as deep (a
        # decision page's links to its body, power, officers and laws).
        href = _across(len(starts), target)
        return f"{href}#{anchor}" if anchor else href
    common = 0
    for a, b in zip(starts, parts, strict=False):
        if a != b:
            break
        common += 1
    path = "/".join([".."] * (len(starts) - common) + list(parts[common:]))
    href = path + "/" if path else "./"
    return f"{href}#{anchor}" if anchor else href


@functools.lru_cache(maxsize=1 << 16)
def _across(depth: int, target: str) -> str:
    return "../" * depth + page_url(target)


def asset_href(here: str, asset: str) -> str:
    """The link from the page `here` to a static file of the theme (path from the site root)."""
    return relpath(asset, page_url(here).rstrip("/"))


@dataclass(frozen=True)
class Link:
    """A text that is a link when `href` is set (a missing target shows as plain text).
    Templates print it as it is (`{{ page.body }}`): its HTML, with the text and href escaped
    as every value is. A template macro per link cost more than the rest of a page."""

    text: str
    href: str | None = None

    def __html__(self) -> str:
        text = finalize(self.text)
        return f'<a href="{finalize(self.href)}">{text}</a>' if self.href else str(text)

    def __bool__(self) -> bool:
        """Whether it prints anything (a row with an empty value is left out)."""
        return bool(self.href or self.text)


class Linker:
    """Makes links from one page, refusing any target that is not a page of this build."""

    def __init__(self, pages: frozenset[str], here: str) -> None:
        self._pages = pages
        self.here = here
        self._into: dict[str, tuple[str, str | None]] = {}
        """The link to each folder's pages: a list page links 50 decisions of a few years."""

    def at(self, here: str) -> Linker:
        return Linker(self._pages, here)

    def exists(self, target: str) -> bool:
        return target in self._pages

    def href(self, target: str, anchor: str = "") -> str:
        if target not in self._pages:
            raise RenderError(f"{self.here}: link to {target}, which is not a page of the site")
        return relative_href(self.here, target, anchor)

    def to(self, target: str, text: str, anchor: str = "") -> Link:
        return Link(text, self.href(target, anchor))

    def to_record(self, record: Record | None, text: str, anchor: str = "") -> Link:
        """A link to a record's page, or plain text when the record did not load or has no
        page of its own (an appeal: its decision's page tells of it)."""
        if record is None or not record.has_page:
            return Link(text)
        return self.to_page(record_src(record), text, anchor)

    def to_page(self, target: str, text: str, anchor: str = "") -> Link:
        """`to`, faster where many links go to the pages of a few folders (a list's)."""
        if anchor or target not in self._pages:
            return self.to(target, text, anchor)
        folder, _, name = target.rpartition("/")
        if not folder:  # a page at the site's root: `_folder_link` takes a folder
            return self.to(target, text, anchor)
        into = self._into.get(folder)
        if into is None:
            into = self._into[folder] = _folder_link(self.here, folder)
        name = name.removesuffix(".md")
        if name == into[1] or name == "index":  # this page is in that page's folder (a
            # decision's history), or the name is its folder's own page
            return self.to(target, text, anchor)
        return Link(text, f"{into[0]}{name}/")


def _folder_link(here: str, folder: str) -> tuple[str, str | None]:
    """What the link from `here` to a page `folder/name.md` is before `name/`:
    `relative_href` to the folder's own page, `./` taken as nothing. That holds unless
    `here` is in the folder of such a page, `folder/name/…`, whose links go up less: the
    second value is that `name`."""
    index = f"{folder}/index.md"
    starts, parts = _url_parts(here), _url_parts(index)
    inside = (starts[len(parts)] if len(starts) > len(parts) and starts[:len(parts)] == parts
              else None)
    href = relative_href(here, index)
    return ("" if href == "./" else href), inside
