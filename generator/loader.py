"""Load every record under content/ into typed objects, collecting every problem found.

The loader never stops at the first problem and never lets an exception escape for bad
content: malformed YAML, wrong types, unknown or missing fields, duplicate ids and files in
the wrong folder all become `Problem`s with file, line, field and a hint.
"""

from __future__ import annotations

import contextlib
import difflib
import fcntl
import gc
import multiprocessing
import os
import pickle
import types
import typing
from collections.abc import Iterator
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from generator.model import BY_FOLDER, Decision, Page, Record
from generator.parsecache import ParseCache, digest
from generator.portal import Portal
from generator.problems import Problem, Report, field_label
from generator.source import Origin, SourceError, read_record, relative
from generator.statefile import Signature, signature

YAML_SUFFIXES = (".yml", ".yaml")

PARALLEL_FROM = 500
"""Trees with fewer record files than this are read in this process: forking costs more."""
_CHUNK = 64
"""Files a worker reads and sends back at a time: enough to make a message cheap."""


class Warm:
    """The valid records of the last load in this process, by file, with the file's
    signature (`statefile.signature`) and digest: a warm build process (generator/warm.py)
    reads again only the files whose signature changed since."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[Signature, bytes, Record]] = {}


def load(root: Path, cache: Path | None = None,
         warm: Warm | None = None) -> tuple[Portal, Report]:
    """Read the content tree at `root`; return the records that are valid and every problem.
    With `cache` (a file), records of files unchanged since the last run are reused; with
    `warm`, records of files unchanged since the last load with it."""
    root = root.resolve()
    portal = Portal(root=root)
    report = Report()
    if not root.is_dir():
        report.add(_problem(str(root), 1, "", "", f"content folder {root} does not exist",
                            "run gongshi in the project folder, or pass --content PATH"))
        return portal, report
    # Loading makes millions of objects that all live on; the cyclic garbage collector would
    # scan them again and again as they pile up (a third of the time of a warm load).
    collecting = gc.isenabled()
    gc.disable()
    try:
        parsed = ParseCache(cache)
        files = _record_files(root, report)
        if warm is None:
            for file, read in zip(files, _read_all(files, parsed), strict=True):
                _load_file(file, read, portal, report, parsed)
        else:
            # Each file's signature before it is read: a file written meanwhile is read again
            # next time.
            stamps = [signature(file.file) for file in files]
            loaded = {}
            for file, stamp, read in zip(files, stamps, _warm_reads(files, stamps, warm, parsed),
                                         strict=True):
                record = _load_file(file, read, portal, report, parsed)
                if record is not None and stamp is not None:
                    loaded[file.rel] = (stamp, read.key, record)
            warm.files = loaded
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


def _record_files(root: Path, report: Report) -> list[_File]:
    """The files to read, in path order; other files are reported, or skipped if hidden."""
    top = str(root)
    prefix = "" if root.parent == root else relative(root, root.parent) + "/"
    files = []
    for under in _walk(top, ""):
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
                continue  # notes for staff beside the record folders, e.g. content/README.md
            report.add(_problem(prefix + under, 1, "", "", f"unexpected file `{name}` here",
                                "records are .yml files in their type's folder; "
                                "Markdown pages go in content/pages/"))
            continue
        files.append(_File(f"{top}/{under}" if top != "/" else f"/{under}", prefix + under,
                           parts, stem, suffix, folder, model, is_page))
    return files


def _walk(folder: str, under: str) -> Iterator[str]:
    """Paths below `folder` of the files that are not hidden, in the order of
    `sorted(Path(folder).rglob("*"))` (by their parts), without a Path per file. Like rglob,
    it does not follow links to folders."""
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except PermissionError:
        return
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue  # hidden, like .git/ or an editor's swap file
        if entry.is_dir():
            if not entry.is_symlink():
                yield from _walk(entry.path, f"{under}{name}/")
            continue
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


def _warm_reads(files: list[_File], stamps: list[Signature | None], warm: Warm,
                parsed: ParseCache) -> Iterator[_Read]:
    """What each file gives, taking the record of the last load where the file's signature
    is the same. When many files changed (another branch checked out), they are all read
    as in a cold load."""
    held = [warm.files.get(file.rel) for file in files]
    changed = sum(1 for found, stamp in zip(held, stamps, strict=True)
                  if found is None or found[0] != stamp)
    if changed >= PARALLEL_FROM:
        yield from _read_all(files, parsed)
        return
    for file, found, stamp in zip(files, held, stamps, strict=True):
        if found is not None and found[0] == stamp:
            yield _Read(found[1], record=found[2])
        else:
            yield _read(file, parsed)


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
    rel, folder, model = file.rel, file.folder, file.model
    if read.record is not None:  # validated by a worker (and in the parse cache already)
        made = read.record  # or kept since the last load (`Warm`)
        made.origin.file = file.file
        _check_place(made, file, made.origin, report)
        return _register(made, portal, report, read.key)
    if read.data is None and read.error is None and read.undecodable is None:
        cached = parsed.get(rel, read.key)
        if cached is not None:
            located = cached.origin
            located.file = file.file
            _check_place(cached, file, located, report)
            return _register(cached, portal, report, read.key)
        read = _read(file, None)  # the cache's records turned out unreadable
    if read.undecodable is not None:
        report.add(_problem(rel, 1, "", "", f"the file is not UTF-8 text ({read.undecodable})",
                            "save it as UTF-8 (in VS Code: 'Save with Encoding' → UTF-8)"))
        return None
    if read.error is not None:
        exc = read.error
        portal.broken.add(f"{folder}/{file.stem}")
        report.add(_problem(rel, exc.line, f"{folder}/{file.stem}" if folder else file.stem, "",
                            exc.message, exc.hint))
        return None
    data, origin = read.data, read.origin
    assert data is not None and origin is not None
    origin.file = file.file
    if file.is_page:
        data.setdefault("body_markdown", read.body)
        data.setdefault("id", file.stem)
    if model is None or (model is Page and not file.is_page):
        report.add(_wrong_folder(rel, origin, data, folder))
        return None
    record = _validate(model, data, origin, report)
    if record is None:
        portal.broken.add(f"{folder}/{data.get('id', file.stem)}")
        return None
    parsed.put(rel, read.key, record)
    _check_place(record, file, origin, report)
    return _register(record, portal, report, read.key)


def _validate(model: type[Record], data: dict[str, Any], origin: Origin,
              report: Report) -> Record | None:
    record_name = f"{model.kind_name}/{data['id'] if 'id' in data else Path(origin.path).stem}"
    try:
        record = model.model_validate(data)
    except ValidationError as exc:
        guess = _better_folder(model, data)
        if guess is not None:
            report.add(_wrong_folder(origin.path, origin, data, model.kind_name, guess))
            return None
        errors = exc.errors()
        renamed = _misspelt(model, errors)
        for error in errors:
            if error["type"] == "missing" and tuple(error["loc"]) in renamed:
                continue  # reported once, as the misspelt field that should carry it
            report.add(_explain(model, error, origin, record_name))
        return None
    record.at(origin)
    return record


def _register(record: Record, portal: Portal, report: Report, key: bytes) -> Record | None:
    table = portal.table(record.kind_name)
    first = table.get(record.id)
    if first is not None:
        report.add(_problem(
            record.origin.path, record.origin.line_of(("id",)), record.ref, "id",
            f"duplicate id `{record.id}`: {first.origin.path} uses it already",
            "ids are unique within a record type; give this record another id",
        ))
        return None
    table[record.id] = record
    portal.digests[record.ref] = key
    record.read_as(key)
    return record


def _check_place(record: Record, file: _File, origin: Origin, report: Report) -> None:
    if isinstance(record, Decision):
        year = str(record.decision_date.year)
        if len(file.parts) != 3 or file.parts[1] != year:
            report.add(_problem(
                origin.path, origin.line_of(("decision_date",)), record.ref, "decision_date",
                f"a decision of {year} is filed in the wrong folder",
                f"move the file to content/decisions/{year}/{file.parts[-1]}",
            ))
    if file.stem != record.id:
        report.add(_problem(
            origin.path, origin.line_of(("id",)), record.ref, "id",
            f"the file name `{file.parts[-1]}` differs from the id `{record.id}`",
            f"rename the file to {record.id}{file.suffix} so staff find records by their URL",
            severity="warning",
        ))


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
