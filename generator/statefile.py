"""Build state kept in .gongshi/ between builds: pickles read and written safely.

Every cache and manifest there is written whole or not at all (a temporary file renamed over
the old one), so a build killed while writing leaves the previous file; and a file that is
missing, damaged or from other code reads as nothing, so the build starts afresh instead of
failing. Reading pauses the garbage collector: these files hold hundreds of thousands of
small objects, all kept, and the collector would scan them again and again while they load
(2.3 s instead of 0.2 s for 230,000 entries).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import hashlib
import importlib
import os
import pickle
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Generic, TypeVar, cast

V = TypeVar("V")
R = TypeVar("R")

Signature = tuple[int, int, int, int]
"""A file's inode, size, and modification and change times (ns): every write of it, and its
replacement by another file, gives another."""


def signature(path: Path | str) -> Signature | None:
    """The file's `Signature`, or None when there is none to read."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


Asked = tuple[str, str, tuple[Any, ...]]
"""A read of build state: the reader's name, the file, the reader's other arguments."""


class _Held:
    """Build state read ahead by a warm build process (generator/warm.py), which forks a
    child for each build: the child, and the workers it forks, take what the parent read
    while the file is still the one read, instead of reading seconds of pickles again.

    Each read is noted in the file `log` (by every process that inherits it, so appended
    whole); after each build the parent reads those files again where they changed (the
    build wrote them, mostly), while it waits for the next change. A child may change what
    it takes: it is its own copy."""

    def __init__(self) -> None:
        self.values: dict[Asked, tuple[Signature, Any]] = {}
        self.log: str | None = None
        """In a warm build: where its processes note what they read (else None)."""
        self.readers: dict[str, Callable[..., Any]] = {}
        self.updaters: dict[str, Update[Any]] = {}
        """Readers that read again only what changed of a file (`warmable`)."""
        self.marks: dict[Asked, Any] = {}
        """What each updater noted of the file it read, for the next time (`Update`)."""

    def take(self, asked: Asked) -> tuple[bool, Any]:
        if self.log is not None:
            handle = os.open(self.log, os.O_WRONLY | os.O_APPEND)
            try:  # one write, appended whole while other processes append theirs
                os.write(handle, pickle.dumps(asked, protocol=pickle.HIGHEST_PROTOCOL))
            finally:
                os.close(handle)
        held = self.values.get(asked)
        if held is not None and held[0] == signature(asked[1]):
            return True, held[1]
        return False, None

    @staticmethod
    def noted(log: Path) -> list[Asked]:
        """The reads noted in `log`."""
        found = []
        with log.open("rb") as handle:
            while True:
                try:
                    found.append(pickle.load(handle))
                except EOFError:
                    return found

    def refresh(self, asked: Iterable[Asked]) -> None:
        """Read each file asked for, unless what is held is that file still; forget the
        rest."""
        values, marks = {}, {}
        for key in dict.fromkeys(asked):
            name = key[0]
            if name not in self.readers:  # a module the child imported: it registers
                importlib.import_module(name.rpartition(".")[0])
            held = self._current(key)
            if held is not None:
                values[key] = held
                if key in self.marks:
                    marks[key] = self.marks[key]
        self.values, self.marks = values, marks

    def update(self, asked: Iterable[Asked]) -> None:
        """Bring up to date what is held of the files asked for whose reader has an
        updater: before a build, for the files another process changed since `refresh`
        (`gongshi publish` appends to the ledger and to the checks' memo), read again only
        where they changed. The rest is left to the build, as it is."""
        for key in dict.fromkeys(asked):
            if key[0] in self.updaters and key in self.values:
                held = self._current(key)
                if held is None:
                    del self.values[key]
                    self.marks.pop(key, None)
                else:
                    self.values[key] = held

    def _current(self, key: Asked) -> tuple[Signature, Any] | None:
        """What is held of the file `key` asks for, read again if it changed since (by its
        updater, when it has one); None when it cannot be read."""
        name, path, args = key
        held = self.values.get(key)
        before = signature(path)
        if held is not None and held[0] == before:
            return held
        reader = self.readers.get(name)
        if reader is None or before is None:
            return None
        # A file replaced meanwhile: its signature is not `before`, and it is read again.
        update = self.updaters.get(name)
        if update is None:
            return before, reader(Path(path), *args)
        value, mark = update(Path(path), (held[1], self.marks.get(key)) if held else None,
                             *args)
        self.marks.pop(key, None)
        if mark is not None:
            self.marks[key] = mark
        return before, value


HELD = _Held()


Update = Callable[..., tuple[R, Any]]
"""A reader's updater: called with the file's path, None or what the reader gave for an
earlier version of the file with what the updater then noted (its mark: None when it did not
read it), and the reader's other arguments; returns what the reader would give for the file
now, and a mark for the next time (None: read it whole next time). It must not change what
it was given: a build may hold it."""


def warmable(read: Callable[..., R], update: Update[R] | None = None) -> Callable[..., R]:
    """A reader of build state (path first, then hashable arguments) whose result a warm
    build process reads ahead (`HELD`); `update` reads again only what changed of it."""
    name = f"{read.__module__}.{read.__qualname__}"
    HELD.readers[name] = read
    if update is not None:
        HELD.updaters[name] = update

    @functools.wraps(read)
    def reader(path: Path | None, *args: Any) -> R:
        found, value = HELD.take((name, str(path), args)) if path is not None else (False, None)
        return cast(R, value) if found else cast(R, HELD.readers[name](path, *args))

    return reader


@warmable
def load(path: Path) -> Any:
    """What `dump` wrote at `path`, or None when there is nothing readable there."""
    return read_with(path, pickle.load)


@warmable
def load_versioned(path: Path, version: bytes) -> Any:
    """What `dump` wrote at `path` with `version`, or None. The version is read first, and
    nothing more when it is another: a cache of hundreds of megabytes made by other code
    is not loaded only to be dropped."""
    def read(handle: BinaryIO) -> Any:
        return pickle.load(handle) if pickle.load(handle) == version else None  # version first

    return read_with(path, read)


def read_with(path: Path, read: Callable[[BinaryIO], Any]) -> Any:
    """`read` of the open file at `path` (pickles of hundreds of thousands of objects, all
    kept: out of the collector's sight meanwhile), or None when it cannot be read."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        with path.open("rb") as handle:
            return read(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError,
            ImportError, IndexError):
        return None
    finally:
        if collecting:
            gc.enable()


def dump(path: Path, value: object, durable: bool = False,
         version: bytes | None = None) -> None:
    """Write `value` at `path` atomically (after `version`, for `load_versioned`); `durable`
    also waits until it is on disk (a journal that must survive a crash)."""
    def write(out: BinaryIO) -> None:
        if version is not None:
            pickle.dump(version, out, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
    _written(path, write, durable)


def _written(path: Path, write: Callable[[BinaryIO], None], durable: bool) -> None:
    """The file at `path` made by `write`, whole or not at all; `durable`: on disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
            if durable:
                out.flush()
                os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def code_digest(files: Iterable[Path]) -> bytes:
    """A digest of the code files that make a kept value: part of its key or version, so that
    after an update of Gongshi what older code made is not taken for this code's."""
    return hashlib.blake2b(b"\0".join(path.read_bytes() for path in files),
                           digest_size=16).digest()


class Kept(Generic[V]):
    """Values kept between builds by a key of everything they are made from (code included):
    a build takes those whose key it meets, adds what it makes, and keeps for the next only
    what it used, so that the file does not grow with records that are gone. Without a path
    nothing is read or kept. With a `version` (a digest of the code and configuration its
    keys hold), values kept under another are not even read.

    With `shards`, the values are kept in that many files (path-0.pickle …) by the last
    byte of their key, and a build writes only the files whose values changed: one new
    record's item is not worth writing 218 MB again (open data at 100,000 decisions)."""

    def __init__(self, path: Path | None, version: bytes | None = None, shards: int = 1) -> None:
        self.path = path
        self.version = version
        self.shards = shards
        self.known: dict[bytes, V] = {}
        self.used: dict[bytes, V] = {}
        self.fresh: set[int] = set()
        """The shards that values were put in."""
        self._counts = [0] * shards
        """How many values each shard's file held."""
        for shard, file in enumerate(self._files()):
            known = load(file) if version is None else load_versioned(file, version)
            if isinstance(known, dict):
                self.known.update(known)
                self._counts[shard] = len(known)

    def _files(self) -> list[Path]:
        if self.path is None:
            return []
        if self.shards == 1:
            return [self.path]
        return [self.path.with_name(f"{self.path.stem}-{n}{self.path.suffix}")
                for n in range(self.shards)]

    def _shard(self, key: bytes) -> int:
        return key[-1] % self.shards if key else 0

    def get(self, key: bytes | None) -> V | None:
        found = self.known.get(key) if key is not None else None
        if found is not None and key is not None:
            self.used[key] = found
        return found

    def keep_known(self) -> None:
        """Keep every value known, not only those used: for a build that looks at few
        of them (a value no longer used is then kept until a build that looks at all)."""
        self.used = self.known

    def put(self, key: bytes | None, value: V) -> None:
        if key is not None:
            self.used[key] = value
            self.fresh.add(self._shard(key))

    def save(self) -> None:
        """Keep what this build used, each file written whole or not at all, when anything
        in it is new or gone."""
        if self.path is None:
            return
        if self.shards == 1:
            if self.fresh or len(self.used) != len(self.known):
                dump(self.path, self.used, version=self.version)
            return
        parts: list[dict[bytes, V]] = [{} for _ in range(self.shards)]
        for key, value in self.used.items():
            parts[self._shard(key)][key] = value
        for shard, (file, part) in enumerate(zip(self._files(), parts, strict=True)):
            if shard in self.fresh or len(part) != self._counts[shard]:
                dump(file, part, version=self.version)
        self.path.unlink(missing_ok=True)  # one file, as older code kept them


BIG = 512
"""Entries from which a dict or set is kept in a file of its own (`Parts`)."""
REWRITE_FROM = 32
"""A part's file is written again once the changes kept beside it reach 1/REWRITE_FROM of
its entries; until then they are kept in the small file that names it."""


@dataclass(frozen=True)
class Plain:
    """A small value, kept as it is."""

    value: Any


@dataclass(frozen=True)
class Part:
    """A big dict or set, kept as its `file` and the changes since it was written: the
    entries `put` (for a set, a frozenset of those added) and the keys `gone`."""

    file: str
    put: Any
    gone: frozenset[Any]


@dataclass(frozen=True)
class Items:
    """A small dict, by its values (which may be big)."""

    items: dict[Any, Node]


@dataclass(frozen=True)
class Fields:
    """A dataclass, by its fields (which may be big)."""

    type: type
    fields: dict[str, Node]


Node = Plain | Part | Items | Fields
"""How `Parts` keeps a value."""


class Parts:
    """Big values kept in a folder as files of their own, for a small file (a manifest, a
    journal) to name (`Node`): each big dict or set within a value (in dataclasses and
    small dicts) is a file named by a digest of its bytes, plus the changes since that file
    was written. Keeping a value again after a small change writes none of its files, only
    the changes: writing 86 MB of pickles twice was most of a one-decision rebuild's deploy
    at 100,000 decisions. The files never change once written, so that what names one can
    rely on it, and a warm build process need not read it again (`HELD`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.bases: dict[str, Any] = {}
        """What each file read or written holds, by name: what the next `keep` compares."""

    def keep(self, value: Any, before: Node | None = None, durable: bool = False,
             changed: Collection[Any] | None = None) -> Node:
        """Keep `value`, writing the files it needs (and waiting until they are on disk,
        when `durable`); `before`: how this `Parts` kept what it was last (its files are
        taken when little changed). `changed`, for a big dict `value`, when known: the only
        keys whose items may not be those of the value kept as `before` (besides the keys
        it has not): no other is compared (200,000 keys took a tenth of a second)."""
        if type(value) is dict and len(value) >= BIG:
            return self._dict(value, before, durable, changed)
        if type(value) in (set, frozenset) and len(value) >= BIG:
            return self._set(value, before, durable)
        if type(value) is dict:
            old = before.items if isinstance(before, Items) else {}
            return Items({key: self.keep(item, old.get(key), durable)
                          for key, item in value.items()})
        if dataclasses.is_dataclass(value) and not isinstance(value, type) \
                and _by_fields(value):
            old = before.fields if isinstance(before, Fields) \
                and before.type is type(value) else {}
            return Fields(type(value), {
                field.name: self.keep(getattr(value, field.name), old.get(field.name), durable)
                for field in dataclasses.fields(value)})
        return Plain(value)

    def _dict(self, value: dict[Any, Any], before: Node | None, durable: bool,
              changed: Collection[Any] | None = None) -> Node:
        base = self._base(before, dict)
        if base is not None and isinstance(before, Part):
            get, missing = base.get, _MISSING
            if changed is None:
                items: Iterable[tuple[Any, Any]] = value.items()
            else:  # what `before` changed of its file's value, and what changed since
                candidates = {*changed, *before.put, *before.gone}
                items = ((key, value[key]) for key in candidates if key in value)
            put = {key: item for key, item in items
                   if (old := get(key, missing)) is not item and old != item}
            added = sum(1 for key in put if key not in base)
            gone = frozenset(base.keys() - value.keys()) \
                if len(value) - added != len(base) else frozenset()
            if len(put) + len(gone) <= len(value) // REWRITE_FROM + 16:
                return Part(before.file, put, gone)
        return Part(self._write(value, durable), {}, frozenset())

    def _set(self, value: set[Any] | frozenset[Any], before: Node | None,
             durable: bool) -> Node:
        base = self._base(before, (set, frozenset))
        if base is not None and isinstance(before, Part):
            put, gone = frozenset(value - base), frozenset(base - value)
            if len(put) + len(gone) <= len(value) // REWRITE_FROM + 16:
                return Part(before.file, put, gone)
        return Part(self._write(value, durable), frozenset(), frozenset())

    def _base(self, before: Node | None, kind: type | tuple[type, ...]) -> Any:
        base = self.bases.get(before.file) if isinstance(before, Part) else None
        return base if isinstance(base, kind) else None

    def _write(self, value: Any, durable: bool) -> str:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        name = hashlib.blake2b(data, digest_size=16).hexdigest() + ".pickle"
        path = self.folder / name
        if not path.exists():
            _write_bytes(path, data, durable)
        self.bases[name] = value
        return name

    def value(self, node: Node) -> Any:
        """The value kept as `node`; raises `Unreadable` when one of its files is missing
        or damaged. Its dicts and sets are new, and may be changed."""
        if isinstance(node, Plain):
            return node.value
        if isinstance(node, Items):
            return {key: self.value(item) for key, item in node.items.items()}
        if isinstance(node, Fields):
            made: Any = object.__new__(node.type)
            for name, item in node.fields.items():
                object.__setattr__(made, name, self.value(item))
            return made
        base = self.bases.get(node.file)
        if base is None:
            base = load(self.folder / node.file)
            if not isinstance(base, dict | set | frozenset):
                raise Unreadable(node.file)
            self.bases[node.file] = base
        if isinstance(base, dict):
            made_dict = dict(base)
            made_dict.update(node.put)
            for key in node.gone:
                made_dict.pop(key, None)
            return made_dict
        return type(base)((base - node.gone) | node.put)

    def keep_only(self, *nodes: Node) -> None:
        """Delete the files of the folder that `nodes` do not name (and any left half
        written)."""
        named = {file for node in nodes for file in files(node)}
        with contextlib.suppress(FileNotFoundError):
            for entry in os.scandir(self.folder):
                if entry.name not in named:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)


class Unreadable(Exception):
    """A file of `Parts` that cannot be read."""


_MISSING = object()


def files(node: Node) -> Iterator[str]:
    """The files of `Parts` that `node` names."""
    if isinstance(node, Part):
        yield node.file
    elif isinstance(node, Items):
        for item in node.items.values():
            yield from files(item)
    elif isinstance(node, Fields):
        for item in node.fields.values():
            yield from files(item)


def _by_fields(value: Any) -> bool:
    """Whether the dataclass `value` is all in its fields (kept by them, and made again from
    them without its `__init__`)."""
    names = {field.name for field in dataclasses.fields(value)}
    return not hasattr(type(value), "__slots__") and vars(value).keys() == names


def _write_bytes(path: Path, data: bytes, durable: bool) -> None:
    """`data` at `path`, written whole or not at all."""
    def write(out: BinaryIO) -> None:
        out.write(data)
    _written(path, write, durable)
