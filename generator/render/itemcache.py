"""Open data's encoded records, kept between builds (issue 8).

Encoding 100,000 records as JSON and as CSV cells took 16 s of CPU on every build, though a
record's item depends only on what its key holds (generator/render/opendata.py). The cache
(.gongshi/opendata-<type>.pickle, and opendata-decisions-<year>-<n>.pickle for each year's
decisions) keeps each item's encodings under its key; a build keeps only the items it used,
so it does not grow with records that are gone, and reads and writes only the files of the
types and years it makes again. An item is kept as the list files hold it (indented one
level more than its own file, and as a CSV line), so that a build with one new record joins
its year's kept items and does no more with each of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator import statefile

CACHE_FILE = Path(".gongshi") / "opendata.pickle"
"""Named after it: opendata-<type>.pickle."""


@dataclass(frozen=True)
class Encoded:
    """One record's item as the list of its type holds it (`jsontext.listed`: its own file
    is `jsontext.unlisted` of it), its CSV line, and its 双公示 row."""

    listed: str
    line: str
    penalty: Penalty | None = None
    """A 行政处罚's row in the 双公示 files."""


@dataclass(frozen=True)
class Penalty:
    """A 行政处罚 decision's 双公示 row, as the JSON list and the CSV file hold it."""

    listed: str
    line: str


ItemCache = statefile.Kept[Encoded]
"""Encoded items by key (generator/render/opendata.py: the key holds the code's digest)."""
