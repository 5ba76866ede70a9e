"""Large trees are read by forked workers (issue 8): the records, the problems and the
lines they point at are the ones the in-process reading gives, broken files included."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator import loader
from generator.loader import load
from tests.minisite import edit, write_tree

BROKEN = {
    "content/powers/unclosed.yml": "id: unclosed\nname: [立案\n",
    "content/officers/twice.yml": "id: twice\nname: 甲\nname: 乙\n",
    "content/officers/empty.yml": "",
    "content/officers/two-documents.yml": "id: a\n---\nid: b\n",
    "content/officers/list.yml": "- id: x\n",
    "content/officers/typo.yml": "id: typo\nnmae: 王\n",
    "content/officers/copy.yml": "id: wang\nname: 王\n",
    "content/decision/x.yml": "id: x\n",
    "content/officers/notes.txt": "notes\n",
    "content/pages/broken.md": "id: no-front-matter\n",
    "content/pages/unclosed.md": "---\nid: unclosed\n",
    "content/.hidden/x.yml": "id: [\n",
    "content/officers/.swap.yml": "id: [\n",
    "content/README.md": "# notes for staff\n",
}


def _tree(good: Path) -> Path:
    write_tree(good, BROKEN)
    (good / "content/officers/gbk.yml").write_bytes("name: 王一".encode("gbk"))
    (good / "content/decisions/2025/d2.yml").rename(good / "content/decisions/d2.yml")
    (good / "content/officers/li.yml").rename(good / "content/officers/li-renamed.yml")
    edit(good, "content/officers/wang.yml", "status: 有效", "status: 有小")
    edit(good, "content/decisions/2025/d1.yml", "decision_date:", "decison_date:")
    return good


def _result(root: Path, cache: Path | None) -> tuple[list[object], list[object], set[str]]:
    portal, report = load(root / "content", cache)
    records = [(r.ref, r.model_dump(), r.origin, r.origin.lines) for r in portal.records()]
    return records, list(report), portal.broken


def _in_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "PARALLEL_FROM", 1)
    monkeypatch.setattr(loader, "_CHUNK", 3)  # several tasks, answered out of order
    if not loader._parallel(1):
        pytest.skip("needs fork and two cores")


def test_workers_give_what_this_process_gives(good: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    root = _tree(good)
    serial = _result(root, None)
    assert len(serial[1]) > 10 and serial[0]
    _in_workers(monkeypatch)
    assert _result(root, None) == serial
    cache = tmp_path / "records.pickle"
    assert _result(root, cache) == serial  # cold, filling the cache
    assert _result(root, cache) == serial  # warm: records from the cache


def test_workers_are_forked_only_for_many_files(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not loader._parallel(loader.PARALLEL_FROM - 1)
    monkeypatch.setattr(loader.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert not loader._parallel(10 * loader.PARALLEL_FROM)


def test_a_worker_reads_the_cache_it_inherits(good: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Cached files are not parsed again: a worker only checks the digest."""
    cache = tmp_path / "records.pickle"
    load(good / "content", cache)
    _in_workers(monkeypatch)
    parsed: list[str] = []
    real = loader.read_record

    def spy(raw: bytes, path: str, file: str) -> object:
        with open(tmp_path / f"parsed-{os.getpid()}-{len(parsed)}", "w", encoding="utf-8") as out:
            out.write(path)
        parsed.append(path)
        return real(raw, path, file)

    monkeypatch.setattr(loader, "read_record", spy)
    edit(good, "content/officers/wang.yml", "王", "汪")
    portal, report = load(good / "content", cache)
    assert not list(report) and "汪" in portal.officers["wang"].name
    read = sorted(p.read_text(encoding="utf-8") for p in tmp_path.glob("parsed-*"))
    assert read == ["content/officers/wang.yml"]


def test_a_file_that_fails_in_a_worker_fails_as_in_this_process(
        good: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (good / "content/officers/gone.yml").symlink_to(good / "content/officers/nowhere.yml")
    with pytest.raises(FileNotFoundError) as serial:
        load(good / "content")
    _in_workers(monkeypatch)
    with pytest.raises(FileNotFoundError) as forked:
        load(good / "content")
    assert str(forked.value) == str(serial.value)


def test_the_share_of_a_worker_that_dies_is_read_here(
        good: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _tree(good)
    serial = _result(root, None)
    _in_workers(monkeypatch)
    monkeypatch.setattr(loader, "_serve", lambda starts, results: os._exit(1))
    assert _result(root, None) == serial
