"""Pages filled into the theme's HTML without running mkdocs for each (issue 8).

mkdocs costs several milliseconds a page (Markdown, then the theme's templates with the whole
nav), which at 100,000 decisions is most of a build. But every page outside the nav, at the
same folder depth, gets the same HTML from the theme except for its title, its canonical
URL, what it adds to <head> and its content: the nav, the header and every relative link to
an asset depend only on the depth. So mkdocs renders, besides the pages of the nav, one
"shell" page per depth with markers in those four places, and every other page is that
shell with the markers replaced. tests/test_build.py checks that this gives, byte for byte,
the site mkdocs gives when it renders every page itself.

Relative links in the theme's HTML (nav, assets) depend on where the page is, not only on its
depth; they are recomputed for each page's folder, the way mkdocs computes them
(`get_relative_url`), once per folder.

A page is filled this way when mkdocs would render it like a shell: it is not in the nav,
has no fenced block (a mermaid diagram loads a script), and has its own <h1> (the theme adds
one to a page without).
"""

from __future__ import annotations

import errno
import os
import posixpath
import re
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdocs.utils import get_relative_url

from generator.fileio import make_folder, write_file
from generator.render.docs import DocPage, Fence, Made, Output
from generator.render.errors import RenderError
from generator.render.reuse import Reused, bytes_key
from generator.render.text import title_text
from generator.render.urls import page_url

FOLDER = "gs-shell"
TITLE = "GSSHELLTITLE"
CONTENT = "<!--GS:CONTENT <h1>-->"
"""The shell's content: an HTML comment, passed through as it is, that holds `<h1` so the
theme adds no title of its own."""
HEAD = "<!--GS:HEAD-->"


def depth(src: str) -> int:
    """How many folders deep the page's URL is (`decisions/2025/x/` is 3)."""
    return len(page_url(src).strip("/").split("/")) if page_url(src) else 0


def shell_src(level: int) -> str:
    return FOLDER + "/s" * (level - 1) + "/index.md"


def fillable(page: Output, in_nav: frozenset[str]) -> bool:
    if not isinstance(page, DocPage) or page.src in in_nav or depth(page.src) < 1:
        return False
    if any(isinstance(block, Fence) for block in page.blocks):
        return False
    content = page.content()
    return "<h1" in content and 'class="mermaid"' not in content


_LINK = re.compile(r'\b(href|src|action)="([^"#?]*)([^"]*)"')
_ABSOLUTE = ("http:", "https:", "data:", "mailto:", "javascript:", "/")


@dataclass
class Shell:
    """The theme's HTML for one depth, its relative links resolved, cut at the markers."""

    text: str
    url: str
    """The shell's canonical URL (absolute), replaced by each page's."""
    path: str
    """The shell's URL path from the site root, which its relative links start from."""
    by_folder: dict[str, str] = field(default_factory=dict)
    targets: set[str] = field(default_factory=set)
    cut: dict[str, list[str | bytes]] = field(default_factory=dict)
    below: set[str] = field(default_factory=set)
    """Every folder (ending in /) that holds a target: a page's own links differ from its
    folder's when its path is one of them."""

    def __post_init__(self) -> None:
        self.targets = {self._resolved(m.group(2)) for m in _LINK.finditer(self.text)
                        if m.group(2) and not m.group(2).startswith(_ABSOLUTE)}
        self.below = {target[:end + 1] for target in self.targets
                      for end, char in enumerate(target) if char == "/"}

    def _resolved(self, target: str) -> str:
        """A relative link of the shell as a path from the site root."""
        resolved = posixpath.normpath(posixpath.join("/" + self.path, target)).lstrip("/")
        return resolved + "/" if target.endswith("/") and resolved else resolved

    def _relinked(self, page_path: str) -> str:
        def relink(match: re.Match[str]) -> str:
            attribute, target, rest = match.groups()
            if not target or target.startswith(_ABSOLUTE):
                return match.group(0)
            return f'{attribute}="{get_relative_url(self._resolved(target), page_path)}{rest}"'
        return _LINK.sub(relink, self.text)

    def _at(self, page_path: str) -> str:
        """The shell's HTML with its relative links made from `page_path`. They are the same
        for every page of a folder, unless the theme links to the page itself (or below it)."""
        if not page_path or page_path in self.below or page_path in self.targets:
            return self._relinked(page_path)
        folder = posixpath.dirname(page_path.rstrip("/"))
        if folder not in self.by_folder:
            self.by_folder[folder] = self._relinked(page_path)
        return self.by_folder[folder]

    def fill(self, page: DocPage, base_url: str) -> bytes:
        """The page's HTML, encoded: the shell's own parts were encoded once, and only what
        the page puts into it is encoded here (most of a page's bytes are the theme's)."""
        path = page_url(page.src)
        parts = self._parts(self._at(path))
        values = {self.url: base_url + path, TITLE: title_text(page.title), HEAD: page.head(),
                  CONTENT: page.content()}
        return b"".join(part if isinstance(part, bytes) else values[part].encode()
                        for part in parts)

    def _parts(self, text: str) -> list[str | bytes]:
        """The shell cut at its markers: the markers as they are, the text between them
        encoded. Once per text: filling a page is then one join, not a scan of the whole
        shell per marker."""
        if text not in self.cut:
            markers = (self.url, TITLE, HEAD, CONTENT)
            pattern = "(" + "|".join(re.escape(m) for m in markers) + ")"
            parts = re.split(pattern, text)
            if parts.count(CONTENT) != 1:
                raise RenderError("the theme's shell page lost its content marker")
            self.cut[text] = [part if index % 2 else part.encode()
                              for index, part in enumerate(parts)]
        return self.cut[text]


LEVELS = range(1, 7)
"""The depths shells are made for; a page deeper than these is rendered by mkdocs."""


def shells(levels: Iterable[int]) -> list[DocPage]:
    """The pages mkdocs renders as shells, one per depth."""
    return [DocPage(shell_src(level), TITLE, (CONTENT,), head_override=HEAD)
            for level in sorted(set(levels))]


def stand_ins(in_nav: Iterable[str]) -> list[DocPage]:
    """Pages in place of the nav's while the shells are rendered: a shell shows the nav's
    titles and links, which come from the config, never the content of the nav's pages."""
    return [DocPage(src, "stand-in", ("<h1>stand-in</h1>",)) for src in sorted(in_nav)]


def read_shells(site_dir: Path, levels: Iterable[int], base_url: str) -> dict[int, Shell]:
    """The rendered shells, taken out of the built site."""
    result = {}
    for level in sorted(set(levels)):
        url = page_url(shell_src(level))
        path = site_dir / url / "index.html"
        result[level] = Shell(path.read_text(encoding="utf-8"), base_url + url, url)
    return result


@dataclass(slots=True)
class Written:
    """What the sitemap, the check for two pages at one path and the site's manifest need
    of an output. (Not frozen: a frozen dataclass takes several times as long to make, and
    a build makes one per file, 100,000 and more.)"""

    src: str
    page: bool
    noindex: bool = False
    path: str = ""
    """The file in the site; '' for a page left to mkdocs."""
    key: bytes = b""
    """Its key (generator/render/reuse.py)."""


@dataclass
class Left:
    """A task's outputs left as published (`Reused`), by what the build does with them: all
    it needs of one is its source and its file, its key being the published one's. (At
    100,000 decisions a rebuild after one change leaves 160,000: as lists of strings they
    cross from the workers in a fraction of the time of an object each.)"""

    srcs: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    """The pages the sitemap lists, and their files (index.html), in the same order."""
    hidden_srcs: list[str] = field(default_factory=list)
    hidden_paths: list[str] = field(default_factory=list)
    """The pages it does not (`noindex`), and theirs."""
    files: list[str] = field(default_factory=list)
    """Files other than pages (a file's source is its path)."""

    def sources(self) -> list[str]:
        return [*self.srcs, *self.hidden_srcs, *self.files]

    def all_paths(self) -> list[str]:
        return [*self.paths, *self.hidden_paths, *self.files]


@dataclass
class Part:
    """A task's outputs once written: the pages left for mkdocs, and what was written."""

    kept: list[DocPage] = field(default_factory=list)
    written: list[Written] = field(default_factory=list)
    """The outputs made (the pages for mkdocs among them, without a file)."""
    left: Left = field(default_factory=Left)
    """The outputs left as published."""
    wrote: list[str] = field(default_factory=list)
    """The files written, by their path in the site: those of `written` whose key is not
    the published file's (the deploy needs to look at no other)."""
    inputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    """What its pages were made from, as found while making them (`Reuse.found`)."""

    def __getstate__(self) -> object:
        # Parts go from the workers to the build: as plain tuples, the written entries of
        # 100,000 pages pickle and unpickle in a tenth of the time.
        return self.kept, [(w.src, w.page, w.noindex, w.path, w.key) for w in self.written], \
            self.left, self.wrote, self.inputs

    def __setstate__(self, state: tuple[list[DocPage], list[tuple[str, bool, bool, str, bytes]],
                                        Left, list[str], dict[str, dict[str, Any]]]) -> None:
        self.kept, written, self.left, self.wrote, self.inputs = state
        self.written = [Written(*entry) for entry in written]


class Writer:
    """Writes each output as it comes: a fillable page filled into its shell, a data file
    as it is. Pages that mkdocs must render are kept. Runs in the workers (forked), so the
    site is never held in memory.

    A file whose key is the one in `previous` (the published site's manifest) is not
    written: the published file is right as it is (generator/render/reuse.py)."""

    def __init__(self, site_dir: Path, shell_of: dict[int, Shell], in_nav: frozenset[str],
                 base_url: str, previous: Mapping[str, bytes] | None = None) -> None:
        self.site_dir = site_dir
        self.shell_of = shell_of
        self.in_nav = in_nav
        self.base_url = base_url
        self.previous: Mapping[str, bytes] = previous or {}
        self.folders: set[str] = set()

    def write(self, outputs: Iterable[Made]) -> Part:
        part = Part()
        left, in_nav = part.left, self.in_nav
        for output in outputs:
            if isinstance(output, Reused):
                if not output.page:
                    left.files.append(output.src)
                    continue
                if output.src in in_nav:
                    # mkdocs renders the nav's pages, and links the nav to those it rendered
                    raise ValueError(f"{output.src}: a page of the nav cannot be left as published")
                if output.noindex:
                    left.hidden_srcs.append(output.src)
                    left.hidden_paths.append(output.path)
                else:
                    left.srcs.append(output.src)
                    left.paths.append(output.path)
            elif not isinstance(output, DocPage):
                part.written.append(self._save(part, Written(output.src, page=False,
                                                             path=output.src),
                                               output.markdown().encode(), output.key))
            elif (level := depth(output.src)) in self.shell_of and fillable(output, self.in_nav):
                written = Written(output.src, True, output.noindex,
                                  page_url(output.src) + "index.html")
                part.written.append(self._save(
                    part, written, self.shell_of[level].fill(output, self.base_url), output.key))
            else:
                part.written.append(Written(output.src, page=True, noindex=output.noindex))
                part.kept.append(output)
        return part

    def _save(self, part: Part, written: Written, data: bytes, key: bytes | None) -> Written:
        written = Written(written.src, written.page, written.noindex, written.path,
                          key or bytes_key(data))
        if self.previous.get(written.path) == written.key:
            return written
        part.wrote.append(written.path)
        path = f"{self.site_dir}/{written.path}"
        folder = path.rpartition("/")[0]
        if folder not in self.folders:
            make_folder(folder)
            self.folders.add(folder)
        write_file(path, data)
        return written


def merge(built: Path, site_dir: Path) -> list[str]:
    """Move what mkdocs built into the site, beside the pages already written there. mkdocs
    builds in the project's .gongshi/, and the site may be on another file system (`--site`
    on another disk): there a file cannot be renamed, and is copied instead. Returns the
    files moved, by their path in the site."""
    moved = []
    for folder, _, files in os.walk(built):
        under = Path(folder).relative_to(built)
        target = site_dir / under
        target.mkdir(parents=True, exist_ok=True)
        moved += [(under / name).as_posix() for name in files]
        for name in files:
            try:
                os.replace(Path(folder) / name, target / name)
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise
                shutil.copyfile(Path(folder) / name, target / name)
                (Path(folder) / name).unlink()
    return moved
