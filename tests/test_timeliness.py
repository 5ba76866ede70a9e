"""Rule 7 (publication within 7 or 20 Chinese working days) and the 公示及时性 figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.build import Project, check
from generator.ledger import Ledger
from generator.loader import load
from generator.model import Decision
from generator.timeliness import deadline, publications, working_days_between
from tests.repo import init_repo

D = dt.date


def test_national_day_2025_and_its_make_up_saturday() -> None:
    # 2025: 1–8 October off; Sunday 28 September and Saturday 11 October are working days.
    assert deadline(D(2025, 9, 26), 1) == D(2025, 9, 28)
    assert deadline(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert deadline(D(2025, 9, 30), 3) == D(2025, 10, 11)
    assert deadline(D(2025, 9, 30), 7) == D(2025, 10, 16)
    assert working_days_between(D(2025, 9, 30), D(2025, 10, 8)) == 0
    assert working_days_between(D(2025, 9, 30), D(2025, 10, 16)) == 7
    assert working_days_between(D(2025, 10, 16), D(2025, 9, 30)) == 0


def test_a_year_without_holiday_data_counts_monday_to_friday() -> None:
    assert deadline(D(2027, 1, 1), 3) == D(2027, 1, 6)  # Fri 1 Jan → Mon 4, Tue 5, Wed 6


AS_OF = D(2026, 1, 15)


def codes(root: Path, as_of: dt.date = AS_OF) -> list[tuple[str, str, str]]:
    _, report = check(Project(root), as_of)
    return [(p.code, p.record, p.message) for p in report.warnings]


def test_publication_on_time_gives_no_warning(good: Path) -> None:
    init_repo(good, "2025-06-19")  # d1 (行政处罚 of Tue 10 June): the 7th working day
    assert codes(good) == []


def test_a_late_publication_is_a_warning_with_the_figures(good: Path) -> None:
    init_repo(good, "2025-06-20")
    ((code, record, message),) = codes(good)
    assert code == "R7-late" and record == "decisions/d1"
    assert "published on 2025-06-20, 8 working days after the decision of 2025-06-10" in message
    assert "within 7 working days (by 2025-06-19)" in message
    portal, _ = load(good / "content")
    (late,) = [t for t in publications(portal, Ledger.read(good)) if t.late]
    assert late.decision.id == "d1" and late.used == 8 and late.limit == 7


def test_an_inspection_has_20_working_days(good: Path) -> None:
    # d2 (行政检查 of Tue 1 July 2025): the 20th working day is Tue 29 July.
    init_repo(good, "2025-06-19")
    ledger = (good / "ledger.jsonl").read_text(encoding="utf-8")
    (good / "ledger.jsonl").write_text(
        ledger.replace('"published": "2025-06-19", "record": "decisions/d2"',
                       '"published": "2025-07-30", "record": "decisions/d2"'), encoding="utf-8")
    assert [c[:2] for c in codes(good)] == [("R7-late", "decisions/d2")]


def test_an_unpublished_decision_past_its_deadline_is_overdue(good: Path) -> None:
    init_repo(good, "2025-06-19")
    source = (good / "content/decisions/2025/d1.yml").read_text(encoding="utf-8")
    (good / "content/decisions/2025/d3.yml").write_text(
        source.replace("id: d1", "id: d3").replace("〔2025〕1号", "〔2025〕3号")
        .replace("decision_date: 2025-06-10", "decision_date: 2025-12-01"), encoding="utf-8")
    found = {c[0]: c for c in codes(good)}
    assert set(found) == {"R7-overdue", "R11-unpublished"}
    assert "ended on 2025-12-10" in found["R7-overdue"][2]
    assert codes(good, D(2025, 12, 10)) == [found["R11-unpublished"]]  # not yet overdue


def test_without_a_ledger_there_is_nothing_to_measure(good: Path) -> None:
    assert codes(good) == []


def test_timings_taken_from_the_last_build_are_those_made_afresh(
        good: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given the last build's timings and the records changed since, only the changed
    decisions' versions are looked up again, and the timings are those made afresh: after
    a new decision, before and after `gongshi publish` records it."""
    from generator import timeliness
    from generator.changes import State, since
    from tests.repo import run

    project = init_repo(good, "2025-06-12")
    as_of = dt.date(2026, 11, 27)
    looked_up: list[str] = []
    real = timeliness.versions_of

    def noting(histories: object, record: Decision) -> object:
        looked_up.append(record.id)
        return real(histories, record)  # type: ignore[arg-type]

    def now() -> tuple[list[timeliness.Timing], State | None, timeliness.Kept]:
        portal, _ = check(Project(project), as_of)
        ledger = Ledger.read(project)
        kept: timeliness.Kept = {}
        return (timeliness.publications(portal, ledger, kept=kept),
                State.of(portal, ledger, as_of), kept)

    _, then, kept = now()
    monkeypatch.setattr(timeliness, "versions_of", noting)
    text = (project / "content/decisions/2025/d1.yml").read_text(encoding="utf-8")
    (project / "content/decisions/2025/d9.yml").write_text(
        text.replace("id: d1", "id: d9").replace("〔2025〕1号", "〔2025〕9号"), encoding="utf-8")
    for step in ("added", "published"):
        if step == "published":
            code, _, err = run("publish", "--project", str(project), "--date", "2025-06-23")
            assert code == 0, err
        portal, _ = check(Project(project), as_of)
        ledger = Ledger.read(project)
        afresh = timeliness.publications(portal, ledger)
        looked_up.clear()
        renewed: timeliness.Kept = {}
        state = State.of(portal, ledger, as_of)
        timings = timeliness.publications(portal, ledger, kept, since(then, state), renewed)
        assert timings == afresh and looked_up == ["d9"]
        assert renewed == {t.decision.id: (t.published, t.limit, t.deadline, t.used) for t in afresh}
        kept, then = renewed, state  # the next step starts from this one
    assert [t.published for t in timings if t.decision.id == "d9"] == [dt.date(2025, 6, 23)]


def test_timings_by_id_are_found_as_a_dict_finds_them() -> None:
    """`ById` finds a decision's timing by bisection of the timings in id order, and makes a
    dict of them once asked for many: the same timings either way, none for a missing id."""
    from generator.timeliness import ById
    from tests.conftest import DEMO_AS_OF, ROOT

    portal, _ = check(Project(ROOT), DEMO_AS_OF)
    timings = publications(portal, Ledger.read(ROOT))
    by_dict = {timing.decision.id: timing for timing in timings}
    assert len(by_dict) > 10
    found = ById(timings)
    for name in [*sorted(by_dict, reverse=True), "", "zzz", "d0"] * 3:  # bisected, then the dict
        assert found.get(name) is by_dict.get(name)
    assert found._all is not None and list(found) == list(by_dict) and len(found) == len(by_dict)
    fresh = ById(timings)
    assert fresh[timings[3].decision.id] is timings[3] and fresh._all is None
    with pytest.raises(KeyError):
        fresh["no such decision"]
