"""What the checks compute from one record file alone is kept between builds
(generator/memo.py): a second check scans and hashes only the files that changed, and
reports the same problems as a first."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from stdnum.cn import uscc

from generator import build as pipeline
from generator import ledger
from generator.loader import load
from generator.memo import MEMO_FILE
from generator.rules import privacy
from tests.conftest import DEMO_AS_OF
from tests.minisite import AS_OF, edit
from tests.repo import init_repo

D1 = "content/decisions/2025/d1.yml"


def _calls(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[object]:
    calls: list[object] = []
    real = getattr(module, name)

    def counting(record: object) -> object:
        calls.append(record)
        return real(record)

    monkeypatch.setattr(module, name, counting)
    return calls


def _codes(project: Path) -> list[str]:
    _, report = pipeline.check(pipeline.Project(project), AS_OF)
    return [f"{p.code} {p.file}:{p.line} {p.message}" for p in report]


def test_unchanged_files_are_not_scanned_or_hashed_again(good: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    scanned = _calls(monkeypatch, privacy, "_problems")
    hashed = _calls(monkeypatch, ledger, "canonical")
    codes = _calls(monkeypatch, uscc, "is_valid")
    first = _codes(good)
    assert scanned and (good / MEMO_FILE).is_file()
    parties = {d.party.uscc for d in load(good / "content")[0].decisions.values()} - {None}
    assert parties and parties <= set(codes)
    scanned.clear()
    hashed.clear()
    codes.clear()
    assert _codes(good) == first
    assert scanned == [] and hashed == []
    assert not parties & set(codes)  # the bodies' codes are checked, the parties' are kept
    edit(good, D1, "facts: 经查，", "facts: 经查，联系人身份证号110101199003074514，")
    after = _codes(good)
    assert [getattr(r, "id", None) for r in scanned] == ["d1"]
    assert any("R10-privacy" in line and "d1.yml" in line for line in after)
    assert not any("R10-privacy" in line for line in first)


def test_a_damaged_memo_is_ignored(good: Path) -> None:
    first = _codes(good)
    (good / MEMO_FILE).write_bytes(b"not a pickle")
    assert _codes(good) == first


def test_a_changed_copy_of_a_record_is_hashed_afresh(good: Path) -> None:
    portal, _ = pipeline.check(pipeline.Project(good), AS_OF)
    decision = portal.decisions["d1"]
    changed = decision.model_copy(update={"facts": "另一事实。"})
    assert decision.file_digest is not None and changed.file_digest is None
    assert ledger.content_hash(changed) != ledger.content_hash(decision)


def test_a_build_saves_what_its_checks_computed(good: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # written by another process while the build renders, and waited for before it ends
    project = init_repo(good, "2025-06-12", site=True)
    pipeline.build(pipeline.Project(project), DEMO_AS_OF, site_dir=tmp_path / "site")
    assert (project / MEMO_FILE).is_file()
    hashed = _calls(monkeypatch, ledger, "canonical")
    scanned = _calls(monkeypatch, privacy, "_problems")
    _codes(project)
    assert hashed == [] and scanned == []


def test_what_a_check_computes_afresh_is_appended(good: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # one new decision is not worth pickling every record's values again
    from generator import memo

    monkeypatch.setattr(memo, "REWRITE_FROM", 2)
    first = _codes(good)
    size = (good / MEMO_FILE).stat().st_size
    edit(good, D1, "facts: 经查，", "facts: 经查，联系人身份证号110101199003074514，")
    changed = _codes(good)
    assert size < (good / MEMO_FILE).stat().st_size
    assert (good / MEMO_FILE).read_bytes().startswith((good / MEMO_FILE).read_bytes()[:size])
    scanned = _calls(monkeypatch, privacy, "_problems")
    assert _codes(good) == changed != first
    assert scanned == []  # the values appended are read back
    sizes = []
    for n in range(8):  # until what was appended makes half of the file: written whole
        edit(good, D1, "facts: 经" if n == 0 else f"facts: {n - 1}经", f"facts: {n}经")
        assert _codes(good) == changed
        sizes.append((good / MEMO_FILE).stat().st_size)
    assert any(later < earlier for earlier, later in pairwise(sizes))


def test_the_memo_read_again_after_each_change_is_the_memo_read_whole(tmp_path: Path) -> None:
    """A warm build process reads again only the parts appended to the memo since it read
    it (`memo._stored_again`); written whole again, appended in part (a build killed
    meanwhile), or by other code, it gives what reading the whole file gives."""
    from generator import memo, statefile

    path = tmp_path / "derived.pickle"
    version = b"v1"

    def values(start: int, count: int) -> dict[memo.Key, object]:
        return {("what", f"f{n}", bytes([n % 256])): n for n in range(start, start + count)}

    def append_in_part() -> None:
        with path.open("ab") as out:
            out.write(__import__("pickle").dumps(values(500, 5))[:-7])

    steps = [
        lambda: memo._append(path, values(100, 3)),
        lambda: memo._append(path, values(200, 1)),
        lambda: statefile.dump(path, (version, values(0, 50))),  # written whole
        lambda: memo._append(path, values(300, 2)),
        append_in_part,
        lambda: memo._append(path, values(400, 2)),  # after the part: left out
        lambda: statefile.dump(path, (version, values(0, 60))),
        lambda: statefile.dump(path, (b"v0", values(0, 60))),  # other code
        lambda: path.unlink(),
        lambda: statefile.dump(path, (version, values(0, 10))),
        lambda: memo._append(path, values(600, 1)),
    ]
    statefile.dump(path, (version, values(0, 40)))
    before = memo._stored_again(path, None, version)
    for number, step in enumerate(steps):
        step()
        again = memo._stored_again(path, before, version)
        assert again[0] == memo._stored_file(path, version), f"after change {number}"
        before = again


def test_a_first_save_keeps_the_values_of_the_files_there_only(good: Path,
                                                              tmp_path: Path) -> None:
    from generator import memo

    portal, _ = load(good / "content")
    d1 = portal.decisions["d1"]
    assert d1.file_digest is not None
    here: memo.Key = ("scan", d1.origin.path, d1.file_digest)
    changed: memo.Key = ("scan", d1.origin.path, b"\0" * len(d1.file_digest))
    gone: memo.Key = ("scan", "content/decisions/2025/gone.yml", d1.file_digest)
    saving = memo._Memo()
    saving.add({here: 1, changed: 2, gone: 3})
    saving.save(tmp_path / "derived.pickle", portal.records)
    stored = memo._stored_file(tmp_path / "derived.pickle", memo._code_version())
    assert stored is not None and stored[0] == {here: 1}
    assert saving.get("scan", d1, lambda: 9) == 1
