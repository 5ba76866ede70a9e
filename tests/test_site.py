"""The public site, as a citizen sees it: built once from tests/sitehelpers.py, then parsed."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from generator.loader import load
from generator.render import build_site, render_pages
from generator.render.listing import PER_PAGE
from generator.render.mermaid import label
from generator.settings import Settings, SettingsError, load_settings
from tests.sitehelpers import AS_OF, PERSON, SCRIPT, write_content

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture content built into a site folder (one mkdocs run for the module)."""
    root = tmp_path_factory.mktemp("site")
    portal, report = load(write_content(root))
    assert not [p for p in report if p.severity == "error"], [p.describe() for p in report]
    site_dir = root / "site"
    site_dir.mkdir()
    build_site(portal, load_settings(PROJECT), AS_OF, PROJECT, site_dir)
    return site_dir


def site_page(site_dir: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site_dir / url / "index.html").read_text("utf-8"), "html.parser")


def site_html_files(site_dir: Path) -> Iterator[Path]:
    yield from sorted(site_dir.rglob("*.html"))


def site_article(soup: BeautifulSoup) -> BeautifulSoup:
    article = soup.select_one("article")
    assert article is not None
    return article


def test_decision_page_shows_document_number_and_masked_party(site_built: Path) -> None:
    article = site_article(site_page(site_built, "decisions/2025/d-001"))
    text = article.get_text()
    assert "东人社监罚〔2025〕1号" in article.h1.get_text()
    assert "张某" in text
    assert "罚款金额" in text and "300元" in text


def test_natural_person_name_appears_nowhere_in_the_site(site_built: Path) -> None:
    leaks = [str(p.relative_to(site_built)) for p in sorted(site_built.rglob("*"))
             if p.is_file() and PERSON.encode() in p.read_bytes()]
    assert leaks == []


def test_script_in_facts_is_text_not_markup(site_built: Path) -> None:
    html = (site_built / "decisions/2025/d-001/index.html").read_text("utf-8")
    assert SCRIPT not in html
    soup = BeautifulSoup(html, "html.parser")
    assert SCRIPT in site_article(soup).get_text()
    assert not site_article(soup).find_all("script")


def test_free_page_markdown_cannot_carry_html(site_built: Path) -> None:
    article = site_article(site_page(site_built, "about/complaint"))
    assert not article.find_all("script")
    assert "<script>alert(2)</script>" in article.get_text()
    assert article.find("a", string="关于")["href"] == "../privacy/"


def test_unsafe_website_is_not_a_link(site_built: Path) -> None:
    article = site_article(site_page(site_built, "bodies/city"))
    assert not article.select('a[href^="javascript:"]')
    assert "javascript:alert(1)" in article.get_text()
    assert not article.find_all("b")  # raw HTML in the description stays text


def test_article_link_lands_on_the_article(site_built: Path) -> None:
    article = site_article(site_page(site_built, "decisions/2025/d-001"))
    link = article.find("a", string="《劳动保障监察条例》第二十五条")
    assert link is not None and link["href"] == "../../../laws/lir/#art-25"
    law = site_page(site_built, "laws/lir")
    assert "用人单位违反劳动保障法律" in law.find(id="art-25").get_text()
    # An article the law record does not quote links to the law, without a dead anchor.
    unquoted = article.find("a", string="《劳动保障监察条例》第九十九条")
    assert unquoted["href"] == "../../../laws/lir/"


def test_officer_certificate_states(site_built: Path) -> None:
    assert "已过期" in site_article(site_page(site_built, "officers/zhao")).get_text()
    assert "吊销" in site_article(site_page(site_built, "officers/sun")).get_text()
    rows = {row.td.get_text(): row.get_text() for row in
            site_article(site_page(site_built, "officers")).select("tbody tr")}
    assert "已过期" in rows["赵三"] and "有效" in rows["王一"]


def test_repealed_law_says_so_and_links_its_successor(site_built: Path) -> None:
    notice = site_article(site_page(site_built, "laws/old")).select_one(".gs-notice")
    assert notice is not None and "已废止" in notice.get_text()
    assert notice.find("a")["href"] == "../lir/"


def test_procedure_has_a_sanitised_flowchart(site_built: Path) -> None:
    chart = site_article(site_page(site_built, "procedures/ordinary")).select_one(".mermaid")
    assert chart is not None
    source = chart.get_text()
    assert "flowchart TD" in source and "立案 click" in source
    assert label('立案"]; click[x]') == "立案 click x"


def test_body_lists_officers_powers_decisions_and_children(site_built: Path) -> None:
    article = site_article(site_page(site_built, "bodies/city"))
    hrefs = {a["href"] for a in article.find_all("a")}
    assert {"../../officers/wang/", "../../powers/overtime/", "../agent/"} <= hrefs
    assert "../../decisions/2025/d-001/" in hrefs or "共60件" in article.get_text()


def test_every_internal_link_resolves(site_built: Path) -> None:
    broken = []
    ids: dict[Path, set[str]] = {}
    for path in site_html_files(site_built):
        if path.name == "404.html":
            continue  # served at any path, so mkdocs links it from the root of site_url
        soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        for anchor in soup.find_all("a", href=True):
            href = anchor["href"]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "tel:")):
                continue
            target = _resolve(site_built, path, unquote(parts.path))
            if target is None:
                broken.append(f"{path.relative_to(site_built)}: {href}")
                continue
            if parts.fragment and parts.fragment not in ids.setdefault(target, _ids(target)):
                broken.append(f"{path.relative_to(site_built)}: {href} (no such anchor)")
    assert broken == []


def _resolve(site_dir: Path, page: Path, href_path: str) -> Path | None:
    if not href_path:
        return page
    joined = posixpath.normpath(posixpath.join(page.parent.relative_to(site_dir).as_posix(),
                                               href_path))
    target = site_dir / joined
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def _ids(path: Path) -> set[str]:
    soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
    return {str(tag["id"]) for tag in soup.find_all(id=True)}


def test_no_list_page_links_more_than_50_decisions(site_built: Path) -> None:
    counts = {}
    for path in site_html_files(site_built):
        article = BeautifulSoup(path.read_text("utf-8"), "html.parser").select_one("article")
        if article is None:
            continue
        links = {a["href"] for a in article.find_all("a", href=True)
                 if "/d-" in a["href"] or a["href"].startswith("d-")}
        counts[str(path.relative_to(site_built))] = len(links)
    assert max(counts.values()) <= PER_PAGE, max(counts, key=counts.get)
    assert counts["decisions/2025/index.html"] == PER_PAGE
    assert counts["decisions/2025/page-1/index.html"] == 10  # numbered from the oldest


def test_record_pages_are_not_in_the_nav(site_built: Path) -> None:
    nav = site_page(site_built, "").select_one("nav.md-nav--primary")
    assert nav is not None
    hrefs = [a["href"] for a in nav.find_all("a", href=True)]
    assert "bodies/" in hrefs and "decisions/" in hrefs
    assert not [h for h in hrefs if h.count("/") > 1 and not h.startswith("about/")]
    assert "bodies/city/" not in hrefs and "decisions/2025/d-001/" not in hrefs


def test_home_page_has_entry_points_and_latest_decisions(site_built: Path) -> None:
    article = site_article(site_page(site_built, ""))
    entries = [a.strong.get_text() for a in article.select(".gs-entry")]
    assert entries == ["查主体", "查人员", "执法证查询", "查职权", "查决定", "我要投诉"]
    assert len(article.select("table.gs-list tbody tr")) == 10
    assert "2025年" in article.get_text()


def test_rendering_is_deterministic(tmp_path: Path) -> None:
    portal, _ = load(write_content(tmp_path))
    settings = load_settings(PROJECT)
    first = [p.markdown() for p in render_pages(portal, settings, AS_OF, PROJECT)]
    second = [p.markdown() for p in render_pages(portal, settings, AS_OF, PROJECT)]
    assert first == second


def test_settings_are_validated(tmp_path: Path) -> None:
    assert isinstance(load_settings(PROJECT), Settings)
    (tmp_path / "site_config").mkdir()
    (tmp_path / "site_config" / "portal.yml").write_text("name: x\nbase_url: ftp://x\n", "utf-8")
    with pytest.raises(SettingsError, match="short_name"):
        load_settings(tmp_path)
