"""Feeds, open data, sitemap and robots.txt of the demo site, read as their users read them:
feeds by feedparser, CSV by the csv module, JSON by json; checked against the ledger and the
content files, not against the renderer's code."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup

from generator.build import Project, build
from generator.ledger import Ledger
from generator.loader import load
from generator.model import Decision
from generator.portal import Portal
from generator.render.opendata import cell
from tests.conftest import DEMO_AS_OF, ROOT

BASE = "https://zfgs.example.gov.cn/"
WITHDRAWN = "xishan-2025-006"
TAG = re.compile(r"^tag:zfgs\.example\.gov\.cn,(\d{4}-\d{2}-\d{2}):([a-z]+/[a-z0-9-]+)/(v\d+|history/\d+)$")


@pytest.fixture(scope="module")
def portal() -> Portal:
    return load(ROOT / "content")[0]


@pytest.fixture(scope="module")
def public(portal: Portal) -> list[Decision]:
    withdrawn = {c.record for c in portal.corrections.values()
                 if c.kind == "撤回" and c.review and c.review.outcome == "批准"}
    return [d for d in portal.decisions.values()
            if d.publicity_end >= DEMO_AS_OF and d.ref not in withdrawn]


@pytest.fixture(scope="module")
def feeds(demo_site: Path) -> dict[str, feedparser.FeedParserDict]:
    found = {path.relative_to(demo_site).as_posix(): feedparser.parse(path.read_bytes())
             for path in sorted((demo_site / "feeds").rglob("*.xml"))}
    assert found
    return found


def _day(parsed: tuple[int, ...]) -> str:
    """feedparser's UTC time as the date in China (entries are dated 00:00 +08:00)."""
    when = dt.datetime(*parsed[:6], tzinfo=dt.UTC)
    return when.astimezone(dt.timezone(dt.timedelta(hours=8))).date().isoformat()


def _page_exists(site: Path, url: str) -> bool:
    assert url.startswith(BASE), url
    path = url.removeprefix(BASE).split("#")[0]
    return (site / path / "index.html").is_file()


def test_every_feed_parses_cleanly_in_both_formats(feeds: dict[str, feedparser.FeedParserDict],
                                                  portal: Portal) -> None:
    assert all(not feed.bozo for feed in feeds.values()), [n for n, f in feeds.items() if f.bozo]
    rss = {n.removesuffix("rss.xml") for n in feeds if n.endswith("/rss.xml")}
    atom = {n.removesuffix("atom.xml") for n in feeds if n.endswith("/atom.xml")}
    assert rss == atom
    expected = {"feeds/decisions/", "feeds/corrections/", "feeds/laws/",
                *(f"feeds/body/{b}/" for b in portal.bodies)}
    assert expected <= rss
    assert {n.split("/")[1] for n in rss} == {"decisions", "corrections", "laws", "body",
                                             "region", "type"}
    for name, feed in feeds.items():
        assert feed.version == ("rss20" if name.endswith("rss.xml") else "atom10"), name
        assert feed.feed.language == "zh-CN" or name.endswith("atom.xml")


def test_entries_have_stable_ids_ledger_dates_and_live_links(
        feeds: dict[str, feedparser.FeedParserDict], demo_site: Path) -> None:
    ledger = Ledger.read(ROOT)
    versions = {(e.record, f"v{e.version}"): e.published for e in ledger.entries}
    checked = 0
    for name, feed in feeds.items():
        dates = [entry.published_parsed for entry in feed.entries]
        assert dates == sorted(dates, reverse=True), name  # newest first
        assert len(feed.entries) <= 50, name
        for entry in feed.entries:
            match = TAG.match(entry.id)
            assert match, entry.id
            day, ref, version = match.groups()
            assert _day(entry.published_parsed) == day, entry.id
            if name.endswith("atom.xml"):  # RSS items have no updated date
                assert _day(entry["updated_parsed"]) == day, entry.id
            if version.startswith("v"):
                assert versions[(ref, version)].isoformat() == day, entry.id
            assert _page_exists(demo_site, entry.link), entry.link
            checked += 1
    assert checked > 300


def test_the_all_decisions_feed_holds_the_newest_public_decisions(
        feeds: dict[str, feedparser.FeedParserDict], public: list[Decision]) -> None:
    ledger = Ledger.read(ROOT)
    first = {d.ref: ledger.history(d.ref)[0].published for d in public}
    newest = sorted(public, key=lambda d: (-first[d.ref].toordinal(), d.ref))
    entries = feeds["feeds/decisions/atom.xml"].entries
    new = [e for e in entries if e.id.endswith("/v1")]
    assert len(entries) == 50
    cutoff = dt.date.fromisoformat(_day(entries[-1].published_parsed))
    expected = [d for d in newest if first[d.ref] > cutoff]
    assert [e.link for e in new][:len(expected)] == [
        f"{BASE}decisions/{d.decision_date.year}/{d.id}/" for d in expected]
    corrected = [e for e in entries if e.title.startswith("更正：")]
    assert [e.id for e in corrected] == [
        "tag:zfgs.example.gov.cn,2026-03-19:decisions/donghu-2026-002/v2"]


def test_a_withdrawn_or_expired_decision_is_in_no_feed_and_no_export(
        feeds: dict[str, feedparser.FeedParserDict], demo_site: Path, portal: Portal) -> None:
    withdrawn = portal.decisions[WITHDRAWN]
    expired = [d for d in portal.decisions.values() if d.publicity_end < DEMO_AS_OF]
    assert expired
    for name, feed in feeds.items():
        for entry in feed.entries:
            if f"/{WITHDRAWN}/" in entry.link:
                assert entry.title == f"撤回：{withdrawn.document_number}", name
                assert withdrawn.party.name not in entry.summary
            assert not any(f"/{d.id}/" in entry.link for d in expired), (name, entry.id)
    secrets = [withdrawn.party.name, withdrawn.facts[:20],
               *(d.facts[:20] for d in expired), *(d.party.name for d in expired
                                                    if d.party.kind != "自然人")]
    for path in sorted((demo_site / "data").rglob("*")):
        if path.suffix not in {".json", ".csv"}:
            continue
        text = path.read_text(encoding="utf-8-sig")
        if path.suffix == ".json":
            text = json.dumps(json.loads(text), ensure_ascii=False)
        for secret in secrets:
            assert secret not in text, (path, secret)
    assert not (demo_site / f"data/decisions/{WITHDRAWN}.json").exists()


def _year_files(site: Path, stem: str, suffix: str) -> dict[int, Path]:
    """The open data files of each year (decisions-2025.json …), by year."""
    return {int(path.stem.rpartition("-")[2]): path
            for path in (site / "data").glob(f"{stem}-[0-9][0-9][0-9][0-9].{suffix}")}


def test_open_data_json_and_csv_hold_every_public_record(demo_site: Path, portal: Portal,
                                                         public: list[Decision]) -> None:
    years = _year_files(demo_site, "decisions", "json")
    assert sorted(years) == sorted({d.decision_date.year for d in public}) and len(years) > 1
    items = []
    for year, path in years.items():
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["year"] == year and data["count"] == len(data["items"])
        assert data["schema"] == "schema/decisions.schema.json"
        assert {item["record"]["decision_date"][:4] for item in data["items"]} == {str(year)}
        ids = [item["record"]["id"] for item in data["items"]]
        assert ids == sorted(ids)
        items += data["items"]
    assert sorted(i["record"]["id"] for i in items) == sorted(d.id for d in public)
    for item in items:
        Decision.model_validate(item["record"])  # the published schema's model
        assert _page_exists(demo_site, item["url"])
        one = json.loads((demo_site / f"data/decisions/{item['record']['id']}.json").read_text(
            encoding="utf-8"))
        assert one == item
    masked = [i for i in items if i["record"]["party"]["kind"] == "自然人"]
    assert masked and all(i["record"]["party"]["name"].endswith("某") for i in masked)
    rows = []
    for path in _year_files(demo_site, "decisions", "csv").values():
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert table[0][:3] == ["网址", "首次公示日期", "版本"] and "决定书文号" in table[0]
        rows += table[1:]
    assert len(rows) == len(public)
    officers = json.loads((demo_site / "data/officers.json").read_text(encoding="utf-8"))
    assert officers["count"] == len(portal.officers)
    schema = json.loads((demo_site / "data/schema/decisions.schema.json").read_text(
        encoding="utf-8"))
    assert "party" in schema["properties"]
    page = BeautifulSoup((demo_site / "data/index.html").read_text(encoding="utf-8"),
                         "html.parser")
    hrefs = {a["href"] for a in page.select("article a[href]")}
    names = ["officers.json", "officers.csv", "schema/decisions.schema.json"]
    for year in years:
        names += [f"decisions-{year}.json", f"decisions-{year}.csv",
                  f"shuanggongshi-xzcf-{year}.json", f"shuanggongshi-xzcf-{year}.csv"]
    for name in names:
        assert name in hrefs and (demo_site / "data" / name).is_file()
    assert not (demo_site / "data/decisions.json").exists()


def test_shuanggongshi_layout_has_every_public_penalty(demo_site: Path,
                                                       public: list[Decision]) -> None:
    rows = []
    for year, path in _year_files(demo_site, "shuanggongshi-xzcf", "csv").items():
        found = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        assert {row["处罚决定日期"][:4] for row in found} <= {str(year)}
        rows += found
        data = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        assert data["year"] == year and data["count"] == len(found) == len(data["items"])
    penalties = {d.document_number: d for d in public if d.type == "行政处罚"}
    assert {r["行政处罚决定书文号"] for r in rows} == set(penalties)
    for row in rows:
        decision = penalties[row["行政处罚决定书文号"]]
        fine = decision.outcome.fine_amount
        assert row["罚款金额（万元）"] == ("" if fine is None else
                                     f"{fine / 10000:f}".rstrip("0").rstrip("."))
        assert row["处罚决定日期"] == decision.decision_date.isoformat()
        assert row["证件号码"] == "" and row["法定代表人证件号码"] == ""
        if decision.party.kind == "自然人":
            assert row["行政相对人名称"] == decision.party.name[0] + "某"


def test_every_page_links_its_feeds_in_head_and_visibly(demo_site: Path) -> None:
    checked = 0
    for page in sorted(demo_site.rglob("index.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        if soup.find("meta", attrs={"http-equiv": "refresh"}):
            continue  # a redirect of a former id
        links = soup.find_all("link", rel="alternate", type=re.compile("(rss|atom)\\+xml"))
        assert len(links) >= 4, page
        visible = soup.select(".gs-feeds a[type]")
        assert len(visible) == len(links), page
        for link in links:
            assert (page.parent / link["href"]).resolve().is_file(), (page, link["href"])
        checked += 1
    assert checked > 200
    body = BeautifulSoup((demo_site / "bodies/donghu-rsj/index.html").read_text(
        encoding="utf-8"), "html.parser")
    first = body.find("link", rel="alternate")
    assert first["href"].endswith("feeds/body/donghu-rsj/rss.xml")
    assert first["title"] == "东湖市人力资源和社会保障局的执法决定（RSS）"


def test_sitemap_robots_and_noindex_stubs(demo_site: Path, portal: Portal,
                                          public: list[Decision]) -> None:
    sitemap = (demo_site / "sitemap.xml").read_text(encoding="utf-8")
    urls = set(re.findall(r"<loc>([^<]+)</loc>", sitemap))
    for decision in portal.decisions.values():
        url = f"{BASE}decisions/{decision.decision_date.year}/{decision.id}/"
        stub = BeautifulSoup((demo_site / url.removeprefix(BASE) / "index.html").read_text(
            encoding="utf-8"), "html.parser").find("meta", attrs={"name": "robots"})
        if decision in public:
            assert url in urls and stub is None
        else:
            assert url not in urls and stub["content"] == "noindex"
    assert all(_page_exists(demo_site, url) for url in urls)
    assert (demo_site / "robots.txt").read_text(encoding="utf-8") == (
        f"User-agent: *\nAllow: /\nSitemap: {BASE}sitemap.xml\n")


def test_feeds_and_exports_are_the_same_bytes_on_a_second_build(demo_site: Path,
                                                                tmp_path: Path) -> None:
    again = tmp_path / "site"
    build(Project(ROOT), DEMO_AS_OF, site_dir=again)
    names = [p.relative_to(demo_site) for p in sorted(demo_site.rglob("*"))
             if p.is_file() and p.relative_to(demo_site).parts[0] in ("feeds", "data")]
    names += [Path("sitemap.xml"), Path("sitemap.xml.gz"), Path("robots.txt")]
    assert len(names) > 200
    assert [n for n in names if (demo_site / n).read_bytes() != (again / n).read_bytes()] == []


def test_csv_cells_cannot_become_spreadsheet_formulas() -> None:
    assert cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert [cell(v) for v in ("+1", "-1", "@SUM(A1)", "\tx")] == ["'+1", "'-1", "'@SUM(A1)", "'\tx"]
    assert cell("罚款3000元") == "罚款3000元" and cell(True) == "是" and cell(None) == ""
    assert cell(["警告", "罚款"]) == "警告；罚款"


def test_record_text_is_escaped_in_feeds_and_data(good: Path, tmp_path: Path) -> None:
    """Markup in a record is text in every feed and data file, never markup."""
    import shutil

    from tests.minisite import edit

    shutil.copytree(ROOT / "site_config", good / "site_config")
    shutil.copy(ROOT / "mkdocs.yml", good / "mkdocs.yml")
    hostile = "<script>alert(1)</script>\\\"><img src=x onerror=alert(2)>&amp;"
    edit(good, "content/decisions/2025/d1.yml", "content: 警告，并处罚款人民币3600元。",
         f'content: "=1+1 {hostile}"')
    site = tmp_path / "site"
    build(Project(good), dt.date(2026, 1, 15), site_dir=site)
    atom = (site / "feeds/decisions/atom.xml").read_text(encoding="utf-8")
    rss = (site / "feeds/decisions/rss.xml").read_text(encoding="utf-8")
    for text in (atom, rss):
        assert "<script>" not in text and "<img" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    entry = next(e for e in feedparser.parse(atom.encode()).entries if e.id.endswith("d1/v1"))
    assert '"><img src=x onerror=alert(2)>&amp;' in entry.summary or "&lt;img" in entry.summary
    data = json.loads((site / "data/decisions/d1.json").read_text(encoding="utf-8"))
    assert data["record"]["outcome"]["content"] == f"=1+1 {hostile}".replace('\\"', '"')
    rows = list(csv.DictReader(io.StringIO(
        (site / "data/shuanggongshi-xzcf-2025.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0]["处罚内容"].startswith("'=1+1 <script>")
    html = (site / "decisions/2025/d1/index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_a_correction_of_a_record_that_is_no_decision_is_in_the_corrections_feed(
        good: Path) -> None:
    """An approved and published 更正 of an officer's record: the corrections feed has its
    entry (the build looks at the versions of only the records a correction names)."""
    from tests.repo import init_repo, publish_correction

    repo = init_repo(good, "2025-06-12", site=True)
    publish_correction(repo, "officers/li")

    def corrections() -> list[str]:
        build(Project(repo), DEMO_AS_OF)
        feed = feedparser.parse((repo / "site/feeds/corrections/atom.xml").read_bytes())
        assert not feed.bozo
        return [entry.id for entry in feed.entries if ":officers/" in entry.id]

    assert [found.rpartition(":")[2] for found in corrections()] == ["officers/li/v2"]
