"""What the checks compute from one record file alone, kept between builds (issue 8).

The publication gate hashes every record's content, the privacy rule scans every text of
every record, and the integrity rule checks each party's 统一社会信用代码: 12 s of CPU at
100,000 decisions, on every build, though only the files that changed can give anything
new. All depend only on the record, that is on its file's bytes (and on the code): they are
kept in .gongshi/derived.pickle under the file's path
and digest, and after a change only the changed files are hashed and scanned again.

What a build computes afresh is appended to the file, as a pickle of its own after the
others: one new decision is not worth pickling 20 MB again (1.5 s at 100,000 decisions).
The file is written whole again, without the values of files gone, once what was appended
is an eighth of what it holds.

The checks run in forked workers; what a worker computed comes back with its problems
(`taken`), and the build saves it. The cache is keyed by a hash of the code that computes
the values: after an update of Gongshi it starts empty.
"""

from __future__ import annotations

import gc
import io
import os
import pickle
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from generator import statefile
from generator.model import Record

MEMO_FILE = Path(".gongshi") / "derived.pickle"
REWRITE_FROM = 8
"""The file is written whole again when what was appended is 1/8 of what it holds."""
_CODE = ("model.py", "ledger.py", "privacy.py", "rules/privacy.py", "rules/_finding.py",
         "rules/integrity.py", "source.py", "problems.py", "memo.py")

T = TypeVar("T")
Key = tuple[str, str, bytes]
"""(what, the record file's path, its digest)."""


def _code_version() -> bytes:
    here = Path(__file__).parent
    return statefile.code_digest(here / name for name in _CODE)


class _Memo:
    def __init__(self) -> None:
        self.known: dict[Key, Any] = {}
        self.fresh: dict[Key, Any] = {}
        self.appended = 0
        """How many values of the file were appended after its first part."""

    def get(self, what: str, record: Record, compute: Callable[[], T]) -> T:
        """`compute()` for the record, or what it gave for the same file content before.
        A record not read from a file (made in a test) is computed every time."""
        digest = record.file_digest
        if digest is None:
            return compute()
        key = (what, record.origin.path, digest)
        if key in self.known:
            value: T = self.known[key]
            return value
        if key in self.fresh:
            fresh: T = self.fresh[key]
            return fresh
        self.fresh[key] = value = compute()
        return value

    def taken(self) -> dict[Key, Any]:
        """What was computed since the last `taken` (a worker returns it to the build; the
        build adds it back with `add`). Taken once: a worker runs several checks, and
        returning its whole harvest after each would send 100,000 entries back many times."""
        taken, self.fresh = self.fresh, {}
        return taken

    def add(self, values: dict[Key, Any]) -> None:
        self.fresh.update(values)

    def read(self, path: Path) -> None:
        self.known, self.fresh, self.appended = {}, {}, 0
        stored = _stored(path, _code_version())
        if stored is not None:
            self.known, self.appended = stored

    def save(self, path: Path, records: Callable[[], Iterable[Record]]) -> None:
        """Keep the values of the files of the `records` that exist now, if anything was
        computed afresh (else they are not even listed: a fifth of a second at 100,000
        decisions). A build saves them in the process that checks beside its render
        (generator/build.py)."""
        if not self.fresh:
            return
        if self.known and path.is_file() \
                and (self.appended + len(self.fresh)) * REWRITE_FROM < len(self.known):
            _append(path, self.fresh)
            self.known.update(self.fresh)
            self.appended += len(self.fresh)
            self.fresh = {}
            return
        kept = _current(records, self.known, self.fresh)
        statefile.dump(path, (_code_version(), kept))
        self.known, self.fresh, self.appended = kept, {}, 0


def _current(records: Callable[[], Iterable[Record]], *values: dict[Key, Any]
             ) -> dict[Key, Any]:
    """The `values` of the files of the `records` that exist now."""
    current = {(record.origin.path, record.file_digest or b"") for record in records()}
    return {key: value for found in values for key, value in found.items()
            if (key[1], key[2]) in current}


def _stored_file(path: Path, version: bytes) -> tuple[dict[Key, Any], int] | None:
    """The values kept at `path` by code of `version`, and how many of them were appended;
    None when there are none. A part appended only in part (a build killed meanwhile) is
    left out, and the next save writes the file whole."""
    return _stored_again(path, None, version)[0]


Stored = tuple[dict[Key, Any], int] | None


def _stored_again(path: Path, before: tuple[Stored, bytes | None] | None, version: bytes
                  ) -> tuple[Stored, bytes | None]:
    """`_stored_file`, given what it gave for an earlier version of the file and that
    version's bytes (`statefile.Update`): when the file is that one with parts appended
    (`gongshi publish` appends what it computed), only those are read."""
    try:
        data = path.read_bytes()
    except OSError:
        return None, None
    stored, known_bytes = before if before is not None else (None, None)
    collecting = gc.isenabled()  # hundreds of thousands of values, all kept
    gc.disable()
    found: Stored
    handle = io.BytesIO(data)
    try:
        if stored is not None and known_bytes is not None and data.startswith(known_bytes):
            handle.seek(len(known_bytes))
            found = _more(handle, dict(stored[0]), stored[1])
        else:
            found = _parts(handle, version)
    except (pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError,
            ImportError, IndexError, OverflowError):
        found = None
    finally:
        if collecting:
            gc.enable()
    # Read to its end: the next time, only what is appended after.
    return found, data if found is not None and handle.tell() == len(data) else None


_stored = statefile.warmable(_stored_file, _stored_again)


def _parts(handle: BinaryIO, version: bytes) -> tuple[dict[Key, Any], int] | None:
    first = pickle.load(handle)
    if not (isinstance(first, tuple) and len(first) == 2 and first[0] == version
            and isinstance(first[1], dict)):
        return None
    return _more(handle, first[1], 0)


def _more(handle: BinaryIO, known: dict[Key, Any], appended: int
          ) -> tuple[dict[Key, Any], int]:
    """`known` and the values of the parts that follow in the file, and how many values
    were appended in all."""
    while True:
        start = handle.tell()
        try:
            more = pickle.load(handle)
        except EOFError:
            handle.seek(start)  # at the end, or in a part appended only in part
            return known, appended
        except (pickle.UnpicklingError, AttributeError, ValueError, TypeError,
                ImportError, IndexError, OverflowError):
            handle.seek(start)  # not read to the end: read whole the next time
            return known, len(known)  # written whole by the next save
        known.update(more)
        appended += len(more)


def _append(path: Path, values: dict[Key, Any]) -> None:
    """Append `values` to the file in one write, so that a part is appended whole while
    another process appends its own."""
    handle = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        os.write(handle, pickle.dumps(values, protocol=pickle.HIGHEST_PROTOCOL))
    finally:
        os.close(handle)


MEMO = _Memo()
"""The build's memo (one build at a time in a process)."""
