"""The browser-side index: static files in the built site under `search/index/`, queried by
`assets/javascripts/search-core.js` in the reader's browser.

    search/index/meta.json.gz         record count, file counts, filter values, common terms
    search/index/terms/<n>.json.gz    posting lists: term → record numbers and weights
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
packed again, nor are its record files made again (.gongshi/browser-parts-<n>.pickle). A
term file whose postings did not change is taken as the last build wrote it, with the
counts of its terms; in the others, only the terms whose postings changed are encoded
again, the others' JSON is taken as the last build wrote it (`_splice`), and of a changed
term only the postings in the ranges that changed, when they are the last ones (`_value`):
the bytes are the same with the caches or without. A file whose JSON the last build wrote
already is not compressed again (.gongshi/browser-files.pickle). The caches are kept in a
file for each range, and a build writes only the files of the ranges it packed again.

Measured on the 10,000-decision benchmark project (5,870 records) in one process: 2.9 s
without the cache (2.8 s before it existed), 1.5 s with it. Weighing was about half of the
work; the rest, the postings of every term and the files, is done again on every build.
Before the cache, the 100,000 synthetic decisions of benchmarks/search_index.py took 14 s on
two cores (26 s of CPU time), and 40 s on one.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import gc
import gzip
import hashlib
import json
import math
import multiprocessing
import re
import shutil
import sys
import unicodedata
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
FORMAT = 1
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
changed, and a new record, numbered last, changes the last range only."""
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


Packing = tuple[list[_Packed], int, dict[str, Counter[str]], list[File]]
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


def _put(folder: Path, published: Mapping[str, bytes], name: str, data: bytes) -> None:
    """Write a file of the index, unless the published site has it with these bytes: the
    deploy then keeps the published one (a rebuild at 100,000 decisions wrote 12,000 files,
    and the deploy read them all back, to find the few hundred that changed)."""
    if published.get(f"{FOLDER}/{name}") != bytes_key(data):
        (folder / name).write_bytes(data)


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


Counts = dict[str, int]
"""Terms (not filter terms) in at least `COMMON_MIN` records, with their counts: the terms of
a term file that may be common (`_term_files`)."""


Spliced = tuple[bytes, Counts, dict[str, tuple[bytes, bytes]]]
"""A term file some of whose terms' postings changed: the digest of the JSON the last build
wrote in it, its `Counts`, and the terms whose postings changed, each with its postings
(numbers and weights, as `_Packed` holds them) in the ranges that changed, as the last
build had them (`_splice`)."""


def _term_files(parts: list[_Part], group: int, groups: int, shards: int, folder: Path,
                gzipped: dict[bytes, bytes], published: Mapping[str, bytes],
                unchanged: Mapping[int, tuple[bytes, Counts]],
                spliced: Mapping[int, Spliced], tail: int | None) -> list[tuple[File, Counts]]:
    """Write the term files of a group (numbers `group`, `group + groups` …); returns each
    one's bytes and its `Counts`. A file in `unchanged` (its number → the digest of its
    JSON, and its counts) holds the postings the last build wrote in it: it is taken from
    `gzipped` as it is, and its terms' postings are not even gathered (issue 8: gathering
    every term's postings was 7.6 s of CPU in a rebuild at 100,000 decisions). A file in
    `spliced` has only its changed terms' postings gathered and encoded (`_splice`); from
    the range `tail` on, when it is known that only those ranges changed."""
    wanted = [n for n in range(group, shards, groups) if n not in unchanged]
    old_texts = {}
    for n in wanted:
        if n in spliced:
            text = gzip.decompress(gzipped[spliced[n][0]]).decode("utf-8")
            if "\\" not in text:  # else a term has an escape: the file is made afresh
                old_texts[n] = text
    postings: dict[str, tuple[int, array[int], bytearray]] = {}
    before_tail: dict[str, int] = {}
    """How many of a term's postings are in the ranges before `tail`."""
    for index, part in enumerate(parts):  # in the order of the records: numbers ascend
        if index == tail:
            before_tail = {term: len(found[1]) for term, found in postings.items()}
        packed = part.groups[group]
        terms, places, ends = packed.terms, packed.places, packed.ends
        numbers, marks = packed.numbers, packed.marks
        for n in wanted:
            only = spliced[n][2] if n in old_texts else None
            for place in range(n, MOST_SHARDS, shards):  # the places of file n
                first = bisect.bisect_left(places, place)
                last = bisect.bisect_right(places, place, first)
                start = ends[first - 1] if first else 0
                for term, end in zip(terms[first:last], ends[first:last], strict=True):
                    if only is not None and term not in only:
                        start = end
                        continue
                    known = postings.get(term)
                    if known is None:
                        postings[term] = (n, numbers[start:end], marks[start:end])
                    else:
                        known[1].extend(numbers[start:end])
                        known[2].extend(marks[start:end])
                    start = end
    files: dict[int, dict[str, list[list[int]]]] = {n: {} for n in wanted}
    counts: dict[int, Counts] = {n: {} for n in wanted}
    tails: dict[int, dict[str, _Tail]] = defaultdict(dict)
    for term, (n, found_in, marks) in postings.items():
        if len(found_in) >= COMMON_MIN and ":" not in term:
            counts[n][term] = len(found_in)
        if tail is not None and n in old_texts:
            # Its postings before `tail` are those of the last build: only those after are
            # encoded (issue 8: the common terms a new decision is in have tens of
            # thousands of postings).
            tails[n][term] = (before_tail.get(term, 0), found_in, marks)
            continue
        # Most terms are in one record (names, numbers): no differences to take.
        deltas = (found_in.tolist() if len(found_in) == 1
                  else [found_in[0], *map(sub, found_in[1:], found_in)])
        files[n][term] = [deltas] if marks.count(1) == len(marks) else [deltas, list(marks)]
    written = []
    for n in range(group, shards, groups):
        if n in unchanged:
            key, counted = unchanged[n]
            file = (key, gzipped[key])
        elif n in old_texts:
            _, counted_before, changed = spliced[n]
            counted = {term: count for term, count in counted_before.items()
                       if term not in changed}
            counted.update(counts[n])
            text = _splice(old_texts[n], files[n], changed, tails.get(n, {}))
            file = _gzip_text(text.encode("utf-8"), gzipped)
        else:
            file, counted = _gzip(files[n], gzipped), counts[n]
        _put(folder, published, _term_file(n), file[1])
        written.append((file, counted))
    return written


_Tail = tuple[int, "array[int]", bytearray]
"""A changed term's postings: how many are before the `tail` range, and all of them."""


def _splice(before: str, terms: Mapping[str, list[list[int]]],
            changed: Mapping[str, tuple[bytes, bytes]], tails: Mapping[str, _Tail]) -> str:
    """The JSON of a term file (`_gzip`'s) whose JSON was `before`, where the postings of
    the `changed` terms are now `terms`, or `tails` (a changed term in neither is gone): the
    others are taken as text, not encoded again, and so are the postings of a term in
    `tails` before the ranges that changed (issue 8: the term files a new decision is in hold
    the large postings of the common terms, and encoding them whole was 3 s of CPU at
    100,000 decisions). `before` has no backslash, so no term in it has an escape or a
    quote, and its quotes are those around the terms."""
    pieces = before.split('"')  # '{', term, ':[[…]],', term, … ':[[…]]}'
    entries = {term: value[1:-1] for term, value in zip(pieces[1::2], pieces[2::2], strict=True)}
    made = {term: f"{_json(term)}:{_json(value)}" for term, value in terms.items()}
    for term, (kept, numbers, marks) in tails.items():
        made[term] = f"{_json(term)}:{_value(entries.get(term), kept, numbers, marks, changed[term])}"
    for term, value in entries.items():
        if term not in changed:
            made[term] = f'"{term}":{value}'
    return "{" + ",".join(made[term] for term in sorted(made)) + "}"


def _value(before: str | None, kept: int, numbers: array[int], marks: bytearray,
           changed: tuple[bytes, bytes]) -> str:
    """A term's postings as JSON, the first `kept` (`numbers`, `marks`) as they were in
    `before`, followed then by the postings `changed` (numbers and marks, packed), which
    are now the others."""
    ones = marks.count(1) == len(marks)
    if before is None or not kept:
        deltas = (numbers.tolist() if len(numbers) == 1
                  else [numbers[0], *map(sub, numbers[1:], numbers)])
        return _json([deltas] if ones else [deltas, list(marks)])
    gone = array("I")
    gone.frombytes(changed[0])
    old_deltas = _delta_text(gone, numbers[kept - 1])
    old_marks = ",".join(map(str, changed[1]))
    split = before.find("],[")
    head, old_tail = (before[2:-2], "") if split < 0 else (before[2:split], before[split + 3:-2])
    head = head[:len(head) - len(old_deltas)] if old_deltas else head + ","
    new_deltas = _delta_text(numbers[kept:], numbers[kept - 1])
    value = f"[[{head}{new_deltas}]" if new_deltas else f"[[{head[:-1]}]"
    if ones:
        return value + "]"
    if split < 0:
        kept_marks = "1," * kept
    else:
        kept_marks = old_tail[:len(old_tail) - len(old_marks)] if old_marks else old_tail + ","
    new_marks = ",".join(map(str, marks[kept:]))
    return value + (f",[{kept_marks}{new_marks}]]" if new_marks else f",[{kept_marks[:-1]}]]")


def _delta_text(numbers: array[int], last: int) -> str:
    """The JSON of the differences of `numbers`, the first from `last`."""
    if not numbers:
        return ""
    return ",".join(map(str, [numbers[0] - last, *map(sub, numbers[1:], numbers)]))


_ORDER = b"order"
"""In the packed ranges' cache: the ranges' keys in the order of the records, and the
number of term files, of the build that wrote it (`_unchanged`)."""
_NAMES = b"names"
"""In the files' cache: the digest of each term file's JSON and its `Counts`, by its number,
with a digest of the `_ORDER` they were made in (the two caches are written one after the other: a build
killed between them leaves them from two builds, and then no file is taken as it was)."""


def _order_key(order: tuple[list[bytes], int]) -> bytes:
    return browser_cache.digest(b"".join(order[0]) + f" {order[1]}".encode())


def _unchanged(before: Any, range_keys: list[bytes], packings: Mapping[bytes, Any],
               parts: list[_Part], shards: int,
               kept: Any) -> tuple[dict[int, tuple[bytes, Counts]], dict[int, Spliced], int | None]:
    """The term files whose postings are those the last build wrote (their number → the
    digest of their JSON, and their `Counts`): all but the files of the terms whose postings
    changed in a range that changed; and those others (`Spliced`), with the terms whose
    postings changed; and the first range that changed, when every range after it did too
    (a new record, numbered last, changes the last range only). None of either when the last
    build is not known well enough to tell."""
    if not (isinstance(before, tuple) and len(before) == 2 and before[1] == shards
            and isinstance(kept, tuple) and len(kept) == 3 and kept[0] == _order_key(before)
            and isinstance(kept[1], list) and len(kept[1]) == shards
            and isinstance(kept[2], list) and len(kept[2]) == shards):
        return {}, {}, None
    names: list[bytes] = kept[1]
    counts: list[Counts] = kept[2]
    old_keys: list[bytes] = before[0]
    touched: defaultdict[int, dict[str, int]] = defaultdict(dict)
    """The terms whose postings changed, by term file, with their group"""
    was: dict[tuple[int, int], dict[str, tuple[int, bytes, bytes]]] = {}
    """The last build's postings in each range that changed, by (range, group) and term"""
    ranges = max(len(range_keys), len(old_keys))
    changed = []
    for n in range(ranges):
        key = range_keys[n] if n < len(range_keys) else None
        old_key = old_keys[n] if n < len(old_keys) else None
        if key == old_key:
            continue
        changed.append(n)
        new = parts[n].groups if key is not None else []
        if old_key is None:
            old = []
        elif old_key in packings:
            old = packings[old_key][0]
        else:
            return {}, {}, None
        if old and new and len(old) != len(new):
            return {}, {}, None
        for group in range(max(len(old), len(new))):
            was[n, group] = _by_term(old[group] if old else _Packed())
            for place, term in _changed_terms(was[n, group],
                                              _by_term(new[group] if new else _Packed())):
                touched[place % shards][term] = group
    tail = changed[0] if changed and changed == list(range(changed[0], ranges)) else None

    def postings(term: str, group: int) -> tuple[bytes, bytes]:
        """The term's postings in the ranges that changed, as the last build had them."""
        found = [kept for n in changed if (kept := was.get((n, group), {}).get(term))]
        return b"".join(kept[1] for kept in found), b"".join(kept[2] for kept in found)

    return ({n: (name, counts[n]) for n, name in enumerate(names) if n not in touched},
            {n: (names[n], counts[n], {term: postings(term, group) for term, group in terms.items()})
             for n, terms in touched.items()}, tail)


def _changed_terms(before: Mapping[str, tuple[int, bytes, bytes]],
                   after: Mapping[str, tuple[int, bytes, bytes]]) -> Iterator[tuple[int, str]]:
    """The terms whose postings differ between two packings of the same records
    (`_by_term`), with their places (`_Packed.places`)."""
    for term, found in after.items():
        if before.get(term) != found:
            yield found[0], term
    for term, found in before.items():
        if term not in after:
            yield found[0], term


def _by_term(packed: _Packed) -> dict[str, tuple[int, bytes, bytes]]:
    result = {}
    start = 0
    numbers, marks = packed.numbers, packed.marks
    for term, place, end in zip(packed.terms, packed.places, packed.ends, strict=True):
        result[term] = (place, numbers[start:end].tobytes(), bytes(marks[start:end]))
        start = end
    return result


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
    # Each range's packing, as its shard holds it; the shards of ranges gone too, for
    # `_unchanged`.
    shelved = [browser_cache.load(browser_cache.shard(parts_file, n), version)
               if parts_file is not None else {} for n in range(max(len(ranges), kept))]
    packings: dict[bytes, Any] = {key: packing for shelf in shelved for key, packing in shelf.items()}
    gzipped = browser_cache.load(files_file, version)
    build = _Build(docs, keys, [record.cut for record in records], whole, cache, version,
                   gzipped, synonyms, labels, groups, folder, published)
    parts = run_all([partial(_index_part, build, n, start, stop, packings.get(key))
                     for n, ((start, stop), key) in enumerate(zip(ranges, range_keys, strict=True))])
    for n, range_key in enumerate(range_keys):
        if range_key in packings:
            parts[n] = _Part(*packings[range_key])
    shards = _shards(sum(part.postings for part in parts))
    order = (range_keys, shards)
    # A new record, numbered last, changes the postings of its own terms: a few hundred of
    # the 8,192 term files at 100,000 decisions. The others are not encoded again (their
    # JSON was 4 s of CPU).
    unchanged, spliced, tail = _unchanged(before, range_keys, packings, parts, shards,
                                          gzipped.get(_NAMES))
    unchanged = {n: kept for n, kept in unchanged.items() if kept[0] in gzipped}
    spliced = {n: kept for n, kept in spliced.items() if kept[0] in gzipped}
    written = run_all([partial(_term_files, parts, group, groups, shards, folder, gzipped,
                               published, unchanged, spliced, tail)
                       for group in range(groups)])
    if parts_file is not None and cache is not None:
        _save_parts(parts_file, cache, version, parts, order, shelved, before)
    files = [written[n % groups][n // groups][0] for n in range(shards)]
    term_counts = [written[n % groups][n // groups][1] for n in range(shards)]
    names = [key for key, _ in files]
    term_files = dict(files)
    files += [file for part in parts for file in part.records]
    all_names = [*map(_term_file, range(shards)), *map(_record_file, range(0, len(docs), CHUNK))]
    stamp = hashlib.sha256()
    for _, data in files:
        stamp.update(data)

    facets: dict[str, Counter[str]] = {key: Counter() for _, key in FILTERS}
    for part in parts:
        for key, counts in part.facets.items():
            facets[key].update(counts)
    # A term's count changes only with its term file: a file left as it was keeps its counts.
    least = max(COMMON_MIN, COMMON_SHARE * len(docs))
    common = {term: count for counted in term_counts for term, count in counted.items()
              if count >= least}
    meta = {"format": FORMAT, "stamp": stamp.hexdigest()[:16], "records": len(docs),
            "terms": shards, "chunk": CHUNK, "common": common,
            "filters": [{"name": name, "key": key, "values": _values(key, facets[key], labels)}
                        for name, key in FILTERS]}
    meta_file = _gzip(meta, {})[1]
    _put(folder, published, "meta.json.gz", meta_file)
    named = (_order_key(order), names, term_counts)
    if files_file is not None and (gzipped.keys() - {_NAMES} != term_files.keys()
                                   or gzipped.get(_NAMES) != named):
        browser_cache.save(files_file, version, {**term_files, _NAMES: named})
    written_keys = {f"{FOLDER}/{name}": bytes_key(data)
                    for name, (_, data) in zip(all_names, files, strict=True)}
    written_keys[f"{FOLDER}/meta.json.gz"] = bytes_key(meta_file)
    return written_keys


def _save_parts(parts_file: Path, cache: Path, version: bytes, parts: list[_Part],
                order: tuple[list[bytes], int], shelved: list[dict[bytes, Any]],
                before: Any) -> None:
    """Keep each range's packing in its shard, written only when the shard holds another,
    and the ranges' `_ORDER`; the shards of ranges gone leave, with their postings."""
    range_keys = order[0]
    for n, (part, range_key) in enumerate(zip(parts, range_keys, strict=True)):
        if shelved[n].keys() != {range_key}:
            browser_cache.save(browser_cache.shard(parts_file, n), version,
                               {range_key: (part.groups, part.postings, part.facets,
                                            part.records)})
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
