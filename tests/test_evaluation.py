"""评议考核 as published: the standard, every score and every deduction, checked against an
independent count of the demo's records, and each item shown able to fail."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup

from generator.evaluation import Evaluation, evaluate, load_standard
from generator.ledger import Ledger
from generator.loader import load
from generator.model import Appeal, CaseStep, Decision
from generator.portal import Portal
from generator.settings import SettingsError, load_settings
from tests.conftest import ROOT
from tests.yearly import AS_OF, Demo, expected_scores, failing

YEARS = (2025, 2026)
STANDARD = yaml.safe_load((ROOT / "site_config" / "evaluation.yml").read_text(encoding="utf-8"))
NAMES = {item["key"]: item["name"] for item in STANDARD["items"]}


@pytest.fixture(scope="module")
def demo() -> Demo:
    return Demo.read()


def _page(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def test_the_standard_is_published_in_full(demo_site: Path) -> None:
    soup = _page(demo_site, "evaluation")
    table = soup.select_one("article table")
    rows = [[c.get_text(strip=True) for c in tr.find_all(["th", "td"])]
            for tr in table.tbody.find_all("tr")]
    assert rows == [[i["name"], str(i["points"]), str(i["deduction"]), " ".join(i["standard"].split())]
                    for i in STANDARD["items"]]
    assert sum(int(r[1]) for r in rows) == 100


@pytest.mark.parametrize("year", YEARS)
def test_scores_equal_an_independent_count(demo_site: Path, demo: Demo, year: int) -> None:
    names = demo.body_names()
    expected = expected_scores(demo, year)
    soup = _page(demo_site, f"evaluation/{year}")
    shown = {}
    for heading in soup.select("article h2[id]"):
        name, _, score = heading.get_text(strip=True).rpartition("：")
        shown[heading["id"]] = int(score.removesuffix("分"))
        assert name == names[heading["id"]]
    assert shown == expected
    overview = soup.select_one("table.gs-scores")
    totals = {tr.th.get_text(strip=True): int(tr.find("strong").get_text())
              for tr in overview.tbody.find_all("tr")}
    assert totals == {names[b]: s for b, s in expected.items()}
    rows = list(csv.DictReader(io.StringIO(
        (demo_site / "evaluation" / "evaluation.csv").read_text(encoding="utf-8-sig"))))
    assert {r["执法主体标识"]: int(r["总分"]) for r in rows if r["年度"] == str(year)} == expected


@pytest.mark.parametrize("year", YEARS)
def test_every_deduction_links_to_its_decision(demo_site: Path, demo: Demo, year: int) -> None:
    decisions = {d["id"]: d for d in demo.decisions}
    expected = {(body, NAMES[item], frozenset(ids_))
                for (body, item), ids_ in failing(demo, year).items()}
    soup = _page(demo_site, f"evaluation/{year}")
    shown: dict[tuple[str, str], set[str]] = {}
    for heading in soup.select("article h2[id]"):
        table = heading.find_next("table")
        failed = {}
        for tr in table.tbody.find_all("tr"):
            cells = [td.get_text(strip=True) for td in tr.find_all("td")]
            points, lost, score = (int(c) for c in cells[:3])
            assert score == points - lost
            failed[tr.th.get_text(strip=True)] = 0 if cells[3] == "—" else int(cells[3][:-1])
            assert (lost == 0) == (failed[tr.th.get_text(strip=True)] == 0)
        details = heading.find_next("p").find("a", string=re.compile("^扣分明细"))
        assert (details is None) == (sum(failed.values()) == 0), heading["id"]
        if details is None:
            continue
        page = _page(demo_site, f"evaluation/{year}/{details['href']}".rstrip("/"))
        for tr in page.select("article table tbody tr"):
            a = tr.find("a")
            decision_id = a["href"].rstrip("/").rsplit("/", 1)[-1]
            assert a.get_text() == decisions[decision_id]["document_number"]
            target = (demo_site / f"evaluation/{year}/{details['href']}" / a["href"]
                      / "index.html").resolve()
            assert target.is_file(), a["href"]
            shown.setdefault((heading["id"], tr.th.get_text(strip=True)), set()).add(decision_id)
        for item, count in failed.items():
            assert len(shown.get((heading["id"], item), set())) == count
    assert {(body, item, frozenset(ids_)) for (body, item), ids_ in shown.items()} == expected
    assert expected, "the demo should show deductions"


def test_deductions_say_why(demo_site: Path) -> None:
    def text(url: str) -> str:
        return _page(demo_site, url).select_one("article").get_text(" ", strip=True)

    assert "西山市人民政府行政复议撤销（西政复决字〔2026〕3号）" in text("evaluation/2025/xishan-rsj")
    assert "决定后第10个工作日公示，超过7个工作日的时限" in text("evaluation/2025/qingshan-rsj")
    later = text("evaluation/2026/qingshan-rsj")
    assert "“决定”在立案之日起第75个工作日办理，超过60个工作日的时限" in later
    assert not (demo_site / "evaluation/2025/sheng-rst").exists()  # no deduction, no page


def test_without_a_ledger_timeliness_is_not_judged(portal: Portal) -> None:
    from generator.ledger import Ledger as EmptyLedger

    results = evaluate(portal, EmptyLedger(ROOT / "none.jsonl", []), load_standard(ROOT), 2025,
                       sorted(portal.bodies), AS_OF)
    assert results and not [d for e in results for d in e.deductions if d.item == "timeliness"]


# --- each item can fail -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def portal() -> Portal:
    return load(ROOT / "content")[0]


def _evaluate(portal: Portal, decision: Decision, **extra: Any) -> Evaluation:
    changed = Portal(**{**portal.__dict__, "decisions": {**portal.decisions, decision.id: decision},
                        **extra})
    year = decision.decision_date.year
    (result,) = [e for e in evaluate(changed, Ledger.read(ROOT), load_standard(ROOT), year,
                                     [decision.body], AS_OF)]
    return result


def _lost(result: Evaluation, decision: Decision) -> dict[str, tuple[str, ...]]:
    return {d.item: d.reasons for d in result.deductions if d.decision.id == decision.id}


def _change(portal: Portal, decision_id: str, **update: Any) -> Decision:
    return portal.decisions[decision_id].model_copy(update=update)


def test_demo_decision_passes_every_item(portal: Portal) -> None:
    decision = portal.decisions["donghu-2025-002"]
    assert _lost(_evaluate(portal, decision), decision) == {}


@pytest.mark.parametrize(("update", "item", "reason"), [
    ({"officers": ["dh-zhang-haitao"]}, "qualification", "持有效执法证的执法人员1名，少于两名"),
    ({"decision_date": dt.date(2019, 2, 1)}, "qualification", "在决定日期无效"),
    ({"power": "xk-dispatch"}, "basis", "均不是职权“劳务派遣经营许可”的设定依据"),
    ({"decision_date": dt.date(2010, 2, 1)}, "basis", "在决定日期不在有效期内"),
    ({"legal_review": None}, "review", "重大执法决定未经法制审核"),
    ({"discretion": None}, "completeness", "裁量阶次"),
])
def test_each_item_can_fail(portal: Portal, update: dict[str, Any], item: str, reason: str) -> None:
    decision = _change(portal, "donghu-2025-002", **update)
    lost = _lost(_evaluate(portal, decision), decision)
    assert item in lost and any(reason in r for r in lost[item]), lost


def test_authority_fails_for_a_power_the_body_does_not_hold(portal: Portal) -> None:
    decision = _change(portal, "xszx-2025-002", power="xk-dispatch")
    lost = _lost(_evaluate(portal, decision), decision)
    assert any("权责清单中没有" in r for r in lost["authority"])


def test_procedure_fails_out_of_order_and_late(portal: Portal) -> None:
    day = dt.date(2025, 2, 17)
    steps = [CaseStep(step="li-an", date=day), CaseStep(step="gao-zhi", date=day - dt.timedelta(3)),
             CaseStep(step="jue-ding", date=day + dt.timedelta(120))]
    decision = _change(portal, "donghu-2025-002", steps=steps)
    reasons = _lost(_evaluate(portal, decision), decision)["procedure"]
    assert any("与程序顺序不符" in r for r in reasons)
    assert any("超过60个工作日的时限" in r for r in reasons)
    on_time = _change(portal, "donghu-2025-002",
                      steps=[steps[0], CaseStep(step="jue-ding", date=day + dt.timedelta(30))])
    assert "procedure" not in _lost(_evaluate(portal, on_time), on_time)


def test_litigation_counts_reversals_only(portal: Portal) -> None:
    decision = portal.decisions["donghu-2025-002"]
    upheld = _lost(_evaluate(portal, decision), decision)
    assert "litigation" not in upheld  # the demo's review of it ended in 维持
    revoked = Appeal(id="x", decision=decision.id, kind="行政诉讼", organ="东湖市中级人民法院",
                     filed_on=dt.date(2025, 6, 1), result="确认违法",
                     concluded_on=dt.date(2025, 9, 1))
    lost = _lost(_evaluate(portal, decision, appeals={**portal.appeals, "x": revoked}), decision)
    assert lost["litigation"] == ("东湖市中级人民法院行政诉讼确认违法",)


def test_a_deduction_costs_its_points_up_to_the_item(portal: Portal) -> None:
    decisions = [d for d in portal.decisions.values()
                 if d.body == "donghu-rsj" and d.decision_date.year == 2025]
    changed = {d.id: d.model_copy(update={"officers": d.officers[:1]}) for d in decisions}
    result = evaluate(Portal(**{**portal.__dict__, "decisions": {**portal.decisions, **changed}}),
                      Ledger.read(ROOT), load_standard(ROOT), 2025, ["donghu-rsj"], AS_OF)[0]
    item = next(i for i in result.items if i.item.key == "qualification")
    assert len(item.deductions) == len(decisions) and item.lost == item.item.points == 10
    assert item.score == 0 and result.score == 90


# --- the standard file ----------------------------------------------------------------------------


def _project_with(tmp_path: Path, text: str) -> Path:
    (tmp_path / "site_config").mkdir()
    (tmp_path / "site_config" / "portal.yml").write_text(
        (ROOT / "site_config" / "portal.yml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "site_config" / "evaluation.yml").write_text(text, encoding="utf-8")
    return tmp_path


def test_standard_points_must_add_up_to_100(tmp_path: Path) -> None:
    text = (ROOT / "site_config" / "evaluation.yml").read_text(encoding="utf-8")
    project = _project_with(tmp_path, text.replace("points: 15", "points: 16", 1))
    with pytest.raises(SettingsError, match=r"evaluation\.yml.*add up to 101, not 100"):
        load_settings(project)


def test_standard_cannot_invent_or_drop_items(tmp_path: Path) -> None:
    text = (ROOT / "site_config" / "evaluation.yml").read_text(encoding="utf-8")
    project = _project_with(tmp_path, text.replace("key: litigation", "key: attitude"))
    with pytest.raises(SettingsError, match="missing: litigation; unknown or repeated: attitude"):
        load_settings(project)


def test_build_without_a_standard_says_so(tmp_path: Path) -> None:
    (tmp_path / "site_config").mkdir()
    (tmp_path / "site_config" / "portal.yml").write_text(
        (ROOT / "site_config" / "portal.yml").read_text(encoding="utf-8"), encoding="utf-8")
    assert load_settings(tmp_path).evaluation is None


def test_standard_that_is_not_yaml_names_its_line(tmp_path: Path) -> None:
    project = _project_with(tmp_path, "title: 评议考核\nitems:\n  - key: [unclosed\n")
    with pytest.raises(SettingsError, match=r"evaluation\.yml:\d+: not valid YAML"):
        load_settings(project)


def test_evaluations_made_in_another_process_name_this_processs_decisions(
        portal: Portal, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build evaluates in a forked process (generator.parallel.Forked, with the
    decisions `shared`): its deductions come back naming the build's own decisions."""
    from generator import parallel

    monkeypatch.setattr(parallel, "workers", lambda: 2)
    late = _change(portal, "donghu-2025-002", legal_review=None)
    changed = Portal(**{**portal.__dict__, "decisions": {**portal.decisions, late.id: late}})
    year = late.decision_date.year

    def evaluated() -> dict[int, list[Evaluation]]:
        return {year: evaluate(changed, Ledger.read(ROOT), load_standard(ROOT), year,
                               sorted(changed.bodies), AS_OF)}

    made = evaluated()
    forked = parallel.Forked(evaluated, shared=changed.decisions)
    assert forked._pid is not None  # made in another process
    back = forked.result()
    assert back == made
    deductions = [d for e in back[year] for d in e.deductions]
    assert deductions
    assert all(d.decision is changed.decisions[d.decision.id] for d in deductions)


def test_kept_evaluations_are_those_made_afresh_and_only_a_changed_year_is_judged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build keeps each body's evaluation for a year under a digest of what it is judged
    from: the next judges again only a body's year whose decisions changed (issue 8)."""
    import shutil

    from generator import evaluation
    from generator.evaluation import CACHE_FILE, evaluate_years

    project = tmp_path / "demo"
    shutil.copytree(ROOT / "content", project / "content")
    shutil.copytree(ROOT / "site_config", project / "site_config")
    shutil.copy(ROOT / "ledger.jsonl", project / "ledger.jsonl")
    standard = load_standard(project)
    judged: list[tuple[int, str]] = []
    real = evaluation._evaluation

    def judging(case: object, standard: object, year: int, body: str,
                decisions: list[Decision]) -> Evaluation:
        judged.append((year, body))
        return real(case, standard, year, body, decisions)  # type: ignore[arg-type]

    monkeypatch.setattr(evaluation, "_evaluation", judging)

    def both() -> dict[int, list[Evaluation]]:
        portal, _ = load(project / "content")
        ledger = Ledger.read(project)
        years = sorted({d.decision_date.year for d in portal.decisions.values()})
        afresh = evaluate_years(portal, ledger, standard, years, sorted(portal.bodies), AS_OF)
        judged.clear()
        kept = evaluate_years(portal, ledger, standard, years, sorted(portal.bodies), AS_OF,
                              cache=project / CACHE_FILE)
        assert kept == afresh
        return kept

    first = both()
    assert len(judged) == sum(map(len, first.values())) > 3
    assert any(e.deductions for year in first.values() for e in year)  # kept with reasons
    both()
    assert judged == []
    path = next((project / "content/decisions").rglob("donghu-2025-002.yml"))
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert record.pop("legal_review")
    path.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    after = both()
    assert judged == [(2025, record["body"])]
    assert any("重大执法决定未经法制审核" in d.reasons for e in after[2025] for d in e.deductions)


def test_a_rebuild_judges_again_only_the_new_decision_s_body_and_year(tmp_path: Path) -> None:
    """A rebuild takes the last build's evaluations for every body's year but those whose
    decisions changed, without looking at the others' decisions: a new decision has its
    body's year judged again, no other, and the evaluation pages are a clean build's."""
    import shutil

    from generator.build import Project, build, publish

    project = tmp_path / "demo"
    for folder in ("content", "site_config"):
        shutil.copytree(ROOT / folder, project / folder)
    for name in ("ledger.jsonl", "mkdocs.yml"):
        shutil.copy(ROOT / name, project / name)
    build(Project(project), AS_OF)
    source = project / "content/decisions/2025/donghu-2025-002.yml"
    source.with_name("donghu-2025-900.yml").write_text(
        source.read_text(encoding="utf-8").replace("id: donghu-2025-002", "id: donghu-2025-900")
        .replace("〔2025〕1号", "〔2025〕900号"), encoding="utf-8")
    publish(Project(project), dt.date(2026, 11, 20))
    log = tmp_path / "judged.txt"  # written by the process that evaluates
    from generator import evaluation

    real = evaluation._Kept.evaluation

    def looked_at(kept: Any, year: int, body: str, decisions: list[Decision]) -> Evaluation:
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"{year} {body}\n")
        return real(kept, year, body, decisions)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(evaluation._Kept, "evaluation", looked_at)
        build(Project(project), AS_OF)
    body = yaml.safe_load(source.read_text(encoding="utf-8"))["body"]
    assert log.read_text(encoding="utf-8").splitlines() == [f"2025 {body}"]
    clean = tmp_path / "clean"
    shutil.copytree(project, clean, ignore=shutil.ignore_patterns(".gongshi", "site"))
    build(Project(clean), AS_OF)
    made = {path.relative_to(project / "site"): path.read_bytes()
            for path in (project / "site/evaluation").rglob("*") if path.is_file()}
    fresh = {path.relative_to(clean / "site"): path.read_bytes()
             for path in (clean / "site/evaluation").rglob("*") if path.is_file()}
    assert made == fresh and len(made) > 3


def test_what_the_next_build_takes_keeps_the_last_build_s_but_the_dirty_ones(
        portal: Portal) -> None:
    """A rebuild keeps for the next what it took from the last build as the last build kept
    it, and the evaluations of the dirty bodies' years as made now: the same as kept afresh."""
    from generator import evaluation

    standard, ledger = load_standard(ROOT), Ledger.read(ROOT)
    made = evaluation.evaluate_years(portal, ledger, standard, [2025, 2026],
                                     sorted(portal.bodies), AS_OF)
    afresh = evaluation.before(standard, True, made)
    groups = list(afresh.evaluations)
    assert len(groups) > 2
    dirty, clean = groups[0], groups[1]
    wrong = {**afresh.evaluations, dirty: (0, ()), clean: tuple(afresh.evaluations[clean])}
    since = evaluation.Since(evaluation.Before(afresh.standard, wrong), frozenset({dirty}), {})
    kept = evaluation.before(standard, True, made, since)
    assert kept == afresh
    assert kept.evaluations[clean] is wrong[clean]  # taken as the last build kept it
    assert kept.evaluations[dirty] != wrong[dirty]
    other = evaluation.before(standard, False, made, since)  # made with another standing
    assert other.evaluations[clean] is not wrong[clean] and other.evaluations == afresh.evaluations
