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
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import math
import shutil
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from search.documents import KINDS, Document
from search.terms import exact, index_terms, normalize, shard

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


def synonyms_of(doc: Document, synonyms: Synonyms) -> str:
    """The words of each synonym group the record has one of, but not the others. The
    groups must be normalized already (`write_browser_index` does it once per build)."""
    text = normalize(f"{doc.title} {doc.text}")
    found = [word for group in synonyms if any(w in text for w in group)
             for word in group if word not in text]
    return " ".join(found)


def weights(doc: Document, synonyms: Synonyms = ()) -> dict[str, int]:
    """term → weight (1..63) for one record: BM25's saturation and length norm per field,
    summed over the fields, times the field's weight. The synonyms of the record's words
    count as a field of weight 1/2."""
    score: dict[str, float] = {}
    fields = [(getattr(doc, name), weight, singles, typical)
              for name, weight, singles, typical in FIELDS]
    fields.append((synonyms_of(doc, synonyms), 0.5, False, 10))
    for value, weight, singles, typical in fields:
        terms = Counter(index_terms(value, singles))
        norm = 1.2 * (0.25 + 0.75 * sum(terms.values()) / typical)
        for term, count in terms.items():
            score[term] = score.get(term, 0.0) + weight * count * 2.2 / (count + norm)
    result = {term: min(63, max(1, round(value * 3))) for term, value in score.items()}
    for code in {doc.title, *doc.codes.split()}:
        term = exact(code)
        if len(term) > 1:
            result[term] = 1
    return result


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


def write_browser_index(documents: Iterable[Document], labels: Labels, site_dir: Path) -> int:
    """Index every document into `site_dir/search/index/`; returns how many were indexed."""
    docs = _ordered(documents)
    synonyms = tuple(tuple(normalize(word) for word in group) for group in labels.synonyms)
    ids: dict[str, array[int]] = {}
    marks: dict[str, bytearray] = {}
    facets: dict[str, Counter[str]] = {key: Counter() for _, key in FILTERS}
    for number, doc in enumerate(docs):
        for term, weight in weights(doc, synonyms).items():
            ids.setdefault(term, array("I")).append(number)
            marks.setdefault(term, bytearray()).append(weight)
        for term in filter_terms(doc):
            ids.setdefault(term, array("I")).append(number)
            marks.setdefault(term, bytearray()).append(1)
            key, value = term.split(":", 1)
            facets[key][value] += 1

    folder = site_dir / FOLDER
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "terms").mkdir(parents=True)
    (folder / "records").mkdir()
    stamp = hashlib.sha256()
    shards = _shards(sum(len(v) for v in ids.values()))
    files: list[dict[str, list[list[int]]]] = [{} for _ in range(shards)]
    for term in sorted(ids):
        numbers = ids[term]
        deltas = [numbers[0], *(b - a for a, b in itertools.pairwise(numbers))]
        values = marks[term]
        files[shard(term, shards)][term] = ([deltas] if all(v == 1 for v in values)
                                            else [deltas, list(values)])
    for n, terms in enumerate(files):
        data = _gzip(terms)
        stamp.update(data)
        (folder / "terms" / f"{n}.json.gz").write_bytes(data)
    for n in range(0, len(docs), CHUNK):
        data = _gzip([_record(doc, labels) for doc in docs[n:n + CHUNK]])
        stamp.update(data)
        (folder / "records" / f"{n // CHUNK}.json.gz").write_bytes(data)

    common = {term: len(numbers) for term, numbers in ids.items()
              if ":" not in term and len(numbers) >= max(COMMON_MIN, COMMON_SHARE * len(docs))}
    meta = {"format": FORMAT, "stamp": stamp.hexdigest()[:16], "records": len(docs),
            "terms": shards, "chunk": CHUNK, "common": common,
            "filters": [{"name": name, "key": key, "values": _values(key, facets[key], labels)}
                        for name, key in FILTERS]}
    (folder / "meta.json.gz").write_bytes(_gzip(meta))
    return len(docs)


def _values(key: str, counts: Counter[str], labels: Labels) -> list[tuple[str, str, int]]:
    """A filter's choices: (value, what the reader sees, how many records)."""
    if key == "k":
        return [(kind, label, counts[kind]) for kind, label in KINDS.items() if counts[kind]]
    names = {"b": labels.bodies, "r": labels.regions}.get(key, {})
    values = [(value, names.get(value, value), count) for value, count in counts.items()]
    if key == "y":
        return sorted(values, reverse=True)
    return sorted(values, key=lambda v: (v[1], v[0]))
