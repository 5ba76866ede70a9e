"""Open data's encoded records, kept between builds (issue 8).

Encoding 100,000 records as JSON and as CSV cells took 16 s of CPU on every build, though a
record's item depends only on what its key holds (generator/render/opendata.py). The cache
(.gongshi/opendata.pickle) keeps each item's encodings under its key; a build keeps only the
items it used, so it does not grow with records that are gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator import statefile

CACHE_FILE = Path(".gongshi") / "opendata.pickle"


@dataclass(frozen=True)
class Encoded:
    """One record's item as its JSON file holds it, its CSV row, and its 双公示 row."""

    json: str
    cells: list[str]
    penalty: Penalty | None = None
    """A 行政处罚's row in the 双公示 files."""


@dataclass(frozen=True)
class Penalty:
    """A 行政处罚 decision's 双公示 row, as its JSON file and its CSV file hold it."""

    json: str
    cells: list[str]


class ItemCache:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.known: dict[bytes, Encoded] = {}
        self.used: dict[bytes, Encoded] = {}
        self.fresh = False
        if path is not None:
            known = statefile.load(path)
            if isinstance(known, dict):
                self.known = known

    def get(self, key: bytes | None) -> Encoded | None:
        found = self.known.get(key) if key is not None else None
        if found is not None and key is not None:
            self.used[key] = found
        return found

    def put(self, key: bytes | None, encoded: Encoded) -> None:
        if key is not None:
            self.used[key] = encoded
            self.fresh = True

    def save(self) -> None:
        """Keep what this build used, written whole or not at all, when anything is new or
        gone."""
        if self.path is None or (not self.fresh and len(self.used) == len(self.known)):
            return
        statefile.dump(self.path, self.used)
