"""Rendering on every core: tasks run in forked worker processes (issue 8).

A build renders tens of thousands of pages from one Site held in memory. Forked workers
inherit it as it is, so a task is only its index in a list made before the fork, and only
its pages travel back. Results come back in task order, so the output does not depend on
which worker finished first. Where fork is unavailable, or there is one core, the tasks run
in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

T = TypeVar("T")

_TASKS: list[Callable[[], object]] = []


def _run(index: int) -> object:
    return _TASKS[index]()


def workers() -> int:
    return min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else (os.cpu_count() or 1))


def run_all(tasks: Sequence[Callable[[], T]], costs: Sequence[float] | None = None) -> list[T]:
    """Each task's result, in the order of `tasks`. With `costs` (how long each task is
    expected to take, in any unit), the longest start first, so that no core is left
    waiting at the end for another's long last task."""
    count = workers()
    if count < 2 or len(tasks) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [task() for task in tasks]
    if costs is not None:
        order = sorted(range(len(tasks)), key=lambda index: -costs[index])
        done = dict(zip(order, run_all([tasks[index] for index in order]), strict=True))
        return [done[index] for index in range(len(tasks))]
    _TASKS[:] = list(tasks)
    # Objects that exist before the fork stay out of the collector's sight in the workers,
    # which would otherwise touch (and so copy) every page of memory they share.
    frozen = gc.get_freeze_count()
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(count) as pool:
            results = cast(list[T], pool.map(_run, range(len(tasks)), chunksize=1))
    finally:
        _TASKS.clear()
        if not frozen:  # else the caller froze them, and unfreezes them
            gc.unfreeze()
    return results


class Background:
    """One computation run in a forked process while this one goes on; `result()` waits for
    it. Where fork is unavailable, or there is one core, it runs in `result()`."""

    def __init__(self, compute: Callable[[], T]) -> None:
        self._compute = compute
        self._pool: Any = None
        self._pending: Any = None
        if workers() >= 2 and "fork" in multiprocessing.get_all_start_methods():
            _TASKS[:] = [compute]
            frozen = gc.get_freeze_count()
            gc.freeze()
            try:
                self._pool = multiprocessing.get_context("fork").Pool(1)
                self._pending = self._pool.apply_async(_run, (0,))
            finally:
                _TASKS.clear()
                if not frozen:
                    gc.unfreeze()

    def result(self) -> Any:
        if self._pool is None:
            return self._compute()
        try:
            return self._pending.get()
        finally:
            self._pool.close()
            self._pool.join()
