"""Work on both cores (generator/parallel.py): results come back in the order of the tasks,
whichever order they ran in."""

from __future__ import annotations

import os
from functools import partial

import pytest

from generator import parallel


def _pid_and(value: int) -> tuple[int, int]:
    return os.getpid(), value


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "workers", lambda: 2)


def test_results_are_in_the_order_of_the_tasks(two_cores: None) -> None:
    results = parallel.run_all([partial(_pid_and, n) for n in range(7)])
    assert [value for _, value in results] == list(range(7))
    assert all(pid != os.getpid() for pid, _ in results)  # run in forked workers


def test_with_costs_the_longest_start_first_and_results_keep_their_order(
        two_cores: None, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[list[int]] = []
    real = parallel.run_all

    def spy(tasks, costs=None):  # type: ignore[no-untyped-def]
        if costs is None:
            started.append([task()[1] for task in tasks])
        return real(tasks, costs)

    monkeypatch.setattr(parallel, "run_all", spy)
    results = parallel.run_all([partial(_pid_and, n) for n in range(5)], costs=[1, 5, 2, 9, 3])
    assert started == [[3, 1, 4, 2, 0]]  # handed to the workers longest first
    assert [value for _, value in results] == [0, 1, 2, 3, 4]


def _workers_of_its_own() -> tuple[int, list[tuple[int, int]]]:
    return os.getpid(), parallel.run_all([partial(_pid_and, n) for n in range(3)])


def _fails() -> None:
    raise ValueError("不对")


def test_a_forked_computation_returns_its_value_and_may_start_workers(two_cores: None) -> None:
    """The browser search index is made in a forked process beside the pages' workers, and
    makes its own term files on both cores: a pool's worker could not."""
    pid, results = parallel.Forked(_workers_of_its_own).result()
    assert pid != os.getpid()
    assert [value for _, value in results] == [0, 1, 2]
    assert all(worker not in (pid, os.getpid()) for worker, _ in results)


def test_a_forked_computation_raises_what_it_raised(two_cores: None) -> None:
    with pytest.raises(ValueError, match="不对"):
        parallel.Forked(_fails).result()


def test_a_forked_computation_stopped_leaves_no_process(two_cores: None) -> None:
    import time
    running = parallel.Forked(partial(time.sleep, 60))
    pid = running._pid
    assert pid is not None
    running.stop()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)  # reaped already


def test_on_one_core_a_forked_computation_runs_when_asked(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "workers", lambda: 1)
    assert parallel.Forked(partial(_pid_and, 5)).result() == (os.getpid(), 5)


class _Held:
    def __init__(self, name: str) -> None:
        self.name = name


def test_a_forked_computation_gives_back_this_processs_shared_objects(two_cores: None) -> None:
    """What `shared` holds comes back as this process's object, not a copy; the rest is
    copied as usual."""
    shared = {"a": _Held("甲"), "b": _Held("乙")}
    back = parallel.Forked(lambda: (os.getpid(), [shared["b"], _Held("丙"), shared["a"]]),
                           shared=shared).result()
    pid, objects = back
    assert pid != os.getpid()
    assert objects[0] is shared["b"] and objects[2] is shared["a"]
    assert objects[1].name == "丙" and objects[1] not in shared.values()


def test_shared_objects_known_by_their_key_come_back_as_this_processs(two_cores: None) -> None:
    """With `shared_key`, an object of `shared` is told by its key, not by a map of them
    all: it comes back as this process's; another of the same type under the same key (a
    copy) or under none comes back as a copy."""
    shared = {"甲": _Held("甲"), "乙": _Held("乙")}
    back = parallel.Forked(
        lambda: (os.getpid(), [shared["乙"], _Held("甲"), _Held("丙"), shared["甲"], "乙"]),
        shared=shared, shared_key=lambda held: held.name).result()
    pid, objects = back
    assert pid != os.getpid()
    assert objects[0] is shared["乙"] and objects[3] is shared["甲"] and objects[4] == "乙"
    assert objects[1].name == "甲" and objects[1] is not shared["甲"]
    assert objects[2].name == "丙" and objects[2] not in shared.values()
