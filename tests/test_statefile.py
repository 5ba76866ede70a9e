"""Build state kept between builds (generator/statefile.py)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from generator import statefile


def test_values_kept_under_another_version_are_not_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a change of code or configuration none of a cache's keys can match: its
    values (218 MB of open data at 100,000 decisions) are not even unpickled."""
    path = tmp_path / "cache.pickle"
    kept: statefile.Kept[str] = statefile.Kept(path, b"v1")
    kept.put(b"k", "value")
    kept.save()
    assert statefile.Kept(path, b"v1").get(b"k") == "value"

    loads: list[object] = []
    real = pickle.load

    def counting(handle: object) -> object:
        loads.append(handle)
        return real(handle)  # type: ignore[arg-type]

    monkeypatch.setattr(pickle, "load", counting)
    other: statefile.Kept[str] = statefile.Kept(path, b"v2")
    assert other.known == {} and other.get(b"k") is None
    assert len(loads) == 1  # the version, not the values
    other.put(b"k2", "new")
    other.save()
    monkeypatch.undo()
    assert statefile.Kept(path, b"v2").known == {b"k2": "new"}
    assert statefile.Kept(path, b"v1").known == {}


def test_a_held_state_file_is_taken_only_while_it_is_the_file_read(tmp_path: Path) -> None:
    """A warm build process (generator/warm.py) holds what it read; its child takes it
    instead of reading the file, until the file is written again."""
    path = tmp_path / "state.pickle"
    statefile.dump(path, {"pages": 1})
    asked = ("generator.statefile.load", str(path), ())
    try:
        statefile.HELD.refresh([asked])
        held = statefile.load(path)
        assert held == {"pages": 1} and statefile.load(path) is held  # taken, not read
        statefile.dump(path, {"pages": 2})
        assert statefile.load(path) == {"pages": 2}
        path.unlink()
        assert statefile.load(path) is None
    finally:
        statefile.HELD.values = {}
