"""The staff-side search index: the only module that imports whoosh (whoosh-reloaded).

whoosh is frozen upstream, so everything else talks to `SearchIndex` (build, open, search,
related) and the engine can be swapped behind it.

Chinese has no spaces, so text is indexed twice: as jieba's search-mode words (compounds and
their parts: 行政处罚法 gives 行政, 处罚, 处罚法, 行政处罚法) and as single characters and
character pairs, which find a name jieba splits oddly (东湖市拓新… is cut 东湖/市拓/新). A
query matches when all its words match, or all its character pairs do; exact identifiers
(文书号, 执法证号, 统一社会信用代码) match whole and rank first.

Each document's text goes through jieba once, here in Python (`_fields`): whoosh receives
lists of terms and runs no analyzer, and the text's words are stored (`terms`), so `related`
needs no second pass of jieba.

Building is incremental (see `SearchIndex`). Measured on 2 idle cores with
benchmarks/search_index.py --only-whoosh: at 10,000 synthetic decisions, 14 s whole (27 s of
CPU; one process took 45 s before), 0.2 s when nothing changed, 1.2 s with one decision
changed (most of it loading jieba's dictionary); at 100,000, 124 s, 1.9 s and 3.0 s.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import Any

import jieba
from whoosh import index, query
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.columns import FixedBytesColumn
from whoosh.fields import COLUMN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.util.filelock import try_for
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

from generator.deploy import swap_in
from search.documents import Document

jieba.setLogLevel(logging.WARNING)
_SPACE = re.compile(r"\s+")
_CODE = re.compile(r"[^ \t\r\n]+")  # how whoosh's KEYWORD field splits codes

FORMAT = 2
"""The index format. Bump it when the schema or the way text becomes terms changes: an index
of another format is then built again whole, never updated."""

DIGEST_SIZE = 16
LOCK_WAIT = 300
"""Seconds a build waits for another one writing the same index."""


class IndexBusy(Exception):
    """Another build kept the index's write lock for LOCK_WAIT seconds."""


def grams(text: str, single: bool = False) -> list[str]:
    """Character pairs (and with `single`, characters) of each run without spaces."""
    result: list[str] = []
    for run in _SPACE.split(text.lower()):
        if single:
            result.extend(run)
        result.extend(run[i:i + 2] for i in range(len(run) - 1))
    return result


def words(text: str) -> list[str]:
    """The smallest words of a query: a compound is also found inside longer words."""
    pieces = [w.lower() for w in jieba.cut_for_search(text) if w.strip()]
    return [w for w in dict.fromkeys(pieces)
            if not any(w != other and other in w for other in pieces)] or pieces


def all_words(text: str) -> list[str]:
    """jieba's search mode on indexed text: every word and the words inside it, in order."""
    return [w.lower() for w in jieba.cut_for_search(text) if w.strip()]


def digest(doc: Document) -> bytes:
    """A stable hash of every field of a document: equal when nothing a reader sees changed."""
    fields = json.dumps(vars(doc), ensure_ascii=False, sort_keys=True)
    return hashlib.blake2b(fields.encode("utf-8"), digest_size=DIGEST_SIZE).digest()


# Terms arrive as lists (see _fields), so whoosh runs no analyzer; SpaceSeparatedTokenizer
# only serves text that is already terms joined by spaces.
SCHEMA = Schema(
    ref=ID(stored=True, unique=True, sortable=True),
    digest=COLUMN(FixedBytesColumn(DIGEST_SIZE)),
    kind=ID(stored=True),
    title=STORED(),
    url=STORED(),
    date=STORED(),
    words=TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=False),
    grams=TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=False),
    codes=KEYWORD(lowercase=True, commas=False, scorable=True),
    body=KEYWORD(stored=True),
    region=KEYWORD(stored=True),
    year=NUMERIC(stored=True),
    type=ID(stored=True),
    power=ID(stored=True),
    excerpt=STORED(),
    terms=STORED(),
)


def _fields(doc: Document, checksum: bytes) -> dict[str, Any]:
    """The whoosh fields of a document: jieba runs here, once, on its title and on its text."""
    text_words = all_words(doc.text)
    return dict(
        ref=doc.ref, digest=checksum, kind=doc.kind, title=doc.title, url=doc.url,
        date=doc.date, words=all_words(doc.title) + text_words,
        grams=grams(f"{doc.title} {doc.text}", single=True),
        codes=[code.lower() for code in _CODE.findall(doc.codes)],
        body=doc.body, region=doc.region, year=doc.year, type=doc.type, power=doc.power,
        excerpt=doc.text[:160], terms=" ".join(text_words))


@dataclass(frozen=True)
class Hit:
    ref: str
    kind: str
    title: str
    url: str
    date: str
    body: str
    year: int
    type: str
    excerpt: str
    score: float


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    body: str = ""
    region: str = ""
    year: int = 0
    type: str = ""


@dataclass(frozen=True)
class Changes:
    """What a build did to the index."""

    fresh: bool
    """Written whole: no usable index of this format was there, or a quarter of it changed."""
    added: int = 0
    updated: int = 0
    removed: int = 0

    @property
    def unchanged(self) -> bool:
        return not (self.fresh or self.added or self.updated or self.removed)


class SearchIndex:
    """A whoosh index in a folder: built (whole or by changes), opened, searched.

    `build` updates an index of the same `FORMAT` in place: documents whose digest changed
    are replaced (deleted by `ref`, added again), gone ones deleted, new ones added, and the
    rest are not touched; when nothing changed, nothing is written. Otherwise (no index,
    another format, an index that cannot be read, or changes to more than a quarter of the
    documents) it writes a fresh index into a folder next to it and swaps that in.

    Never half-written: an update is one whoosh commit, and a whoosh commit is atomic. Its
    new segment files get new names, and the previous generation's table of contents (TOC)
    keeps pointing at the old ones until the new TOC, written under a temporary name, is
    renamed into place (deletions are recorded in the TOC too); old files are removed only
    after that rename. A failure before the rename leaves the previous index as it was
    (checked by killing a build with SIGKILL mid-commit; stray files of the failed commit
    are removed by the next commit). Updating a copy and swapping it in would give the same
    guarantee by copying every file on every build that changes anything (186 MB at 100,000
    decisions: 0.1 s from the page cache, and twice the disk space meanwhile), where a commit
    writes a small segment and a new TOC. Like the site's swap, this survives a failed or
    killed process, not a power cut (nothing is fsynced).

    Deleted documents stay in their segment, and in its term statistics, until the segment
    is merged (`_merge`): scores of an updated index are close to a fresh build's, not equal.
    """

    def __init__(self, folder: Path, changes: Changes | None = None) -> None:
        self.folder = folder
        self._index = index.open_dir(str(folder), indexname=_name())
        self.changes = changes or Changes(fresh=False)
        """What the build that returned this index did (unchanged when merely opened)."""

    @classmethod
    def build(cls, folder: Path, documents: Iterable[Document]) -> SearchIndex:
        """Bring the index in `folder` up to date with `documents` (see the class)."""
        wanted = {doc.ref: (doc, digest(doc)) for doc in documents}
        existing = _open(folder)
        if existing is None:
            return cls(folder, _build_fresh(folder, wanted))
        # The changes are found and written under whoosh's write lock: two builds at once
        # take turns, and the second finds the first one's work done.
        lock = existing.lock("WRITELOCK")
        if not try_for(lock.acquire, timeout=LOCK_WAIT, delay=0.1):
            raise IndexBusy(f"{folder}: another build has been writing the search index for "
                            f"{LOCK_WAIT} s")
        try:
            current = _digests(existing)
            if current is not None:
                changes = _apply(existing, wanted, current)
                if changes is not None:
                    return cls(folder, changes)
        finally:
            lock.release()
        return cls(folder, _build_fresh(folder, wanted))

    @staticmethod
    def exists(folder: Path) -> bool:
        return bool(index.exists_in(str(folder), indexname=_name()))

    def search(self, text: str, filters: Filters = Filters(), limit: int = 20) -> list[Hit]:
        text = text.strip()
        if not text:
            return []
        exact = [query.Term("codes", code.lower(), boost=20.0) for code in text.split()]
        by_words = query.And([query.Term("words", w) for w in words(text)])
        by_grams = query.And([query.Term("grams", g) for g in
                              (grams(text) or grams(text, single=True))], boost=0.5)
        return self._run(query.Or([*exact, by_words, by_grams]), filters, limit)

    def related(self, ref: str, limit: int = 5) -> list[Hit]:
        """Decisions like this one: the same power first, then similar facts."""
        with self._index.searcher() as searcher:
            found = searcher.document(ref=ref)
            if not found:
                return []
            number = searcher.document_number(ref=ref)
            # The stored words of the text: a list is indexed as it is, without jieba.
            similar = searcher.more_like(number, "words", text=found["terms"].split(),
                                         top=limit * 3, numterms=12,
                                         filter=query.Term("kind", found["kind"]))
            same_power = [h for h in similar if h.get("power") == found.get("power")]
            others = [h for h in similar if h.get("power") != found.get("power")]
            return [_hit(h) for h in [*same_power, *others][:limit]]

    def _run(self, q: query.Query, filters: Filters, limit: int) -> list[Hit]:
        parts: list[query.Query] = []
        if filters.kind:
            parts.append(query.Term("kind", filters.kind))
        if filters.body:
            parts.append(query.Term("body", filters.body))
        if filters.region:
            parts.append(query.Term("region", filters.region))
        if filters.year:
            parts.append(query.NumericRange("year", filters.year, filters.year))
        if filters.type:
            parts.append(query.Term("type", filters.type))
        with self._index.searcher() as searcher:
            results = searcher.search(q, limit=limit, filter=query.And(parts) if parts else None)
            return [_hit(h) for h in results]


def _name() -> str:
    """whoosh's name for the index, which names its files: an index of another format is
    not found, so it is built fresh."""
    return f"gongshi{FORMAT}"


def _open(folder: Path) -> Any:
    """The index of this format in `folder`, or None (none there, or its TOC unreadable)."""
    try:
        if index.exists_in(str(folder), indexname=_name()):
            return index.open_dir(str(folder), indexname=_name())
    except Exception as exc:  # an index that cannot be read is built again
        _unreadable(folder, exc)
    return None


def _digests(existing: Any) -> dict[str, bytes] | None:
    """The refs and digests in the index, or None when its segments cannot be read."""
    try:
        with existing.reader() as reader:
            current: dict[str, bytes] = {}
            for leaf, _ in reader.leaf_readers():
                refs = leaf.column_reader("ref")
                digests = leaf.column_reader("digest")
                for number in leaf.all_doc_ids():
                    current[refs[number]] = digests[number]
            return current
    except Exception as exc:
        _unreadable(existing.storage.folder, exc)
        return None


def _unreadable(folder: Path | str, exc: Exception) -> None:
    logging.getLogger(__name__).warning("search index in %s unreadable (%s): built again",
                                        folder, exc)


def _apply(existing: Any, wanted: dict[str, tuple[Document, bytes]],
           current: dict[str, bytes]) -> Changes | None:
    """Update the index with one commit (under its write lock), or None when writing it
    whole is better: changes to more than a quarter of its documents (a fresh build uses
    every core, in segments of a bounded size, and leaves no deleted documents)."""
    removed = sorted(current.keys() - wanted.keys())
    changed = [ref for ref, (_, checksum) in wanted.items()
               if ref in current and current[ref] != checksum]
    added = [ref for ref in wanted if ref not in current]
    if len(changed) + len(removed) + len(added) > len(current) // 4:
        return None
    changes = Changes(fresh=False, added=len(added), updated=len(changed),
                      removed=len(removed))
    if changes.unchanged:
        return changes
    writer = _SegmentWriter(existing, _lk=False, limitmb=LIMIT_MB)
    try:
        for ref in [*removed, *changed]:
            writer.delete_by_term("ref", ref)
        for ref in [*changed, *added]:
            writer.add_document(**_fields(*wanted[ref]))
        writer.commit(mergetype=_merge)
    except BaseException:
        with contextlib.suppress(Exception):  # a commit that failed half-way
            writer.cancel()
        raise
    return changes


SEGMENT_CHARS = 600_000
"""Text per segment of a fresh index: about 5,000 short decisions, 350 MB for its worker.
Fewer, larger segments answer queries a little faster (20 segments: +20% per query at
10,000 decisions) but need more memory."""
LIMIT_MB = 256
"""whoosh's memory for a segment's postings before it sorts them on disk instead (a pickle
per posting: much slower). A segment of SEGMENT_CHARS fits."""


def _build_fresh(folder: Path, wanted: dict[str, tuple[Document, bytes]]) -> Changes:
    """A fresh index in a folder next to `folder`, swapped in when complete.

    Written as segments of about SEGMENT_CHARS of text, by one worker process per core: a
    worker runs jieba and whoosh on the documents of a segment and writes its files, and the
    segments, in document order, make the index. A segment's postings fit in whoosh's memory
    pool, so they are sorted in memory and not spilled to disk (a pickle per posting, which
    made a single 10,000-decision segment take twice as long), and a build's memory does not
    grow with the number of records.

    Not whoosh's own parallel writer (`writer(procs=2, multisegment=True)`): measured at
    10,000 decisions it took 85 s instead of 45 s, because jieba still ran in the parent and
    each worker wrote one big segment that spilled; and its `cancel` leaves the workers
    waiting for work (Python then hangs at exit), while a worker that dies silently takes
    its documents out of the index (hence the count below).
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-new-", dir=folder.parent))
    try:
        fresh = index.create_in(str(staging), SCHEMA, indexname=_name())
        chunks = _chunks(list(wanted.values()))
        workers = min(len(chunks), os.cpu_count() or 1)
        # Workers are forked (instant, and no module is imported again), which is safe only
        # in a process with one thread: `gongshi serve` rebuilds beside its HTTP thread.
        if workers > 1 and threading.active_count() == 1 and "fork" in get_all_start_methods():
            with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
                segments = list(pool.map(_write_segment, [str(staging)] * len(chunks), chunks))
        else:
            segments = [_write_segment(str(staging), chunk) for chunk in chunks]
        writer = fresh.writer()
        writer._close_segment()  # the segments are written: only the TOC is left to write
        writer._commit_toc(segments)
        writer._finish()
        with fresh.reader() as reader:
            if reader.doc_count() != len(wanted):
                raise RuntimeError(f"search index: {reader.doc_count()} documents written "
                                   f"of {len(wanted)}")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_in(staging, folder)
    return Changes(fresh=True, added=len(wanted))


def _chunks(docs: list[tuple[Document, bytes]]) -> list[list[tuple[Document, bytes]]]:
    """The documents in order, cut into segments of about SEGMENT_CHARS of text."""
    chunks: list[list[tuple[Document, bytes]]] = []
    size = SEGMENT_CHARS
    for doc in docs:
        if size >= SEGMENT_CHARS:
            chunks.append([])
            size = 0
        chunks[-1].append(doc)
        size += len(doc[0].title) + len(doc[0].text)
    return chunks


def _write_segment(folder: str, docs: list[tuple[Document, bytes]]) -> Any:
    """One segment of a fresh index (in a worker process): its files, not yet in the TOC."""
    writer = _SegmentWriter(index.open_dir(folder, indexname=_name()), _lk=False,
                           limitmb=LIMIT_MB)
    for doc, checksum in docs:
        writer.add_document(**_fields(doc, checksum))
    return writer._finalize_segment()


class _SegmentWriter(SegmentWriter):  # type: ignore[misc]
    """whoosh's segment writer, with each document's field lengths read once per segment.

    Writing postings, whoosh looks up the field length of the posting's document for every
    posting, through the length column's file: a fifth of the CPU time of a build (measured
    on a 5,000-decision segment: 15 s → 11.5 s). The lengths and the postings written are the
    same (`W3PerDocReader.doc_field_length`, read ahead)."""

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = _Lengths(self.per_document_reader(), self.pool.fieldnames)
        self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        lengths.reader.close()


class _Lengths:
    def __init__(self, reader: Any, fieldnames: Iterable[str]) -> None:
        self.reader = reader
        self._lengths: dict[str, list[int | None]] = {}
        for name in fieldnames:
            column = reader._cached_reader(_lenfield(name), LENGTHS_COLUMN)
            if column is not None:
                self._lengths[name] = [byte_to_length(b) if b else None for b in column]

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        column = self._lengths.get(fieldname)
        return default if column is None else column[docnum]


SMALL_SEGMENT = 1_000
"""Documents in a segment small enough to be merged into every update's new segment."""


def _merge(writer: SegmentWriter, segments: list[Any]) -> list[Any]:
    """Which segments an update rewrites into its own: small ones (so updates do not pile up
    segments) and any with a quarter of its documents deleted (deleted documents still count
    in term statistics, hence scores, and take space). The rest are kept as they are.

    Not whoosh's MERGE_SMALL: it compares a running total of documents with a Fibonacci
    number, so once there are about twenty segments of a fresh build it merges all of them,
    in one process, spilling to disk (at 100,000 decisions, an update took over ten minutes
    instead of four seconds)."""
    from whoosh.reading import SegmentReader

    kept = []
    for segment in segments:
        count = segment.doc_count_all()
        if count < SMALL_SEGMENT or segment.deleted_count() * 4 > count:
            reader = SegmentReader(writer.storage, writer.schema, segment)
            writer.add_reader(reader)
            reader.close()
        else:
            kept.append(segment)
    return kept


def _hit(found: Any) -> Hit:
    return Hit(ref=found["ref"], kind=found["kind"], title=found["title"], url=found["url"],
               date=found.get("date", ""), body=found.get("body", ""),
               year=int(found.get("year") or 0), type=found.get("type", ""),
               excerpt=found.get("excerpt", ""), score=float(getattr(found, "score", 0.0) or 0.0))
