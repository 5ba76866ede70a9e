"""The browser-side index: static files in the built site under `search/index/`, queried by
`assets/javascripts/search-core.js` in the reader's browser.

    search/index/meta.json.gz         record count, file counts, filter values, common terms
    search/index/terms/<n>.json.gz    posting lists: term → record numbers and weights, a
                                      line of JSON for each range of 4,096 records but the
                                      last, when there are several
    search/index/tail/<n>.json.gz     the same for the last range: one line, fewer files
    search/index/records/<n>.json.gz  32 records each: URL, title, type, body, date, status,
                                      and the start of the text, for the excerpt

A query fetches `meta.json.gz` once, then the term files of its terms and the record files of the
results it shows; no file lists every record, so a query costs about the same at 100 records
and at 100,000. How text becomes terms is in `search/terms.py`.

Why not Pagefind (which this replaced): measured at 100,000 decisions with
benchmarks/search_index.py, its first query fetched 1 MB (a metadata file that lists every
page), showing the filters fetched 1.5 MB more, a topic query took 3.6–5.3 s in Chromium,
indexing peaked at 5.8 GB, and two builds of the same records gave different bytes.

Record numbers follow the date, oldest first, and search-core.js shows equal scores and a
filter-only listing by number counting down: newest first. A new decision, the newest, takes
the next number and leaves every other record's number (and so most files) as it was. A
record's weights depend only on the record itself, so an unchanged record gives the same
postings whatever else changed.

Built on both cores (issue 8: 100,000 decisions): forked workers (`generator.parallel`)
index ranges of records, and send back their postings packed and sorted into groups of term
files; then a worker per group merges the postings of its terms and writes their files. The
bytes are the same whether one process or several made them.

Rebuilt mostly from what the last build kept: a decision whose file, and the files of the
records it shows, did not change is not made into a document again
(.gongshi/browser-records-<n>.pickle, `search.browser_records`). A record's postings (its
terms and their weights) depend on its text alone, so they are kept between builds in
.gongshi/browser-index-<n>.pickle (`search.browser_cache`), and only the records whose
text changed are weighed again. A range of records whose records did not change is not
packed again, nor are its record files made again (.gongshi/browser-parts-<n>.pickle).

A term file is one gzip stream of segments, one for each range of records (`RANGE`) its
terms are in, in the order of the ranges: the JSON of the range's postings of its terms and
a newline, compressed ending on a byte boundary, so that the segments put one after the
other are one deflate stream (`_gzip_segments`; browsers' DecompressionStream reads one
gzip member only). A segment's numbers start from 0, not from the last range's: it depends
on its range alone. The ranges are fixed by the records' numbers, so the bytes are those of
a clean build however the last build was made. A range's segments are kept with its
packing, each compressed on its own; a rebuild makes again only those of the ranges that
changed, and puts together again only the term files one of whose segments changed (issue
8: a new decision is in half the term files at 100,000 decisions, and compressing them
whole was 2.4 s of CPU). In a term file, a segment is compressed with the one before it as
its dictionary (`_chained`): the term files of the 100,000 synthetic decisions of
benchmarks/search_index.py take 16.8 MB so, 21.3 MB with each segment compressed on its
own, 12.6 MB as one stream (ranges of 32,768 records). The segments so compressed are
kept with their range; a file put together again compresses again only its changed
segments and the one after each. Each group of term files keeps the keys of its files and
the count of each term (.gongshi/browser-files-<n>.pickle), which a rebuild corrects by the
ranges that changed.

The last range of records, when there are several, is not in the term files but in tail
files: at most 256, one line of JSON each (a query fetches a term's tail file beside its
term file). A new decision is numbered in the last range, and its terms are in half of the
4,096 term files at 100,000 decisions: putting them together again and writing them took
4 s of CPU of a warm rebuild. It changes the tail files only. When a range after it
starts, the term files take the range in, once.

Measured on the 10,000-decision benchmark project (5,870 records) in one process: 2.9 s
without the cache (2.8 s before it existed), 1.5 s with it. Weighing was about half of the
work; the rest, the postings of every term and the files, is done again on every build.
Before the cache, the 100,000 synthetic decisions of benchmarks/search_index.py took 14 s on
two cores (26 s of CPU time), and 40 s on one.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import gzip
import hashlib
import itertools
import json
import math
import multiprocessing
import re
import shutil
import struct
import sys
import unicodedata
import zlib
from array import array
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from itertools import repeat
from operator import add, attrgetter, itemgetter, sub
from pathlib import Path
from typing import Any, TypeVar

from generator.parallel import run_all, workers
from generator.render.reuse import bytes_key
from search import browser_cache
from search.browser_cache import FILES_FILE, PARTS_FILE, Postings
from search.documents import KINDS, Document
from search.terms import EXACT, HAN

FOLDER = "search/index"
FORMAT = 3
"""The layout of the files; search-core.js says which it reads (`INDEX_FORMAT`). 2: a term
file is a line of JSON for each range of records. 3: but the last range's, in the tail
files."""
CLIENT = Path("site_config") / "overrides" / "assets" / "javascripts" / "search-core.js"
"""The project's copy of the code that reads the index in the browser."""
CHUNK = 32
"""Records per record file: a result page of 20 hits fetches at most 20 small files."""
EXCERPT = 400
"""Characters of a record's text kept for its excerpt."""
COMMON_SHARE = 0.3
COMMON_MIN = 2000
"""A term in more than 30 % of the records (and at least 2,000 of them) is common: a query
that has other terms first tries without it (search-core.js), as its postings are large and
tell little."""

FIELDS = (("title", 3.0, True, 16), ("codes", 3.0, True, 30), ("text", 1.0, False, 200))
"""(field, weight, single characters too, typical length in terms) for each indexed field.
The typical lengths are constants, not averages, so a record's weights never depend on the
other records."""

MOST_SHARDS = 1 << 13
"""At most this many term files. Their number is a power of two, so a term's file follows from
its place among `MOST_SHARDS` (`shard(term, MOST_SHARDS) % shards`) before the count is known."""
PARALLEL_FROM = 2000
"""Records from which the index is built in worker processes: below, starting them costs more
than it saves."""
RANGE = 128 * CHUNK
"""Records per range. A range's postings, packed, are kept between builds under a digest of
what they are made of (`_range_key`): a build packs again only the ranges whose records
changed, and a new record, numbered last, changes the last range only. The term files have
a segment for each range: the size is part of the index's layout, the same whatever the
cores."""
GROUPS = 8
"""Groups of term files written in parallel: more than the workers, so that a worker that
finishes early takes another. A divisor of the fewest term files (16)."""

Synonyms = tuple[tuple[str, ...], ...]
"""Groups of words for the same thing (site_config/portal.yml `search_synonyms`)."""

FILTERS = (("类型", "k"), ("执法主体", "b"), ("行政区划", "r"), ("年份", "y"), ("决定类别", "t"),
           ("状态", "s"))
"""The search page's filters: their name, and the prefix of their terms (`k:decisions`)."""


@dataclass(frozen=True)
class Labels:
    """What the index shows and knows beyond the records: names of bodies and regions, and
    the synonyms readers use."""

    bodies: dict[str, str]
    """body id → name"""
    regions: dict[str, str]
    """region code → name"""
    synonyms: Synonyms = ()


_WIDE = tuple((char, unicodedata.normalize("NFKD", char)) for char in "，；：（）！？\u3000")
"""Full-width punctuation common in Chinese text, and its compatibility decomposition."""


def _normalize(text: str) -> str:
    """`search.terms.normalize`, about ten times faster on Chinese text: NFKC rewrites each
    full-width comma, which takes long, unless the text passes its quick check. Replacing a
    character by its compatibility decomposition first leaves NFKC's result as it was."""
    if not unicodedata.is_normalized("NFKC", text):
        for wide, narrow in _WIDE:
            if wide in text:
                text = text.replace(wide, narrow)
    return unicodedata.normalize("NFKC", text).lower()


_RUNS = re.compile(f"([{HAN}]+)|([0-9a-z]+)")
_RUN = re.compile(f"[{HAN}]+|[0-9a-z]+")


def _term_counts(text: str, singles: bool) -> Counter[str]:
    """`Counter(search.terms.index_terms(text, singles))`, with fewer steps in Python for
    each term (a test compares the two)."""
    terms: list[str] = []
    if not text:  # the synonyms, often
        return Counter()
    for han, word in _RUNS.findall(_normalize(text)):
        if not han:
            terms.append(word)
        else:
            terms += _pairs(han)
            if singles and len(han) > 1:
                terms += _characters(han)
    return Counter(terms)


@functools.lru_cache(maxsize=1 << 15)
def _pairs(run: str) -> tuple[str, ...]:
    """A run of Chinese characters' terms: its pairs, or itself alone. Cached, as a build
    meets the same runs again and again (经查, 当事人, a party's name in three fields): it
    then makes no new strings, and their hashes are known (40 % less time for the terms)."""
    return tuple(map(add, run, run[1:])) if len(run) > 1 else (run,)


@functools.lru_cache(maxsize=1 << 15)
def _characters(run: str) -> tuple[str, ...]:
    return tuple(run)


def _exact(text: str) -> str:
    """`search.terms.exact`, with the faster normalization."""
    return EXACT + "".join(_RUN.findall(_normalize(text)))


def synonyms_of(doc: Document, synonyms: Synonyms) -> str:
    """The words of each synonym group the record has one of, but not the others. The
    groups must be normalized already (`write_browser_index` does it once per build)."""
    if not synonyms:
        return ""
    text = _normalize(f"{doc.title} {doc.text}")
    present = {word for group in synonyms for word in group if word in text}
    found = [word for group in synonyms if not present.isdisjoint(group)
             for word in group if word not in present]
    return " ".join(found)


Field = tuple[Counter[str], float, float]
"""A field of a record: its terms' counts, the field's weight, and its length norm."""


def weights(doc: Document, synonyms: Synonyms = ()) -> dict[str, int]:
    """term → weight (1..63) for one record: BM25's saturation and length norm per field,
    summed over the fields, times the field's weight. The synonyms of the record's words
    count as a field of weight 1/2."""
    counted = [(_term_counts(getattr(doc, name), singles), weight, typical)
               for name, weight, singles, typical in FIELDS]
    counted.append((_term_counts(synonyms_of(doc, synonyms), False), 0.5, 10))
    fields = [(terms, weight, 1.2 * (0.25 + 0.75 * terms.total() / typical))
              for terms, weight, typical in counted]
    # A build weighs millions of terms, so each term costs a few steps in C, not a loop in
    # Python: most terms occur once in the text and in no other field, and share one weight;
    # the others' weights are computed once for each combination of counts in the fields.
    text, weight, norm = fields[2]  # the text
    result = dict.fromkeys(text, _weight(weight * 2.2 / (1 + norm)))
    mixed = set().union(*(terms for terms, _, _ in fields if terms is not text))
    if text.total() > len(text):
        mixed.update(term for term, count in text.items() if count > 1)
    present = [one for one in fields if one[0]]  # an empty field adds nothing
    counts = zip(*(map(terms.get, mixed, repeat(0)) for terms, _, _ in present), strict=True)
    result.update(zip(mixed, map(_Combinations(present).__getitem__, counts), strict=True))
    for code in {doc.title, *doc.codes.split()}:
        term = _exact(code)
        if len(term) > 1:
            result[term] = 1
    return result


class _Combinations(dict[tuple[int, ...], int]):
    """(count in each field) → weight, for one record's fields."""

    def __init__(self, fields: list[Field]) -> None:
        super().__init__()
        self.weights = [weight for _, weight, _ in fields]
        self.norms = [norm for _, _, norm in fields]

    def __missing__(self, counts: tuple[int, ...]) -> int:
        score = 0.0  # summed in the fields' order, which the float sum depends on
        for count, weight, norm in zip(counts, self.weights, self.norms, strict=True):
            if count:
                score += weight * count * 2.2 / (count + norm)
        self[counts] = found = _weight(score)
        return found


def _weight(score: float) -> int:
    return min(63, max(1, round(score * 3)))


def filter_terms(doc: Document) -> list[str]:
    terms = [f"k:{doc.kind}", *(f"b:{body}" for body in doc.body.split())]
    if doc.region:
        terms.append(f"r:{doc.region}")
    if doc.year:
        terms.append(f"y:{doc.year}")
    if doc.kind == "decisions" and doc.type:
        terms.append(f"t:{doc.type}")
    if doc.status:
        terms.append(f"s:{doc.status}")
    return terms


def _ordered(documents: Iterable[Document]) -> list[Document]:
    """Oldest first, so that a new record is numbered after all the others and changes no
    other record's number; the reader sees them the other way round (search-core.js counts
    down). Records without a date first (the reader sees them after the decisions), each
    group by type and id, backwards."""
    return _in_order(documents, lambda doc: doc)


T = TypeVar("T")


def _in_order(items: Iterable[T], doc: Callable[[T], Document]) -> list[T]:
    """`items` in the order `_ordered` puts their documents (`doc`) in."""
    kinds = {kind: n for n, kind in enumerate(KINDS)}
    ordered = sorted(items, key=lambda item: (kinds.get(doc(item).kind, 99), doc(item).ref),
                     reverse=True)
    dated = sorted((item for item in ordered if doc(item).date),
                   key=lambda item: doc(item).date)  # stable
    return [*(item for item in ordered if not doc(item).date), *dated]


def _record(doc: Document, labels: Labels) -> list[str]:
    bodies = [labels.bodies.get(b, b) for b in doc.body.split()]
    body = "、".join(bodies[:3]) + (f"等{len(bodies)}个执法主体" if len(bodies) > 3 else "")
    return [doc.url, doc.title, KINDS.get(doc.kind, doc.kind), body, doc.date, doc.status,
            doc.text[:EXCERPT]]


File = tuple[bytes, bytes]
"""A file of the index: the digest of its JSON, and its bytes (gzipped)."""


def _gzip(value: Any, gzipped: dict[bytes, bytes]) -> File:
    """`value` as a file; compressed again only when the last build did not write the same
    JSON (`gzipped`: the bytes it wrote, by the digest of their JSON)."""
    return _gzip_text(_json(value, sort_keys=True).encode("utf-8"), gzipped)


def _json(value: Any, sort_keys: bool = False) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)


def _gzip_text(text: bytes, gzipped: dict[bytes, bytes]) -> File:
    key = browser_cache.digest(text)
    data = gzipped.get(key)
    if data is None:
        # Level 6: level 9 took 7 times as long for files 1.7 % smaller (measured on 1,000
        # term files).
        data = gzip.compress(text, compresslevel=6, mtime=0)
    return key, data


def _shards(postings: int) -> int:
    """Term files: about 3,000 postings each, 16 to 8,192 files, a power of two."""
    return 1 << max(4, min(13, math.ceil(math.log2(max(1, postings) / 3000))))


def _tail_shards(postings: int) -> int:
    """Tail files, for the postings of the last range: as term files (`_shards`), at most
    256: a new record rewrites all of them."""
    return min(256, _shards(postings))


@dataclass
class _Packed:
    """Postings of some terms over a range of records, packed to travel between processes
    in a few long arrays: `terms[i]` is in the records `numbers[ends[i - 1]:ends[i]]`, with
    the weights at the same places in `marks`."""

    terms: list[str] = field(default_factory=list)
    places: array[int] = field(default_factory=lambda: array("H"))
    """`shard(term, MOST_SHARDS)` of each term, ascending"""
    ends: array[int] = field(default_factory=lambda: array("L"))
    numbers: array[int] = field(default_factory=lambda: array("I"))
    marks: bytearray = field(default_factory=bytearray)


@dataclass
class _Part:
    """What a range of records brings to the index."""

    groups: list[_Packed]
    """Postings by group of term files: a term in file n is in group n % len(groups)."""
    postings: int
    facets: dict[str, Counter[str]]
    records: list[File]
    """The range's record files, as written."""
    segments: tuple[int, list[dict[int, Segment]]] | None = None
    """The number of term files, and the range's segments of them (`_segments`), by group"""
    chained: tuple[int, list[dict[int, Chained]]] | None = None
    """The number of term files, and the range's segments as the term files have them
    (`_chained`), by group: those made since the range was packed."""


Chained = tuple[bytes, bytes]
"""A segment as a term file has it (`_chained`): the mark (`_mark`) of the segment before it
in the file (b"" for the first), and the segment compressed with that one's JSON as its
dictionary."""
Packing = tuple[list[_Packed], int, dict[str, Counter[str]], list[File],
                "tuple[int, list[dict[int, Segment]]] | None",
                "tuple[int, list[dict[int, Chained]]] | None"]
"""A range's `_Part` as kept between builds, under the range's key (`_range_key`)."""


@dataclass(frozen=True)
class _Build:
    """What every range of records is indexed with."""

    docs: list[Document]
    keys: list[bytes]
    """Each record's key in the cache (`_key`)"""
    cut: list[bool]
    """Whether a record's document is cut to what its record file shows (`Indexed.cut`)"""
    whole: Callable[[Document], Document] | None
    """The whole document of a cut one (`Indexed`)"""
    cache: Path | None
    """The records' postings (`search.browser_cache.CACHE_FILE`, a shard for each range)"""
    version: bytes
    gzipped: dict[bytes, bytes]
    """The last build's files (`_gzip`)"""
    synonyms: Synonyms
    labels: Labels
    groups: int
    folder: Path
    published: Mapping[str, bytes]
    """The key of each file of the published site (`_put`)."""


def _index_part(build: _Build, index: int, start: int, stop: int,
                packing: Packing | None = None) -> _Part:
    """Index the range `index` of records, numbered `start` to `stop` (a multiple of CHUNK,
    or the end), and write their record files; only write them when the range's `packing`
    is kept from the last build."""
    docs, groups, labels, folder = build.docs, build.groups, build.labels, build.folder
    if packing is not None:  # the caller has it: not sent back
        for n, written in zip(range(start, stop, CHUNK), packing[3], strict=True):
            _put(folder, build.published, _record_file(n), written[1])
        return _Part([], 0, {}, [])
    records = []
    for n in range(start, stop, CHUNK):
        written = _gzip([_record(doc, labels) for doc in docs[n:n + CHUNK]], build.gzipped)
        _put(folder, build.published, _record_file(n), written[1])
        records.append(written)
    numbers: defaultdict[str, array[int]] = defaultdict(partial(array, "I"))
    marks: defaultdict[str, bytearray] = defaultdict(bytearray)
    facets: dict[str, Counter[str]] = {key: Counter() for _, key in FILTERS}
    cached = _Cached(build, index)
    postings = 0
    for number in range(start, stop):
        doc = docs[number]
        found, weighed = cached.postings(number)
        # Millions of postings: each a step in C, not a loop in Python.
        _drain(map(array.append, map(numbers.__getitem__, found), repeat(number)))
        _drain(map(bytearray.append, map(marks.__getitem__, found), weighed))
        filters = filter_terms(doc)
        for term in filters:
            numbers[term].append(number)
            marks[term].append(1)
            key, value = term.split(":", 1)
            facets[key][value] += 1
        postings += len(found) + len(filters)
    cached.save()
    packs = [_Packed() for _ in range(groups)]
    # By place, so that the terms of one term file are found by bisection (`_term_files`).
    for term, place in sorted(_places(numbers), key=itemgetter(1)):
        found_in = numbers[term]
        group = packs[place % groups]
        group.terms.append(term)
        group.places.append(place)
        group.numbers.extend(found_in)
        group.marks.extend(marks[term])
        group.ends.append(len(group.numbers))
    return _Part(packs, postings, facets, records)


class _Cached:
    """The postings of a range's records, from the range's shard of the cache: a record
    found in no shard (a new one, or one whose text changed) is weighed. `save` keeps the
    range's postings in its shard, and only the range's."""

    def __init__(self, build: _Build, index: int) -> None:
        self.build = build
        self.file = browser_cache.shard(build.cache, index) if build.cache is not None else None
        self.known: dict[bytes, Postings] = browser_cache.load(self.file, build.version)
        self.others: dict[bytes, Postings] | None = None
        self.used: dict[bytes, Postings] = {}

    def postings(self, number: int) -> tuple[list[str], bytes]:
        """A record's terms and their weights."""
        key = self.build.keys[number]
        found = self.known.get(key)
        if found is None and self.build.cache is not None:
            if self.others is None:  # records that moved from another range (renumbered)
                self.others = {}
                for file in self.build.cache.parent.glob(
                        f"{self.build.cache.stem}-*{self.build.cache.suffix}"):
                    if file != self.file:
                        self.others.update(browser_cache.load(file, self.build.version))
            found = self.others.get(key)
        if found is None:
            doc = self.build.docs[number]
            if self.build.cut[number]:  # its postings were lost: it is weighed whole
                assert self.build.whole is not None, "a cut document comes with `whole`"
                doc = self.build.whole(doc)
            weighed = weights(doc, self.build.synonyms)
            found = ("\n".join(weighed), bytes(weighed.values()))
        self.used[key] = found
        return found[0].split("\n") if found[0] else [], found[1]

    def save(self) -> None:
        if self.file is not None and self.used.keys() != self.known.keys():
            browser_cache.save(self.file, self.build.version, self.used)


def _record_file(number: int) -> str:
    """The record file of the record numbered `number`, in the index's folder."""
    return f"records/{number // CHUNK}.json.gz"


def _term_file(n: int) -> str:
    return f"terms/{n}.json.gz"


def _tail_file(n: int) -> str:
    return f"tail/{n}.json.gz"


def _put(folder: Path, published: Mapping[str, bytes], name: str, data: bytes) -> None:
    """Write a file of the index, unless the published site has it with these bytes: the
    deploy then keeps the published one (a rebuild at 100,000 decisions wrote 12,000 files,
    and the deploy read them all back, to find the few hundred that changed)."""
    if published.get(f"{FOLDER}/{name}") != bytes_key(data):
        (folder / name).write_bytes(data)


def check_client(project_root: Path) -> None:
    """Fail when the project's search-core.js reads another layout of the index than this
    code writes: the site's search would find nothing, and say nothing."""
    try:
        text = (project_root / CLIENT).read_text(encoding="utf-8")
    except OSError:
        return
    if f"INDEX_FORMAT = {FORMAT};" not in text:
        from generator.render.errors import RenderError

        raise RenderError(
            f"{project_root / CLIENT}: it reads an older layout of the search index than this "
            f"version of Gongshi writes (format {FORMAT}). Compare it with "
            f"{CLIENT.as_posix()} in Gongshi's repository and take the new one")


def salt(synonyms: Synonyms) -> tuple[bytes, bytes]:
    """The version of the code, and what every record's key (`_key`) starts with: the
    version and the synonyms (normalized, as `write_browser_index` makes them), which add
    terms."""
    version = browser_cache.code_version()
    return version, version + repr(synonyms).encode("utf-8", "surrogatepass")


def normalized(synonyms: Iterable[Iterable[str]]) -> Synonyms:
    return tuple(tuple(_normalize(word) for word in group) for group in synonyms)


@dataclass(frozen=True)
class Indexed:
    """A record as the index takes it: its document, its key in the postings' cache
    (`_key`) and its `_row`. A `cut` document has only the start of its text, what its
    record file shows (search/browser_records.py keeps them so between builds); its postings
    are in the cache, or it is made whole again (`write_indexed`'s `whole`)."""

    doc: Document
    key: bytes
    row: bytes
    cut: bool = False


def indexed(doc: Document, salt: bytes) -> Indexed:
    key = _key(doc, salt)
    return Indexed(doc, key, _row(doc, key))


def _key(doc: Document, salt: bytes) -> bytes:
    """What a record's postings are cached under: a digest of the fields they are made of
    (their lengths first, so that no two records' fields run together the same way)."""
    fields = [getattr(doc, name) for name, _, _, _ in FIELDS]
    shown = " ".join([*(str(len(value)) for value in fields), *fields])
    return browser_cache.digest(salt + shown.encode("utf-8", "surrogatepass"))


_FILTERED = attrgetter("kind", "body", "region", "year", "type", "status", "url", "date")
"""What a record's filter terms (`filter_terms`) and its record (`_record`) are made of,
besides what its key (`_key`) is."""


def _row(doc: Document, key: bytes) -> bytes:
    """A digest of the record's key (`_key`) and of what its filter terms and record are
    made of besides (`_FILTERED`)."""
    return browser_cache.digest(key + repr(_FILTERED(doc)).encode("utf-8", "surrogatepass"))


def _range_key(rows: list[bytes], start: int, stop: int, groups: int, labels: bytes) -> bytes:
    """What a range's postings and record files are kept under: its place, its records'
    rows (`_row`: their keys, which start with the code's version, and what their filter
    terms and records are made of), and the `labels` (a digest of the bodies' names) they
    show."""
    head = f"{start} {stop} {groups}\n".encode()
    return browser_cache.digest(head + labels + b"".join(rows[start:stop]))


def _drain(calls: Iterable[object]) -> None:
    """Make the calls of a `map`."""
    deque(calls, maxlen=0)


def _places(terms: Iterable[str]) -> Iterator[tuple[str, int]]:
    """Each term with `shard(term, MOST_SHARDS)`, in another order. FNV-1a's steps are taken
    for all the terms of a length at once, on one long integer with 64 bits for each term:
    the hash's low 13 bits depend only on low 13 bits, and 13 bits times the 25-bit prime fit
    in 64 (a test compares it with `search.terms.shard`). A build has 300,000 terms and more."""
    by_length: defaultdict[int, list[str]] = defaultdict(list)
    for term in terms:
        by_length[len(term.encode("utf-8"))].append(term)
    low = MOST_SHARDS - 1
    for length, same in by_length.items():
        data = "".join(same).encode("utf-8")
        lane = bytearray(8 * len(same))
        mask = int.from_bytes(low.to_bytes(8, "little") * len(same), "little")
        value = int.from_bytes((_FNV_BASIS & low).to_bytes(8, "little") * len(same), "little")
        for i in range(length):
            lane[0::8] = data[i::length]  # byte i of each term
            value = ((value ^ int.from_bytes(lane, "little")) * _FNV_PRIME) & mask
        places = array("Q", value.to_bytes(8 * len(same), "little"))
        if sys.byteorder == "big":
            places.byteswap()
        yield from zip(same, places, strict=True)


_FNV_BASIS = 0x811C9DC5
_FNV_PRIME = 0x01000193
"""FNV-1a's constants, as in `search.terms.shard`."""


Segment = tuple[bytes, int, int]
"""The postings of the terms of one term file in one range of records: the JSON of
{term: postings}, and a newline, compressed on their own (raw deflate, ending on a byte
boundary), with the CRC-32 and the length of the JSON."""


def _segments(packed: _Packed, shards: int) -> dict[int, Segment]:
    """A range's segments of the term files of one group (`_Packed`), by term file."""
    return {n: _deflate(text, level=1) for n, text in _texts(packed, shards).items()}


def _texts(packed: _Packed, shards: int) -> dict[int, bytes]:
    """The JSON of a range's postings of the terms of each file (of `shards`) of one group
    (`_Packed`), and a newline: a line of the file, by file."""
    by_file: defaultdict[int, dict[str, list[list[int]]]] = defaultdict(dict)
    numbers, marks = packed.numbers, packed.marks
    start = 0
    for term, place, end in zip(packed.terms, packed.places, packed.ends, strict=True):
        found_in = numbers[start:end]
        # Most terms are in one record (names, numbers): no differences to take.
        deltas = (found_in.tolist() if end - start == 1
                  else [found_in[0], *map(sub, found_in[1:], found_in)])
        weighed = marks[start:end]
        by_file[place % shards][term] = ([deltas] if weighed.count(1) == end - start
                                         else [deltas, list(weighed)])
        start = end
    return {n: (_json(terms, sort_keys=True) + "\n").encode("utf-8")
            for n, terms in by_file.items()}


def _deflate(text: bytes, before: bytes = b"", level: int = 6) -> Segment:
    # Level 6 for what a reader gets (`_chained`): level 9 took 7 times as long for files
    # 1.7 % smaller (measured on 1,000 term files). A segment compressed on its own is only
    # kept between builds and inflated again: level 1.
    compressor = (zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS, zdict=before)
                  if before else zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS))
    return compressor.compress(text) + compressor.flush(zlib.Z_SYNC_FLUSH), zlib.crc32(text), len(text)


_GZIP_HEAD = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
"""A gzip member's header: deflate, no name, no time, unknown system."""
_LAST_BLOCK = b"\x03\x00"
"""An empty final deflate block (fixed codes)."""


def _mark(segment: Segment) -> bytes:
    """What tells a segment's JSON from another's: its bytes compressed on their own are
    made from the JSON alone."""
    return hashlib.blake2b(segment[0], digest_size=12).digest()


def _inflate(segment: Segment) -> bytes:
    return zlib.decompressobj(-zlib.MAX_WBITS).decompress(segment[0])


def _chained(segments: list[tuple[Segment, Chained | None]]
             ) -> tuple[list[Segment], dict[int, Chained]]:
    """A term file's segments (compressed each on its own), each compressed again with the
    JSON of the one before as its dictionary: the end of what a reader has inflated before
    it. A segment's `Chained` kept with it, made after the same one before, is taken as it
    is. Returns the segments as the file has them, and those made, by place."""
    chained: list[Segment] = []
    made: dict[int, Chained] = {}
    before = b""
    text: bytes | None = b""  # the JSON of the segment before, once inflated
    for n, (segment, kept) in enumerate(segments):
        mark = _mark(segment)
        current = None
        if kept is not None and kept[0] == before:
            deflated = kept[1]
        else:
            if text is None:
                text = _inflate(segments[n - 1][0])
            current = _inflate(segment)
            deflated = _deflate(current, text[-(1 << zlib.MAX_WBITS):])[0]
            made[n] = (before, deflated)
        chained.append((deflated, segment[1], segment[2]))
        before, text = mark, current
    return chained, made


def _gzip_segments(segments: Iterable[Segment]) -> bytes:
    """One gzip member of the segments, in their order: their deflate streams one after the
    other, each sync-flushed and referring back at most to the segment before (`_chained`),
    form one stream; its CRC-32 is combined from theirs. A reader sees the JSON of each, one
    a line (`read_term_file`)."""
    crc = size = 0
    data = []
    for deflated, segment_crc, length in segments:
        # crc32(a + b) from crc32(a), crc32(b) and len(b): the CRC is affine in its start.
        zeros = bytes(length)
        crc = zlib.crc32(zeros, crc) ^ zlib.crc32(zeros) ^ segment_crc
        size += length
        data.append(deflated)
    return b"".join([_GZIP_HEAD, *data, _LAST_BLOCK,
                     struct.pack("<II", crc, size & 0xFFFFFFFF)])


def read_term_file(data: bytes) -> dict[str, list[list[int]]]:
    """A term file's postings, as search-core.js reads them: term → [differences of the
    record numbers] or [differences, weights], the segments' postings joined."""
    return _joined(gzip.decompress(data).decode("utf-8").splitlines())


def _joined(lines: Iterable[str]) -> dict[str, list[list[int]]]:
    joined: dict[str, tuple[list[int], list[int] | None]] = {}
    for line in lines:
        for term, value in json.loads(line).items():
            numbers = list(itertools.accumulate(value[0]))
            marks = value[1] if len(value) > 1 else None
            if term not in joined:
                joined[term] = (numbers, marks)
                continue
            known, known_marks = joined[term]
            if known_marks is None and marks is not None:
                known_marks = [1] * len(known)
            if known_marks is not None:
                known_marks += marks if marks is not None else [1] * len(numbers)
            joined[term] = (known + numbers, known_marks)
    result = {}
    for term, (numbers, marks) in joined.items():
        deltas = [numbers[0], *map(sub, numbers[1:], numbers)]
        result[term] = [deltas] if marks is None else [deltas, marks]
    return result


def read_terms(folder: Path) -> dict[str, list[list[int]]]:
    """Every term's postings in the index at `folder` (its search/index/), as search-core.js
    joins them: the term file's lines, then the tail file's."""
    meta = json.loads(gzip.decompress((folder / "meta.json.gz").read_bytes()))
    names = [*map(_term_file, range(meta["terms"])), *map(_tail_file, range(meta["tail"]))]
    return _joined(line for name in names
                   for line in gzip.decompress((folder / name).read_bytes()).decode("utf-8")
                   .splitlines())


Totals = dict[str, int]
"""How many records each term (not filter term) of a group of term files is in."""


def _count(totals: Totals, packed: _Packed, sign: int) -> None:
    """Add (`sign` 1) or take away (-1) a range's counts of a group's terms."""
    start = 0
    for term, end in zip(packed.terms, packed.ends, strict=True):
        if ":" not in term:
            totals[term] = totals.get(term, 0) + sign * (end - start)
        start = end


@dataclass(frozen=True)
class _Terms:
    """What the term files are written from (`_term_files`)."""

    parts: list[_Part]
    segments: list[list[dict[int, Segment]] | None]
    """Each range's segments by group, as kept; None where they are to be made"""
    chained: list[list[dict[int, Chained]] | None]
    """Each range's segments as the term files have them (`_Part.chained`), by group, as
    kept; None where none are"""
    changed: list[int]
    """The ranges whose records changed (those gone too), when the last build is known"""
    old: list[list[dict[int, Segment]] | None]
    """For each range in `changed`: its segments by group as the last build made them (None
    where they are not known: every file of the range is written)"""
    old_groups: list[list[_Packed] | None]
    """For each range in `changed`: the last build's postings, by group"""
    shards: int
    groups: int
    folder: Path
    published: Mapping[str, bytes]
    files_file: Path | None
    version: bytes
    before: bytes
    """The digest of the ranges of the last build (`_order_key`), which the kept file keys
    and totals must have been made with"""
    now: bytes
    """The same of this build's ranges"""
    tail: _Part | None = None
    """The last range of records, when there are several: in the tail files, not the term
    files (`_tail_files`)"""
    tail_shards: int = 0
    tail_now: bytes = b""
    """A digest of the tail's range and of the number of tail files"""


def _term_files(build: _Terms, group: int) -> tuple[dict[int, dict[int, Segment]], list[bytes],
                                                    Counts, dict[int, dict[int, Chained]],
                                                    list[bytes]]:
    """Write the term files of a group (numbers `group`, `group + groups` …). A range's
    segments are made only when its records changed (or the number of term files did); a
    file is put together again only when a range that changed has another segment of it
    (issue 8: a new decision changed 2,021 of 4,096 term files at 100,000 decisions, and
    compressing them whole was 2.4 s of CPU). Then the group's tail files (`_tail_files`).
    Returns the segments made, by range, each term file's key (`bytes_key`), the group's
    terms in at least `COMMON_MIN` records, the segments compressed for the files
    (`_chained`), by range and file, and each tail file's key."""
    shards, groups = build.shards, build.groups
    made: dict[int, dict[int, Segment]] = {}
    segments: list[dict[int, Segment]] = []
    for index, (part, kept) in enumerate(zip(build.parts, build.segments, strict=True)):
        found = kept[group] if kept is not None else None
        if found is None:
            found = made[index] = _segments(part.groups[group], shards)
        segments.append(found)
    kept_file = (browser_cache.load(browser_cache.shard(build.files_file, group), build.version)
                 if build.files_file is not None else {})
    known = kept_file.get(_NAMES)
    names: dict[int, bytes] = {}
    totals: Totals | None = None
    if isinstance(known, tuple) and len(known) == 5 and known[0] == build.before:
        names, totals = known[1], known[2]
        for index, old in zip(build.changed, build.old, strict=True):
            new = segments[index] if index < len(segments) else {}
            was = old[group] if old is not None else None
            for n in range(group, shards, groups) if was is None else {*new, *was}:
                if was is None or new.get(n) != was.get(n):
                    names.pop(n, None)
        for index, old_groups in zip(build.changed, build.old_groups, strict=True):
            if old_groups is not None:
                _count(totals, old_groups[group], -1)
            if index < len(build.parts):
                _count(totals, build.parts[index].groups[group], 1)
    else:
        totals = {}
        for part in build.parts:
            _count(totals, part.groups[group], 1)
    keys = []
    kept_chained = [found[group] if found is not None else {} for found in build.chained]
    chained_made: dict[int, dict[int, Chained]] = {}
    for n in range(group, shards, groups):
        key = names.get(n)
        name = f"{FOLDER}/{_term_file(n)}"
        if key is None or build.published.get(name) != key:
            ranges = [index for index, found in enumerate(segments) if n in found]
            chained, made_now = _chained([(segments[index][n], kept_chained[index].get(n))
                                          for index in ranges])
            for place, entry in made_now.items():
                chained_made.setdefault(ranges[place], {})[n] = entry
            data = _gzip_segments(chained)
            key = names[n] = bytes_key(data)
            if build.published.get(name) != key:
                (build.folder / _term_file(n)).write_bytes(data)
        keys.append(key)
    tail_names = known[4] if isinstance(known, tuple) and len(known) == 5 \
        and known[3] == build.tail_now else {}
    tail_names, tail_keys = _tail_files(build, group, tail_names)
    if build.files_file is not None and known != (build.now, names, totals, build.tail_now,
                                                  tail_names):
        totals = {term: count for term, count in totals.items() if count}
        browser_cache.save(browser_cache.shard(build.files_file, group), build.version,
                           {_NAMES: (build.now, names, totals, build.tail_now, tail_names)})
    if build.tail is not None:
        totals = dict(totals)
        _count(totals, build.tail.groups[group], 1)
    common = {term: count for term, count in totals.items() if count >= COMMON_MIN}
    return made, keys, common, chained_made, tail_keys


def _tail_files(build: _Terms, group: int,
                kept: dict[int, bytes]) -> tuple[dict[int, bytes], list[bytes]]:
    """Write the tail files of a group (numbers `group`, `group + groups` …): the postings
    of the last range of records (`_Terms.tail`), in fewer and smaller files than the term
    files, each one line of JSON. A new decision, numbered in the last range, has terms in
    half of the 4,096 term files at 100,000 decisions, and putting them together again and
    writing them took 4 s of CPU; it changes the tail files only. `kept`: the key of each
    tail file the last build made from the same range, by number. Returns the keys by
    number, and the key of each of the group's tail files in order."""
    if build.tail is None:
        return {}, []
    names: dict[int, bytes] = {}
    texts: dict[int, bytes] | None = None
    for n in range(group, build.tail_shards, build.groups):
        key = kept.get(n)
        name = _tail_file(n)
        if key is None or build.published.get(f"{FOLDER}/{name}") != key:
            if texts is None:
                texts = _texts(build.tail.groups[group], build.tail_shards)
            data = _gzip_text(texts.get(n, b""), {})[1]
            key = bytes_key(data)
            if build.published.get(f"{FOLDER}/{name}") != key:
                (build.folder / name).write_bytes(data)
        names[n] = key
    return names, list(names.values())


Counts = dict[str, int]
"""Terms (not filter terms) in at least `COMMON_MIN` records, with their counts."""


_ORDER = b"order"
"""In the packed ranges' cache: the ranges' keys in the order of the records, and the
number of term files, of the build that wrote it."""
_NAMES = b"names"
"""In a group's shard of the files' cache: the digest of the `_ORDER` it was made with,
the key of each of the group's term files by number, and the group's `Totals`."""


def _order_key(order: tuple[list[bytes], int]) -> bytes:
    return browser_cache.digest(b"".join(order[0]) + f" {order[1]}".encode())



def _plan(records: int) -> tuple[int, int]:
    """How many records in a range (a multiple of CHUNK), and how many groups of term files,
    to index in parallel."""
    # A worker of a pool (daemonic) may not start processes of its own.
    if records < PARALLEL_FROM or workers() < 2 or multiprocessing.current_process().daemon:
        return RANGE, 1
    return RANGE, GROUPS


def _ranges(records: int, size: int) -> list[tuple[int, int]]:
    """Ranges of `size` records, the last one shorter, each starting a record file."""
    return [(start, min(start + size, records)) for start in range(0, records, size)]


def write_browser_index(documents: Iterable[Document], labels: Labels, site_dir: Path,
                        cache: Path | None = None,
                        published: Mapping[str, bytes] | None = None) -> dict[str, bytes]:
    """Index every document into `site_dir/search/index/`; returns the key
    (`generator.render.reuse.bytes_key`) of each file of the index, by its path in the site.
    With a `cache` file (`search.browser_cache.CACHE_FILE` in the project), the postings of
    the records whose text has not changed since the last build are read from it. A file
    whose key is the `published` one (the published site's keys, by path) is not written."""
    made_with = salt(normalized(labels.synonyms))[1]
    return write_indexed([indexed(doc, made_with) for doc in documents], labels, site_dir,
                         cache, published)


def write_indexed(records: Iterable[Indexed], labels: Labels, site_dir: Path,
                  cache: Path | None = None, published: Mapping[str, bytes] | None = None,
                  whole: Callable[[Document], Document] | None = None) -> dict[str, bytes]:
    """`write_browser_index` for records whose keys are known (`indexed`, with the salt of
    `labels.synonyms`): those a build kept from the last are not made again (issue 8: a
    document for each of 100,000 records took 2 s). `whole` makes a `cut` one whole."""
    try:
        with _collector_off():
            return _write(_in_order(records, attrgetter("doc")), labels, site_dir, cache,
                          published or {}, whole)
    finally:
        _pairs.cache_clear()
        _characters.cache_clear()


@contextlib.contextmanager
def _collector_off() -> Iterator[None]:
    """Python's cycle collector off: the index makes millions of lists, and no cycles, and
    the collector would walk the lists that stay again and again (it doubled the time taken
    to write the term files)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _write(records: list[Indexed], labels: Labels, site_dir: Path, cache: Path | None,
           published: Mapping[str, bytes],
           whole: Callable[[Document], Document] | None) -> dict[str, bytes]:
    folder = site_dir / FOLDER
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "terms").mkdir(parents=True)
    (folder / "records").mkdir()
    (folder / "tail").mkdir()
    synonyms = normalized(labels.synonyms)
    version = salt(synonyms)[0]
    docs = [record.doc for record in records]
    keys = [record.key for record in records]
    rows = [record.row for record in records]
    size, groups = _plan(len(docs))
    ranges = _ranges(len(docs), size)
    shown = browser_cache.digest(repr(sorted(labels.bodies.items())).encode("utf-8", "surrogatepass"))
    range_keys = [_range_key(rows, start, stop, groups, shown) for start, stop in ranges]
    # The index's other caches are in the folder of the postings' one.
    parts_file, files_file = (cache.with_name(name.name) if cache is not None else None
                              for name in (PARTS_FILE, FILES_FILE))
    before = browser_cache.load(parts_file, version).get(_ORDER)
    kept = len(before[0]) if isinstance(before, tuple) and before and isinstance(before[0], list) else 0
    # Each range's packing, as its shard holds it; the shards of ranges gone too, whose
    # postings and segments the term files had.
    shelved = [browser_cache.load(browser_cache.shard(parts_file, n), version)
               if parts_file is not None else {} for n in range(max(len(ranges), kept + 1))]
    packings: dict[bytes, Any] = {key: packing for shelf in shelved for key, packing in shelf.items()}
    if files_file is not None:
        files_file.unlink(missing_ok=True)  # every term file's bytes, as older code kept them
    build = _Build(docs, keys, [record.cut for record in records], whole, cache, version,
                   {}, synonyms, labels, groups, folder, published)
    parts = run_all([partial(_index_part, build, n, start, stop, packings.get(key))
                     for n, ((start, stop), key) in enumerate(zip(ranges, range_keys, strict=True))])
    for n, range_key in enumerate(range_keys):
        if range_key in packings:
            parts[n] = _Part(*packings[range_key])
    shards = _shards(sum(part.postings for part in parts))
    # The last range, when there are several, is in the tail files: a new record, numbered
    # in it, changes those alone. Once a range after it starts, the term files take it.
    tail = parts[-1] if len(parts) > 1 else None
    in_terms = len(parts) - 1 if tail is not None else len(parts)
    tail_shards = _tail_shards(tail.postings) if tail is not None else 0
    order = (range_keys[:in_terms], shards)
    # A record changed in the other ranges changes the postings of its own terms in its
    # range: only the segments of that range are made again, and only the term files of its
    # terms are put together and written again.
    known = (isinstance(before, tuple) and len(before) == 2 and isinstance(before[0], list)
             and before[1] == shards)
    last: tuple[list[bytes], int] | None = before if known else None
    old_keys: list[bytes] = last[0] if last is not None else []
    changed = [n for n in range(max(in_terms, len(old_keys)))
               if n >= in_terms or n >= len(old_keys) or range_keys[n] != old_keys[n]]
    old: list[list[dict[int, Segment]] | None] = []
    old_groups: list[list[_Packed] | None] = []
    for n in changed:
        packing = packings.get(old_keys[n]) if n < len(old_keys) else None
        if n < len(old_keys) and packing is None:
            known = False  # the last build's postings are lost: every total is counted again
        kept_segments = packing[4] if packing is not None and len(packing) > 4 else None
        old.append(kept_segments[1] if kept_segments is not None and kept_segments[0] == shards
                   else None if n < len(old_keys) else [{} for _ in range(groups)])
        old_groups.append(packing[0] if packing is not None else None)
    main = parts[:in_terms]
    terms = _Terms(main, [part.segments[1] if part.segments is not None
                          and part.segments[0] == shards else None for part in main],
                   [part.chained[1] if part.chained is not None and part.chained[0] == shards
                    and part.segments is not None and part.segments[0] == shards else None
                    for part in main],
                   changed, old, old_groups, shards, groups, folder, published, files_file,
                   version, _order_key(last) if known and last is not None else b"",
                   _order_key(order), tail, tail_shards,
                   browser_cache.digest(range_keys[-1] + f" {tail_shards}".encode())
                   if tail is not None else b"")
    written = run_all([partial(_term_files, terms, group) for group in range(groups)])
    made_in = set()
    for group, (made, _, _, chained_made, _) in enumerate(written):
        for n, found in made.items():
            part = parts[n]
            if part.segments is None or part.segments[0] != shards:
                part.segments = (shards, [{} for _ in range(groups)])
            part.segments[1][group] = found
            made_in.add(n)
        for n, entries in chained_made.items():
            part = parts[n]
            if part.chained is None or part.chained[0] != shards:
                part.chained = (shards, [{} for _ in range(groups)])
            part.chained[1][group].update(entries)
            made_in.add(n)
    if parts_file is not None and cache is not None:
        _save_parts(parts_file, cache, version, parts, range_keys, order, shelved, before,
                    made_in)
    term_keys = [written[n % groups][1][n // groups] for n in range(shards)]
    tail_keys = [written[n % groups][4][n // groups] for n in range(tail_shards)]
    record_keys = [bytes_key(data) for part in parts for _, data in part.records]
    all_names = [*map(_term_file, range(shards)), *map(_tail_file, range(tail_shards)),
                 *map(_record_file, range(0, len(docs), CHUNK))]
    all_keys = [*term_keys, *tail_keys, *record_keys]
    stamp = hashlib.sha256()
    for file_key in all_keys:
        stamp.update(file_key)

    facets: dict[str, Counter[str]] = {key: Counter() for _, key in FILTERS}
    for part in parts:
        for key, counts in part.facets.items():
            facets[key].update(counts)
    least = max(COMMON_MIN, COMMON_SHARE * len(docs))
    common = {term: count for _, _, counted, _, _ in written for term, count in counted.items()
              if count >= least}
    meta = {"format": FORMAT, "stamp": stamp.hexdigest()[:16], "records": len(docs),
            "terms": shards, "tail": tail_shards, "chunk": CHUNK, "common": common,
            "filters": [{"name": name, "key": key, "values": _values(key, facets[key], labels)}
                        for name, key in FILTERS]}
    meta_file = _gzip(meta, {})[1]
    _put(folder, published, "meta.json.gz", meta_file)
    written_keys = {f"{FOLDER}/{name}": key
                    for name, key in zip(all_names, all_keys, strict=True)}
    written_keys[f"{FOLDER}/meta.json.gz"] = bytes_key(meta_file)
    return written_keys


def _save_parts(parts_file: Path, cache: Path, version: bytes, parts: list[_Part],
                range_keys: list[bytes], order: tuple[list[bytes], int],
                shelved: list[dict[bytes, Any]], before: Any, made: set[int]) -> None:
    """Keep each range's packing in its shard, written only when the shard holds another,
    and the `_ORDER` of the term files' ranges; the shards of ranges gone leave, with their
    postings."""
    for n, (part, range_key) in enumerate(zip(parts, range_keys, strict=True)):
        if shelved[n].keys() != {range_key} or n in made:
            browser_cache.save(browser_cache.shard(parts_file, n), version,
                               {range_key: (part.groups, part.postings, part.facets,
                                            part.records, part.segments, part.chained)})
    for path in (parts_file, cache):
        browser_cache.remove_shards(path, len(range_keys))
    cache.unlink(missing_ok=True)  # the postings of every record in one file, as older code kept them
    if before != order:
        browser_cache.save(parts_file, version, {_ORDER: order})


def _values(key: str, counts: Counter[str], labels: Labels) -> list[tuple[str, str, int]]:
    """A filter's choices: (value, what the reader sees, how many records)."""
    if key == "k":
        return [(kind, label, counts[kind]) for kind, label in KINDS.items() if counts[kind]]
    names = {"b": labels.bodies, "r": labels.regions}.get(key, {})
    values = [(value, names.get(value, value), count) for value, count in counts.items()]
    if key == "y":
        return sorted(values, reverse=True)
    return sorted(values, key=lambda v: (v[1], v[0]))
