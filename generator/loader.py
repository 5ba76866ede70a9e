"""Load every record under content/ into typed objects, collecting every problem found.

The loader never stops at the first problem and never lets an exception escape for bad
content: malformed YAML, wrong types, unknown or missing fields, duplicate ids and files in
the wrong folder all become `Problem`s with file, line, field and a hint.
"""

from __future__ import annotations

import bisect
import contextlib
import difflib
import fcntl
import gc
import multiprocessing
import os
import pickle
import types
import typing
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from generator.model import BY_FOLDER, Decision, Page, Record
from generator.parsecache import ParseCache, digest
from generator.portal import Portal
from generator.problems import Problem, Report, field_label
from generator.source import Origin, SourceError, read_record, relative
from generator.statefile import Signature, signature

V = TypeVar("V")

YAML_SUFFIXES = (".yml", ".yaml")

PARALLEL_FROM = 500
"""Trees with fewer record files than this are read in this process: forking costs more."""
_CHUNK = 64
"""Files a worker reads and sends back at a time: enough to make a message cheap."""


def load(root: Path, cache: Path | None = None, warm: Warm | None = None,
         changed: Iterable[str | os.PathLike[str]] | None = None) -> tuple[Portal, Report]:
    """Read the content tree at `root`; return the records that are valid and every problem.
    With `cache` (a file), records of files unchanged since the last run are reused. With
    `warm`, what the last load with it gave is updated for the files that changed since:
    those named in `changed` (files or folders, as a watcher of the tree tells them), or,
    without it, those whose signature changed."""
    root = root.resolve()
    if not root.is_dir():
        if warm is not None:
            warm.reset()
        portal, report = Portal(root=root), Report()
        report.add(_problem(str(root), 1, "", "", f"content folder {root} does not exist",
                            "run gongshi in the project folder, or pass --content PATH"))
        return portal, report
    # Loading makes millions of objects that all live on; the cyclic garbage collector would
    # scan them again and again as they pile up (a third of the time of a warm load).
    collecting = gc.isenabled()
    gc.disable()
    try:
        if warm is not None:
            return warm.load(root, cache, changed)
        portal, report = Portal(root=root), Report()
        parsed = ParseCache(cache)
        files = _record_files(root, report)
        for file, read in zip(files, _read_all(files, parsed), strict=True):
            _load_file(file, read, portal, report, parsed)
        parsed.save()
    finally:
        if collecting:
            gc.enable()
    return portal, report


class _File(NamedTuple):
    """A record file: where it is, and what its place in the tree says it should hold."""

    file: str
    """The absolute path, to read it."""
    rel: str
    """The path from the content folder's parent (`content/officers/wang.yml`), for messages."""
    parts: list[str]
    """The path's parts below the content folder."""
    stem: str
    suffix: str
    folder: str
    model: type[Record] | None
    is_page: bool


def _record_files(root: Path, report: Report,
                  folders: dict[str, _Listing] | None = None) -> list[_File]:
    """The files to read, in path order; other files are reported, or skipped if hidden."""
    top, prefix = str(root), _prefix(root)
    files = []
    for under in _walk(top, "", folders):
        found = _classify(top, prefix, under)
        if isinstance(found, _File):
            files.append(found)
        elif found is not None:
            report.add(found)
    return files


def _prefix(root: Path) -> str:
    """What the path of a file below `root` starts with in messages (`content/`)."""
    return "" if root.parent == root else relative(root, root.parent) + "/"


def _classify(top: str, prefix: str, under: str) -> _File | Problem | None:
    """The file at `under` below the content folder `top`: a record file, or why it is not
    one, or None for a file that is no business of the loader's."""
    parts = under.split("/")
    name = parts[-1]
    dot = name.rfind(".")
    stem, suffix = (name[:dot], name[dot:]) if 0 < dot < len(name) - 1 else (name, "")
    folder = parts[0] if len(parts) > 1 else ""
    model = BY_FOLDER.get(folder)
    is_yaml = suffix in YAML_SUFFIXES
    is_page = suffix == ".md" and model is Page
    if not (is_yaml or is_page):
        if suffix == ".md" and folder == "":
            return None  # notes for staff beside the record folders, e.g. content/README.md
        return _problem(prefix + under, 1, "", "", f"unexpected file `{name}` here",
                        "records are .yml files in their type's folder; "
                        "Markdown pages go in content/pages/")
    return _File(f"{top}/{under}" if top != "/" else f"/{under}", prefix + under,
                 parts, stem, suffix, folder, model, is_page)


_Listing = tuple[Signature | None, list[tuple[str, bool | None]]]
"""A folder's signature and what it held, by name in order: True for a folder to walk,
False for a file, None for a link to a folder (not followed)."""


def _walk(folder: str, under: str, folders: dict[str, _Listing] | None = None) -> Iterator[str]:
    """Paths below `folder` of the files that are not hidden, in the order of
    `sorted(Path(folder).rglob("*"))` (by their parts), without a Path per file. Like rglob,
    it does not follow links to folders. With `folders`, a folder whose signature is the
    one noted there is not listed again, and the others are noted."""
    stamp = signature(folder) if folders is not None else None
    noted = folders.get(folder) if folders is not None else None
    if noted is not None and stamp is not None and noted[0] == stamp:
        entries = noted[1]
    else:
        try:
            with os.scandir(folder) as scan:
                entries = sorted(
                    (entry.name, (not entry.is_symlink()) or None if entry.is_dir() else False)
                    for entry in scan if not entry.name.startswith("."))  # hidden: .git/, swap
        except PermissionError:
            return
        if folders is not None:
            folders[folder] = (stamp, entries)
    for name, is_folder in entries:
        if is_folder:
            yield from _walk(f"{folder}/{name}", f"{under}{name}/", folders)
        elif is_folder is False:
            yield under + name


# --- reading files, on both cores when there are many ----------------------------------


class _Read(NamedTuple):
    """What reading one file gave: the digest of its bytes, and its fields or why it cannot be
    read. Neither (no data, no error) means that the parse cache holds its record."""

    key: bytes
    data: dict[str, Any] | None = None
    origin: Origin | None = None
    body: str | None = None
    error: SourceError | None = None
    undecodable: str | None = None
    """Why the bytes are not UTF-8."""
    validated: bool = False
    """A worker validated the record: it comes with the chunk's records (`_Chunk`)."""
    record: Record | None = None
    """That record, once unpickled here."""


def _read(file: _File, parsed: ParseCache | None) -> _Read:
    with open(file.file, "rb") as handle:
        raw = handle.read()
    key = digest(raw)
    if parsed is not None and parsed.has(file.rel, key):
        return _Read(key)
    try:
        data, origin, body = read_record(raw, file.rel, file.file)
    except UnicodeDecodeError as exc:
        return _Read(key, undecodable=exc.reason)
    except SourceError as exc:
        return _Read(key, error=exc)
    return _Read(key, data, origin, body)


_WORKERS = 2
"""Worker processes: with this process registering what they read, two keep the two cores
of issue 8's build machines busy."""
_WORK: list[tuple[list[_File], ParseCache]] = []
"""The files and the cache, for forked workers to inherit: a task is only a chunk's start."""

_Chunk = tuple[list[_Read | None], list[str], bytes]
"""What a worker sends for a chunk of files: what each gave (None: read it again here), and
the records it validated, by path and pickled together (the parse cache keeps them so)."""


def _read_chunk(start: int) -> _Chunk:
    """Read a chunk of files and validate the records that are valid: the records are sent
    pickled, as the parse cache keeps them, and this process only unpickles them. (It
    validated and pickled them itself before: at 100,000 files, 14 s of CPU that kept the
    workers waiting for it, on one core.) Anything else is left to this process, which
    explains what is wrong."""
    files, parsed = _WORK[0]
    reads: list[_Read | None] = []
    rels, records = [], []
    for file in files[start:start + _CHUNK]:
        try:
            read = _read(file, parsed)
        except Exception:  # e.g. a dangling link: read it again in the parent, to fail there
            reads.append(None)
            continue
        record = _valid(file, read)
        if record is not None:
            rels.append(file.rel)
            records.append(record)
            read = _Read(read.key, validated=True)
        reads.append(read)
    return reads, rels, pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL) if records else b""


def _valid(file: _File, read: _Read) -> Record | None:
    """The file's record, when it is valid: as `_load_file` makes it, without reporting."""
    data, origin, model = read.data, read.origin, file.model
    if data is None or origin is None or model is None or (model is Page and not file.is_page):
        return None
    origin.file = file.file
    if file.is_page:
        data = {"body_markdown": read.body, "id": file.stem, **data}
    try:
        record = model.model_validate(data)
    except ValidationError:
        return None
    return record.at(origin)


def _serve(starts: range, results: Connection) -> None:
    """A worker: read its chunks and send what they give, in order."""
    for start in starts:
        results.send(_read_chunk(start))
    results.close()


def _read_all(files: list[_File], parsed: ParseCache) -> Iterator[_Read]:
    """What each file gives, in order: read by two forked worker processes when it pays, so
    that this process validates records while they parse the next ones.

    Each worker takes every other chunk and sends its results down its own pipe, which this
    process reads in turn: results come in file order with no thread or queue here, and a
    full pipe makes a worker wait rather than pile results up. (multiprocessing.Pool's
    worker-handler thread spins here while results wait to be read: seconds of this
    process's time at 100,000 files.)"""
    if not _parallel(len(files)):
        yield from (_read(file, parsed) for file in files)
        return
    context = multiprocessing.get_context("fork")
    starts = range(0, len(files), _CHUNK)
    workers: list[tuple[BaseProcess, Connection]] = []
    _WORK[:] = [(files, parsed)]
    try:
        for index in range(_WORKERS):
            receiver, sender = context.Pipe(duplex=False)
            _widen(sender)
            worker = context.Process(target=_serve, args=(starts[index::_WORKERS], sender))
            worker.start()
            sender.close()
            workers.append((worker, receiver))
        for number, start in enumerate(starts):
            try:
                reads, rels, pickled = workers[number % _WORKERS][1].recv()
            except (EOFError, OSError):  # a worker that died: its share is read here
                reads, rels, pickled = _read_chunk(start)
            chunk = files[start:start + _CHUNK]
            records = iter(pickle.loads(pickled) if pickled else ())
            if rels:
                parsed.put_pickled(rels, [read.key for read in reads if read and read.validated],
                                   pickled)
            for file, read in zip(chunk, reads, strict=True):
                if read is None:
                    yield _read(file, parsed)
                else:
                    yield read._replace(record=next(records)) if read.validated else read
    finally:
        _WORK.clear()
        for process, receiver in workers:
            receiver.close()
            process.terminate()  # at once if this process stopped reading early
            process.join()


def _widen(pipe: Connection) -> None:
    """Let a worker run chunks ahead: a pipe holds 64 KB, less than a chunk's results, so a
    worker waited for this process to take each one, while this process waited for the
    other worker in turn (the two cores were 1.6 busy)."""
    if hasattr(fcntl, "F_SETPIPE_SZ"):
        with contextlib.suppress(OSError):  # at most /proc/sys/fs/pipe-max-size
            fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)


_PIPE_BYTES = 1 << 20


def _parallel(count: int) -> bool:
    """Whether to read `count` files in worker processes: many files, two cores, and fork."""
    cores = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
             else os.cpu_count() or 1)
    return (count >= PARALLEL_FROM and cores >= _WORKERS
            and "fork" in multiprocessing.get_all_start_methods())


# --- from fields to records ----------------------------------------------------------------


def _load_file(file: _File, read: _Read, portal: Portal, report: Report,
               parsed: ParseCache) -> Record | None:
    """Register the file's record, or report why it has none; the record registered."""
    record, problems, broken = _take_in(file, read, parsed)
    if broken is not None:
        portal.broken.add(broken)
    report.extend(problems)
    return _register(record, portal, report, read.key) if record is not None else None


def _take_in(file: _File, read: _Read, parsed: ParseCache,
             ) -> tuple[Record | None, list[Problem], str | None]:
    """The file's record, if it is valid (not registered yet), the problems of reading it,
    and the `folder/id` it fails to give (`Portal.broken`), if it does."""
    rel, folder, model = file.rel, file.folder, file.model
    problems: list[Problem] = []
    if read.record is not None:  # validated by a worker (and in the parse cache already)
        made = read.record
        made.origin.file = file.file
        _check_place(made, file, made.origin, problems)
        return made, problems, None
    if read.data is None and read.error is None and read.undecodable is None:
        cached = parsed.get(rel, read.key)
        if cached is not None:
            located = cached.origin
            located.file = file.file
            _check_place(cached, file, located, problems)
            return cached, problems, None
        read = _read(file, None)  # the cache's records turned out unreadable
    if read.undecodable is not None:
        problems.append(_problem(
            rel, 1, "", "", f"the file is not UTF-8 text ({read.undecodable})",
            "save it as UTF-8 (in VS Code: 'Save with Encoding' → UTF-8)"))
        return None, problems, None
    if read.error is not None:
        exc = read.error
        problems.append(_problem(rel, exc.line, f"{folder}/{file.stem}" if folder else file.stem,
                                 "", exc.message, exc.hint))
        return None, problems, f"{folder}/{file.stem}"
    data, origin = read.data, read.origin
    assert data is not None and origin is not None
    origin.file = file.file
    if file.is_page:
        data.setdefault("body_markdown", read.body)
        data.setdefault("id", file.stem)
    if model is None or (model is Page and not file.is_page):
        problems.append(_wrong_folder(rel, origin, data, folder))
        return None, problems, None
    record = _validate(model, data, origin, problems)
    if record is None:
        return None, problems, f"{folder}/{data.get('id', file.stem)}"
    parsed.put(rel, read.key, record)
    _check_place(record, file, origin, problems)
    return record, problems, None


def _validate(model: type[Record], data: dict[str, Any], origin: Origin,
              problems: list[Problem]) -> Record | None:
    record_name = f"{model.kind_name}/{data['id'] if 'id' in data else Path(origin.path).stem}"
    try:
        record = model.model_validate(data)
    except ValidationError as exc:
        guess = _better_folder(model, data)
        if guess is not None:
            problems.append(_wrong_folder(origin.path, origin, data, model.kind_name, guess))
            return None
        errors = exc.errors()
        renamed = _misspelt(model, errors)
        for error in errors:
            if error["type"] == "missing" and tuple(error["loc"]) in renamed:
                continue  # reported once, as the misspelt field that should carry it
            problems.append(_explain(model, error, origin, record_name))
        return None
    record.at(origin)
    return record


def _register(record: Record, portal: Portal, report: Report, key: bytes) -> Record | None:
    problem = _duplicate(record, portal)
    if problem is not None:
        report.add(problem)
        return None
    _enter(record, portal, key)
    return record


def _duplicate(record: Record, portal: Portal) -> Problem | None:
    """Why the record cannot be registered: another file's record has its id already."""
    first = portal.table(record.kind_name).get(record.id)
    if first is None:
        return None
    return _problem(
        record.origin.path, record.origin.line_of(("id",)), record.ref, "id",
        f"duplicate id `{record.id}`: {first.origin.path} uses it already",
        "ids are unique within a record type; give this record another id",
    )


def _enter(record: Record, portal: Portal, key: bytes) -> None:
    portal.table(record.kind_name)[record.id] = record
    portal.digests[record.ref] = key
    record.read_as(key)


def _check_place(record: Record, file: _File, origin: Origin,
                 problems: list[Problem]) -> None:
    if isinstance(record, Decision):
        year = str(record.decision_date.year)
        if len(file.parts) != 3 or file.parts[1] != year:
            problems.append(_problem(
                origin.path, origin.line_of(("decision_date",)), record.ref, "decision_date",
                f"a decision of {year} is filed in the wrong folder",
                f"move the file to content/decisions/{year}/{file.parts[-1]}",
            ))
    if file.stem != record.id:
        problems.append(_problem(
            origin.path, origin.line_of(("id",)), record.ref, "id",
            f"the file name `{file.parts[-1]}` differs from the id `{record.id}`",
            f"rename the file to {record.id}{file.suffix} so staff find records by their URL",
            severity="warning",
        ))


# --- warm loads: the last load's portal, updated for the files that changed ---------------


class _Outcome(NamedTuple):
    """What one file of the tree gave, kept by `Warm` until the file changes."""

    file: _File | None
    """None for a file that holds no record: `problems` says why."""
    stamp: Signature | None
    """The file's signature before it was read."""
    key: bytes
    record: Record | None
    """Its record, when it is valid (registered unless another file has its id first)."""
    problems: list[Problem]
    """The problems of reading it, as `_take_in` found them."""
    broken: str | None
    """The `folder/id` it fails to give (`Portal.broken`)."""


class Warm:
    """What the last load in this process gave, by file, and the portal it made: a warm
    build process (generator/warm.py) reads again only the files that changed since and
    updates that portal in place for them, to what a cold load would give.

    Reading the signature of each of 110,000 files and making a portal of all their records
    again took 3 s at 100,000 decisions; a watcher of the tree (`gongshi serve`) tells which
    files changed, and a record in a portal is replaced, removed or put in its place at the
    cost of copying one table. What depends on more than one file falls back to making the
    portal again from what each file gave: a record whose id another file holds, and many
    changes at once (another branch checked out)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.root: Path | None = None
        self.files: dict[str, _Outcome] = {}
        """What each file of the tree gave, by path (`_File.rel`)."""
        self.folders: dict[str, _Listing] = {}
        """What each folder held when it was last listed (`_walk`)."""
        self.portal: Portal | None = None
        self.duplicates: dict[str, Problem] = {}
        """By path, the problem of each file whose record's id another file has first."""
        self.contested: set[str] = set()
        """`folder/id` of the records of `duplicates`: held by more than one file."""
        self.troubled: set[str] = set()
        """Paths of the files with problems or a broken record: what the report is made of."""
        self.changes: list[tuple[Record | None, Record | None]] | None = None
        """What the last load changed in the portal: each changed file's record before and
        after (None: none); None when the portal was made again whole."""

    def load(self, root: Path, cache: Path | None,
             changed: Iterable[str | os.PathLike[str]] | None) -> tuple[Portal, Report]:
        """`load` with this table (see there)."""
        self.changes = None
        if self.root != root or self.portal is None:
            self._first(root, cache)
        else:
            self._update(root, self._scan(root) if changed is None
                         else self._changed(root, changed))
        assert self.portal is not None
        return self.portal, self._report()

    def _first(self, root: Path, cache: Path | None) -> None:
        self.reset()
        self.root = root
        top, prefix = str(root), _prefix(root)
        parsed = ParseCache(cache)
        order, files = [], []
        found: dict[str, _Outcome | None] = {}
        for under in _walk(top, "", self.folders):
            classified = _classify(top, prefix, under)
            if classified is None:
                continue
            order.append(prefix + under)
            if isinstance(classified, _File):
                files.append(classified)
            else:
                found[prefix + under] = _Outcome(None, None, b"", None, [classified], None)
        found.update(_outcomes(files, parsed))
        parsed.save()
        self.files = {rel: kept for rel in order if (kept := found.get(rel)) is not None}
        self._replay(list(self.files))

    def _scan(self, root: Path) -> dict[str, bool]:
        """The files below `root` that changed, by path below it (True: it is there now),
        found without a watcher's word: the files of each folder whose signature changed
        (the others are not listed again), and every record file whose signature changed."""
        prefix, found, seen = _prefix(root), {}, set()
        for under in _walk(str(root), "", self.folders):
            rel = prefix + under
            seen.add(rel)
            kept = self.files.get(rel)
            if kept is None or (kept.file is not None and kept.stamp != signature(kept.file.file)):
                found[under] = True
        for rel in self.files.keys() - seen:
            found[rel[len(prefix):]] = False
        return found

    def _changed(self, root: Path, changed: Iterable[str | os.PathLike[str]]) -> dict[str, bool]:
        """The files below `root` that `changed` names, by path below it (True: it is there
        now): a folder names every file below it, then and now."""
        top, prefix, found = str(root), _prefix(root), {}
        for name in changed:
            path = os.path.abspath(name)
            if path == top:
                return self._scan(root)
            if not path.startswith(top + "/") or os.path.realpath(
                    os.path.dirname(path)) != os.path.dirname(path):
                continue  # outside the tree, or below a link to a folder: not walked
            under = path[len(top) + 1:]
            if any(part.startswith(".") for part in under.split("/")):
                continue  # hidden, like an editor's swap file
            if prefix + under in self.files:
                found[under] = False
            elif path in self.folders:  # a folder: what it held
                lead = prefix + under + "/"
                found.update((rel[len(prefix):], False) for rel in self.files
                             if rel.startswith(lead))
            if os.path.isdir(path):
                if not os.path.islink(path):
                    found.update((f"{under}/{below}", True)
                                 for below in _walk(path, "", self.folders))
            elif os.path.lexists(path):
                found[under] = True
        return found

    def _update(self, root: Path, found: dict[str, bool]) -> None:
        """Take in the files found changed: read those that are there, forget the others."""
        top, prefix = str(root), _prefix(root)
        fresh: dict[str, _Outcome | None] = {}
        files = []
        for under, there in found.items():
            classified = _classify(top, prefix, under) if there else None
            if isinstance(classified, _File):
                files.append(classified)
            else:
                fresh[prefix + under] = None if classified is None else _Outcome(
                    None, None, b"", None, [classified], None)
        fresh.update(_outcomes(files, ParseCache(None)))
        self.changes = []
        if not fresh:
            return
        before = {rel: self.files.get(rel) for rel in fresh}
        for rel, kept in fresh.items():
            if kept is None:
                self.files.pop(rel, None)
            else:
                self.files[rel] = kept
        if len(fresh) >= PARALLEL_FROM or not self._patch(before, fresh):
            self.changes = None
            self._replay(sorted(self.files, key=_order))
            return
        self.changes = [(old.record if old is not None else None,
                         new.record if new is not None else None)
                        for old, new in ((before[rel], fresh[rel]) for rel in fresh)]

    def _patch(self, before: dict[str, _Outcome | None], fresh: dict[str, _Outcome | None],
               ) -> bool:
        """Update the portal in place for the files that changed; False when it depends on
        other files too (an id that more than one file holds), and it must be made again."""
        portal = self.portal
        assert portal is not None
        if any(old is not None and old.record is not None and old.record.ref in self.contested
               for old in before.values()):
            return False
        for rel, old in before.items():
            new = fresh[rel]
            if old is None or old.record is None or (
                    new is not None and new.record is not None and new.record.ref == old.record.ref):
                continue
            del portal.table(old.record.kind_name)[old.record.id]
            del portal.digests[old.record.ref]
        for rel in sorted(fresh, key=_order):
            new, old = fresh[rel], before[rel]
            if new is None or new.record is None:
                continue
            record = new.record
            if old is not None and old.record is not None and old.record.ref == record.ref:
                _enter(record, portal, new.key)  # where the file's last record was
            elif record.id in portal.table(record.kind_name):
                return False  # a duplicate id: which file has it first is for a replay
            else:
                _place(portal, record, new.key)
        for rel, new in fresh.items():
            self.troubled.discard(rel)
            if new is not None and (new.problems or new.broken):
                self.troubled.add(rel)
        portal.broken = {broken for rel in sorted(self.troubled, key=_order)
                         if (broken := self.files[rel].broken) is not None}
        return True

    def _replay(self, order: list[str]) -> None:
        """Make the portal again from what each file gave, as a cold load does (`order`:
        every path, in path order)."""
        portal = Portal(root=self.root or Path())
        self.duplicates, self.troubled = {}, set()
        for rel in order:
            kept = self.files[rel]
            if kept.problems or kept.broken is not None:
                self.troubled.add(rel)
            if kept.broken is not None:
                portal.broken.add(kept.broken)
            record = kept.record
            if record is None:
                continue
            problem = _duplicate(record, portal)
            if problem is None:
                _enter(record, portal, kept.key)
            else:
                self.duplicates[rel] = problem
                self.troubled.add(rel)
        self.contested = {problem.record for problem in self.duplicates.values()}
        self.portal = portal

    def _report(self) -> Report:
        """The problems, in the order a cold load finds them: files that hold no record,
        then each file's."""
        listed: list[Problem] = []
        found: list[Problem] = []
        for rel in sorted(self.troubled, key=_order):
            kept = self.files[rel]
            (listed if kept.file is None else found).extend(kept.problems)
            duplicate = self.duplicates.get(rel)
            if duplicate is not None:
                found.append(duplicate)
        return Report(listed + found)


def _order(rel: str) -> list[str]:
    """Where a file comes in path order (`_walk`'s)."""
    return rel.split("/")


def _outcomes(files: list[_File], parsed: ParseCache) -> dict[str, _Outcome | None]:
    """What each file gives, by path; None for a file that is gone (or cannot be opened)
    since it was listed: it will be found again if it comes back."""
    stamps = [signature(file.file) for file in files]
    reads: Iterable[_Read | None]
    if _parallel(len(files)):
        reads = _read_all(files, parsed)
    else:
        reads = (_read_or_none(file, parsed) for file in files)
    found: dict[str, _Outcome | None] = {}
    for file, stamp, read in zip(files, stamps, reads, strict=True):
        if read is None:
            found[file.rel] = None
            continue
        record, problems, broken = _take_in(file, read, parsed)
        found[file.rel] = _Outcome(file, stamp, read.key, record, problems, broken)
    return found


def _read_or_none(file: _File, parsed: ParseCache) -> _Read | None:
    try:
        return _read(file, parsed)
    except OSError:
        return None


def _place(portal: Portal, record: Record, key: bytes) -> None:
    """Register a record where a cold load would: in its table and among the digests, in
    the path order of their files. The records after it are taken out and put back after
    it (copying a table of 100,000 took 0.1 s; looking at each record after it, 0.5 s)."""
    at, table = _order(record.origin.path), portal.table(record.kind_name)
    _insert(table, record.id, record, at, lambda held: _order(table[held].origin.path))
    _insert(portal.digests, record.ref, key, at, lambda held: _order(
        typing.cast(Record, portal.lookup(held)).origin.path))
    record.read_as(key)


def _insert(table: dict[str, V], key: str, value: V, at: list[str],
            order: Callable[[str], list[str]]) -> None:
    """Insert `key` into `table` where `at` comes in the `order` of its keys."""
    keys = list(table)
    tail = keys[bisect.bisect(keys, at, key=order):]
    moved = list(map(table.pop, tail))
    table[key] = value
    table.update(zip(tail, moved, strict=True))


# --- turning validation errors into messages ---------------------------------------------


def _explain(model: type[BaseModel], error: ErrorDetails, origin: Origin,
             record_name: str) -> Problem:
    loc = tuple(error["loc"])
    kind = error["type"]
    label = field_label(loc)
    line = origin.line_of(loc)
    value = error.get("input")
    if kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        name = str(loc[-1])
        allowed = list(owner.model_fields) if owner else []
        close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`?" if close else (
            "allowed fields here: " + ", ".join(allowed) if allowed else "remove it")
        return _problem(origin.path, line, record_name, label, f"unknown field `{name}`", hint)
    if kind == "missing":
        owner = _model_at(model, loc[:-1])
        name = str(loc[-1])
        info = owner.model_fields.get(name) if owner else None
        what = f" ({info.description})" if info and info.description else ""
        return _problem(origin.path, line, record_name, label,
                        f"required field `{name}` is missing{what}",
                        f"add a line `{name}: …`; `gongshi new {_kind(model)}` "
                        "shows every field")
    if kind == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", ""))
        return _problem(origin.path, line, record_name, label,
                        f"`{value}` is not an allowed value", f"use one of: {expected}")
    if kind == "string_type":
        return _problem(origin.path, line, record_name, label,
                        f"must be text, but YAML read {type(value).__name__} `{value}`",
                        "put the value in quotes, e.g. '0123'")
    if kind == "string_pattern_mismatch":
        return _problem(origin.path, line, record_name, label,
                        f"`{value}` is not in the expected form", _pattern_hint(model, loc))
    if kind.startswith("date"):
        return _problem(origin.path, line, record_name, label,
                        f"`{value}` is not a date", "write dates as YYYY-MM-DD, e.g. 2025-03-01")
    if kind in {"list_type", "too_short"}:
        return _problem(origin.path, line, record_name, label, error["msg"].lower(),
                        "write a list, one `- item` per line" if kind == "list_type"
                        else "add at least one item")
    if kind == "model_type" or kind == "dict_type":
        return _problem(origin.path, line, record_name, label,
                        "expected a group of fields (`field: value` lines indented below)",
                        f"see docs/format.md for `{label}`")
    return _problem(origin.path, line, record_name, label,
                    f"{error['msg']} (got `{value}`)" if not isinstance(value, dict | list)
                    else error["msg"], "see docs/format.md")


def _misspelt(model: type[BaseModel], errors: list[ErrorDetails]) -> set[tuple[str | int, ...]]:
    """Locations of missing fields that an unknown field of the same mapping misspells."""
    missing = {tuple(e["loc"]) for e in errors if e["type"] == "missing"}
    found = set()
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] != "extra_forbidden":
            continue
        owner = _model_at(model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), list(owner.model_fields) if owner else [],
                                          n=1, cutoff=0.6)
        if close and (*loc[:-1], close[0]) in missing:
            found.add((*loc[:-1], close[0]))
    return found


def _kind(model: type[BaseModel]) -> str:
    return str(getattr(model, "kind_name", "decisions"))


def _pattern_hint(model: type[BaseModel], loc: tuple[str | int, ...]) -> str:
    owner = _model_at(model, loc[:-1]) if loc and isinstance(loc[-1], str) else None
    if owner is None:  # an item of a list: the list field describes it
        owner, name = _model_at(model, loc[:-2]), loc[-2] if len(loc) > 1 else ""
    else:
        name = loc[-1]
    info = owner.model_fields.get(str(name)) if owner else None
    description = info.description if info and info.description else ""
    if str(name) in {"id", "parent", "body", "power"} or "标识" in description:
        return f"{description}; ids use lower-case letters, digits and hyphens, e.g. dhrs-2025-001"
    if "basis" in str(name) or "articles" in str(name):
        return "cite an article as `<legal basis id>#第X条`, e.g. labour-inspection-regulation#第二十六条"
    return description or "see docs/format.md"


def _model_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The nested model that a location points into (for field-name suggestions)."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = _inner_model(info.annotation)
    return current


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None


# --- files in the wrong place ------------------------------------------------------------


def _better_folder(model: type[Record], data: dict[str, Any]) -> type[Record] | None:
    """Another record type whose fields cover this file's fields where `model`'s do not."""
    keys = set(data)
    if keys <= set(model.model_fields):
        return None
    for candidate in BY_FOLDER.values():
        if candidate is not model and candidate is not Page and keys <= set(candidate.model_fields):
            return candidate
    return None


def _wrong_folder(rel: str, origin: Origin, data: dict[str, Any], folder: str,
                  guess: type[Record] | None = None) -> Problem:
    guess = guess or _better_folder(Page, data)
    folders = ", ".join(f"content/{name}/" for name in BY_FOLDER)
    if guess is not None:
        target = f"content/{guess.kind_name}/"
        if guess is Decision and "decision_date" in data:
            target += f"{str(data['decision_date'])[:4]}/"
        return _problem(rel, origin.line, f"{guess.kind_name}/{data.get('id', '')}", "",
                        f"this looks like a {guess.label} ({guess.kind_name}) record, "
                        f"but it is in {('content/' + folder + '/') if folder else 'content/'}",
                        f"move it to {target}")
    return _problem(rel, origin.line, str(data.get("id", "")), "",
                    f"`{folder or 'content/'}` is not a record folder",
                    f"record folders are: {folders}")


def _problem(file: str, line: int, record: str, field: str, message: str, hint: str,
             severity: str = "error") -> Problem:
    return Problem(file=file, line=line, severity="warning" if severity == "warning" else "error",
                   code="format", record=record, field=field, message=message, hint=hint)
