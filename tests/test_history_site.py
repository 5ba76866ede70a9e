"""Version history, 更正与撤回 and 公示及时性 on the demo site, against the ledger and the
content files, with working days counted here by chinese-calendar's own `get_workdays`."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import chinese_calendar
import pytest
from bs4 import BeautifulSoup, Tag

from generator.ledger import Ledger
from generator.loader import load
from generator.portal import Portal
from generator.render.urls import page_url, record_src
from tests.conftest import ROOT

CORRECTED, WITHDRAWN = "donghu-2026-002", "xishan-2025-006"


@pytest.fixture(scope="module")
def portal() -> Portal:
    return load(ROOT / "content")[0]


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    return Ledger.read(ROOT)


def article(site: Path, url: str) -> Tag:
    soup = BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")
    found = soup.select_one("article")
    assert found is not None
    return found


def rows(table: Tag) -> list[list[str]]:
    return [[td.get_text(" ", strip=True) for td in tr.select("td")]
            for tr in table.select("tbody tr")]


def date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_every_record_page_has_its_history(demo_site: Path, portal: Portal,
                                           ledger: Ledger) -> None:
    latest = ledger.latest()
    for record in portal.records():
        if not record.has_page:
            continue
        page = article(demo_site, page_url(record_src(record)).strip("/"))
        heading = page.find(id="versions")
        assert heading is not None, record.ref
        first = ledger.history(record.ref)[0].published
        assert date(first) in heading.find_next(["p", "table"]).get_text(), record.ref
        if latest[record.ref].version == 1:
            assert "此后未作更正" in heading.find_next("p").get_text(), record.ref


def test_the_corrected_decision_shows_both_versions(demo_site: Path, portal: Portal) -> None:
    page = article(demo_site, f"decisions/2026/{CORRECTED}")
    assert page.select_one(".gs-badge").get_text() == "已更正"
    assert "2025年12月24日责令其限期改正" in page.get_text()
    fields = {th.get_text(): th.find_next("td").get_text() for th in page.select("th[scope=row]")}
    assert fields["公示日期"] == "2026年3月17日"
    correction = portal.corrections[f"{CORRECTED}-c1"]
    assert rows(page.find(id="versions").find_next("table")) == [
        ["第1版", "2026年3月17日", "首次公示", "—", "—"],
        ["第2版", "2026年3月19日", "更正", correction.reason, "违法事实或主要事实"]]


def test_the_withdrawn_decision_keeps_only_its_notice(demo_site: Path, portal: Portal) -> None:
    decision = portal.decisions[WITHDRAWN]
    page = article(demo_site, f"decisions/2025/{WITHDRAWN}")
    assert page.select_one(".gs-badge").get_text() == "已撤回"
    assert "本决定已于2026年1月22日撤回（撤销）" in page.select_one(".gs-notice").get_text()
    hidden = [decision.facts[:20], decision.party.name, decision.outcome.content[:15]]
    for path in demo_site.rglob("*"):
        if path.suffix not in {".html", ".json", ".xml", ".js"} or "assets" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            text = json.dumps(json.loads(text), ensure_ascii=False)
        text = text.replace("\u200b", "")
        for secret in hidden:
            assert secret not in text, (path, secret)


def test_corrections_page_lists_each_approved_one_newest_first(demo_site: Path,
                                                              portal: Portal) -> None:
    listed = rows(article(demo_site, "corrections").select_one("table"))
    assert [r[:2] for r in listed] == [["2026年3月19日", "更正"], ["2026年1月22日", "撤回"]]
    assert listed[0][2] == f"执法决定： {portal.decisions[CORRECTED].document_number}"
    assert listed[1][3] == portal.corrections[f"{WITHDRAWN}-c1"].reason
    home = BeautifulSoup((demo_site / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert home.find("a", string="全部更正和撤回")["href"] == "corrections/"


def _late(portal: Portal, ledger: Ledger) -> dict[str, tuple[dt.date, int]]:
    """Late decisions worked out here: working days after the decision, up to publication."""
    result = {}
    for decision in portal.decisions.values():
        published = ledger.history(decision.ref)[0].published
        used = len(chinese_calendar.get_workdays(decision.decision_date + dt.timedelta(days=1),
                                                 published))
        allowed = 7 if decision.type in {"行政许可", "行政处罚"} else 20
        if used > allowed:
            result[decision.document_number] = (published, used)
    return result


def test_timeliness_page_against_an_independent_count(demo_site: Path, portal: Portal,
                                                      ledger: Ledger) -> None:
    page = article(demo_site, "timeliness")
    late = _late(portal, ledger)
    assert len(late) == 4
    listed = rows(page.find(id="late").find_next("table"))
    assert {r[0]: (r[4], r[5].split("个")[0]) for r in listed} == {
        number: (date(published), str(used)) for number, (published, used) in late.items()}
    per_year = Counter((portal.bodies[d.body].name, d.decision_date.year)
                       for d in portal.decisions.values())
    late_per_year = Counter((portal.bodies[d.body].name, d.decision_date.year)
                            for d in portal.decisions.values() if d.document_number in late)
    table = rows(page.find(id="by-year").find_next("table"))
    assert {(r[0], int(r[1])): (int(r[2]), int(r[4])) for r in table} == {
        key: (count, late_per_year[key]) for key, count in per_year.items()}
    withdrawals = rows(page.find(id="withdrawals").find_next("table"))
    assert withdrawals == [[portal.decisions[WITHDRAWN].document_number, "2026年1月20日",
                            "2026年1月22日", "2日（按时）"]]
