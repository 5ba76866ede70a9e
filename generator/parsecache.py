"""Records parsed by an earlier run, reused while their file has not changed (issue 8).

Reading 100,000 YAML files into validated records takes minutes; a build after one change
should not pay it again. The cache (.gongshi/records.pickle, next to the other build state,
never committed) keeps each valid record under its file's path and a hash of the file's
bytes, so any edit, even one that keeps the size and the time stamp, is read afresh. It is
keyed by a hash of the code that makes records (the model and the parsers): after an update
of Gongshi it starts empty. Files with problems are never cached, so their problems are
reported on every run. Written atomically, so a build killed while writing it, or two builds
at once, leave a whole cache (or none), never a torn one.

The file holds a pickle of the hashes by path, read at once, then the records pickled by
groups of a thousand, read only when the first one is reused. The loader's workers need only
the hashes to know which files to parse, and the records (seconds to unpickle at 100,000)
are read meanwhile. A group of unchanged files is copied into the next cache as it is. A
record's origin is stored without the line of each field (see `Origin`), which made up a
quarter of the cache.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import tempfile
from pathlib import Path

from generator import statefile
from generator.model import Record

CACHE_FILE = Path(".gongshi") / "records.pickle"
_CODE = ("model.py", "source.py", "loader.py", "parsecache.py")


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _code_version() -> bytes:
    here = Path(__file__).parent
    return statefile.code_digest(here / name for name in _CODE)


_GROUP = 1000
"""Records pickled together: a group whose files are all unchanged is copied as it is into
the next cache, so that saving after one edit re-pickles one group, not 100,000 records."""


class ParseCache:
    """Valid records by (path, digest of the file's bytes)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.version = _code_version()
        self.digests: dict[str, bytes] = {}
        """The digest of each cached file, by path."""
        self._groups: list[tuple[list[str], memoryview]] = []
        """The cache's records, pickled by groups, with the path of each."""
        self._records: dict[str, Record] | None = None
        self.new: dict[str, bytes] = {}
        """The digest of each file whose record is in this run's cache."""
        self._kept: set[str] = set()
        """Paths whose records are reused from the cache."""
        self._fresh: list[tuple[str, Record]] = []
        self._pickled: list[tuple[list[str], bytes]] = []
        """Groups of fresh records, pickled as they come: a parse leaves time for it."""
        if path is not None and path.is_file():
            try:
                self._open(memoryview(path.read_bytes()))
            except Exception:  # a cache from another version or a damaged one: start afresh
                self.digests, self._groups = {}, []

    def _open(self, data: memoryview) -> None:
        stream = io.BytesIO(data)
        version, digests, sizes = pickle.load(stream)
        if version != self.version:
            return
        offset = stream.tell()
        for rels, size in sizes:
            self._groups.append((rels, data[offset:offset + size]))
            offset += size
        if offset != len(data):
            raise ValueError("a truncated cache")
        self.digests = digests

    def has(self, rel: str, key: bytes) -> bool:
        """Whether the cache holds the record of this version of the file (it may still turn
        out unreadable: `get` is the last word)."""
        return self.digests.get(rel) == key

    def get(self, rel: str, key: bytes) -> Record | None:
        if self.digests.get(rel) != key:
            return None
        record = self._read_records().get(rel)
        if record is not None:
            self.new[rel] = key
            self._kept.add(rel)
        return record

    def put(self, rel: str, key: bytes, record: Record) -> None:
        self.new[rel] = key
        if self.path is not None:
            self._fresh.append((rel, record))
            if len(self._fresh) >= _GROUP:
                self._pickled.append(_pickle(self._fresh))
                self._fresh = []

    def put_pickled(self, rels: list[str], keys: list[bytes], pickled: bytes) -> None:
        """Records already pickled together (by the loader's workers), as a group."""
        self.new.update(zip(rels, keys, strict=True))
        if self.path is not None:
            self._pickled.append((rels, pickled))

    def _read_records(self) -> dict[str, Record]:
        if self._records is None:
            self._records = {}
            try:
                for rels, data in self._groups:
                    self._records.update(zip(rels, pickle.loads(data), strict=True))
            except Exception:  # a damaged cache: its records are read afresh, and it is rewritten
                self._records, self.digests, self._groups = {}, {}, []
        return self._records

    def save(self) -> None:
        """Write the entries of this run (only the files that exist now), if any changed."""
        if self.path is None or (not self._fresh and not self._pickled
                                 and self._kept == self.digests.keys()):
            return
        groups: list[tuple[list[str], bytes | memoryview]] = []
        fresh = list(self._fresh)
        for rels, pickled in self._groups:
            if all(rel in self._kept for rel in rels):
                groups.append((rels, pickled))
            else:
                records = self._read_records()
                fresh += [(rel, records[rel]) for rel in rels if rel in self._kept]
        groups += self._pickled
        groups += [_pickle(fresh[start:start + _GROUP]) for start in range(0, len(fresh), _GROUP)]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".records-", dir=self.path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                sizes = [(rels, len(data)) for rels, data in groups]
                pickle.dump((self.version, self.new, sizes), out, protocol=pickle.HIGHEST_PROTOCOL)
                for _, data in groups:
                    out.write(data)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _pickle(entries: list[tuple[str, Record]]) -> tuple[list[str], bytes]:
    return ([rel for rel, _ in entries],
            pickle.dumps([record for _, record in entries], protocol=pickle.HIGHEST_PROTOCOL))
