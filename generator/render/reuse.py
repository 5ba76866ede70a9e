"""Pages not rendered again when nothing they are made from has changed (issue 8).

A build leaves, next to the parsed records, a manifest of the site it published: for every
file, a key, and for some kinds of page, digests of what they were made from (`inputs`).
A decision page whose digests (its record, its body, power, officers, appeals, related
decisions, versions and publicity: render/decisions.py `plan`) are the published one's is
not rendered at all. A page that knows what it is made from (a list page, a body's or an
officer's) is keyed by a digest of those inputs, and a rebuild whose key for it is the
same does not render it. Every other file is keyed by a digest of its bytes, and is
written only when those changed. The build then changes in the published site only the
files whose key changed (generator/deploy.py).

Every input key starts with the build's base: a digest of the code, the project's
configuration and templates, and the theme's shells. Changing any of them renders every
page again.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Collection, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator import statefile
from generator.changes import EVERYTHING, Changes
from generator.model import Record
from generator.render.urls import page_url

if TYPE_CHECKING:
    from generator.render.docs import DocPage, Made

MANIFEST_FILE = Path(".gongshi") / "site-manifest.pickle"

_INPUT = b"i"
_BYTES = b"b"
_BASE = "base"


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def bytes_key(data: bytes) -> bytes:
    """The key of a file known by its bytes alone."""
    return _BYTES + _digest(data)


def bytes_key_of(digest: hashlib.blake2b) -> bytes:
    """`bytes_key` of the bytes `digest` (a blake2b of 16 bytes, as `_digest`) was given."""
    return _BYTES + digest.digest()


class Reused:
    """A page or file whose key is the one the published site's file was made with: it is
    left as it is, and not made. (A class of its own, not a dataclass: a rebuild after one
    change makes 160,000 of them at 100,000 decisions, and a frozen dataclass takes several
    times as long to make.)"""

    __slots__ = ("key", "noindex", "page", "path", "src")

    def __init__(self, src: str, key: bytes, noindex: bool = False, page: bool = True,
                 path: str | None = None) -> None:
        self.src = src
        self.key = key
        self.noindex = noindex
        self.page = page
        """A page (at its URL's index.html), or a file at `src`."""
        self.path: str = path if path is not None else \
            page_url(src) + "index.html" if page else src
        """The file in the site."""

    def _values(self) -> tuple[str, bytes, bool, bool, str]:
        return self.src, self.key, self.noindex, self.page, self.path

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Reused) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return f"Reused({self.src!r}, {self.key!r}, noindex={self.noindex}, page={self.page})"


@dataclass
class Manifest:
    """The key of every file of a published site, and which site it describes.

    Kept as a small file (`Stored`) naming the files of its big parts, in the folder
    `PARTS` (statefile.Parts): a build that changed little writes the changes only."""

    target: str
    """The site folder, resolved."""
    identity: tuple[int, ...]
    """The folder's device, inode and times once deployed: a site replaced or changed at
    its top by other means is not this one."""
    keys: dict[str, bytes] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    """What some of its pages were made from, by kind of page, for the next build to tell
    at once which of them are as published (`Reuse.inputs`)."""
    stored: Stored | None = field(default=None, repr=False, compare=False)
    """How it was kept, when it was read: a new manifest compares its parts with these."""
    parts: statefile.Parts | None = field(default=None, repr=False, compare=False)
    """The part files read, with what they hold."""

    @classmethod
    def read(cls, project_root: Path, target: Path) -> Manifest | None:
        """The manifest of the site at `target`, when the last build published it there."""
        stored = statefile.load(project_root / MANIFEST_FILE)
        # Asked for even when there is none yet: a warm build process then reads ahead
        # the one this build writes, for the next.
        found = _values(project_root / MANIFEST_FILE, str(project_root / PARTS)) \
            if not isinstance(stored, cls) else None
        if isinstance(stored, cls):  # written whole by older code
            manifest = stored
        elif isinstance(stored, Stored):
            manifest = None
        else:
            return None
        if stored.target != str(target) or stored.identity != identity(target):
            return None
        if manifest is not None:
            if not hasattr(manifest, "inputs"):  # written by older code still
                manifest.inputs = {}
            manifest.stored = manifest.parts = None
            return manifest
        assert isinstance(stored, Stored)
        if found is None or found[0] != stored:
            return None
        _, parts, keys, inputs = found
        return cls(stored.target, stored.identity, keys, inputs, stored, parts)

    def store(self, project_root: Path, previous: Manifest | None = None,
              durable: bool = False, changed: Collection[str] | None = None) -> Stored:
        """Write the part files this manifest needs that `previous` (the one read) did not
        have (waiting until they are on disk, when `durable`), and return the small value
        that names them, for `Stored.write` (or a journal) to keep. `changed`, when known:
        the only files whose key may differ from `previous`'s, besides those it has not
        (statefile.Parts.keep)."""
        parts, before = statefile.Parts(project_root / PARTS), None
        if previous is not None and previous.parts is not None \
                and previous.parts.folder == parts.folder:
            parts, before = previous.parts, previous.stored
        return Stored(self.target, self.identity,
                      parts.keep(self.keys, before.keys if before else None, durable, changed),
                      parts.keep(self.inputs, before.inputs if before else None, durable))

    def write(self, project_root: Path, previous: Manifest | None = None,
              changed: Collection[str] | None = None) -> None:
        """Written whole or not at all; `previous`: the manifest read, whose files are
        taken for what did not change much; `changed`: as for `store`."""
        self.store(project_root, previous, changed=changed).write(project_root)


PARTS = Path(".gongshi") / "site-manifest"
"""The folder of the manifest's part files."""


@statefile.warmable
def _values(path: Path, folder: str) -> tuple[Stored, statefile.Parts, dict[str, bytes],
                                              dict[str, Any]] | None:
    """The manifest kept at `path` as it names them, its part files (in `folder`), and
    the keys and inputs they hold; None when one cannot be read. A warm build process reads
    it ahead, while it waits (making the dicts of 200,000 keys took half a second of each
    rebuild); its builds have their own copy, and may change it."""
    stored = statefile.load(path)
    if not isinstance(stored, Stored):
        return None
    parts = statefile.Parts(Path(folder))
    try:
        keys, inputs = parts.value(stored.keys), parts.value(stored.inputs)
    except statefile.Unreadable:
        return None
    if not isinstance(keys, dict) or not isinstance(inputs, dict):
        return None
    return stored, parts, keys, inputs


@dataclass(frozen=True)
class Stored:
    """A `Manifest` as kept in MANIFEST_FILE: its big parts as files of `PARTS`."""

    target: str
    identity: tuple[int, ...]
    keys: statefile.Node
    inputs: statefile.Node

    def write(self, project_root: Path, site_identity: tuple[int, ...] | None = None) -> None:
        """Make it the project's manifest (for the site as it is now, `site_identity`), and
        delete the part files it does not name."""
        stored = self if site_identity is None else replace(self, identity=site_identity)
        statefile.dump(project_root / MANIFEST_FILE, stored)
        statefile.Parts(project_root / PARTS).keep_only(self.keys, self.inputs)


def base_inputs(project_root: Path, law_digests: Iterable[bytes],
                shells: Iterable[str]) -> list[bytes]:
    """What every page is made from besides its own inputs: Gongshi's code, the project's
    configuration, templates and assets, the laws (quoted and linked from many pages) and
    the theme's shells (which carry the nav, and mkdocs' and the theme's versions)."""
    code = Path(__file__).resolve().parents[2]
    files = [path for package in ("generator", "search")
             for path in sorted((code / package).rglob("*.py"))]
    files += configuration_files(project_root)
    parts = [str(path).encode() + b"\0" + (path.read_bytes() if path.is_file() else b"")
             for path in files]
    return [*parts, *law_digests, *(shell.encode() for shell in shells)]


def configuration_files(project_root: Path) -> list[Path]:
    """The project's configuration, templates and assets: every file of site_config/, and
    mkdocs.yml (what every page, and the theme's mkdocs run, is made from besides records)."""
    config = project_root / "site_config"
    return [*sorted(path for path in config.rglob("*") if path.is_file()),
            project_root / "mkdocs.yml"]


def identity(folder: Path) -> tuple[int, ...]:
    try:
        stat = folder.stat()
    except OSError:
        return ()
    return (stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns)


class Reuse:
    """What a build may reuse of the published site: the keys it was made with."""

    def __init__(self, previous: Mapping[str, bytes] | None = None,
                 previous_inputs: Mapping[str, Any] | None = None) -> None:
        self.previous: Mapping[str, bytes] = previous or {}
        self.previous_inputs: Mapping[str, Any] = previous_inputs or {}
        """The published site's `inputs`."""
        self.inputs: dict[str, Any] = {}
        """What pages of this build were made from, by kind of page (plain values, kept in
        the site's manifest): a kind of page whose inputs are those of the published site's
        needs no key at all (a key costs tens of microseconds, times 100,000 pages)."""
        self.base = b""
        """Set once the shells are rendered (pages are filled into them); until then, and
        without a previous site, no page is reused."""
        self.around: Callable[[str], object] = lambda src: ()
        """What every page adds around what it is made of, by its source: its feeds."""
        self.built: dict[str, bytes] = {}
        """After rendering: the key of each file the workers wrote or left as published."""
        self.wrote: list[str] | None = None
        """After rendering: the files of `built` the workers wrote, whose key is not the
        published file's (every other file of `built` is as published); None when not
        known."""
        self.others: list[str] | None = None
        """After rendering: every other file written, by its path in the site (mkdocs' pages
        and assets, the sitemap); None when not known."""
        self.shared = b""
        """A digest of the records that list and body pages show besides their own (the
        bodies, powers, benchmarks, procedures, officers) and of the feeds they link: set
        before the pages are made (render/decisions.py `plan`)."""
        self.changes: Changes = EVERYTHING
        """The records changed since the published site was built (generator/changes.py)."""
        self.touched: frozenset[str] | None = None
        """Those, and the records a changed appeal or correction is about, then and now
        (changes.touched); None when not known."""
        self._same: dict[str, _AllBut] = {}
        self._found: dict[str, dict[str, Any]] = {}

    def start(self, parts: Iterable[bytes]) -> None:
        self.base = _digest(b"\0".join(parts))
        self.inputs[_BASE] = self.base

    def compare(self, kind: str, inputs: Mapping[str, tuple[bytes, bytes]],
                neighbours: Mapping[str, Collection[str]], touched: Collection[str] = (),
                fresh: Collection[str] | None = None) -> None:
        """Keep the inputs of the pages of one kind, by name: each page's record digest and a
        digest of whatever else is its own. A page is as published when its inputs are those
        of the published one and so are its `neighbours`' record digests (pages that show
        other records of their kind, as 相关决定 do), unless it is among the `touched`.
        `fresh`, when known: the only names whose inputs may not be the published site's
        (the others were taken from its manifest)."""
        self.inputs[kind] = inputs
        old = self.previous_inputs.get(kind)
        if not isinstance(old, dict):
            return
        names = inputs.keys() if fresh is None else [name for name in fresh if name in inputs]
        differ = {name for name in names if old.get(name) != inputs[name]}
        changed = {name for name in differ if (old.get(name) or (None,))[0] != inputs[name][0]}
        if changed:
            differ.update(name for name, near in neighbours.items()
                          if not changed.isdisjoint(near))
        # A page without a record digest (made in a test) is never as published.
        differ.update(name for name, entry in inputs.items() if not entry[0])
        self._same[kind] = _AllBut(inputs, frozenset(differ.union(touched)))

    def changed(self, kind: str, digests: Mapping[str, bytes]) -> set[str]:
        """Keep the digests of some records (`kind` names them in the manifest), and return
        those whose digest is not the published site's: added, changed or removed. All of
        them when the published site's are not known. (Under another base, no page is as
        published anyway: `unchanged`.)"""
        self.inputs[kind] = dict(digests)
        before = self.previous_inputs.get(kind)
        if not isinstance(before, dict):
            return set(digests)
        return {name for name in digests.keys() | before.keys()
                if digests.get(name) != before.get(name)}

    def found(self, kind: str, name: str, inputs: bytes) -> bool:
        """Keep the digest of what the page or pages `name` of `kind` are made from, found
        while making them (in a worker, it goes back with the worker's part: `taken`).
        True when the published site's were the same, Gongshi's code, configuration and
        theme included: they need not be made, nor keyed."""
        self._found.setdefault(kind, {})[name] = inputs
        before = self.previous_inputs.get(kind)
        return self.same_base() and isinstance(before, dict) and before.get(name) == inputs

    def carried(self, kind: str, name: str) -> None:
        """Keep for the next build what the published site's `name` of `kind` was made from
        (`found`), where this build has no need to tell it again."""
        before = self.previous_inputs.get(kind)
        if isinstance(before, dict) and name in before:
            self._found.setdefault(kind, {})[name] = before[name]

    def taken(self) -> dict[str, dict[str, Any]]:
        """What `found` kept since it was last asked, for the build's `inputs`."""
        found, self._found = self._found, {}
        return found

    def unchanged(self, kind: str) -> Container[str]:
        """The pages of `kind` (by name) made from what the published ones were made from,
        Gongshi's code, configuration and theme included (`compare`)."""
        return self._same.get(kind, frozenset()) if self.same_base() else frozenset()

    def remade(self, kind: str) -> frozenset[str] | None:
        """The pages of `kind` (by name) that may not be as published (`compare`): every other
        page of the kind is. None when that is not known: all may differ."""
        same = self._same.get(kind)
        return same.these if isinstance(same, _AllBut) and self.same_base() else None

    def all_as_published(self, srcs: Iterable[str], page: bool = True) -> list[Reused] | None:
        """The pages (or files) at `srcs` as published, when all of them are; else None."""
        found = []
        for src in srcs:
            published = self.as_published(src) if page else self.file_as_published(src)
            if published is None:
                return None
            found.append(published)
        return found

    def left_as_published(self, srcs: list[str], page: bool = True) -> Left | None:
        """The pages at `srcs` (to be indexed), or the files, as published, at once, when
        all of them are; else None."""
        if not self.base:
            return None
        paths = [page_url(src) + "index.html" for src in srcs] if page else srcs
        previous = self.previous
        if not all(path in previous for path in paths):
            return None
        return Left(srcs, paths) if page else Left(files=srcs)

    def file_as_published(self, src: str) -> Reused | None:
        """The file at `src` as the published site has it, under the key it was made with:
        for a file whose inputs are known not to have changed."""
        key = self.previous.get(src)
        return Reused(src, key, False, False, src) if key is not None and self.base else None

    def same_base(self) -> bool:
        """Whether this build's base (code, configuration, theme) is the published site's."""
        return bool(self.base) and self.previous_inputs.get(_BASE) == self.base

    def key(self, digests: Sequence[bytes], *shown: object) -> bytes | None:
        """The key of a page made from the records of `digests` and the values `shown`
        (plain values: strings, numbers, dates, tuples of them), or None when it cannot be
        keyed: no base yet, or a record without a digest."""
        if not self.base or not all(digests):
            return None
        return _INPUT + _digest(self.base + b"".join(digests) + pickle.dumps(shown, protocol=5))

    def kept(self, src: str, key: bytes | None, noindex: bool = False,
             page: bool = True) -> Reused | None:
        """The page (or file) at `src` as the published site has it, when `key` is the one
        it was made with; else None, and it must be made."""
        if key is None:
            return None
        path = page_url(src) + "index.html" if page else src
        return Reused(src, key, noindex, page, path) if self.previous.get(path) == key else None

    def as_published(self, src: str, noindex: bool = False) -> Reused | None:
        """The page at `src` as the published site has it, under the key it was made with:
        for a page whose inputs are known not to have changed (`inputs`)."""
        path = page_url(src) + "index.html"
        key = self.previous.get(path)
        return Reused(src, key, noindex, True, path) if key is not None and self.base else None


@dataclass
class Left:
    """A task's outputs left as published (`Reused`), by what the build does with them: all
    it needs of one is its source and its file, its key being the published one's. (At
    100,000 decisions a rebuild after one change leaves 160,000: as lists of strings they
    cross from the workers in a fraction of the time of an object each.) A task may yield
    one for many pages: the decision pages of a part, which are most of them."""

    srcs: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    """The pages the sitemap lists, and their files (index.html), in the same order."""
    hidden_srcs: list[str] = field(default_factory=list)
    hidden_paths: list[str] = field(default_factory=list)
    """The pages it does not (`noindex`), and theirs."""
    files: list[str] = field(default_factory=list)
    """Files other than pages (a file's source is its path)."""

    def extend(self, other: Left) -> None:
        self.srcs += other.srcs
        self.paths += other.paths
        self.hidden_srcs += other.hidden_srcs
        self.hidden_paths += other.hidden_paths
        self.files += other.files

    def sources(self) -> list[str]:
        return [*self.srcs, *self.hidden_srcs, *self.files]

    def all_paths(self) -> list[str]:
        return [*self.paths, *self.hidden_paths, *self.files]


@dataclass(frozen=True)
class _AllBut(Container[str]):
    """The names of pages with a record digest (not made in a test), but `these`: at
    100,000 decisions, a set of all the others took a tenth of a second to make."""

    inputs: Mapping[str, tuple[bytes, bytes]]
    these: frozenset[str]

    def __contains__(self, name: object) -> bool:
        entry = self.inputs.get(name) if isinstance(name, str) else None
        return entry is not None and bool(entry[0]) and name not in self.these


def record_digest(digests: Mapping[str, bytes], record: Record | None, missing: str) -> bytes:
    """A record's digest; a record that did not load is keyed by the id it is missing under.
    A record not read from a file (made in a test) has none: its pages are not reused."""
    if record is None:
        return b"missing:" + missing.encode()
    return digests.get(record.ref, b"")


def made_unless_kept(reuse: Reuse | None, src: str, key: Callable[[Reuse], bytes | None],
                     make: Callable[[], DocPage]) -> Made:
    """A record's page: as published when its key (worked out only with `reuse`) is the one
    the published page was made with; else made, under that key for the next build."""
    found = key(reuse) if reuse is not None else None
    kept = reuse.kept(src, found) if reuse is not None else None
    if kept is not None:
        return kept
    page = make()
    return replace(page, key=found) if found else page
