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

Record numbers follow the date, newest first, so equal scores and a filter-only listing come
out newest first. A record's weights depend only on the record itself, so an unchanged record
gives the same postings whatever else changed.

Built on both cores (issue 8: 100,000 decisions), and after a change mostly from what the
last build kept: a record's postings (its terms and their weights) depend on its text alone,
so they are kept between builds in .gongshi/browser-index.pickle (`search.browser_cache`)
and only the records whose text changed are weighed again, in forked workers
(`generator.parallel`) when there are many. Everything that depends on more than one record
(the numbers, the term files, the counts, the common terms) is made afresh on every build:
a worker per group of term files gathers its terms' postings from every record, in the
order of the records, and writes their files and a share of the record files. The bytes are
the same with the cache or without, and whether one process or several made them.

Measured on the 10,000-decision benchmark project (5,870 records) on two cores: 2.0 s
without the cache (1.8 s before it existed), 1.0 s with it, 1.1 s after one decision
changed. Weighing is about 40 % of the work; the rest, making and compressing the term and
record files, is done on every build. Before the cache, the 100,000 synthetic decisions of
benchmarks/search_index.py took 14 s on two cores (26 s of CPU time), and 40 s on one.
"""

from __future__ import annotations

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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from itertools import repeat
from operator import add, sub
from pathlib import Path
from typing import Any

from generator.parallel import run_all, workers
from search import browser_cache
from search.browser_cache import Postings
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
    """Newest first; records without a date after the decisions, by type and id."""
    kinds = list(KINDS)
    docs = sorted(documents, key=lambda d: (kinds.index(d.kind) if d.kind in kinds else 99, d.ref))
    dated = sorted((d for d in docs if d.date), key=lambda d: d.date, reverse=True)  # stable
    return [*dated, *(d for d in docs if not d.date)]


def _record(doc: Document, labels: Labels) -> list[str]:
    bodies = [labels.bodies.get(b, b) for b in doc.body.split()]
    body = "、".join(bodies[:3]) + (f"等{len(bodies)}个执法主体" if len(bodies) > 3 else "")
    return [doc.url, doc.title, KINDS.get(doc.kind, doc.kind), body, doc.date, doc.status,
            doc.text[:EXCERPT]]


def _gzip(value: Any) -> bytes:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # Level 6: level 9 took 7 times as long for files 1.7 % smaller (measured on 1,000 term files).
    return gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0)


def _shards(postings: int) -> int:
    """Term files: about 3,000 postings each, 16 to 8,192 files, a power of two."""
    return 1 << max(4, min(13, math.ceil(math.log2(max(1, postings) / 3000))))


def _key(doc: Document, salt: bytes) -> bytes:
    """What a record's postings are cached under: a digest of the fields they are made of
    (their lengths first, so that no two records' fields run together the same way)."""
    fields = [getattr(doc, name) for name, _, _, _ in FIELDS]
    shown = " ".join([*(str(len(value)) for value in fields), *fields])
    return browser_cache.digest(salt + shown.encode("utf-8", "surrogatepass"))


def _weighed(docs: list[Document], start: int, stop: int, synonyms: Synonyms) -> list[Postings]:
    """The postings of the records `start` to `stop`, by group of term files."""
    found = [weights(doc, synonyms) for doc in docs[start:stop]]
    group_of = {term: place % GROUPS for term, place in _places(set().union(*found))}
    return [_grouped(one, group_of) for one in found]


def _grouped(found: dict[str, int], group_of: dict[str, int]) -> Postings:
    """A record's weights as cached: a few long strings and bytes, which pickle and load much
    faster than a string and a number for each term."""
    groups: list[list[str]] = [[] for _ in range(GROUPS)]
    _drain(map(list.append, map(groups.__getitem__, map(group_of.__getitem__, found)), found))
    return (tuple("\n".join(terms) for terms in groups),
            tuple(bytes(map(found.__getitem__, terms)) for terms in groups))


def _drain(calls: Iterable[object]) -> None:
    """Make the calls of a `map`: a build makes millions, each then a step in C, not a loop
    in Python."""
    deque(calls, maxlen=0)


def _cached_postings(docs: list[Document], synonyms: Synonyms, cache: Path | None) -> list[Postings]:
    """Each record's postings, reused from `cache` when the record's text is unchanged, and
    the cache replaced by this build's if they differ."""
    version = browser_cache.code_version()
    salt = version + repr(synonyms).encode("utf-8", "surrogatepass")
    keys = [_key(doc, salt) for doc in docs]
    cached = browser_cache.load(cache, version)
    entries = _postings(docs, keys, cached, synonyms)
    if cache is not None and cached.keys() != set(keys):
        browser_cache.save(cache, version, dict(zip(keys, entries, strict=True)))
    return entries


def _postings(docs: list[Document], keys: list[bytes], cached: dict[bytes, Postings],
              synonyms: Synonyms) -> list[Postings]:
    """Each record's postings: from the cache, or weighed (in parallel when many are)."""
    todo = [doc for doc, key in zip(docs, keys, strict=True) if key not in cached]
    fresh = [one for part in run_all([partial(_weighed, todo, start, stop, synonyms)
                                      for start, stop in _ranges(len(todo), _plan(len(todo))[0])])
             for one in part]
    made = iter(fresh)
    return [cached[key] if key in cached else next(made) for key in keys]


def _filters(docs: list[Document]) -> dict[str, array[int]]:
    """Filter term → the records it is in (a record with a body twice, twice)."""
    found: defaultdict[str, array[int]] = defaultdict(partial(array, "I"))
    for number, doc in enumerate(docs):
        for term in filter_terms(doc):
            found[term].append(number)
    return found


def _gather(entries: list[Postings], mine: range) -> tuple[dict[str, array[int]], dict[str, bytearray]]:
    """The records and weights of each term of the groups `mine`, records in ascending order."""
    numbers: defaultdict[str, array[int]] = defaultdict(partial(array, "I"))
    marks: defaultdict[str, bytearray] = defaultdict(bytearray)
    for number, (terms, weighed) in enumerate(entries):
        # One string and one split for the record: faster than one for each group.
        text = "\n".join([terms[group] for group in mine if terms[group]])
        if text:
            found = text.split("\n")
            _drain(map(array.append, map(numbers.__getitem__, found), repeat(number)))
            _drain(map(bytearray.append, map(marks.__getitem__, found),
                       b"".join([weighed[group] for group in mine])))
    return numbers, marks


@dataclass(frozen=True)
class _Index:
    """What every group of files is made from."""

    docs: list[Document]
    entries: list[Postings]
    """Each record's postings"""
    filters: dict[str, array[int]]
    places: dict[str, int]
    """`shard(term, MOST_SHARDS)` of each filter term"""
    labels: Labels
    groups: int
    shards: int
    common: float
    """Records a term is in from which it is common."""
    folder: Path


def _group_files(index: _Index, group: int) -> tuple[list[bytes], list[bytes], dict[str, int]]:
    """Write the term files of a group (numbers `group`, `group + groups` …), and the record
    files of the same numbers; returns their bytes, and the group's terms found in at least
    `common` records, with their counts."""
    numbers, marks = _gather(index.entries, range(group, GROUPS, index.groups))
    common = {term: len(found_in) for term, found_in in numbers.items()
              if len(found_in) >= index.common}
    return _term_files(index, group, numbers, marks), _record_files(index, group), common


def _term_files(index: _Index, group: int, numbers: dict[str, array[int]],
                marks: dict[str, bytearray]) -> list[bytes]:
    shards, groups = index.shards, index.groups
    files: dict[int, dict[str, list[list[int]]]] = {n: {} for n in range(group, shards, groups)}
    for term, place in _places(numbers):
        files[place % shards][term] = _posting_list(numbers[term], marks[term])
    for term, found_in in index.filters.items():
        if index.places[term] % groups == group:
            files[index.places[term] % shards][term] = _posting_list(found_in, b"")
    written = []
    for n, terms in files.items():
        data = _gzip(terms)
        (index.folder / "terms" / f"{n}.json.gz").write_bytes(data)
        written.append(data)
    return written


def _record_files(index: _Index, group: int) -> list[bytes]:
    docs, written = index.docs, []
    for n in range(group * CHUNK, len(docs), index.groups * CHUNK):
        data = _gzip([_record(doc, index.labels) for doc in docs[n:n + CHUNK]])
        (index.folder / "records" / f"{n // CHUNK}.json.gz").write_bytes(data)
        written.append(data)
    return written


def _posting_list(found_in: array[int], marks: bytes | bytearray) -> list[list[int]]:
    """A term's records, as differences (most terms are in one record: none to take), and
    their weights unless all are 1."""
    deltas = (found_in.tolist() if len(found_in) == 1
              else [found_in[0], *map(sub, found_in[1:], found_in)])
    return [deltas] if marks.count(1) == len(marks) else [deltas, list(marks)]


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


def _plan(records: int) -> tuple[int, int]:
    """How many ranges of records, and groups of term files, to index in parallel."""
    # A worker of a pool (daemonic) may not start processes of its own.
    if records < PARALLEL_FROM or workers() < 2 or multiprocessing.current_process().daemon:
        return 1, 1
    return 2 * workers(), GROUPS


def _ranges(records: int, count: int) -> list[tuple[int, int]]:
    """`count` ranges of records, or fewer, each starting a record file."""
    size = CHUNK * max(1, math.ceil(records / count / CHUNK))
    return [(start, min(start + size, records)) for start in range(0, records, size)]


def write_browser_index(documents: Iterable[Document], labels: Labels, site_dir: Path,
                        cache: Path | None = None) -> int:
    """Index every document into `site_dir/search/index/`; returns how many were indexed.
    With a `cache` file (`search.browser_cache.CACHE_FILE` in the project), the postings of
    the records whose text has not changed since the last build are read from it."""
    try:
        with _collector_off():
            return _write(_ordered(documents), labels, site_dir, cache)
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


def _write(docs: list[Document], labels: Labels, site_dir: Path, cache: Path | None) -> int:
    folder = site_dir / FOLDER
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "terms").mkdir(parents=True)
    (folder / "records").mkdir()
    synonyms = tuple(tuple(_normalize(word) for word in group) for group in labels.synonyms)
    index = _index(docs, _cached_postings(docs, synonyms, cache), labels, folder)
    written = run_all([partial(_group_files, index, group) for group in range(index.groups)])
    (folder / "meta.json.gz").write_bytes(_gzip(_meta(index, written)))
    return len(docs)


def _index(docs: list[Document], entries: list[Postings], labels: Labels, folder: Path) -> _Index:
    filters = _filters(docs)
    postings = sum(len(marks) for _, weighed in entries for marks in weighed)
    postings += sum(map(len, filters.values()))
    groups = _plan(len(docs))[1]
    assert GROUPS % groups == 0, "a group of term files takes whole groups of the postings"
    return _Index(docs, entries, filters, dict(_places(filters)), labels, groups,
                  _shards(postings), max(COMMON_MIN, COMMON_SHARE * len(docs)), folder)


def _meta(index: _Index, written: list[tuple[list[bytes], list[bytes], dict[str, int]]]) -> Any:
    groups = index.groups
    stamp = hashlib.sha256()
    for n in range(index.shards):
        stamp.update(written[n % groups][0][n // groups])
    for n in range(math.ceil(len(index.docs) / CHUNK)):
        stamp.update(written[n % groups][1][n // groups])
    facets: dict[str, Counter[str]] = {key: Counter() for _, key in FILTERS}
    for term, found_in in index.filters.items():
        key, value = term.split(":", 1)
        facets[key][value] = len(found_in)
    common = {term: count for _, _, terms in written for term, count in terms.items()}
    return {"format": FORMAT, "stamp": stamp.hexdigest()[:16], "records": len(index.docs),
            "terms": index.shards, "chunk": CHUNK, "common": common,
            "filters": [{"name": name, "key": key,
                         "values": _values(key, facets[key], index.labels)}
                        for name, key in FILTERS]}


def _values(key: str, counts: Counter[str], labels: Labels) -> list[tuple[str, str, int]]:
    """A filter's choices: (value, what the reader sees, how many records)."""
    if key == "k":
        return [(kind, label, counts[kind]) for kind, label in KINDS.items() if counts[kind]]
    names = {"b": labels.bodies, "r": labels.regions}.get(key, {})
    values = [(value, names.get(value, value), count) for value, count in counts.items()]
    if key == "y":
        return sorted(values, reverse=True)
    return sorted(values, key=lambda v: (v[1], v[0]))
