"""The staff-side search index: the only module that imports whoosh (whoosh-reloaded).

whoosh is frozen upstream, so everything else talks to `SearchIndex` (build, open, search,
related) and the engine can be swapped behind it.

Chinese has no spaces, so text is indexed twice: as jieba's search-mode words (compounds and
their parts: 行政处罚法 gives 行政, 处罚, 处罚法, 行政处罚法) and as single characters and
character pairs, which find a name jieba splits oddly (东湖市拓新… is cut 东湖/市拓/新). A
query matches when all its words match, or all its character pairs do; exact identifiers
(文书号, 执法证号, 统一社会信用代码) match whole and rank first.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jieba
from whoosh import index, query
from whoosh.analysis import LowercaseFilter, Token, Tokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from generator.build import swap_in
from search.documents import Document

jieba.setLogLevel(logging.WARNING)
_SPACE = re.compile(r"\s+")


class _WordTokenizer(Tokenizer):  # type: ignore[misc]
    """jieba's search mode: every word and the words inside it."""

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "",
                 **kwargs: Any) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for position, (word, start, end) in enumerate(jieba.tokenize(value, mode="search")):
            if not word.strip():
                continue
            token.text = token.original = word
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


class _GramTokenizer(Tokenizer):  # type: ignore[misc]
    """Single characters and character pairs of each run of text without spaces."""

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "",
                 **kwargs: Any) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        position = start_pos
        for gram in grams(value, single=True):
            token.text = token.original = gram
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = position
                position += 1
            yield token


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


SCHEMA = Schema(
    ref=ID(stored=True, unique=True),
    kind=ID(stored=True),
    title=STORED(),
    url=STORED(),
    date=STORED(),
    words=TEXT(analyzer=_WordTokenizer() | LowercaseFilter(), stored=False),
    grams=TEXT(analyzer=_GramTokenizer(), stored=False, phrase=False),
    codes=KEYWORD(lowercase=True, commas=False, scorable=True),
    body=KEYWORD(stored=True),
    region=KEYWORD(stored=True),
    year=NUMERIC(stored=True),
    type=ID(stored=True),
    power=ID(stored=True),
    excerpt=STORED(),
    text=STORED(),
)


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


class SearchIndex:
    """A whoosh index in a folder: built whole, opened, searched."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._index = index.open_dir(str(folder))

    @classmethod
    def build(cls, folder: Path, documents: Iterable[Document]) -> SearchIndex:
        """Write a fresh index and swap it in for the old one (never half-written)."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-new-", dir=folder.parent))
        try:
            writer = index.create_in(str(staging), SCHEMA).writer(limitmb=256)
            for doc in documents:
                writer.add_document(
                    ref=doc.ref, kind=doc.kind, title=doc.title, url=doc.url, date=doc.date,
                    words=f"{doc.title} {doc.text}", grams=f"{doc.title} {doc.text}",
                    codes=doc.codes, body=doc.body, region=doc.region, year=doc.year,
                    type=doc.type, power=doc.power, excerpt=doc.text[:160], text=doc.text)
            writer.commit()
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        swap_in(staging, folder)
        return cls(folder)

    @staticmethod
    def exists(folder: Path) -> bool:
        return bool(index.exists_in(str(folder)))

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
            similar = searcher.more_like(number, "words", text=found["text"], top=limit * 3,
                                         numterms=12, filter=query.Term("kind", found["kind"]))
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


def _hit(found: Any) -> Hit:
    return Hit(ref=found["ref"], kind=found["kind"], title=found["title"], url=found["url"],
               date=found.get("date", ""), body=found.get("body", ""),
               year=int(found.get("year") or 0), type=found.get("type", ""),
               excerpt=found.get("excerpt", ""), score=float(getattr(found, "score", 0.0) or 0.0))
