"""Records parsed by an earlier run, reused while their file has not changed (issue 8).

Reading 100,000 YAML files into validated records takes minutes; a build after one change
should not pay it again. The cache (.gongshi/records.pickle, next to the other build state,
never committed) keeps each valid record under its file's path and a hash of the file's
bytes, so any edit, even one that keeps the size and the time stamp, is read afresh. It is
keyed by a hash of the code that makes records (the model and the parsers): after an update
of Gongshi it starts empty. Files with problems are never cached, so their problems are
reported on every run. Written atomically, so a build killed while writing it, or two builds
at once, leave a whole cache (or none), never a torn one.
"""

from __future__ import annotations

import hashlib
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
        self.old: dict[str, tuple[bytes, Record]] = {}
        self.new: dict[str, tuple[bytes, Record]] = {}
        if path is not None and path.is_file():
            try:
                with path.open("rb") as handle:
                    version, entries = pickle.load(handle)
                if version == self.version:
                    self.old = entries
            except Exception:  # a cache from another version or a damaged one: start afresh
                self.old = {}

    def get(self, rel: str, key: bytes) -> Record | None:
        entry = self.old.get(rel)
        if entry is None or entry[0] != key:
            return None
        self.new[rel] = entry
        return entry[1]

    def put(self, rel: str, key: bytes, record: Record) -> None:
        self.new[rel] = (key, record)

    def save(self) -> None:
        """Write the entries of this run (only the files that exist now), if any changed."""
        if self.path is None or (self.new.keys() == self.old.keys() and all(
                self.old[rel][0] == key for rel, (key, _) in self.new.items())):
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".records-", dir=self.path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump((self.version, self.new), out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
