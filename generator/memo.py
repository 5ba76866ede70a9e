"""What the checks compute from one record file alone, kept between builds (issue 8).

The publication gate hashes every record's content, the privacy rule scans every text of
every record, and the integrity rule checks each party's 统一社会信用代码: 12 s of CPU at
100,000 decisions, on every build, though only the files that changed can give anything
new. All depend only on the record, that is on its file's bytes (and on the code): they are
kept in .gongshi/derived-*.pickle under the file's path
and digest, and after a change only the changed files are hashed and scanned again. They are
kept in sixteen files by the digest's last byte, and a build writes only those that got new
values: one new decision is not worth pickling 20 MB again (a second and a half).

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

SHARDS = 16

T = TypeVar("T")
Key = tuple[str, str, bytes]
"""(what, the record file's path, its digest)."""


def _shard(digest: bytes) -> int:
    return digest[-1] % SHARDS if digest else 0


def _files(path: Path) -> list[Path]:
    return [path.with_name(f"{path.stem}-{n}{path.suffix}") for n in range(SHARDS)]


def _code_version() -> bytes:
    here = Path(__file__).parent
    return statefile.code_digest(here / name for name in _CODE)


class _Memo:
    def __init__(self) -> None:
        self.known: list[dict[Key, Any]] = [{} for _ in range(SHARDS)]
        """What the files held, by shard."""
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
        known = self.known[_shard(digest)]
        if key in known:
            value: T = known[key]
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
        self.fresh = {}
        self.known = [{} for _ in range(SHARDS)]
        version = _code_version()
        for shard, file in enumerate(_files(path)):
            stored = statefile.load(file)
            if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == version \
                    and isinstance(stored[1], dict):
                self.known[shard] = stored[1]

    def save(self, path: Path, digests: Iterable[bytes], meanwhile: bool = False) -> None:
        """Write the files that got values computed afresh, with the values of the files
        whose digests are among `digests` (those of the records that exist now): a file
        written holds no values of records gone. `meanwhile`: written by another process
        while this one goes on, until `wait`."""
        if not self.fresh:
            return
        current = set(digests)
        fresh: dict[int, list[tuple[Key, Any]]] = {}
        for key, value in self.fresh.items():
            fresh.setdefault(_shard(key[2]), []).append((key, value))
        files = _files(path)
        version = _code_version()
        written = []
        for shard, values in sorted(fresh.items()):
            kept = {key: value for key, value in (*self.known[shard].items(), *values)
                    if key[2] in current}
            self.known[shard] = kept
            written.append(partial(statefile.dump, files[shard], (version, kept)))
        self.wait()
        path.unlink(missing_ok=True)  # one file, as older code kept them
        write = partial(_write_all, written)
        if meanwhile:
            self.writing = Background(write)
        else:
            write()
        self.fresh = {}

    def wait(self) -> None:
        """Until the last save is written."""
        writing, self.writing = self.writing, None
        if writing is not None:
            writing.result()


def _write_all(writes: Iterable[Callable[[], None]]) -> None:
    for write in writes:
        write()


MEMO = _Memo()
"""The build's memo (one build at a time in a process)."""
