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

A page is filled this way when mkdocs would render it like a shell: it has its own <h1> (the
theme adds one to a page without), and no fenced block but a mermaid diagram between two
blocks of HTML, on a page that loads mermaid itself (`article`). A diagram makes the theme
load a script: such pages are filled into a second shell of their depth, whose content
holds the words the theme looks for.

The pages of the nav are filled as well, each into its own shell: the theme's HTML for a
page of the nav differs from a shell of its depth by the nav, which marks the page active
(and names it with its nav title). mkdocs renders those shells with the others, in place of
the nav's pages (`stand_ins`).
"""

from __future__ import annotations

import errno
import hashlib
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
from generator.render.docs import DocPage, Fence, Made
from generator.render.errors import RenderError
from generator.render.reuse import Left, Reused, bytes_key, bytes_key_of
from generator.render.text import title_text
from generator.render.urls import page_url

FOLDER = "gs-shell"
TITLE = "GSSHELLTITLE"
CONTENT = "<!--GS:CONTENT <h1>-->"
"""The shell's content: an HTML comment, passed through as it is, that holds `<h1` so the
theme adds no title of its own."""
HEAD = "<!--GS:HEAD-->"
DIAGRAM = '<!--GS:CONTENT <h1> class="mermaid" vendor/mermaid.min.js-->'
"""The content of a shell for pages with a diagram: the theme adds a script to a page whose
content has `class="mermaid"`, and mermaid itself to one that does not load it
(site_config/overrides/main.html)."""


def depth(src: str) -> int:
    """How many folders deep the page's URL is (`decisions/2025/x/` is 3)."""
    return len(page_url(src).strip("/").split("/")) if page_url(src) else 0


def shell_src(level: int) -> str:
    return FOLDER + "/s" * (level - 1) + "/index.md"


def diagram_src(level: int) -> str:
    """The shell for pages with a diagram, from depth 2 (at depth 1, the folder is taken)."""
    return FOLDER + "/d" + "/s" * (level - 2) + "/index.md"


_MERMAID = "mermaid"
_PLAIN_CODE = re.compile(r"[^\x00-\x08\x0b-\x1f\x7f]*")
_BLANK_LINE = re.compile(r"(^|\n) +(\n|$)")


def _diagram(fence: Fence) -> str | None:
    """A mermaid fence as mkdocs' Markdown (pymdownx.superfences, fence_code_format) makes
    it; None for code that Markdown would change first (tabs, lines of spaces, control
    characters) or that a fence cannot hold."""
    code = fence.code
    if fence.language != _MERMAID or not _PLAIN_CODE.fullmatch(code) \
            or _BLANK_LINE.search(code) or "\t" in code or "```" in code \
            or code != code.strip("\n") or not code:
        return None
    code = code.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<pre class="{_MERMAID}"><code>{code}</code></pre>'


def article(page: DocPage) -> tuple[str, str] | None:
    """The page's content as mkdocs puts it in <article>, and the content marker of the
    shell that gives the rest of the theme's HTML for it; None when mkdocs must render it.
    Raw HTML blocks come one blank line apart; a diagram, a single newline before the next."""
    if not any(isinstance(block, Fence) for block in page.blocks):
        content = page.content()
        plain = "<h1" in content and 'class="mermaid"' not in content
        return (content, CONTENT) if plain else None
    parts: list[str] = []
    for index, block in enumerate(page.blocks):
        if isinstance(block, str):
            parts += [block.strip(), "\n\n"]
            continue
        before, after = page.blocks[index - 1:index], page.blocks[index + 1:index + 2]
        diagram = _diagram(block)
        if diagram is None or not before or not isinstance(before[0], str) \
                or not after or not isinstance(after[0], str):
            return None
        parts += [diagram, "\n"]
    content = "".join(parts[:-1])
    if "<h1" not in content or "vendor/mermaid.min.js" not in content:
        return None
    return content, DIAGRAM


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
    marker: str = CONTENT
    """The content marker: DIAGRAM in the shell for pages with a diagram."""
    diagram: Shell | None = None
    """The shell of the same depth for pages with a diagram, if there is one."""

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
        if page_path == self.path:  # a nav page's own shell (`nav_shells`)
            return self.text
        if not page_path or page_path in self.below or page_path in self.targets:
            return self._relinked(page_path)
        folder = posixpath.dirname(page_path.rstrip("/"))
        if folder not in self.by_folder:
            self.by_folder[folder] = self._relinked(page_path)
        return self.by_folder[folder]

    def fill(self, page: DocPage, base_url: str,
             made: tuple[str, str] | None = None) -> bytes:
        """The page's HTML, encoded: the shell's own parts were encoded once, and only what
        the page puts into it is encoded here (most of a page's bytes are the theme's).
        `made`: the page's `article`, when the caller has it already."""
        made = made or article(page)
        if made is None or made[1] != self.marker:
            raise RenderError(f"{page.src}: mkdocs would not render it like this shell")
        path = page_url(page.src)
        parts = self._parts(self._at(path))
        values = {self.url: base_url + path, TITLE: title_text(page.title), HEAD: page.head(),
                  self.marker: made[0]}
        return b"".join(part if isinstance(part, bytes) else values[part].encode()
                        for part in parts)

    def _parts(self, text: str) -> list[str | bytes]:
        """The shell cut at its markers: the markers as they are, the text between them
        encoded. Once per text: filling a page is then one join, not a scan of the whole
        shell per marker."""
        if text not in self.cut:
            markers = (self.url, TITLE, HEAD, self.marker)
            pattern = "(" + "|".join(re.escape(m) for m in markers) + ")"
            parts = re.split(pattern, text)
            if parts.count(self.marker) != 1:
                raise RenderError("the theme's shell page lost its content marker")
            self.cut[text] = [part if index % 2 else part.encode()
                              for index, part in enumerate(parts)]
        return self.cut[text]


LEVELS = range(1, 7)
"""The depths shells are made for; a page deeper than these is rendered by mkdocs."""


def shells(levels: Iterable[int]) -> list[DocPage]:
    """The pages mkdocs renders as shells, one per depth."""
    return [*(DocPage(shell_src(level), TITLE, (CONTENT,), head_override=HEAD)
              for level in sorted(set(levels))),
            *(DocPage(diagram_src(level), TITLE, (DIAGRAM,), head_override=HEAD)
              for level in sorted(set(levels)) if level >= 2)]


def stand_ins(in_nav: Iterable[str]) -> list[DocPage]:
    """Pages in place of the nav's, with the markers of a shell: a shell shows the nav's
    titles and links, which come from the config, never the content of the nav's pages. So
    each stand-in is the shell of its nav page (`nav_shells`): the nav with that page
    active, its title from the nav. In the run that renders the pages mkdocs must, they stand
    in for the nav's pages filled or left as published (what mkdocs makes of them is not
    kept)."""
    return [DocPage(src, TITLE, (CONTENT,), head_override=HEAD) for src in sorted(in_nav)]


def read_shells(site_dir: Path, levels: Iterable[int], base_url: str) -> dict[int, Shell]:
    """The rendered shells, taken out of the built site."""
    def read(src: str, marker: str) -> Shell:
        url = page_url(src)
        text = (site_dir / url / "index.html").read_text(encoding="utf-8")
        return Shell(text, base_url + url, url, marker=marker)

    result = {}
    for level in sorted(set(levels)):
        result[level] = read(shell_src(level), CONTENT)
        if level >= 2:
            result[level].diagram = read(diagram_src(level), DIAGRAM)
    return result


def texts(shell_of: Mapping[int, Shell], nav_shells: Mapping[str, Shell]) -> list[str]:
    """The HTML of every shell, in a stable order (the base of every page's key)."""
    found = []
    for level in sorted(shell_of):
        found.append(shell_of[level].text)
        if (diagram := shell_of[level].diagram) is not None:
            found.append(diagram.text)
    return found + [nav_shells[src].text for src in sorted(nav_shells)]


def nav_shells(site_dir: Path, in_nav: Iterable[str], base_url: str) -> dict[str, Shell]:
    """The rendered stand-ins of the nav's pages, taken out of the built site, by source:
    a nav page is filled into its own (the theme's HTML for a page differs from the shell of
    its depth only by the nav, which marks the page active)."""
    result = {}
    for src in sorted(in_nav):
        url = page_url(src)
        path = site_dir / url / "index.html"
        result[src] = Shell(path.read_text(encoding="utf-8"), base_url + url, url)
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
                 base_url: str, previous: Mapping[str, bytes] | None = None,
                 nav_shells: Mapping[str, Shell] | None = None) -> None:
        self.site_dir = site_dir
        self.shell_of = shell_of
        self.in_nav = in_nav
        self.nav_shells: Mapping[str, Shell] = nav_shells or {}
        """The nav's pages' own shells: a nav page is filled into its own."""
        self.base_url = base_url
        self.previous: Mapping[str, bytes] = previous or {}
        self.folders: set[str] = set()
        self._placed: list[str] = []
        """Files written flat, in `_flat`, to be moved into their new folders (`_place`)."""
        self._flat = ""

    def write(self, outputs: Iterable[Made]) -> Part:
        part = Part()
        left, in_nav = part.left, self.in_nav
        for output in outputs:
            if isinstance(output, Left):  # many at once
                left.extend(output)
                continue
            if isinstance(output, Reused):
                if not output.page:
                    left.files.append(output.src)
                    continue
                if output.src in in_nav and output.src not in self.nav_shells:
                    # without its shell, mkdocs renders a nav page: it must be made
                    raise ValueError(f"{output.src}: a page of the nav cannot be left as published")
                if output.noindex:
                    left.hidden_srcs.append(output.src)
                    left.hidden_paths.append(output.path)
                else:
                    left.srcs.append(output.src)
                    left.paths.append(output.path)
            elif not isinstance(output, DocPage):
                written = Written(output.src, page=False, path=output.src)
                part.written.append(
                    self._save_parts(part, written, output.parts, output.key) if output.parts
                    else self._save(part, written, output.text.encode(), output.key))
            elif (into := self._shell(output)) is not None:
                written = Written(output.src, True, output.noindex,
                                  page_url(output.src) + "index.html")
                shell, made = into
                part.written.append(self._save(
                    part, written, shell.fill(output, self.base_url, made), output.key))
            else:
                part.written.append(Written(output.src, page=True, noindex=output.noindex))
                part.kept.append(output)
        self._place()
        return part

    def _shell(self, page: DocPage) -> tuple[Shell, tuple[str, str]] | None:
        """The shell the page is filled into, if any, and the page's `article`."""
        made = article(page)
        if made is None:
            return None
        if page.src in self.in_nav:
            own = self.nav_shells.get(page.src)
        else:
            own = self.shell_of.get(depth(page.src))
            if own is not None and made[1] != own.marker:
                own = own.diagram
        return (own, made) if own is not None and own.marker == made[1] else None

    def _save(self, part: Part, written: Written, data: bytes, key: bytes | None) -> Written:
        return self._saved(part, written, key or bytes_key(data), [data])

    def _save_parts(self, part: Part, written: Written, parts: Iterable[str],
                    key: bytes | None) -> Written:
        """`_save` of the text of `parts`, each encoded on its own."""
        digest = hashlib.blake2b(digest_size=16)
        data = []
        for text in parts:
            encoded = text.encode()
            digest.update(encoded)
            data.append(encoded)
        return self._saved(part, written, key or bytes_key_of(digest), data)

    def _saved(self, part: Part, written: Written, key: bytes, data: list[bytes]) -> Written:
        written = Written(written.src, written.page, written.noindex, written.path, key)
        if self.previous.get(written.path) == written.key:
            return written
        part.wrote.append(written.path)
        path = f"{self.site_dir}/{written.path}"
        if path.rpartition("/")[0] in self.folders:
            write_file(path, *data)
        else:  # most pages have a folder of their own
            if not self._placed:
                self._flat = f"{self.site_dir}/.flat-{os.getpid()}"  # this worker's
                make_folder(self._flat)
            write_file(f"{self._flat}/{len(self._placed)}", *data)
            self._placed.append(path)
        return written

    def _place(self) -> None:
        """Move the files written flat into their folders, made now. On ext4, writing 20,000
        pages each into a folder just made took 5.2 s of system time, into one folder 0.9 s,
        and moving them into their folders then 0.3 s: new folders are spread over the disk,
        and a new file's inode is taken near its folder's."""
        if not self._placed:
            return
        flat = self._flat
        for n, path in enumerate(self._placed):
            folder = path.rpartition("/")[0]
            if folder not in self.folders:
                make_folder(folder)
                self.folders.add(folder)
            os.rename(f"{flat}/{n}", path)
        self._placed.clear()
        os.rmdir(flat)


def merge(built: Path, site_dir: Path, leave: Iterable[str] = ()) -> list[str]:
    """Move what mkdocs built into the site, beside the pages already written there, but the
    files `leave` names (by their path in the site) and the shells. mkdocs builds in the
    project's .gongshi/, and the site may be on another file system (`--site` on another
    disk): there a file cannot be renamed, and is copied instead. Returns the files moved,
    by their path in the site."""
    moved, left = [], set(leave)
    for folder, subfolders, files in os.walk(built):
        under = Path(folder).relative_to(built)
        if under == Path("."):
            subfolders[:] = [name for name in subfolders if name != FOLDER]
        files = [name for name in files if (under / name).as_posix() not in left]
        target = site_dir / under
        if files:
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
