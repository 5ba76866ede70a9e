"""Rendering on every core: tasks run in forked worker processes (issue 8).

A build renders tens of thousands of pages from one Site held in memory. Forked workers
inherit it as it is, so a task is only its index in a list made before the fork, and only
its pages travel back. Results come back in task order, so the output does not depend on
which worker finished first. Where fork is unavailable, or there is one core, the tasks run
in this process.
"""

from __future__ import annotations

import contextlib
import gc
import io
import itertools
import multiprocessing
import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Generic, NoReturn, TypeVar, cast

T = TypeVar("T")

_TASKS: list[Callable[[], object]] = []


def _run(index: int) -> object:
    return _TASKS[index]()


_holding = 0
"""How many callers hold the objects they found out of the collector's sight (`freeze`)."""
_for_good = False
"""Whether this process's objects were frozen for as long as it lives (`freeze_for_good`)."""


def freeze() -> None:
    """Every object that exists now out of the collector's sight (`gc.freeze`) until the
    caller's `thaw`: it would otherwise walk all of them, again and again while more are
    made, and in a forked process touch (and so copy) every page of memory it shares.

    A count of the callers tells the last one to thaw: asking `gc.get_freeze_count()`
    whether another froze them counts every frozen object, one by one (0.1 to 0.2 s a call
    in a warm build process holding 100,000 records, several calls a build)."""
    global _holding
    gc.freeze()
    _holding += 1


def thaw() -> None:
    """The end of a `freeze`: the last caller's gives the objects back to the collector,
    unless they were frozen for good."""
    global _holding
    _holding -= 1
    if not _holding and not _for_good:
        gc.unfreeze()


@contextlib.contextmanager
def frozen() -> Iterator[None]:
    """`freeze` for the block."""
    freeze()
    try:
        yield
    finally:
        thaw()


def freeze_for_good() -> None:
    """Every object that exists now out of the collector's sight for as long as the process
    lives (a warm build process's records), and its children's."""
    global _for_good
    gc.freeze()
    _for_good = True


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
    try:
        with frozen(), multiprocessing.get_context("fork").Pool(count) as pool:
            results = cast(list[T], pool.map(_run, range(len(tasks)), chunksize=1))
    finally:
        _TASKS.clear()
    return results


class Forked(Generic[T]):
    """One computation run in a forked process of its own while this one goes on, which,
    unlike a pool's worker, may start workers of its own; `result()` waits for it
    and returns its value, or raises what it raised. Where fork is unavailable, or there is
    one core, it runs in `result()`."""

    def __init__(self, compute: Callable[[], T], shared: Mapping[Any, object] | None = None,
                 shared_key: Callable[[Any], Any] | None = None) -> None:
        """`shared`: objects of this process that the result may hold, by a key. Each comes
        back as its key and is taken from `shared` here, not as a copy: the copy would be
        pickled, unpickled, and held twice (the deductions of 100,000 decisions'
        evaluations name thousands of them). `shared_key`: an object's key in `shared`, when
        it can tell (a map of them all, by object, took half a second at 100,000)."""
        self._compute = compute
        self._pid: int | None = None
        self._read = -1
        self._shared = shared
        if workers() < 2 or not hasattr(os, "fork"):
            return
        read, write = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        with frozen():  # out of the collector's sight, which would copy every page it touches
            pid = os.fork()
            if pid == 0:  # the forked process, which stays in the block: it never leaves it
                self._forked(compute, shared, read, write, shared_key)
        os.close(write)
        self._pid, self._read = pid, read

    @staticmethod
    def _forked(compute: Callable[[], T], shared: Mapping[Any, object] | None, read: int,
                write: int, shared_key: Callable[[Any], Any] | None = None) -> NoReturn:
        """Compute, send the outcome, and end."""
        os.close(read)
        try:
            try:
                outcome: tuple[bool, object] = (True, compute())
            except BaseException as exc:  # raised again by `result`
                outcome = (False, exc)
            try:
                data = _dumps(outcome, shared, shared_key)
            except Exception:  # an exception that does not pickle
                data = pickle.dumps((False, RuntimeError(repr(outcome[1]))))
            with os.fdopen(write, "wb") as out:
                out.write(data)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)

    def result(self) -> T:
        if self._pid is None:
            return self._compute()
        with os.fdopen(self._read, "rb") as handle:
            data = handle.read()
        os.waitpid(self._pid, 0)
        self._pid = None
        if not data:
            raise RuntimeError("a forked computation ended without a result")
        done, value = _loads(data, self._shared)
        if not done:
            raise value
        return cast(T, value)

    def stop(self) -> None:
        """End it, if it is still going (the caller failed meanwhile)."""
        if self._pid is not None:
            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            os.close(self._read)
            self._pid = None


def _dumps(value: object, shared: Mapping[Any, object] | None,
           shared_key: Callable[[Any], Any] | None = None) -> bytes:
    """`value` pickled, each object of `shared` in it as its key (`Forked`)."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    if shared and shared_key is not None:
        kinds = {type(held) for held in itertools.islice(shared.values(), 1)}
        missing = object()

        def persistent_id(held: object) -> Any:
            if type(held) not in kinds:
                return None
            key = shared_key(held)
            return key if shared.get(key, missing) is held else None

        pickler.persistent_id = persistent_id  # type: ignore[method-assign]
    elif shared:
        keys = {id(held): key for key, held in shared.items()}
        pickler.persistent_id = lambda held: keys.get(id(held))  # type: ignore[method-assign]
    pickler.dump(value)
    return out.getvalue()


def _loads(data: bytes, shared: Mapping[Any, object] | None) -> Any:
    unpickler = pickle.Unpickler(io.BytesIO(data))
    if shared is not None:
        unpickler.persistent_load = shared.__getitem__  # type: ignore[method-assign]
    return unpickler.load()
