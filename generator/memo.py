"""What the checks compute from one record file alone, kept between builds (issue 8).

The publication gate hashes every record's content, the privacy rule scans every text of
every record, and the integrity rule checks each party's 统一社会信用代码: 12 s of CPU at
100,000 decisions, on every build, though only the files that changed can give anything
new. All depend only on the record, that is on its file's bytes (and on the code): they are
kept in .gongshi/derived.pickle under the file's path
and digest, and after a change only the changed files are hashed and scanned again.

The checks run in forked workers; what a worker computed comes back with its problems
(`taken`), and the build saves it. The cache is keyed by a hash of the code that computes
the values: after an update of Gongshi it starts empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from generator import statefile
from generator.model import Record
from generator.parallel import Background

MEMO_FILE = Path(".gongshi") / "derived.pickle"
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
        self.writing: Background | None = None
        """A save still being written (`save(..., meanwhile=True)`)."""

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
        self.wait()
        self.known, self.fresh = {}, {}
        stored = statefile.load(path)
        if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == _code_version() \
                and isinstance(stored[1], dict):
            self.known = stored[1]

    def save(self, path: Path, records: Callable[[], Iterable[Record]],
             meanwhile: bool = False) -> None:
        """Keep the values of the files of the `records` that exist now, if anything was
        computed afresh (else they are not even listed: a fifth of a second at 100,000
        decisions). `meanwhile`: written by another process while this one goes on (pickling
        them took 1.5 s on one core at 100,000 decisions), until `wait`."""
        if not self.fresh:
            return
        current = {(record.origin.path, record.file_digest or b"") for record in records()}
        kept = {key: value for key, value in (*self.known.items(), *self.fresh.items())
                if (key[1], key[2]) in current}
        self.wait()
        write = partial(statefile.dump, path, (_code_version(), kept))
        if meanwhile:
            self.writing = Background(write)
        else:
            write()
        self.known, self.fresh = kept, {}

    def wait(self) -> None:
        """Until the last save is written."""
        writing, self.writing = self.writing, None
        if writing is not None:
            writing.result()


MEMO = _Memo()
"""The build's memo (one build at a time in a process)."""
