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


def test_kept_in_shards_a_build_writes_only_the_files_whose_values_changed(
        tmp_path: Path) -> None:
    """Open data keeps 218 MB of items at 100,000 decisions: one new item rewrites one of
    the files, not all of them; what older code kept in one file is removed."""
    path = tmp_path / "items.pickle"
    path.write_bytes(b"kept by older code in one file")
    keys = [bytes([1, n]) for n in range(8)]  # the last byte decides the file
    kept: statefile.Kept[str] = statefile.Kept(path, b"v", shards=4)
    for key in keys:
        kept.put(key, key.hex())
    kept.save()
    files = sorted(tmp_path.glob("items-*.pickle"))
    assert [f.name for f in files] == [f"items-{n}.pickle" for n in range(4)]
    assert not path.exists()
    stamps = {f.name: statefile.signature(f) for f in files}
    again: statefile.Kept[str] = statefile.Kept(path, b"v", shards=4)
    assert again.known == {key: key.hex() for key in keys}
    for key in keys[:-1]:
        again.get(key)
    again.put(bytes([2, 5]), "new")  # file 1; keys[7] (file 3) is not used: it is gone
    again.save()
    changed = {f.name for f in files if statefile.signature(f) != stamps[f.name]}
    assert changed == {"items-1.pickle", "items-3.pickle"}
    assert statefile.Kept(path, b"v", shards=4).known == {
        **{key: key.hex() for key in keys[:-1]}, bytes([2, 5]): "new"}


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


def test_parts_write_only_the_changes_of_a_big_value(tmp_path: Path) -> None:
    """A value kept again after a small change writes no part file, only the changes; the
    value read back is the one kept; a part is written again once much of it changed."""
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class State:
        digests: dict[str, bytes]
        lines: frozenset[str]

    big = {f"k{n}": bytes([n % 256]) for n in range(2000)}
    value = {"state": State(big, frozenset(big)), "small": {"a": 1}, "base": b"x"}
    parts = statefile.Parts(tmp_path / "parts")
    first = parts.keep(value)
    written = sorted(path.name for path in (tmp_path / "parts").iterdir())
    assert len(written) == 2  # the dict and the set
    again = statefile.Parts(tmp_path / "parts")
    assert again.value(first) == value

    changed = dict(big, k1=b"new", added=b"a")
    del changed["k2"]
    value2 = {"state": State(changed, frozenset(changed)), "small": {"a": 2}, "base": b"y"}
    second = again.keep(value2, first)
    assert sorted(path.name for path in (tmp_path / "parts").iterdir()) == written
    assert statefile.Parts(tmp_path / "parts").value(second) == value2

    many = {key: b"other" for key in changed}
    third = again.keep({"state": State(many, frozenset(changed))}, second)
    assert sorted(statefile.files(third)) != written
    again.keep_only(third)
    assert {path.name for path in (tmp_path / "parts").iterdir()} == set(statefile.files(third))
    assert statefile.Parts(tmp_path / "parts").value(third)["state"].digests == many


def test_parts_missing_a_file_are_unreadable(tmp_path: Path) -> None:
    parts = statefile.Parts(tmp_path / "parts")
    node = parts.keep({n: n for n in range(statefile.BIG)})
    for path in (tmp_path / "parts").iterdir():
        path.unlink()
    with pytest.raises(statefile.Unreadable):
        statefile.Parts(tmp_path / "parts").value(node)


def test_an_updater_reads_again_only_what_changed_and_gives_what_its_reader_gives(
        tmp_path: Path) -> None:
    """Before a warm build, what is held of a file with an updater is brought up to date
    (`HELD.update`), by the updater, with what it noted the time before; a file without
    one is left to the build."""
    plain, counted = tmp_path / "plain.txt", tmp_path / "counted.txt"
    plain.write_text("a", encoding="utf-8")
    counted.write_text("a", encoding="utf-8")
    calls: list[object] = []

    def read(path: Path) -> str:
        return path.read_text(encoding="utf-8")

    def update(path: Path, before: tuple[str, int] | None) -> tuple[str, int]:
        calls.append(before)
        text = path.read_text(encoding="utf-8")
        return text, len(text)

    try:
        def held_read(path: Path) -> str:
            return path.read_text(encoding="utf-8")
        held = statefile.warmable(held_read)
        updated = statefile.warmable(read, update)
        name_plain = f"{held_read.__module__}.{held_read.__qualname__}"
        name_counted = f"{read.__module__}.{read.__qualname__}"
        asked = [(name_plain, str(plain), ()), (name_counted, str(counted), ())]
        statefile.HELD.refresh(asked)
        assert calls == [None]  # read whole: nothing noted before
        plain.write_text("ab", encoding="utf-8")
        counted.write_text("ab", encoding="utf-8")
        statefile.HELD.update(asked)
        assert calls == [None, ("a", 1)]
        assert statefile.HELD.values[asked[1]][1] == "ab" == updated(counted)
        assert statefile.HELD.values[asked[0]][1] == "a"  # left to the build:
        assert held(plain) == "ab"  # which reads the file
        statefile.HELD.refresh(asked)
        assert statefile.HELD.values[asked[0]][1] == "ab" and len(calls) == 2
    finally:
        statefile.HELD.values, statefile.HELD.marks = {}, {}
        for name in (f"{read.__module__}.{read.__qualname__}",
                     f"{held_read.__module__}.{held_read.__qualname__}"):
            statefile.HELD.readers.pop(name, None)
            statefile.HELD.updaters.pop(name, None)


def test_parts_told_what_changed_keep_what_a_full_comparison_keeps(tmp_path: Path) -> None:
    """A big dict kept again with the keys that may have changed since the value kept
    last (a rebuild's files written, generator/deploy.py): the same changes as comparing
    every key, including those of the value before, which were changes of its file."""
    big = {f"k{n}": bytes([n % 256]) for n in range(3000)}
    parts = statefile.Parts(tmp_path / "parts")
    first = parts.keep(big)
    second_value = dict(big, k1=b"one", k2=b"two", added=b"a")
    del second_value["k3"]
    second = parts.keep(second_value, first, changed=["k1", "k2", "added"])
    assert second == parts.keep(second_value, first)
    third_value = dict(second_value, k4=b"four")
    del third_value["k5"]
    third = parts.keep(third_value, second, changed=["k4"])
    assert third == parts.keep(third_value, second)
    assert statefile.Parts(tmp_path / "parts").value(third) == third_value
