"""A check that takes the decisions' verdicts kept by the last one (generator/verdicts.py)
reports what a full check reports, problem for problem and in the same order, after each
kind of change staff make; and judges again only the decisions that changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import build as pipeline
from generator import verdicts
from generator.ledger import Ledger
from generator.loader import load
from generator.model import Decision
from generator.portal import Portal
from generator.problems import Problem, Report
from tests.conftest import DEMO_AS_OF, ROOT
from tests.minisite import AS_OF, edit
from tests.repo import init_repo

D1 = "content/decisions/2025/d1.yml"
D2 = "content/decisions/2025/d2.yml"


def _checked(project: Path) -> list[Problem]:
    """What staff get from `gongshi check` when the last check kept its verdicts, after
    asserting that it is what a full check gives, and that the verdicts kept give the full
    check's problems in its order."""
    portal, loaded = load(project / "content")
    ledger = Ledger.read(project)
    whole = verdicts.full(portal, ledger, AS_OF)
    assert verdicts.check(portal, ledger, AS_OF, project) == whole
    report = list(pipeline.check(pipeline.Project(project), AS_OF)[1])
    assert report == list(Report([*loaded, *whole]))
    return report


def _judging(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    judged: list[str] = []
    real = verdicts.judge

    def counting(decision: Decision, portal: Portal) -> verdicts.Verdict:
        judged.append(decision.id)
        return real(decision, portal)

    monkeypatch.setattr(verdicts, "judge", counting)
    return judged


def _codes(report: list[Problem]) -> set[tuple[str, str]]:
    return {(p.code, p.record) for p in report}


def test_kept_verdicts_give_the_problems_of_a_full_check(good: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    project = init_repo(good, "2025-06-12")
    # d2 changed since it was published, with a phone number and an officer of another body
    edit(project, D2, "facts: 经检查，", "facts: 联系电话13812345678，经检查，")
    edit(project, D2, "officers: [sun, zhou]", "officers: [sun, zhao]")
    first = _checked(project)
    assert {("R10-privacy", "decisions/d2"), ("R2-certificate", "decisions/d2"),
            ("R11-correction", "decisions/d2")} <= _codes(first)
    judged = _judging(monkeypatch)

    # a new decision, not yet published, by an officer whose certificate expired
    d9 = (project / D1).read_text(encoding="utf-8").replace("id: d1", "id: d9").replace(
        "〔2025〕1号", "〔2025〕9号").replace("officers: [wang, li]", "officers: [wang, zhao]")
    (project / "content/decisions/2025/d9.yml").write_text(d9, encoding="utf-8")
    added = _checked(project)
    assert judged == ["d9"]
    assert {("R2-certificate", "decisions/d9"), ("R11-unpublished", "decisions/d9"),
            ("R7-overdue", "decisions/d9")} <= _codes(added) - _codes(first)

    # a published decision changed without a correction
    judged.clear()
    edit(project, D1, "facts: 经查，", "facts: 经再查，")
    changed = _checked(project)
    assert judged == ["d1"]
    assert ("R11-correction", "decisions/d1") in _codes(changed)

    # a decision with problems moved as it is: its problems name the new file
    judged.clear()
    (project / D2).rename(project / "content/decisions/2025/d2-moved.yml")
    moved = _checked(project)
    assert judged == ["d2"]
    assert any(p.file.endswith("d2-moved.yml") and p.code == "R2-certificate" for p in moved)

    # a published decision removed
    judged.clear()
    (project / "content/decisions/2025/d2-moved.yml").unlink()
    removed = _checked(project)
    assert judged == []
    assert ("R11-removed", "decisions/d2") in _codes(removed)
    assert not any(p.record == "decisions/d2" and p.code != "R11-removed" for p in removed)


@pytest.mark.parametrize(("name", "old", "new", "code"), [
    ("content/officers/wang.yml", "valid_to: 2028-12-31", "valid_to: 2025-01-01",
     "R2-certificate"),
    ("content/laws/lir.yml", "effective: 2004-12-01", "effective: 2025-06-20", "R4-basis"),
    ("content/benchmarks/overtime-bm.yml", "{min: 200, max: 350", "{min: 200, max: 250",
     "R6-discretion"),
    ("content/powers/overtime.yml", "category: 行政处罚", "category: 行政检查", "R1-integrity"),
    ("content/bodies/city.yml", "name: 东湖市人力资源和社会保障局",
     "name: 东湖市人力资源和社会保障局（新）", ""),
])
def test_a_change_of_what_decisions_cite_judges_them_all_again(
        good: Path, monkeypatch: pytest.MonkeyPatch, name: str, old: str, new: str,
        code: str) -> None:
    project = init_repo(good, "2025-06-12")
    before = _checked(project)
    judged = _judging(monkeypatch)
    edit(project, name, old, new)
    after = _checked(project)
    assert judged == ["d1", "d2"]
    assert code == "" or ("decisions/d1" in {p.record for p in after if p.code == code}
                          and code not in {p.code for p in before})


def test_decisions_judged_on_two_cores_give_the_same_problems() -> None:
    portal, _ = load(ROOT / "content")
    ledger = Ledger.read(ROOT)
    whole = verdicts.full(portal, ledger, DEMO_AS_OF)
    assert verdicts.check(portal, ledger, DEMO_AS_OF, None, parallel_from=0) == whole
    assert len(whole) == 4  # the demo's four late publications


def test_a_warm_check_brings_the_assembled_verdicts_up_to_date_by_what_changed(
        good: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a warm build process, the verdicts of every decision are assembled while it waits
    (`verdicts.assemble`); its next check looks only at the decisions that changed since,
    and reports what a full check reports, in the same order."""
    from generator.loader import Warm
    from generator.render import kept as kept_module
    from generator.render.kept import KeptSite
    from generator.settings import load_settings

    project = init_repo(good, "2025-06-12", site=True)
    edit(project, D2, "officers: [sun, zhou]", "officers: [sun, zhao]")  # a problem of its own
    monkeypatch.setattr(verdicts, "ASSEMBLED", [])
    files, ledger = Warm(), Ledger.read(project)
    portal, _ = load(project / "content", None, files, None)
    site = KeptSite(portal, load_settings(project), AS_OF, ledger)
    monkeypatch.setattr(kept_module, "KEPT", [site])
    assert verdicts.check(portal, ledger, AS_OF, project) == verdicts.full(portal, ledger, AS_OF)
    judged = _judging(monkeypatch)
    looked: list[bytes | None] = []  # the verdicts looked up
    real_get = verdicts.statefile.Kept.get

    def get(kept: verdicts.statefile.Kept[verdicts.Verdict],
            key: bytes | None) -> verdicts.Verdict | None:
        looked.append(key)
        return real_get(kept, key)

    monkeypatch.setattr(verdicts.statefile.Kept, "get", get)

    def warm_check(*changed: str) -> list[Problem]:
        """Assembled as the warm process does after a build, then the changed files read
        and checked as its next build does."""
        verdicts.assemble(portal, project, site.token, site.changed_since)
        assert verdicts.ASSEMBLED
        judged.clear()
        looked.clear()
        assert load(project / "content", None, files, [project / name for name in changed])[0] \
            is portal
        site.note(files.changes)
        found = verdicts.check(portal, ledger, AS_OF, project)
        assert found == verdicts.full(portal, ledger, AS_OF)
        return found

    d9 = (project / D1).read_text(encoding="utf-8").replace("id: d1", "id: d9").replace(
        "〔2025〕1号", "〔2025〕9号").replace("officers: [wang, li]", "officers: [wang, zhao]")
    # in a file that comes first: where the portal has it, before d1 and d2
    (project / "content/decisions/2025/d0.yml").write_text(d9, encoding="utf-8")
    added = warm_check("content/decisions/2025/d0.yml")
    assert judged == ["d9"] and len(looked) == 1  # no other decision looked at
    assert ("R2-certificate", "decisions/d9") in _codes(added)
    edit(project, D1, "facts: 经查，", "facts: 经再查，")
    assert ("R11-correction", "decisions/d1") in _codes(warm_check(D1))
    assert judged == ["d1"] and len(looked) == 1
    (project / D2).rename(project / "content/decisions/2025/d2-moved.yml")
    moved = warm_check(D2, "content/decisions/2025/d2-moved.yml")
    assert judged == ["d2"]
    assert any(p.file.endswith("d2-moved.yml") and p.code == "R2-certificate" for p in moved)
    (project / "content/decisions/2025/d2-moved.yml").unlink()
    removed = warm_check("content/decisions/2025/d2-moved.yml")
    assert judged == [] and ("R11-removed", "decisions/d2") in _codes(removed)
    assert not any(p.record == "decisions/d2" and p.code != "R11-removed" for p in removed)
    # Nothing changed: nothing looked at.
    assert warm_check() == removed and judged == looked == []
    # Records another process read (`gongshi publish`) are not the warm process's.
    d8 = project / "content/decisions/2025/d8.yml"
    d8.write_text(d9.replace("id: d9", "id: d8").replace("〔2025〕9号", "〔2025〕8号"),
                  encoding="utf-8")
    other, _ = load(project / "content")
    assert ("R2-certificate", "decisions/d8") in _codes(verdicts.check(other, ledger, AS_OF,
                                                                       project))
    d8.unlink()
    judged.clear()
    # The warm checks kept every verdict they did not look at: a cold check judges none.
    monkeypatch.setattr(verdicts, "ASSEMBLED", [])
    assert verdicts.check(portal, ledger, AS_OF, project) == removed and judged == []
    # A body changed: what is assembled is of no more use, and every decision is looked at.
    edit(project, "content/bodies/city.yml", "name: 东湖市人力资源和社会保障局",
         "name: 东湖市人力资源和社会保障局（新）")
    warm_check("content/bodies/city.yml")
    assert len(looked) == len(portal.decisions)
