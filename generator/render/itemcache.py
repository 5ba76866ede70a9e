"""Open data's encoded records, kept between builds (issue 8).

Encoding 100,000 records as JSON and as CSV cells took 16 s of CPU on every build, though a
record's item depends only on what its key holds (generator/render/opendata.py). The cache
(.gongshi/opendata.pickle) keeps each item's encodings under its key; a build keeps only the
items it used, so it does not grow with records that are gone.
"""

from __future__ import annotations

import gc
import os
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path

CACHE_FILE = Path(".gongshi") / "opendata.pickle"


@dataclass(frozen=True)
class Encoded:
    """One record's item as its JSON file holds it, its CSV row, and its 双公示 row."""

    json: str
    cells: list[str]
    shuanggongshi: dict[str, str] | None


class ItemCache:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.known: dict[bytes, Encoded] = {}
        self.used: dict[bytes, Encoded] = {}
        self.fresh = False
        if path is not None:
            collecting = gc.isenabled()
            gc.disable()  # a hundred thousand items, all kept: nothing to collect
            try:
                with path.open("rb") as handle:
                    known = pickle.load(handle)
                if isinstance(known, dict):
                    self.known = known
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError,
                    TypeError):
                pass
            finally:
                if collecting:
                    gc.enable()

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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".opendata-", dir=self.path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump(self.used, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
