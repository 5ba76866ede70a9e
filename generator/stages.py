"""How long each stage of a build took: `gongshi build --timings` prints them.

Stages nest: a stage opened inside another is shown indented under it. The figures are wall
time in this process; work done meanwhile by forked workers counts in the stage that waits,
unless the work is timed where it is done and `record`ed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    name: str
    depth: int
    seconds: float


_taken: list[Timing] = []
_depth = 0


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Time the block as the stage `name`."""
    global _depth
    entry = len(_taken)
    _taken.append(Timing(name, _depth, 0.0))
    _depth += 1
    start = time.perf_counter()
    try:
        yield
    finally:
        _depth -= 1
        _taken[entry] = Timing(name, _depth, time.perf_counter() - start)


def record(name: str, seconds: float) -> None:
    """A stage timed elsewhere (in a forked process), shown where this one is."""
    _taken.append(Timing(name, _depth, seconds))


def taken() -> list[Timing]:
    """The stages timed since the last `reset`, in the order they started."""
    return list(_taken)


def reset() -> None:
    _taken.clear()
