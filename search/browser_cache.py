"""What the browser index keeps between builds: each record's postings (issue 8).

Weighing a record's terms is most of the index's work, and depends only on the record's
searchable text (its title, codes and text, as the site shows them), the synonyms and the
code. The cache (.gongshi/browser-index.pickle, next to the other build state, never
committed) keeps each record's postings under a digest of those: a record whose text is
unchanged is not weighed again. The key is the text the record shows, not its file: a
decision shows its body's, power's and officers' names too, so renaming a body changes it.

It holds only what the index publishes anyway (terms and weights, which are in its term
files), never a record's text. It is kept in a shard for each range of records; a shard is
rewritten when its range is packed again, with that range's records only, so it does not
grow with deleted records. Each file is written atomically, and checked by a digest of its
bytes when read: a build killed while writing it leaves the previous file, and a damaged,
foreign or outdated one is ignored (and then replaced).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from generator import statefile

CACHE_FILE = Path(".gongshi") / "browser-index.pickle"
"""Kept in shards (`shard`), one for each range of records (`search.browser.RANGE`): the
postings of the range's records, by key. A build writes only the shards of the ranges it
packed again (issue 8: pickling the postings of 100,000 decisions whole took seconds)."""
PARTS_FILE = Path(".gongshi") / "browser-parts.pickle"
"""The order of the ranges (`search.browser._ORDER`); and in its shards, one for each range,
the range's postings packed and its record files (`search.browser._Part`), under a digest of
what they are made of: a range whose records did not change is not packed again, and its
shard is not written again."""
FILES_FILE = Path(".gongshi") / "browser-files.pickle"
"""The index's term files as the last build wrote them, gzipped, by a digest of their JSON: a
file whose JSON is the same is not compressed again (compression was a third of the work
of a rebuild's index at 100,000 decisions)."""
_CODE = ("browser.py", "browser_cache.py", "terms.py")
_MAGIC = b"gongshi browser index\n"

Postings = tuple[str, bytes]
"""A record's postings: its terms joined by newlines (no term has one), and their weights,
one byte each, in the same order. Two objects, not two for each term: a cache of 100,000
records then pickles and loads in a fraction of a second."""


def digest(data: bytes | memoryview) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def code_version() -> bytes:
    """A digest of what the postings are made by: the code, and the Unicode version of the
    normalization (NFKC) that makes terms."""
    here = Path(__file__).parent
    made_by = [(here / name).read_bytes() for name in _CODE]
    made_by.append(f"{unicodedata.unidata_version} {sys.version_info[:2]}".encode())
    return digest(b"\0".join(made_by))


@statefile.warmable
def load(path: Path | None, version: bytes) -> dict[Any, Any]:
    """The cached entries by key (postings, or a file's bytes), or none when the cache is
    missing, damaged or made by other code."""
    try:
        data = path.read_bytes() if path is not None else b""
    except OSError:
        return {}
    head = len(_MAGIC) + 16
    payload = memoryview(data)[head:]
    if not data.startswith(_MAGIC) or data[len(_MAGIC):head] != digest(payload):
        return {}
    try:
        made_by, entries = pickle.loads(payload)
    except Exception:  # whole (the digest says so), yet unreadable: from another Python
        return {}
    return entries if made_by == version and isinstance(entries, dict) else {}


def shard(path: Path, n: int) -> Path:
    """The file of shard `n` of the cache at `path`."""
    return path.with_name(f"{path.stem}-{n}{path.suffix}")


def remove_shards(path: Path, start: int) -> None:
    """Remove the shards numbered `start` and more (those of ranges that are gone)."""
    for found in path.parent.glob(f"{path.stem}-*{path.suffix}"):
        number = found.name[len(path.stem) + 1:-len(path.suffix)]
        if number.isdigit() and int(number) >= start:
            found.unlink(missing_ok=True)


def save(path: Path, version: bytes, entries: Mapping[Any, Any]) -> None:
    """Replace the cache by `entries`, atomically."""
    data = pickle.dumps((version, entries), protocol=pickle.HIGHEST_PROTOCOL)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".browser-index-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(_MAGIC)
            out.write(digest(data))
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
