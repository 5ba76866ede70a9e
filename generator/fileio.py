"""Writing the many small files of a site with as few system calls as it takes (issue 8:
a build at 100,000 decisions writes 200,000 files, and pathlib's and io's work around each
write cost more than the write)."""

from __future__ import annotations

import os


def make_folder(folder: str) -> None:
    """A page's folder: one mkdir where the parent is there (nearly always), with none of
    pathlib's work around it (issue 8: a build makes 100,000 of them)."""
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)


def write_file(path: str, data: bytes) -> None:
    """`Path(path).write_bytes(data)` in three system calls, without a buffered file object."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view):]
    finally:
        os.close(handle)
