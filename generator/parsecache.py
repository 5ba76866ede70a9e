"""Records parsed by an earlier run, reused while their file has not changed (issue 8).

Reading 100,000 YAML files into validated records takes minutes; a build after one change
should not pay it again. The cache (.gongshi/records.pickle, next to the other build state,
never committed) keeps each valid record under its file's path and a hash of the file's
bytes, so any edit, even one that keeps the size and the time stamp, is read afresh. It is
keyed by a hash of the code that makes records (the model and the parsers): after an update
of Gongshi it starts empty. Files with problems are never cached, so their problems are
reported on every run. Written atomically, so a build killed while writing it, or two builds
at once, leave a whole cache (or none), never a torn one.

The file holds two pickles: the hashes by path, read at once, then the records, read only
when the first one is reused. The loader's workers need only the hashes to know which files
to parse, and the records (seconds to unpickle at 100,000) are read meanwhile. A record's
origin is stored without the line of each field (see `Origin`), which made up a quarter of
the cache.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import tempfile
from pathlib import Path

from generator.model import Record

CACHE_FILE = Path(".gongshi") / "records.pickle"
_CODE = ("model.py", "source.py", "loader.py", "parsecache.py")


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _code_version() -> str:
    here = Path(__file__).parent
    return digest(b"".join((here / name).read_bytes() for name in _CODE)).hex()


class ParseCache:
    """Valid records by (path, digest of the file's bytes)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.version = _code_version()
        self.digests: dict[str, bytes] = {}
        """The digest of each cached file, by path."""
        self._stream: io.BytesIO | None = None
        self._records: dict[str, Record] | None = None
        self.new: dict[str, tuple[bytes, Record]] = {}
        if path is not None and path.is_file():
            try:
                stream = io.BytesIO(path.read_bytes())
                version, digests = pickle.load(stream)
                if version == self.version:
                    self.digests, self._stream = digests, stream
            except Exception:  # a cache from another version or a damaged one: start afresh
                self.digests = {}

    def has(self, rel: str, key: bytes) -> bool:
        """Whether the cache holds the record of this version of the file (it may still turn
        out unreadable: `get` is the last word)."""
        return self.digests.get(rel) == key

    def get(self, rel: str, key: bytes) -> Record | None:
        if self.digests.get(rel) != key:
            return None
        record = self._read_records().get(rel)
        if record is not None:
            self.new[rel] = (key, record)
        return record

    def put(self, rel: str, key: bytes, record: Record) -> None:
        self.new[rel] = (key, record)

    def _read_records(self) -> dict[str, Record]:
        if self._records is None:
            stream, self._stream = self._stream, None
            try:
                self._records = pickle.load(stream) if stream is not None else {}
            except Exception:  # a damaged cache: its records are read afresh, and it is rewritten
                self._records, self.digests = {}, {}
        return self._records

    def save(self) -> None:
        """Write the entries of this run (only the files that exist now), if any changed."""
        self._stream = None
        if self.path is None or (self.new.keys() == self.digests.keys() and all(
                self.digests[rel] == key for rel, (key, _) in self.new.items())):
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".records-", dir=self.path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                digests = {rel: key for rel, (key, _) in self.new.items()}
                records = {rel: record for rel, (_, record) in self.new.items()}
                pickle.dump((self.version, digests), out, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(records, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
