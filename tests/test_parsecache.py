"""Records reused from the parse cache are the records a fresh read gives, and nothing stale
or broken survives an edit."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.loader import load
from generator.model import Record
from tests.minisite import edit, write_tree


def _dump(root: Path, cache: Path | None) -> tuple[dict[str, object], list[str]]:
    portal, report = load(root / "content", cache)
    records = {r.ref: (r.model_dump(mode="json"), r.origin) for r in portal.records()}
    return records, sorted(p.describe() for p in report)


def test_a_warm_cache_gives_what_a_fresh_read_gives(good: Path, tmp_path: Path) -> None:
    cache = tmp_path / "records.pickle"
    fresh = _dump(good, None)
    assert _dump(good, cache) == fresh and cache.is_file()
    stamp = cache.stat().st_mtime_ns
    assert _dump(good, cache) == fresh
    assert cache.stat().st_mtime_ns == stamp  # nothing changed: not rewritten


def test_an_edit_is_read_afresh_and_a_broken_file_reported_every_time(
        good: Path, tmp_path: Path) -> None:
    cache = tmp_path / "records.pickle"
    _dump(good, cache)
    edit(good, "content/decisions/2025/d1.yml", "东湖市启航建筑劳务有限公司", "东湖市启航建筑劳务公司")
    records, _ = _dump(good, cache)
    assert records == _dump(good, None)[0]
    assert "东湖市启航建筑劳务公司" in str(records["decisions/d1"][0])
    edit(good, "content/decisions/2025/d1.yml", "decision_date: ", "decision_date: [")
    for _ in range(2):
        records, problems = _dump(good, cache)
        assert "decisions/d1" not in records and any("d1.yml" in p for p in problems)


def test_a_damaged_cache_is_ignored(good: Path, tmp_path: Path) -> None:
    cache = tmp_path / "records.pickle"
    cache.write_bytes(b"not a pickle")
    assert _dump(good, cache) == _dump(good, None)


def test_a_problem_in_a_cached_record_points_at_its_line(good: Path) -> None:
    """The cache keeps no lines: they are read again from the file when a message needs one."""
    from tests.minisite import line_of, problems

    name = "content/decisions/2025/d1.yml"
    edit(good, name, "fine_amount: 3600", "fine_amount: 5000")
    cold = [p for p in problems(good) if p.code == "R6-discretion"]
    assert (good / ".gongshi/records.pickle").is_file()
    warm = [p for p in problems(good) if p.code == "R6-discretion"]
    assert warm == cold and warm[0].line == line_of(good, name, "fine_amount") > 1


def test_a_cache_with_damaged_records_is_read_afresh_and_rewritten(
        good: Path, tmp_path: Path) -> None:
    cache = tmp_path / "records.pickle"
    fresh = _dump(good, cache)
    whole = cache.read_bytes()
    cache.write_bytes(whole[: len(whole) - 100])  # the hashes are whole, the records are not
    assert _dump(good, cache) == fresh
    assert cache.read_bytes() != whole[: len(whole) - 100]
    assert _dump(good, cache) == fresh


def test_groups_of_unchanged_files_are_copied_and_the_rest_pickled_afresh(
        good: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import parsecache

    monkeypatch.setattr(parsecache, "_GROUP", 3)
    cache = tmp_path / "records.pickle"
    assert _dump(good, cache) == _dump(good, None)
    pickled: list[str] = []
    real = parsecache._pickle

    def spy(entries: list[tuple[str, Record]]) -> tuple[list[str], bytes]:
        pickled.extend(rel for rel, _ in entries)
        return real(entries)

    monkeypatch.setattr(parsecache, "_pickle", spy)
    edit(good, "content/officers/wang.yml", "王", "汪")
    (good / "content/officers/zhou.yml").unlink()
    write_tree(good, {"content/officers/wu.yml": (good / "content/officers/sun.yml").read_text(
        encoding="utf-8").replace("id: sun", "id: wu")})
    records, problems = _dump(good, cache)
    # the edited, the new, and the rest of the groups of wang and zhou: not all 17 records
    assert "content/officers/wang.yml" in pickled and len(pickled) <= 6
    assert (records, problems) == _dump(good, None)
    assert "officers/zhou" not in records and "officers/wu" in records
    assert "汪" in str(records["officers/wang"][0])
    pickled.clear()
    assert _dump(good, cache)[0] == records and not pickled
