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


ItemCache = statefile.Kept[Encoded]
"""Encoded items by key (generator/render/opendata.py: the key holds the code's digest)."""
