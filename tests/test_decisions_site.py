"""Browsing decisions: by year, body, region, type, outcome and officer, 50 a page.

Two sites: a fixture tree (tests/sitehelpers.py plus the cases below: a county and a province
body, a withdrawn, a corrected, an expired and a renamed decision, an unknown outcome
category, 61+ decisions in one year) and the demo authority.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import textwrap
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import yaml
from bs4 import BeautifulSoup, Tag

from generator.loader import load
from generator.model import Decision
from generator.portal import Portal
from generator.render import build_site
from generator.render.decision_lists import numbers, parts
from generator.render.facets import (
    OUTCOME_SLUGS,
    TYPE_SLUGS,
    region_ancestors,
    region_scope,
    slug,
)
from generator.render.listing import PER_PAGE, page_window
from generator.settings import load_settings
from tests.artifacts import artifact
from tests.conftest import DEMO_AS_OF, ROOT, serving
from tests.sitehelpers import AS_OF, PERSON, SCRIPT, write_content

# --- the fixture tree ----------------------------------------------------------------------

BODY = """
    id: {id}
    name: {name}
    kind: 行政机关
    parent: {parent}
    region_code: '{code}'
    region_name: {region}
    uscc: {uscc}
    head: 周全
    address: 示例路1号
    phone: 0999-22223333
    office_hours: 工作日 9:00-17:00
    supervision:
      - channel: 电话
        value: '12333'
"""

DECISION = """
    id: {id}
    {former}document_number: 东人社{n}号
    type: {type}
    body: {body}
    power: overtime
    party:
      name: 东湖{n}有限公司
      kind: 法人及非法人组织
      uscc: 91990100MA00000001
      legal_representative: 钱多
    facts: 事实{id}。
    articles_applied: ['lir#第二十五条']
    discretion:
      level: 一般
    outcome:
      categories: {categories}
      content: 处理{id}
    decision_date: {date}
    officers: [wang, li]
    publicity_end: {end}
"""

CORRECTION = """
    id: {id}
    record: decisions/{record}
    kind: {kind}
    {cause}reason: {reason}
    requested_by: wang
    requested_on: 2025-05-01
    review:
      reviewer: li
      date: 2025-05-02
      outcome: 批准
      note: 同意
"""

WITHDRAWN, CORRECTED, EXPIRED, RENAMED, FORMER = "w-001", "k-001", "x-001", "r-001", "r-old"
STEPPED = "s-001"
"""A decision with 办理过程, recorded out of the procedure's order."""
APPEAL = """
    id: {id}
    decision: {decision}
    kind: {kind}
    organ: {organ}
    filed_on: {filed_on}
    result: {result}
    {concluded}document_number: '{number}'
    note: '{note}'
"""
APPEAL_NOTE = f"申请人{PERSON}认为加班系自愿{SCRIPT}，复议机关决定维持。"
WITHDRAWAL_REASON = "本决定已被东湖市人民政府行政复议决定撤销。"
UNKNOWN_CATEGORY = "训诫"


def _decision(id: str, n: int, *, type: str = "行政处罚", body: str = "city",
              categories: str = "[罚款]", date: str = "2025-03-01", end: str = "2028-12-31",
              former: str = "") -> tuple[str, str]:
    text = DECISION.format(id=id, n=n, type=type, body=body, categories=categories, date=date,
                           end=end, former=f"former_ids: [{former}]\n    " if former else "")
    return f"decisions/{date[:4]}/{id}.yml", text


FIXTURE: dict[str, str] = dict([
    ("bodies/province.yml", BODY.format(id="province", name="示例省人力资源和社会保障厅",
                                        parent="null", code="990000", region="示例省",
                                        uscc="11990000MB0000009X")),
    ("bodies/county.yml", BODY.format(id="county", name="青山县人力资源和社会保障局",
                                      parent="city", code="990122", region="东湖市青山县",
                                      uscc="11990122MB0000005X")),
    _decision("p-001", 901, type="行政许可", body="province", categories="[准予许可]"),
    _decision("c-001", 902, type="行政检查", body="county", categories="[未发现违法]",
              date="2025-04-02"),
    _decision("c-002", 903, type="行政检查", body="county", categories="[责令改正, 警告]",
              date="2024-11-05"),
    _decision("c-003", 904, body="county", categories=f"[{UNKNOWN_CATEGORY}, 罚款]",
              date="2025-02-03"),
    _decision(WITHDRAWN, 905, date="2025-04-20"),
    _decision(CORRECTED, 906, date="2025-04-21"),
    _decision(EXPIRED, 907, date="2024-03-01", end="2025-06-01"),
    _decision(RENAMED, 908, date="2025-04-22", former=FORMER),
    (f"decisions/2025/{STEPPED}.yml", _decision(STEPPED, 909, date="2025-05-06")[1] + """
    steps:
      - {step: close, date: 2025-05-06}
      - {step: open, date: 2025-03-03}
      - {step: hearing, date: 2025-04-21}
    """),
    # d-001 (tests/sitehelpers.py) has a natural person as party. The ids sort the other way
    # round from the filing dates: the page orders by filing date.
    ("appeals/d-001-a-ss.yml", APPEAL.format(
        id="d-001-a-ss", decision="d-001", kind="行政诉讼", organ="东湖市东湖区人民法院",
        filed_on="2025-05-10", result="审理中", concluded="", number="", note="正在一审审理中。")),
    ("appeals/d-001-b-fy.yml", APPEAL.format(
        id="d-001-b-fy", decision="d-001", kind="行政复议", organ="东湖市人民政府",
        filed_on="2025-03-01", result="维持", concluded="concluded_on: 2025-04-20\n    ",
        number="东政复决字〔2025〕1号", note=APPEAL_NOTE)),
    ("appeals/w-001-fy.yml", APPEAL.format(
        id="w-001-fy", decision=WITHDRAWN, kind="行政复议", organ="东湖市人民政府",
        filed_on="2025-04-25", result="撤销", concluded="concluded_on: 2025-05-01\n    ",
        number="东政复决字〔2025〕9号", note="复议机关决定撤销原处罚决定。")),
    ("corrections/w-001-withdraw.yml", CORRECTION.format(
        id="w-001-withdraw", record=WITHDRAWN, kind="撤回", cause="cause: 撤销\n    ",
        reason=WITHDRAWAL_REASON)),
    ("corrections/k-001-fix.yml", CORRECTION.format(
        id="k-001-fix", record=CORRECTED, kind="更正", cause="", reason="当事人名称录入有误。")),
])


@pytest.fixture(scope="module")
def fixture_tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Portal, Path]:
    """The fixture content, loaded, and built into a site folder (one mkdocs run)."""
    root = tmp_path_factory.mktemp("decisions-site")
    content = write_content(root)
    for name, text in FIXTURE.items():
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    portal, report = load(content)
    assert not [p for p in report if p.severity == "error"], [p.describe() for p in report]
    site_dir = root / "site"
    site_dir.mkdir()
    build_site(portal, load_settings(ROOT), AS_OF, ROOT, site_dir)
    return portal, site_dir


@pytest.fixture(scope="module")
def fixture_site(fixture_tree: tuple[Portal, Path]) -> Path:
    return fixture_tree[1]


@pytest.fixture(scope="module")
def fixture_public(fixture_tree: tuple[Portal, Path]) -> list[Decision]:
    """The fixture's public decisions, worked out here without the renderer's code."""
    portal = fixture_tree[0]
    hidden = {WITHDRAWN, EXPIRED}
    assert {d.id for d in portal.decisions.values() if d.publicity_end < AS_OF} == {EXPIRED}
    return [d for d in portal.decisions.values() if d.id not in hidden]


def _page(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url.strip("/") / "index.html").read_text("utf-8"),
                         "html.parser")


def _walk(site: Path, folder: str) -> list[list[str]]:
    """The decision ids on each page of a list, following its 下一页 links from the first page;
    checks each page's pager on the way: 上一页 goes back where it came from, 首页 to the
    first page, 尾页 to the page 下一页 ends on, and the page says which days it shows."""
    pages: list[list[str]] = []
    url = folder.strip("/") + "/"
    came_from = None
    last = None
    while True:
        soup = _page(site, url)
        rows = soup.select("article table.gs-list tbody tr td:first-child a")
        pages.append([a["href"].rstrip("/").rsplit("/", 1)[-1] for a in rows])
        pager = soup.select_one("article nav.gs-pager")
        if pager is None:
            assert len(pages) == 1, url
            return pages
        links = {a.get_text(): urljoin("/" + url, a["href"]).strip("/") + "/"
                 for a in pager.find_all("a")}
        days = _decision_dates(soup)  # oldest first
        shown = pager.select_one("strong[aria-current=page]")
        assert shown is not None and shown.get_text() == (
            days[0] if days[0] == days[-1] else f"{days[0]}至{days[-1]}"), url
        if came_from is None:
            assert "上一页" not in links and "首页" not in links, url
            assert "共" in soup.select_one("article p").get_text(), url
        else:
            assert links["上一页"] == came_from and links["首页"] == folder + "/", url
            assert url.startswith(f"{folder}/page-"), url
        if "下一页" not in links:
            assert url == last, url
            return pages
        last = links["尾页"]
        came_from, url = url, links["下一页"]


def _decision_dates(soup: BeautifulSoup) -> list[str]:
    """The 决定日期 of a list page's rows, as shown (2025年3月2日), sortable as dates."""
    shown = [td.get_text()
             for td in soup.select("article table.gs-list tbody td[data-label=决定日期]")]
    return [day for _, day in sorted((dt.datetime.strptime(day, "%Y年%m月%d日").date(), day)
                                     for day in shown)]


def _expected(public: list[Decision], portal: Portal) -> dict[str, dict[str, set[str]]]:
    """For each facet folder, each value's decision ids, from the records alone."""
    codes = {b.region_code for b in portal.bodies.values()}
    result: dict[str, dict[str, set[str]]] = {f: {} for f in
                                              ("body", "region", "type", "outcome", "officer")}

    def add(facet: str, key: str, decision: Decision) -> None:
        result[facet].setdefault(key, set()).add(decision.id)

    for d in public:
        add("body", d.body, d)
        for code in codes:
            if portal.bodies[d.body].region_code.startswith(region_scope(code)):
                add("region", code, d)
        add("type", TYPE_SLUGS[d.type], d)
        for category in d.outcome.categories:
            add("outcome", slug(category, OUTCOME_SLUGS), d)
        for officer in d.officers:
            add("officer", officer, d)
    for d in public:
        result.setdefault("year", {}).setdefault(str(d.decision_date.year), set()).add(d.id)
    return result


# --- the fixture site ---------------------------------------------------------------------


def test_every_list_pages_its_decisions_50_at_most_each_exactly_once(
        fixture_tree: tuple[Portal, Path], fixture_public: list[Decision]) -> None:
    portal, site = fixture_tree
    for facet, values in _expected(fixture_public, portal).items():
        base = "decisions" if facet == "year" else f"decisions/{facet}"
        on_disk = {p.name for p in (site / base).iterdir() if p.is_dir()}
        if facet == "year":
            on_disk = {name for name in on_disk if name.isdigit()}
        assert on_disk == set(values), facet
        for key, ids in values.items():
            pages = _walk(site, f"{base}/{key}")
            assert all(0 < len(page) <= PER_PAGE for page in pages), (facet, key)
            assert len(pages) == math.ceil(len(ids) / PER_PAGE), (facet, key)
            listed = [i for page in pages for i in page]
            assert Counter(listed) == Counter(ids), (facet, key)
            # latest first, over all pages
            dates = [portal.decisions[i].decision_date for i in listed]
            assert dates == sorted(dates, reverse=True), (facet, key)


def test_a_county_decision_is_listed_under_its_city_and_province(fixture_site: Path) -> None:
    for code in region_ancestors("990122"):
        assert "c-001" in [i for page in _walk(fixture_site, f"decisions/region/{code}")
                           for i in page], code
    body_list = _page(fixture_site, "decisions/body/county").select_one("article")
    assert body_list.find("a", string="执法主体信息")["href"] == "../../../bodies/county/"
    soup = _page(fixture_site, "decisions")
    regions = [a.get_text() for a in soup.select("#by-region + ul a")]
    assert regions == ["示例省（990000）", "东湖市（990100）", "东湖市青山县（990122）"]


def test_the_section_page_offers_each_facet_with_counts(
        fixture_tree: tuple[Portal, Path], fixture_public: list[Decision]) -> None:
    portal, site = fixture_tree
    expected = _expected(fixture_public, portal)
    soup = _page(site, "decisions")
    assert f"共{len(fixture_public)}件" in soup.select_one("article").get_text()
    for facet in ("year", "body", "region", "type", "outcome"):
        items = soup.select(f"#by-{facet} + ul li")
        assert len(items) == len(expected[facet]), facet
        for item in items:
            href = item.a["href"].rstrip("/")
            key = href.rsplit("/", 1)[-1]
            assert item.get_text().endswith(f"（{len(expected[facet][key])}件）"), (facet, key)
    # officers are listed from their own pages, not here (there may be thousands)
    assert soup.find(id="by-officer") is None


def test_urls_are_readable_ascii(fixture_site: Path) -> None:
    folders = {p.relative_to(fixture_site / "decisions").as_posix()
               for p in (fixture_site / "decisions").glob("*/*") if p.is_dir()}
    assert {"type/chufa", "type/xuke", "type/jiancha", "outcome/fakuan", "outcome/zhunyu-xuke",
            "outcome/weifaxian-weifa", "outcome/zeling-gaizheng", "outcome/jinggao",
            "body/city", "body/county", "region/990122"} <= folders
    unknown = slug(UNKNOWN_CATEGORY, OUTCOME_SLUGS)
    assert unknown == "c-8bad-8beb" and f"outcome/{unknown}" in folders
    assert _page(fixture_site, f"decisions/outcome/{unknown}").h1.get_text() == \
        f"执法决定：{UNKNOWN_CATEGORY}"
    assert all(folder.isascii() for folder in folders)


def test_withdrawn_and_expired_decisions_are_in_no_list(fixture_site: Path) -> None:
    """No list of decisions anywhere (facets, years, home, body and officer pages) links them;
    the home page's list of latest withdrawals may link the withdrawal notice."""
    listed: set[str] = set()
    for path in fixture_site.rglob("*.html"):
        soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        for table in soup.select("table.gs-list"):
            if table.th is not None and table.th.get_text() == "决定书文号":
                listed.update(a["href"].rstrip("/").rsplit("/", 1)[-1]
                              for a in table.select("a[href*='decisions/']"))
    assert "d-002" in listed and RENAMED in listed
    assert not {WITHDRAWN, EXPIRED} & listed


def test_withdrawn_decision_shows_only_the_notice(fixture_site: Path) -> None:
    article = _page(fixture_site, f"decisions/2025/{WITHDRAWN}").select_one("article")
    assert article.select_one(".gs-badge").get_text() == "已撤回"
    notice = article.select_one(".gs-notice").get_text()
    assert WITHDRAWAL_REASON in notice and "2025年5月2日" in notice and "撤销" in notice
    text = article.get_text()
    assert f"事实{WITHDRAWN}" not in text and "钱多" not in text and "决定内容" not in text


def test_expired_decision_shows_a_stub(fixture_site: Path) -> None:
    article = _page(fixture_site, f"decisions/2024/{EXPIRED}").select_one("article")
    assert article.select_one(".gs-badge").get_text() == "公示期满"
    assert "2025年6月1日届满" in article.select_one(".gs-notice").get_text()
    assert f"事实{EXPIRED}" not in article.get_text()


def test_status_labels(fixture_site: Path) -> None:
    def badge(url: str) -> str:
        return _page(fixture_site, url).select_one("article .gs-status .gs-badge").get_text()

    assert badge("decisions/2025/d-002") == "公示中"
    corrected = _page(fixture_site, f"decisions/2025/{CORRECTED}").select_one("article")
    assert corrected.select_one(".gs-badge").get_text() == "已更正"
    assert corrected.select_one(".gs-status a")["href"] == "#versions"
    versions = [[td.get_text() for td in tr.select("td")]
                for tr in corrected.find(id="versions").find_next("table").select("tbody tr")]
    assert [v[:3] for v in versions] == [["第1版", "—", "首次公示"], ["第2版", "2025年5月2日", "更正"]]
    assert versions[1][3] == "当事人名称录入有误。"
    assert badge(f"decisions/2025/{WITHDRAWN}") == "已撤回"
    assert badge(f"decisions/2024/{EXPIRED}") == "公示期满"


def test_decision_page_shows_every_field_and_links(fixture_site: Path) -> None:
    article = _page(fixture_site, "decisions/2025/c-003").select_one("article")
    rows = {th.get_text(): th.find_next("td") for th in article.select("th[scope=row]")}
    for label in ("决定书文号", "决定类别", "执法主体", "职权事项", "当事人", "统一社会信用代码",
                  "法定代表人（负责人）", "决定日期", "公示截止期", "处罚依据", "裁量阶次",
                  "处理类别", "决定内容"):
        assert label in rows, label
    assert rows["执法主体"].a["href"] == "../../../bodies/county/"
    assert rows["职权事项"].a["href"] == "../../../powers/overtime/"
    assert rows["处罚依据"].a["href"] == "../../../laws/lir/#art-25"
    assert rows["裁量阶次"].a["href"] == "../../../benchmarks/overtime-benchmark/#level-1"
    assert rows["决定类别"].a["href"] == "../../type/chufa/"
    assert [a["href"] for a in rows["处理类别"].select("a")] == [
        "../../outcome/c-8bad-8beb/", "../../outcome/fakuan/"]
    officers = article.find(id="officers").find_next("ul").select("a")
    assert [a["href"] for a in officers] == ["../../../officers/wang/", "../../../officers/li/"]
    assert article.find("a", string="青山县人力资源和社会保障局的全部执法决定")["href"] == \
        "../../body/county/"


def _table_after(article: Tag, heading_id: str) -> list[list[str]]:
    """The header and body rows of the table under a heading, as text."""
    table = article.find(id=heading_id).find_next("table")
    return [[cell.get_text() for cell in row.find_all(["th", "td"])] for row in table.select("tr")]


def test_steps_are_shown_in_the_order_of_the_procedure(fixture_site: Path) -> None:
    article = _page(fixture_site, f"decisions/2025/{STEPPED}").select_one("article")
    assert article.find(id="steps").get_text() == "办理过程"
    # the procedure of the fixture sets no time limits; a step's name is text, never markup
    assert _table_after(article, "steps") == [
        ["环节", "办理日期", "时限"],
        ['立案"]; click', "2025年3月3日", "—"],
        ["听证", "2025年4月21日", "—"],
        ["结案", "2025年5月6日", "—"],
    ]


def _appeals_after(article: Tag) -> list[dict[str, str]]:
    """Each case under 复议诉讼: its fields, label to value, in the order shown."""
    section = article.find(id="appeals").parent
    return [{th.get_text(): th.find_next("td").get_text() for th in table.select("th[scope=row]")}
            for table in section.select("table")]


def test_appeals_are_listed_by_filing_date_with_a_natural_person_masked(
        fixture_site: Path) -> None:
    html = (fixture_site / "decisions/2025/d-001/index.html").read_text("utf-8")
    article = BeautifulSoup(html, "html.parser").select_one("article")
    assert article.find(id="appeals").get_text() == "复议诉讼"
    assert _appeals_after(article) == [
        {"类型": "行政复议", "复议机关/人民法院": "东湖市人民政府", "受理日期": "2025年3月1日",
         "结果": "维持", "结论日期": "2025年4月20日", "文书号": "东政复决字〔2025〕1号",
         "说明": APPEAL_NOTE.replace(PERSON, PERSON[0] + "某")},
        # no document yet: the field is left out
        {"类型": "行政诉讼", "复议机关/人民法院": "东湖市东湖区人民法院", "受理日期": "2025年5月10日",
         "结果": "审理中", "结论日期": "审理中", "说明": "正在一审审理中。"},
    ]
    assert PERSON not in html and SCRIPT not in html and SCRIPT in article.get_text()
    # not part of the printed notice
    assert "gs-noprint" in article.find(id="appeals").parent["class"]


def test_a_withdrawn_decision_shows_no_appeal(fixture_site: Path) -> None:
    article = _page(fixture_site, f"decisions/2025/{WITHDRAWN}").select_one("article")
    assert article.find(id="appeals") is None
    text = article.get_text()
    assert "东政复决字〔2025〕9号" not in text and "复议机关决定撤销原处罚决定" not in text


def test_renamed_decision_keeps_its_old_url(fixture_site: Path) -> None:
    old = fixture_site / f"decisions/2025/{FORMER}/index.html"
    soup = BeautifulSoup(old.read_text("utf-8"), "html.parser")
    assert soup.find("meta", attrs={"http-equiv": "refresh"})["content"] == \
        f"0; url=../{RENAMED}/"
    assert soup.find("link", rel="canonical")["href"] == f"../{RENAMED}/"
    assert "本页已迁移至" in soup.get_text() and soup.a["href"] == f"../{RENAMED}/"


def test_pager_shows_a_window_of_page_numbers() -> None:
    assert page_window(1, 1) == [1]
    assert page_window(1, 3) == [1, 2, 3]
    assert page_window(1, 2000) == [1, 2, 3, None, 2000]
    assert page_window(1000, 2000) == [1, None, 998, 999, 1000, 1001, 1002, None, 2000]
    assert page_window(2000, 2000) == [1, None, 1998, 1999, 2000]


def _listing(count: int) -> list[Decision]:
    """`count` decisions, latest first (only their order matters to `parts`)."""
    return [Decision.model_construct(id=f"d{n:04}") for n in range(count, 0, -1)]


def test_list_pages_hold_each_decision_once_and_a_new_one_moves_only_the_first_two() -> None:
    """Pages are numbered from the oldest (render/decision_lists.py): a new decision, the
    latest, leaves every page after the first two as it was, address and decisions."""
    for count in range(0, 5 * PER_PAGE + 2):
        decisions = _listing(count)
        pages = parts(decisions)
        assert [d for page in pages for d in page.decisions] == decisions, count
        assert all(len(page.decisions) <= PER_PAGE for page in pages), count
        assert len(pages[0].decisions) == min(count, PER_PAGE), count
        assert [page.number for page in pages] == [None, *range(len(pages) - 1, 0, -1)], count
        assert numbers(count) == [page.number for page in pages], count  # known without them
        assert len(pages) == max(1, math.ceil(count / PER_PAGE)), count
        grown = parts(_listing(count + 1))  # d{count+1} is the latest
        before = {page.number: [d.id for d in page.decisions] for page in pages[2:]}
        after = {page.number: [d.id for d in page.decisions] for page in grown}
        assert all(after[number] == ids for number, ids in before.items()), count



def test_a_new_decision_leaves_the_older_list_pages_as_they_were(tmp_path: Path) -> None:
    """Built twice, the second time with one more decision, the latest: each list it is in
    changes on its first two pages only; every older page is the same file (issue 8: pages
    numbered from the latest all changed, 3,100 of them at 100,000 decisions)."""
    content = write_content(tmp_path)  # 60 decisions of 2025 by the city's bureau
    more = dict(_decision(f"m-{n:03}", 600 + n, date=f"2025-02-{n % 28 + 1:02}")
                for n in range(60))
    for name, text in more.items():
        (content / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")

    def built(name: str) -> dict[str, bytes]:
        portal, report = load(content)
        assert not [p for p in report if p.severity == "error"], [p.describe() for p in report]
        site_dir = tmp_path / name
        site_dir.mkdir()
        build_site(portal, load_settings(ROOT), AS_OF, ROOT, site_dir)
        return {str(path.relative_to(site_dir)): path.read_bytes()
                for path in site_dir.glob("decisions/**/index.html")}

    before = built("before")
    name, text = _decision("n-001", 999, date="2025-06-29")
    (content / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    after = built("after")
    for folder in ("decisions/2025", "decisions/body/city", "decisions/type/chufa"):
        numbered = sorted(int(found[1]) for path in before
                          if (found := re.fullmatch(rf"{folder}/page-(\d+)/index.html", path)))
        assert len(numbered) >= 2, folder
        pages = [f"{folder}/index.html", *(f"{folder}/page-{n}/index.html" for n in numbered)]
        changed = {path for path in pages if after[path] != before[path]}
        assert changed == {pages[0], pages[-1]}, folder  # the first, and the one after it
        assert "n-001" in after[f"{folder}/index.html"].decode()

# --- the fixture site on a phone -----------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_served(fixture_site: Path) -> Iterator[str]:
    with serving(fixture_site) as url:
        yield url


@pytest.fixture
def fixture_phone(chromium) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    yield context.new_page()
    context.close()


def test_page_two_of_a_year_then_a_decision_on_a_phone(  # type: ignore[no-untyped-def]
        fixture_phone, fixture_served: str) -> None:
    phone = fixture_phone
    phone.goto(fixture_served + "/decisions/")
    phone.locator("#by-year + ul a", has_text="2025年").click()
    phone.wait_for_load_state()
    assert phone.url.endswith("/decisions/2025/")
    rows = phone.locator("article table.gs-list tbody tr")
    assert rows.count() == PER_PAGE
    phone.locator("nav.gs-pager").first.get_by_role("link", name="下一页").click()
    phone.wait_for_load_state()
    assert re.search(r"/decisions/2025/page-\d+/$", phone.url), phone.url
    assert 0 < rows.count() <= PER_PAGE
    pager = phone.locator("nav.gs-pager").first
    assert pager.is_visible() and pager.get_by_role("link", name="上一页").is_visible()
    # the list fits the phone's width: no sideways scrolling of the page itself
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(artifact("decision-list-page-2-phone.png")), full_page=True)
    rows.first.locator("a").first.click()
    phone.wait_for_load_state()
    assert "/decisions/2025/" in phone.url and "page-" not in phone.url
    article = phone.locator("article")
    assert article.locator(".gs-badge").first.is_visible()
    assert "决定书文号" in article.inner_text()
    phone.screenshot(path=str(artifact("decision-from-list-phone.png")), full_page=True)


def test_old_url_of_a_renamed_decision_lands_on_the_new_page(  # type: ignore[no-untyped-def]
        fixture_phone, fixture_served: str) -> None:
    fixture_phone.goto(f"{fixture_served}/decisions/2025/{FORMER}/")
    fixture_phone.wait_for_url(f"**/decisions/2025/{RENAMED}/", timeout=5000)
    assert "东人社908号" in fixture_phone.locator("article h1").inner_text()


# --- the demo site ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def public() -> list[Decision]:
    """The demo's public decisions, worked out from the files: not expired, not withdrawn."""
    portal, _ = load(ROOT / "content")
    withdrawn = {c.record for c in portal.corrections.values()
                 if c.kind == "撤回" and c.review and c.review.outcome == "批准"}
    assert withdrawn == {"decisions/xishan-2025-006"}
    return [d for d in portal.decisions.values()
            if d.publicity_end >= DEMO_AS_OF and d.ref not in withdrawn]


def _listed(site: Path, folder: str) -> list[str]:
    """Every decision linked from all pages of one list, following its pagination."""
    found: list[str] = []
    pages = sorted((site / folder).glob("page-*/index.html"),  # numbered from the oldest
                   key=lambda p: -int(p.parent.name.removeprefix("page-")))
    for page in [site / folder / "index.html", *pages]:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        links = [a["href"] for a in soup.select("article table.gs-list tbody tr td:first-child a")]
        assert len(links) <= PER_PAGE, page
        found += [href.rstrip("/").rsplit("/", 1)[-1] for href in links]
    return found


def test_lists_by_year_type_and_body_hold_each_public_decision_once(
        demo_site: Path, public: list[Decision]) -> None:
    ids = sorted(d.id for d in public)
    for facet in ("type", "body"):
        listed = [i for folder in sorted((demo_site / "decisions" / facet).iterdir())
                  for i in _listed(demo_site, f"decisions/{facet}/{folder.name}")]
        assert sorted(listed) == ids, facet
    years = [i for year in (2025, 2026) for i in _listed(demo_site, f"decisions/{year}")]
    assert sorted(years) == ids


def test_each_facet_value_lists_exactly_its_decisions(demo_site: Path,
                                                      public: list[Decision]) -> None:
    portal, _ = load(ROOT / "content")
    for decision in public[:10]:
        body = portal.bodies[decision.body]
        assert decision.id in _listed(demo_site, f"decisions/body/{decision.body}")
        assert decision.id in _listed(demo_site, f"decisions/type/{TYPE_SLUGS[decision.type]}")
        for category in decision.outcome.categories:
            assert decision.id in _listed(demo_site,
                                          f"decisions/outcome/{slug(category, OUTCOME_SLUGS)}")
        # a county's decision is also listed under its city and its province
        for code in {body.region_code, body.region_code[:4] + "00", body.region_code[:2] + "0000"}:
            if (demo_site / "decisions/region" / code).is_dir():
                assert decision.id in _listed(demo_site, f"decisions/region/{code}")
    province = _listed(demo_site, "decisions/region/990000")
    assert sorted(province) == sorted(d.id for d in public)
    assert region_scope("990122") == "990122" and region_scope("990100") == "9901"


def test_long_lists_are_paginated(demo_site: Path, public: list[Decision]) -> None:
    assert len(public) > PER_PAGE
    assert (demo_site / "decisions/region/990000/page-1/index.html").is_file()
    assert len(_listed(demo_site, "decisions/region/990000")) == len(public)


def test_expired_decisions_are_in_no_list_and_show_a_stub(demo_site: Path) -> None:
    portal, _ = load(ROOT / "content")
    expired = [d for d in portal.decisions.values() if d.publicity_end < DEMO_AS_OF]
    assert expired
    everything = " ".join(p.read_text(encoding="utf-8")
                          for p in (demo_site / "decisions").rglob("index.html")
                          if p.parent.name not in {d.id for d in expired})
    for decision in expired:
        assert f"/{decision.id}/" not in everything
        page = demo_site / f"decisions/{decision.decision_date.year}/{decision.id}/index.html"
        text = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one(
            "article").get_text()
        assert "公示期满" in text and decision.facts[:10] not in text


def test_decision_page_shows_its_status_and_links_the_level(demo_site: Path) -> None:
    soup = BeautifulSoup((demo_site / "decisions/2025/donghu-2025-002/index.html").read_text(
        encoding="utf-8"), "html.parser")
    assert soup.select_one(".gs-badge").get_text() == "公示中"
    level = soup.find("th", string="裁量阶次").find_next("a")
    assert level["href"].endswith("benchmarks/bm-si-registration/#level-4")


def _records(folder: str) -> dict[str, Any]:
    """The demo's records of one type as their YAML says, by id (not through the loader)."""
    records = (yaml.safe_load(path.read_text("utf-8"))
               for path in sorted((ROOT / "content" / folder).rglob("*.yml")))
    return {record["id"]: record for record in records}


def _chinese(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _demo_article(site: Path, decision: dict[str, Any]) -> Tag:
    page = site / f"decisions/{decision['decision_date'].year}/{decision['id']}/index.html"
    return BeautifulSoup(page.read_text("utf-8"), "html.parser").select_one("article")


def _shown(decision: dict[str, Any], withdrawn: set[str]) -> bool:
    return decision["id"] not in withdrawn and decision["publicity_end"] >= DEMO_AS_OF


@pytest.fixture(scope="module")
def withdrawn() -> set[str]:
    return {c["record"].removeprefix("decisions/") for c in _records("corrections").values()
            if c["kind"] == "撤回" and (c.get("review") or {}).get("outcome") == "批准"}


def test_demo_steps_show_what_the_records_say(demo_site: Path, withdrawn: set[str]) -> None:
    procedures, powers = _records("procedures"), _records("powers")
    stepped = [d for d in _records("decisions").values() if d.get("steps")]
    assert {"dhzd-2026-005", "qingshan-2026-003"} <= {d["id"] for d in stepped}
    for decision in stepped:
        assert _shown(decision, withdrawn), decision["id"]
        steps = procedures[powers[decision["power"]]["procedure"]]["steps"]
        order = [step["id"] for step in steps]
        by_id = {step["id"]: step for step in steps}
        done = sorted(decision["steps"], key=lambda s: order.index(s["step"]))
        expected = [[by_id[s["step"]]["name"], _chinese(s["date"]),
                     by_id[s["step"]].get("time_limit") or "—"] for s in done]
        article = _demo_article(demo_site, decision)
        assert _table_after(article, "steps") == [["环节", "办理日期", "时限"], *expected], \
            decision["id"]
    qingshan = _demo_article(demo_site, _records("decisions")["qingshan-2026-003"])
    assert ["决定", "2026年11月6日", "立案之日起60个工作日内"] in _table_after(qingshan, "steps")


def test_demo_appeals_show_what_the_records_say(demo_site: Path, withdrawn: set[str]) -> None:
    decisions = _records("decisions")
    cases: dict[str, list[dict[str, Any]]] = {}
    for appeal in _records("appeals").values():
        cases.setdefault(appeal["decision"], []).append(appeal)
    assert len(cases) >= 3 and "xishan-2025-006" in cases
    for decision_id, appeals in cases.items():
        decision = decisions[decision_id]
        article = _demo_article(demo_site, decision)
        if not _shown(decision, withdrawn):
            continue  # test_demo_withdrawn_decision_shows_no_appeal
        party = decision["party"]
        expected = []
        for appeal in sorted(appeals, key=lambda a: (a["filed_on"], a["id"])):
            note = appeal.get("note", "")
            if party["kind"] == "自然人":
                note = note.replace(party["name"], party["name"][0] + "某")
            fields = {"类型": appeal["kind"], "复议机关/人民法院": appeal["organ"],
                      "受理日期": _chinese(appeal["filed_on"]), "结果": appeal["result"],
                      "结论日期": _chinese(appeal["concluded_on"])
                      if appeal.get("concluded_on") else "审理中",
                      "文书号": appeal.get("document_number", ""), "说明": note}
            expected.append({label: value for label, value in fields.items() if value})
        assert _appeals_after(article) == expected, decision_id


def test_demo_withdrawn_decision_shows_no_appeal(demo_site: Path, withdrawn: set[str]) -> None:
    assert "xishan-2025-006" in withdrawn
    article = _demo_article(demo_site, _records("decisions")["xishan-2025-006"])
    assert article.select_one(".gs-badge").get_text() == "已撤回"
    assert article.find(id="appeals") is None and article.find(id="steps") is None
    text = article.get_text()
    appeal = _records("appeals")["xishan-2025-006-fy"]
    assert appeal["document_number"] not in text and appeal["note"] not in text
    assert "复议诉讼" not in text


def test_demo_sections_appear_only_where_there_is_something_to_show(
        demo_site: Path, withdrawn: set[str]) -> None:
    appealed = {a["decision"] for a in _records("appeals").values()}
    for decision in _records("decisions").values():
        article = _demo_article(demo_site, decision)
        shown = _shown(decision, withdrawn)
        assert (article.find(id="steps") is not None) == (shown and bool(decision.get("steps"))), \
            decision["id"]
        assert (article.find(id="appeals") is not None) == (shown and decision["id"] in appealed), \
            decision["id"]
    plain = _demo_article(demo_site, _records("decisions")["dhzd-2026-003"])
    assert "办理过程" not in plain.get_text() and "复议诉讼" not in plain.get_text()


def test_section_page_offers_every_facet(demo_site: Path) -> None:
    soup = BeautifulSoup((demo_site / "decisions/index.html").read_text(encoding="utf-8"),
                         "html.parser")
    for anchor in ("by-year", "by-body", "by-region", "by-type", "by-outcome"):
        assert soup.find(id=anchor), anchor


def test_paginated_list_on_a_phone(phone, served: str) -> None:  # type: ignore[no-untyped-def]
    phone.goto(served + "/decisions/")
    phone.locator("#by-region ~ ul a").first.click()
    phone.wait_for_load_state()
    assert phone.url.endswith("/decisions/region/990000/")
    rows = phone.locator("article table.gs-list tbody tr")
    assert rows.count() == 50
    # each decision is a card on a phone: nothing scrolls sideways
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert rows.first.evaluate("e => getComputedStyle(e).display") == "block"
    phone.screenshot(path=str(artifact("decision-list-phone.png")), full_page=True)
    phone.locator("nav.gs-pager").first.get_by_role("link", name="下一页").click()
    phone.wait_for_load_state()
    assert re.search(r"/decisions/region/990000/page-\d+/$", phone.url), phone.url
    assert 0 < rows.count() <= 50
    rows.first.locator("a").first.click()
    phone.wait_for_load_state()
    assert "公示状态" in phone.locator("article").inner_text()


def test_renamed_record_redirects(phone, served: str) -> None:  # type: ignore[no-untyped-def]
    phone.goto(served + "/bodies/donghu-zhidui/")
    phone.wait_for_url("**/bodies/donghu-jczd/", timeout=5000)
    assert "东湖市劳动保障监察支队" in phone.locator("article h1").inner_text()


def test_a_former_id_that_is_a_live_page_is_refused(tmp_path: Path) -> None:
    from generator.render import render_pages
    from generator.render.errors import RenderError

    content = write_content(tmp_path)
    path = content / "decisions/2025/d-003.yml"
    path.write_text("former_ids: [d-002]\n" + path.read_text("utf-8"), encoding="utf-8")
    portal, _ = load(content)
    with pytest.raises(RenderError, match="former id 'd-002' is the URL of decisions/d-002"):
        render_pages(portal, load_settings(ROOT), AS_OF, ROOT)


def test_appeals_in_open_data_mask_the_party_and_follow_their_decision(fixture_site: Path) -> None:
    import json

    data = json.loads((fixture_site / "data/appeals.json").read_text("utf-8"))
    assert [i["record"]["id"] for i in data["items"]] == ["d-001-a-ss", "d-001-b-fy"]
    note = next(i["record"]["note"] for i in data["items"] if i["record"]["id"] == "d-001-b-fy")
    assert note == APPEAL_NOTE.replace(PERSON, PERSON[0] + "某")
    for path in [fixture_site / "data/appeals.csv", *(fixture_site / "data/appeals").glob("*")]:
        assert PERSON not in path.read_text("utf-8"), path.name
    assert not (fixture_site / "data/appeals/w-001-fy.json").exists()  # its decision is withdrawn
