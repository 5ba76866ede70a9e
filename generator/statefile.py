"""Build state kept in .gongshi/ between builds: pickles read and written safely.

Every cache and manifest there is written whole or not at all (a temporary file renamed over
the old one), so a build killed while writing leaves the previous file; and a file that is
missing, damaged or from other code reads as nothing, so the build starts afresh instead of
failing. Reading pauses the garbage collector: these files hold hundreds of thousands of
small objects, all kept, and the collector would scan them again and again while they load
(2.3 s instead of 0.2 s for 230,000 entries).
"""

from __future__ import annotations

import gc
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any


def load(path: Path) -> Any:
    """What `dump` wrote at `path`, or None when there is nothing readable there."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError,
            ImportError, IndexError):
        return None
    finally:
        if collecting:
            gc.enable()


def dump(path: Path, value: object, durable: bool = False) -> None:
    """Write `value` at `path` atomically; `durable` also waits until it is on disk (a journal
    that must survive a crash)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
            if durable:
                out.flush()
                os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
