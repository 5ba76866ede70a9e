"""Writing the many small files of a site with as few system calls as it takes (issue 8:
a build at 100,000 decisions writes 200,000 files, and pathlib's and io's work around each
write cost more than the write)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator


def make_folder(folder: str) -> None:
    """A page's folder: one mkdir where the parent is there (nearly always), with none of
    pathlib's work around it (issue 8: a build makes 100,000 of them)."""
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)


def write_file(path: str, *data: bytes) -> None:
    """`Path(path).write_bytes(b"".join(data))` in three system calls (with one part),
    without a buffered file object."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        # Many parts: a few hundred kB at a time, not joined.
        for part in _batches(data) if len(data) > 1 else data:
            view = memoryview(part)
            while view:
                view = view[os.write(handle, view):]
    finally:
        os.close(handle)


def _batches(data: Iterable[bytes], size: int = 1 << 18) -> Iterator[bytes]:
    batch: list[bytes] = []
    held = 0
    for part in data:
        batch.append(part)
        held += len(part)
        if held >= size:
            yield b"".join(batch)
            batch, held = [], 0
    if batch:
        yield b"".join(batch)
