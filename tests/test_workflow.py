"""The whole life of a published decision, walked with the `gongshi` command in a temporary git
repository, as staff would: publish, a refused edit, a reviewed correction, a withdrawal and
the end of the publicity period, each time looking at the built site as a reader meets it."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup

from generator.ledger import Ledger
from tests.minisite import edit
from tests.repo import commit, init_repo, run

D1 = "content/decisions/2025/d1.yml"
D1_FACTS = "安排劳动者12名每月加班超过36小时"
D1_PARTY = "东湖市启航建筑劳务有限公司"
D2_FACTS = "经检查，当事人未发现违法行为"
WITHDRAWAL_REASON = "该决定已被东湖市人民政府行政复议决定撤销。"


def build(repo: Path, as_of: str) -> tuple[int, str]:
    code, _, err = run("build", "--project", str(repo), "--as-of", as_of)
    return code, err


def page(repo: Path, url: str) -> BeautifulSoup:
    path = repo / "site" / url / "index.html"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def article(repo: Path, url: str) -> BeautifulSoup:
    found = page(repo, url).select_one("article")
    assert found is not None
    return found


def history(repo: Path, url: str) -> list[list[str]]:
    table = article(repo, url).find(id="versions").find_next("table")
    return [[td.get_text() for td in tr.select("td")] for tr in table.select("tbody tr")]


def fields(repo: Path, url: str) -> dict[str, str]:
    return {th.get_text(): th.find_next("td").get_text()
            for th in article(repo, url).select("th[scope=row]")}


def site_files(repo: Path) -> dict[str, str]:
    """Every text file of the built site: pages, the search index, data files, sitemap."""
    result = {}
    for path in sorted((repo / "site").rglob("*")):
        if path.is_file() and path.suffix in {".html", ".json", ".xml", ".txt", ".csv", ".js"}:
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".json":  # \uXXXX escapes would hide Chinese text from a search
                text = json.dumps(json.loads(text), ensure_ascii=False)
            text = text.replace("\u200b", "")  # the search index separates words by these
            result[path.relative_to(repo / "site").as_posix()] = text
    return result


def holding(repo: Path, text: str) -> list[str]:
    return [name for name, body in site_files(repo).items() if text in body
            and not name.startswith("assets/")]


def index_files(repo: Path) -> list[str]:
    """The browser search index's files (search/index/), unpacked: its records and terms."""
    return [gzip.decompress(f.read_bytes()).decode("utf-8")
            for f in sorted((repo / "site/search/index").rglob("*.json.gz"))]


@pytest.fixture
def repo(good: Path) -> Path:
    return init_repo(good, "2025-06-12", site=True)


def test_publish_correct_withdraw_expire(repo: Path) -> None:
    project = str(repo)

    # 1. Published on 2025-06-12, two working days after the decision of 2025-06-10.
    assert build(repo, "2026-01-15")[0] == 0
    assert fields(repo, "decisions/2025/d1")["公示日期"] == "2025年6月12日"
    once = article(repo, "decisions/2025/d1").find(id="versions").find_next("p").get_text()
    assert once == "2025年6月12日首次公示，此后未作更正。"
    before = (repo / "site/decisions/2025/d1/index.html").read_bytes()
    assert any(D1_FACTS in f and "decisions/2025/d1/" in f for f in index_files(repo))

    # 2. An edit without a correction is refused, with the diff, and the site stays as it was.
    edit(repo, D1, "fine_amount: 3600", "fine_amount: 3000")
    edit(repo, D1, "content: 警告，并处罚款人民币3600元。", "content: 警告，并处罚款人民币3000元。")
    code, _, out = run("check", "--project", project, "--as-of", "2026-01-15")
    assert code == 1
    assert "outcome.fine_amount: “3600” → “3000”" in out.replace("\n", "")
    code, err = build(repo, "2026-01-15")
    assert code == 1 and "Nothing was published" in err
    assert (repo / "site/decisions/2025/d1/index.html").read_bytes() == before

    # 3. The correction: the requester and a non-reviewer may not approve it; chen may.
    code, _, err = run("correct", "decisions/d1", "--reason", "罚款金额录入有误，应为3000元。",
                       "--requested-by", "wang", "--date", "2025-07-01", "--project", project)
    assert code == 0, err
    code, _, err = run("review", "approve", "d1-c1", "--reviewer", "wang", "--note", "同意",
                       "--project", project)
    assert code == 1 and "a second person must review it" in err
    code, _, err = run("review", "approve", "d1-c1", "--reviewer", "li", "--note", "同意",
                       "--project", project)
    assert code == 1 and "公示审核人员" in err
    code, _, err = run("review", "approve", "d1-c1", "--reviewer", "chen", "--note",
                       "经核对案卷，同意更正。", "--date", "2025-07-02", "--project", project)
    assert code == 0, err

    # 4. An edit after the approval voids it; undoing the edit restores it.
    edit(repo, D1, "fine_amount: 3000", "fine_amount: 3300")
    assert build(repo, "2026-01-15")[0] == 1
    edit(repo, D1, "fine_amount: 3300", "fine_amount: 3000")

    # 5. Published as version 2 with the fields it changed; the site shows both versions.
    code, _, err = run("publish", "--project", project, "--date", "2025-07-03")
    assert code == 0 and "published decisions/d1 version 2 (correction d1-c1)" in err
    commit(repo, "correct d1")
    (_, v2) = Ledger.read(repo).history("decisions/d1")
    assert v2.correction == "d1-c1" and v2.fields == ("outcome.content", "outcome.fine_amount")
    assert build(repo, "2026-01-15")[0] == 0
    d1 = article(repo, "decisions/2025/d1")
    assert d1.select_one(".gs-badge").get_text() == "已更正"
    assert fields(repo, "decisions/2025/d1")["罚款金额"] == "3,000元"
    assert history(repo, "decisions/2025/d1") == [
        ["第1版", "2025年6月12日", "首次公示", "—", "—"],
        ["第2版", "2025年7月3日", "更正", "罚款金额录入有误，应为3000元。", "决定内容、决定内容·罚款金额"]]
    feed = feedparser.parse((repo / "site/feeds/decisions/atom.xml").read_bytes())
    assert not feed.bozo
    assert [(e.id, e.title, e.published[:10]) for e in feed.entries
            if "/decisions/2025/d1/" in e.link] == [
        ("tag:zfgs.example.gov.cn,2025-07-03:decisions/d1/v2", "更正：东人社监罚〔2025〕1号",
         "2025-07-03"),
        ("tag:zfgs.example.gov.cn,2025-06-12:decisions/d1/v1",
         "东人社监罚〔2025〕1号 东湖市启航建筑劳务有限公司", "2025-06-12")]
    listed = article(repo, "corrections").select("tbody tr")
    assert [td.get_text() for td in listed[0].select("td")][:2] == ["2025年7月3日", "更正"]
    assert listed[0].a["href"] == "../decisions/2025/d1/"

    # 6. The withdrawal: the URL stays with the notice only; the content leaves every output.
    code, _, err = run("correct", "decisions/d1", "--withdraw", "--cause", "撤销",
                       "--event-date", "2025-08-01", "--reason", WITHDRAWAL_REASON,
                       "--requested-by", "wang", "--date", "2025-08-01", "--project", project)
    assert code == 0, err
    assert run("review", "approve", "d1-c2", "--reviewer", "chen", "--note", "同意撤回",
               "--date", "2025-08-02", "--project", project)[0] == 0
    code, _, err = run("publish", "--project", project, "--date", "2025-08-03")
    assert code == 0 and "published decisions/d1 version 3 (withdrawal d1-c2)" in err
    commit(repo, "withdraw d1")
    assert [(e.version, e.correction) for e in Ledger.read(repo).history("decisions/d1")] == [
        (1, None), (2, "d1-c1"), (3, "d1-c2")]
    code, err = build(repo, "2026-01-15")
    assert code == 0, err
    d1 = article(repo, "decisions/2025/d1")
    assert d1.select_one(".gs-badge").get_text() == "已撤回"
    notice = d1.select_one(".gs-notice").get_text()
    assert "2025年8月3日撤回（撤销）" in notice and WITHDRAWAL_REASON in notice
    assert history(repo, "decisions/2025/d1")[-1][:4] == [
        "第3版", "2025年8月3日", "撤回", WITHDRAWAL_REASON]
    assert holding(repo, D1_FACTS) == [] and holding(repo, D1_PARTY) == []
    assert holding(repo, "3,000元") == []
    # Its document number stays only where the withdrawal itself is told: the notice page,
    # the home page's latest corrections and withdrawals, 更正与撤回, 公示及时性, and the
    # withdrawal's entry in the feeds; the feeds lose its original and correction entries.
    assert [name for name in holding(repo, "东人社监罚〔2025〕1号")
            if not name.startswith("feeds/")] == [
        "corrections/index.html", "decisions/2025/d1/index.html", "index.html",
        "timeliness/index.html"]
    fragments = index_files(repo)
    assert fragments and any("东湖市" in f for f in fragments)  # the browser search index
    assert not any(D1_FACTS in f or D1_PARTY in f or "decisions/2025/d1/" in f
                   or "^" + D1_PARTY in f for f in fragments)
    feeds = sorted((repo / "site/feeds").rglob("*.xml"))
    assert len(feeds) > 10
    about_d1 = [(feed.relative_to(repo / "site").as_posix(), entry.id)
                for feed in feeds for entry in feedparser.parse(feed.read_bytes()).entries
                if "/decisions/2025/d1/" in entry.link]
    assert about_d1 and {tag for _, tag in about_d1} == {
        "tag:zfgs.example.gov.cn,2025-08-03:decisions/d1/v3"}  # the withdrawal only
    assert {name.split("/")[1] for name, _ in about_d1} == {
        "decisions", "corrections", "body", "region", "type"}
    assert not (repo / "site/data/decisions/d1.json").exists()
    assert "d1" not in {i["record"]["id"] for i in json.loads(
        (repo / "site/data/decisions-2025.json").read_text(encoding="utf-8"))["items"]}
    home = page(repo, ".")
    assert "东人社监罚〔2025〕1号" not in home.find(id="latest").find_next("table").get_text()
    assert "东人社监罚〔2025〕1号" in home.find(id="corrections").find_next("table").get_text()

    # 7. The end of the publicity period: d2 (公示截止期 2026-07-01) becomes a stub on 7-02.
    assert article(repo, "decisions/2025/d2").select_one(".gs-badge").get_text() == "公示中"
    assert holding(repo, D2_FACTS)
    assert build(repo, "2026-07-02")[0] == 0
    d2 = article(repo, "decisions/2025/d2")
    assert d2.select_one(".gs-badge").get_text() == "公示期满"
    assert "2026年7月1日届满" in d2.select_one(".gs-notice").get_text()
    assert holding(repo, D2_FACTS) == []
    assert not (repo / "site/decisions/2025/index.html").exists()  # no public decision of 2025 left
    assert "2025年" not in article(repo, "decisions").get_text()


def test_a_late_withdrawal_is_a_warning(repo: Path) -> None:
    project = str(repo)
    assert run("correct", "decisions/d1", "--withdraw", "--cause", "撤销",
               "--event-date", "2025-08-01", "--reason", WITHDRAWAL_REASON,
               "--requested-by", "wang", "--date", "2025-08-05", "--project", project)[0] == 0
    assert run("review", "approve", "d1-c1", "--reviewer", "chen", "--note", "同意",
               "--date", "2025-08-05", "--project", project)[0] == 0
    code, out, _ = run("check", "--project", project, "--as-of", "2026-01-15", "--format", "json")
    warnings = [p for p in json.loads(out)["problems"] if p["code"] == "R8-late"]
    assert len(warnings) == 1 and "4 days after the event of 2025-08-01" in warnings[0]["message"]
    assert warnings[0]["file"] == "content/corrections/d1-c1.yml"
    assert code == 0  # a warning does not stop the build
