"""How text becomes search terms, for the browser index. `search.js` does exactly the same in
the reader's browser (a browser test compares the two on awkward strings).

Chinese is indexed as overlapping character pairs (东湖市拓新 → 东湖 湖市 市拓 拓新), the way
Lucene's CJK analyzer does: any part of a name two characters or longer is then found, however
a dictionary would cut it. Runs of Latin letters and digits are whole terms (2024, 15,
91440300ma5xxxxx7x). Names and codes also get single characters, so a one-character query
(a surname) finds them. Every code and the title is also one exact term, `^` + its letters and
digits, which puts a record first when its whole name or number is typed.

A query matches a record when every character of the query is covered by a pair (or term)
the record contains: 拖欠工资 matches 拖欠10名劳动者工资 (拖欠 and 工资 cover all four), not
a record that only has 工资.
"""

from __future__ import annotations

import re
import unicodedata

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_RUNS = re.compile(f"([{HAN}]+)|([0-9a-z]+)")
EXACT = "^"
"""Prefix of an exact term; it cannot start any other term."""


def normalize(text: str) -> str:
    """Full-width letters and digits as ASCII, lower case (NFKC, then lower)."""
    return unicodedata.normalize("NFKC", text).lower()


def runs(text: str) -> list[tuple[str, bool]]:
    """The runs of Chinese characters and of letters/digits, each with `is_han`."""
    return [(m[1], True) if m[1] else (m[2], False) for m in _RUNS.finditer(normalize(text))]


def pairs(run: str) -> list[str]:
    return [run[i:i + 2] for i in range(len(run) - 1)] if len(run) > 1 else [run]


def index_terms(text: str, singles: bool) -> list[str]:
    """The terms of a field, repeated as often as they occur. `singles`: also each Chinese
    character (names and codes, so that a one-character query finds them)."""
    terms: list[str] = []
    for run, han in runs(text):
        if not han:
            terms.append(run)
            continue
        terms.extend(pairs(run))
        if singles and len(run) > 1:
            terms.extend(run)
    return terms


def exact(text: str) -> str:
    """The exact term of a name or code: its letters and digits, nothing else."""
    return EXACT + "".join(run for run, _ in runs(text))


def query_terms(text: str) -> list[tuple[str, list[int]]]:
    """A query's terms, each with the query characters it covers (positions in `units`):
    a Chinese character is one unit, a run of letters/digits is one."""
    terms: dict[str, list[int]] = {}
    unit = 0
    for run, han in runs(text):
        if not han:
            terms.setdefault(run, []).append(unit)
            unit += 1
            continue
        for i, term in enumerate(pairs(run)):
            terms.setdefault(term, []).extend(range(unit + i, unit + i + len(term)))
        unit += len(run)
    return list(terms.items())


def shard(term: str, shards: int) -> int:
    """Which term file holds a term: FNV-1a (32 bit) of its UTF-8 bytes, modulo `shards`."""
    value = 0x811C9DC5
    for byte in term.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value % shards
