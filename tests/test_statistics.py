"""年度执法数据 as a reader and a submitting clerk get it: the pages, the CSV and
`gongshi report`, every figure checked against an independent count of the demo's YAML."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.conftest import ROOT
from tests.repo import run
from tests.yearly import AS_OF, Demo, expected_outcomes, expected_row

YEARS = (2025, 2026)


@pytest.fixture(scope="module")
def demo() -> Demo:
    return Demo.read()


def _csv(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the BOM to read Chinese"
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def _page(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def _table(soup: BeautifulSoup, table_id: str) -> dict[str, dict[str, str]]:
    """A table as {first cell: {header: cell}}, body and footer rows."""
    table = soup.find("table", id=table_id)
    assert table is not None, table_id
    headers = [th.get_text(strip=True) for th in table.thead.find_all("th")]
    rows = {}
    for tr in table.find_all("tr")[1:]:
        cells = [c.get_text(strip=True) for c in tr.find_all(["th", "td"])]
        rows[cells[0]] = dict(zip(headers[1:], cells[1:], strict=True))
    return rows


@pytest.mark.parametrize("year", YEARS)
def test_year_csv_equals_an_independent_count(demo_site: Path, demo: Demo, year: int) -> None:
    rows = _csv(demo_site / "statistics" / f"{year}.csv")
    assert [r["执法主体标识"] for r in rows[:-1]] and rows[-1]["执法主体"] == "全部执法主体"
    assert {r["执法主体标识"] for r in rows[:-1]} == set(demo.body_names())
    for row in rows:
        body = row.pop("执法主体标识") or None
        assert row.pop("年度") == str(year)
        name = row.pop("执法主体")
        assert row == expected_row(demo, year, body), name


def test_the_demo_has_every_kind_of_figure(demo: Demo) -> None:
    """The comparison means something only when the figures are not all zeros."""
    figures = expected_row(demo, 2025, None)
    assert figures["行政征用"] == "无此职权" and int(figures["行政处罚"]) > 10
    assert int(figures["逾期公示"]) >= 1 and figures["被纠错"] == "1"
    assert int(expected_row(demo, 2026, None)["撤回"]) == 1
    assert expected_row(demo, 2025, "xishan-jcfwzx")["行政许可"] == "无此职权"
    assert expected_row(demo, 2025, "donghu-rsj")["行政检查"] == "0"


@pytest.mark.parametrize("year", YEARS)
def test_year_page_tables_show_the_count(demo_site: Path, demo: Demo, year: int) -> None:
    soup = _page(demo_site, f"statistics/{year}")
    names = demo.body_names()
    for table_id in ("categories", "figures-table"):
        table = _table(soup, table_id)
        assert set(table) == {*names.values(), "全部执法主体"}
        for body_id, name in [*names.items(), (None, "全部执法主体")]:
            expected = expected_row(demo, year, body_id)
            for header, cell in table[name].items():
                assert cell == expected[header], (table_id, name, header)
    outcomes = _table(soup, "outcomes-table")
    assert {k: int(v["决定件数"]) for k, v in outcomes.items()} == expected_outcomes(demo, year)
    if year == AS_OF.year:
        assert "数据截至2026年11月27日" in soup.get_text()


def test_overview_compares_the_years(demo_site: Path, demo: Demo) -> None:
    soup = _page(demo_site, "statistics")
    table = soup.select_one("table.gs-figures")
    headers = [th.get_text(strip=True) for th in table.thead.find_all("th")]
    assert headers == ["指标", "2025年", "2026年（截至11月27日）"]
    for tr in table.tbody.find_all("tr"):
        label, *cells = [c.get_text(strip=True) for c in tr.find_all(["th", "td"])]
        assert cells == [expected_row(demo, year, None)[label] for year in YEARS], label
    links = {a.get_text(strip=True): a["href"] for a in soup.select("article a")}
    assert links["2025年"] == "2025/" and (demo_site / "statistics" / "2025" / "index.html").exists()


def test_charts_draw_the_numbers_of_the_table(demo_site: Path, demo: Demo) -> None:
    soup = _page(demo_site, "statistics")
    chart = soup.find("figure", id="chart-years")
    svg = chart.find("svg")
    assert svg["role"] == "img" and svg.find("title").get_text()
    values = [t.get_text() for t in svg.select("text.gs-chart-value")]
    expected = []
    for column in ("行政许可", "行政处罚", "行政强制", "行政征收", "行政征用", "行政检查", "其他"):
        for year in YEARS:
            cell = expected_row(demo, year, None)[column]
            expected.append(cell if cell == "无此职权" else f"{cell}件")
    assert values == expected
    # Bars are proportional: the longest bar is the largest count.
    widths = [float(r["width"]) for r in svg.find_all("rect") if r.get("y") and float(r["width"]) > 12]
    assert max(widths) == pytest.approx(420 - 84)
    year_page = _page(demo_site, "statistics/2025").find("figure", id="chart-2025")
    totals = [t.get_text() for t in year_page.select("text.gs-chart-value")]
    assert totals == [f"{expected_row(demo, 2025, b)['执法决定合计']}件"
                      for b in _csv_bodies(demo_site, 2025)]


def _csv_bodies(site: Path, year: int) -> list[str]:
    return [r["执法主体标识"] for r in _csv(site / "statistics" / f"{year}.csv")[:-1]]


def test_long_csv_holds_every_figure_of_every_year(demo_site: Path, demo: Demo) -> None:
    rows = _csv(demo_site / "statistics" / "statistics.csv")
    bodies = len(demo.body_names()) + 1
    assert len(rows) == len(YEARS) * bodies * len(expected_row(demo, 2025, None))
    for row in rows:
        expected = expected_row(demo, int(row["年度"]), row["执法主体标识"] or None)
        assert row["数值"] == expected[row["指标"]], row


def test_report_writes_the_same_figures(tmp_path: Path, demo_site: Path, demo: Demo) -> None:
    code, _, err = run("report", "--year", "2025", "--as-of", AS_OF.isoformat(),
                       "--project", str(ROOT), "--output", str(tmp_path))
    assert code == 0, err
    assert (tmp_path / "annual-2025.csv").read_bytes() == \
        (demo_site / "statistics" / "2025.csv").read_bytes()
    text = (tmp_path / "annual-2025.md").read_text(encoding="utf-8")
    assert text.startswith("# 示例省人力资源和社会保障厅2025年度行政执法数据\n")
    names = demo.body_names()
    lines = [line for line in text.splitlines() if line.startswith("| ")]
    for body_id, name in [*names.items(), (None, "全部执法主体")]:
        expected = expected_row(demo, 2025, body_id)
        cells = [c for line in lines if line.startswith(f"| {name} |")
                 for c in line.strip("|").split("|")[1:]]
        figures = list(expected.values())
        assert [c.strip() for c in cells][:len(figures)] == figures, name
    assert "2024年没有执法决定记录" in text


def test_report_compares_with_the_year_before(tmp_path: Path, demo: Demo) -> None:
    code, _, err = run("report", "--year", "2026", "--as-of", AS_OF.isoformat(),
                       "--project", str(ROOT), "--output", str(tmp_path))
    assert code == 0, err
    text = (tmp_path / "annual-2026.md").read_text(encoding="utf-8")
    assert "本年度尚未结束" in text
    before, after = expected_row(demo, 2025, None), expected_row(demo, 2026, None)
    row = re.search(r"^\| 执法决定合计 \| (\S+) \| (\S+) \| (\S+) \|$", text, re.M)
    assert row is not None
    change = int(after["执法决定合计"]) - int(before["执法决定合计"])
    assert row.groups() == (before["执法决定合计"], after["执法决定合计"],
                            f"{'+' if change > 0 else '−'}{abs(change)}")


def test_report_of_a_year_without_decisions_is_zeros(tmp_path: Path, demo: Demo) -> None:
    code, _, _ = run("report", "--year", "2024", "--as-of", AS_OF.isoformat(),
                     "--project", str(ROOT), "--output", str(tmp_path))
    assert code == 0
    rows = _csv(tmp_path / "annual-2024.csv")
    total = rows[-1]
    assert total["执法决定合计"] == "0" and total["行政征用"] == "无此职权"
    assert total["行政处罚"] == "0"


def test_report_refuses_content_with_errors(good: Path, tmp_path: Path) -> None:
    from tests.minisite import edit

    edit(good, "content/decisions/2025/d1.yml", "decision_date: ", "decision_date: 1")
    code, _, err = run("report", "--year", "2025", "--project", str(good),
                       "--output", str(tmp_path / "out"))
    assert code == 1 and "No report was written" in err
    assert not (tmp_path / "out").exists()


def test_body_pages_show_the_same_figures(demo_site: Path, demo: Demo) -> None:
    columns = ["行政许可", "行政处罚", "行政强制", "行政征收", "行政征用", "行政检查", "其他",
               "执法决定合计"]
    for body_id in demo.body_names():
        table = _page(demo_site, f"bodies/{body_id}").select_one("table.gs-stats")
        shown = {tr.th.get_text(strip=True): [td.get_text(strip=True) for td in tr.find_all("td")]
                 for tr in table.tbody.find_all("tr")}
        expected = {f"{year}年": expected_row(demo, year, body_id) for year in YEARS}
        assert set(shown) == {y for y, row in expected.items() if row["执法决定合计"] != "0"}
        for year, cells in shown.items():
            assert cells[:len(columns)] == [expected[year][c] for c in columns], (body_id, year)


HOSTILE = "=HYPERLINK(\"http://x\")|<script>alert(1)</script>[点我](javascript:alert(1))"


def test_hostile_body_name_stays_text_everywhere(good: Path, tmp_path: Path) -> None:
    import shutil

    from generator.build import Project, build
    from tests.minisite import edit

    shutil.copytree(ROOT / "site_config", good / "site_config")
    shutil.copy(ROOT / "mkdocs.yml", good / "mkdocs.yml")
    edit(good, "content/bodies/city.yml", "name: 东湖市人力资源和社会保障局",
         f"name: '{HOSTILE}'")
    site = tmp_path / "site"
    build(Project(good), AS_OF, site_dir=site)
    for url in ("statistics/2025", "evaluation/2025", "bodies/city"):
        soup = _page(site, url)
        assert soup.find("script", string=lambda s: bool(s) and "alert(1)" in s) is None, url
        assert not soup.select('a[href^="javascript:"]'), url
        assert HOSTILE in soup.get_text(), url
    svg_text = [t.get_text() for t in _page(site, "statistics/2025").select("#chart-2025 text")]
    assert HOSTILE in svg_text
    rows = _csv(site / "statistics" / "2025.csv")
    cell = next(r["执法主体"] for r in rows if r["执法主体标识"] == "city")
    assert cell == "'" + HOSTILE  # a spreadsheet shows it, never runs it
    code, _, err = run("report", "--year", "2025", "--as-of", AS_OF.isoformat(),
                       "--project", str(good), "--output", str(tmp_path / "out"))
    assert code == 0, err
    text = (tmp_path / "out" / "annual-2025.md").read_text(encoding="utf-8")
    assert "<script>" not in text and "](javascript:" not in text
    header = next(line for line in text.splitlines() if line.startswith("| 执法主体 | 行政许可"))
    row = next(line for line in text.splitlines() if "HYPERLINK" in line)
    assert row.count("|") == header.count("|"), "the name must not add table columns"


def test_kept_figures_are_those_counted_afresh_and_only_a_changed_group_is_counted(
        good: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build keeps each body's figures for a year under a digest of what they are counted
    from: the next counts only those of what changed (issue 8); the authority's are added up
    from its bodies'."""
    from generator import statistics
    from generator.build import Project, check
    from generator.ledger import Ledger
    from tests.repo import add_decision, init_repo

    project = init_repo(good, "2025-06-12")
    cache = project / statistics.CACHE_FILE
    counted: list[tuple[int, str]] = []
    real = statistics._figures

    def counting(year: int, body: str, *args: object) -> statistics.Figures:
        counted.append((year, body))
        return real(year, body, *args)  # type: ignore[arg-type]

    def both() -> statistics.Statistics:
        portal, _ = check(Project(project), AS_OF)
        ledger = Ledger.read(project)
        afresh = statistics.compute(portal, ledger, AS_OF)
        counted.clear()
        kept = statistics.compute(portal, ledger, AS_OF, cache=cache)
        assert kept == afresh
        return kept

    monkeypatch.setattr(statistics, "_figures", counting)
    first = both()
    assert len(counted) == len(first.figures) - len(first.years) and cache.is_file()
    both()
    assert counted == []
    add_decision(project)  # d9: a 2025 decision of the city's bureau, like d1
    both()
    assert counted == [(2025, "city")]


def test_figures_after_a_change_are_the_last_build_s_with_the_changed_ones_counted_again(
        good: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given the last build's statistics and the records changed since (generator/
    changes.py), only the figures of the changed decisions' bodies and years are counted,
    and they equal figures counted afresh: after a new decision, and after an appeal that
    moved from one year's decision to another's."""
    from generator import statistics
    from generator.build import Project, check
    from generator.changes import State, since
    from generator.ledger import Ledger
    from tests.minisite import edit
    from tests.repo import add_decision, init_repo

    project = init_repo(good, "2025-06-12")
    counted: list[tuple[int, str]] = []
    real, real_authority = statistics._figures, statistics._authority

    def counting(year: int, body: str, *args: object) -> statistics.Figures:
        counted.append((year, body))
        return real(year, body, *args)  # type: ignore[arg-type]

    def adding_up(year: int, *args: object) -> statistics.Figures:
        counted.append((year, statistics.AUTHORITY))  # from its bodies' figures
        return real_authority(year, *args)  # type: ignore[arg-type]

    def state() -> tuple[statistics.Statistics, State | None]:
        portal, _ = check(Project(project), AS_OF)
        ledger = Ledger.read(project)
        return statistics.compute(portal, ledger, AS_OF), State.of(portal, ledger, AS_OF)

    def again(before: statistics.Statistics, then: State | None) -> statistics.Statistics:
        portal, _ = check(Project(project), AS_OF)
        ledger = Ledger.read(project)
        afresh = statistics.compute(portal, ledger, AS_OF)
        counted.clear()
        changes = since(then, State.of(portal, ledger, AS_OF))
        assert changes.known
        updated = statistics.compute(portal, ledger, AS_OF, before=before, changes=changes)
        assert updated == afresh
        assert updated.made_of == afresh.made_of
        return updated

    first, then = state()
    monkeypatch.setattr(statistics, "_figures", counting)
    monkeypatch.setattr(statistics, "_authority", adding_up)
    assert again(first, then) == first and counted == []
    add_decision(project)  # d9: a 2025 decision of the city's bureau, like d1
    again(first, then)
    assert sorted(counted) == [(2025, statistics.AUTHORITY), (2025, "city")]
    edit(project, "content/decisions/2025/d9.yml", "decision_date: 2025-06-20",
         "decision_date: 2024-12-20")
    second, then = state()
    appeal = ("id: d9-fy\ndecision: d9\nkind: 行政复议\norgan: 东湖市人民政府\nfiled_on: 2025-07-01\n"
              "result: 撤销\nconcluded_on: 2025-08-26\ndocument_number: 东政复决字〔2025〕31号\n")
    (project / "content/appeals").mkdir()
    (project / "content/appeals/d9-fy.yml").write_text(appeal, encoding="utf-8")
    third = again(second, then)
    assert third.of(2024).reviews == 1 and third.of(2024).reversed == 1
    assert sorted(counted) == [(2024, statistics.AUTHORITY), (2024, "city")]
    _, then = state()
    edit(project, "content/appeals/d9-fy.yml", "decision: d9", "decision: d1")
    fourth = again(third, then)
    assert fourth.of(2024).reviews == 0 and fourth.of(2025).reviews == 1
    assert sorted(counted) == [(2024, statistics.AUTHORITY), (2024, "city"),
                               (2025, statistics.AUTHORITY), (2025, "city")]
    # Figures counted by other code (an older Gongshi's) are not taken: all are counted.
    assert fourth.made_of is not None
    older = dataclasses.replace(fourth, made_of=dataclasses.replace(fourth.made_of,
                                                                    code=b"older"))
    _, then = state()
    again(older, then)
    assert len(counted) == len(fourth.figures)


def test_the_authority_s_figures_added_up_are_those_counted_from_its_decisions() -> None:
    """The authority's figures of a year are added up from its bodies' (a rebuild then
    counts no year's decisions again, issue 8): they are those counted from all of the
    year's decisions at once, fines' median included, also with a decision whose body is
    not listed."""
    from decimal import Decimal

    from generator import statistics
    from generator.build import Project, check
    from generator.ledger import Ledger
    from generator.timeliness import publications

    portal, _ = check(Project(ROOT), AS_OF)
    ledger = Ledger.read(ROOT)
    some = next(d for d in portal.decisions.values() if d.outcome.fine_amount)
    stray = some.model_copy(update={"id": "stray", "body": "unlisted", "outcome": some.outcome
                                    .model_copy(update={"fine_amount": Decimal("12345.67")})})
    portal.decisions["stray"] = stray
    found = statistics.compute(portal, ledger, AS_OF)
    timings = {t.decision.id: t for t in publications(portal, ledger)}
    held = statistics.held_categories(portal)
    every = frozenset().union(*held.values())
    assert found.made_of is not None
    withdrawn = found.made_of.withdrawn
    fines = 0
    for year in found.years:
        decisions = sorted((d for d in portal.decisions.values() if d.decision_date.year == year),
                           key=lambda d: d.id)
        total = sum((counter for (y, _), counter in found.made_of.counted.items() if y == year),
                    statistics.Counter())
        counted = statistics._figures(year, statistics.AUTHORITY, decisions, every, timings,
                                      total, portal.appeals_by_decision(), withdrawn)
        assert found.of(year) == counted
        fines += counted.fines
    assert fines > 3 and found.of(stray.decision_date.year).fine_total > Decimal("12345.67")


def test_the_long_csv_takes_each_unchanged_year_s_lines_as_the_last_build_made_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """statistics.csv is made of each year's lines, kept by the key of the year's page: a
    rebuild makes again the lines of a year whose key changed, no other, and the file is
    the one made afresh."""
    from generator.build import Project, check
    from generator.ledger import Ledger
    from generator.render import statistics as page
    from generator.render.site import build_site_index
    from generator.settings import load_settings

    portal, _ = check(Project(ROOT), AS_OF)
    site = build_site_index(portal, load_settings(ROOT), AS_OF, Ledger.read(ROOT))
    figures = site.statistics()
    made: list[int] = []
    real = page._year_lines

    def making(site: object, figures: object, year: int, values: dict[str, str]) -> str:
        made.append(year)
        return real(site, figures, year, values)  # type: ignore[arg-type]

    monkeypatch.setattr(page, "_year_lines", making)
    afresh = page.csv_long(site, figures)
    made.clear()
    keys = {year: bytes([year % 256]) * 17 for year in figures.years}
    blocks = tmp_path / "blocks.pickle"
    assert page.csv_long(site, figures, keys, blocks) == afresh and len(made) == len(keys) > 1
    made.clear()
    assert page.csv_long(site, figures, keys, blocks) == afresh and made == []
    changed = figures.years[-1]
    keys[changed] = b"another key, another year's figures"
    assert page.csv_long(site, figures, keys, blocks) == afresh and made == [changed]
