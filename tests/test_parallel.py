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
