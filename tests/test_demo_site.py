"""The demo site as built: every record has its page and every internal link and anchor works."""

from __future__ import annotations

import posixpath
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

from generator.loader import load
from generator.render.urls import page_url, record_src
from tests.conftest import DEMO_AS_OF, ROOT


@cache
def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _target(site: Path, page: Path, href: str) -> tuple[Path, str] | None:
    """The file a relative href points to and its anchor, or None for other sites."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith(("mailto:", "tel:", "javascript:")):
        return None
    if not parts.path:
        return page, unquote(parts.fragment)
    if parts.path.startswith("/"):
        raise AssertionError(f"{page}: absolute path {href} breaks under a sub-path")
    base = posixpath.dirname(page.relative_to(site).as_posix())
    resolved = posixpath.normpath(posixpath.join(base, unquote(parts.path)))
    target = site / resolved
    if target.is_dir() or href.endswith("/"):
        target = target / "index.html"
    return target, unquote(parts.fragment)


def test_every_internal_link_and_anchor_resolves(demo_site: Path) -> None:
    broken = []
    checked = 0
    for page in sorted(demo_site.rglob("*.html")):
        if page.name == "404.html":
            continue  # mkdocs writes it with site-absolute links on purpose
        for tag, attr in (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src")):
            for element in _soup(page).find_all(tag):
                value = element.get(attr)
                if not value:
                    continue
                found = _target(demo_site, page, str(value))
                if found is None:
                    continue
                target, anchor = found
                checked += 1
                where = f"{page.relative_to(demo_site)} -> {value}"
                if not target.is_file():
                    broken.append(f"{where}: no such file")
                elif anchor and target.suffix == ".html" and not (
                        _soup(target).find(id=anchor) or _soup(target).find(attrs={"name": anchor})):
                    broken.append(f"{where}: no anchor #{anchor}")
    assert checked > 5000
    assert broken == []


def test_no_page_has_two_elements_with_one_id(demo_site: Path) -> None:
    """An anchor must name one place: a link to #history cannot mean two headings."""
    doubled = []
    for page in sorted(demo_site.rglob("*.html")):
        ids = [str(e["id"]) for e in _soup(page).find_all(id=True)]
        doubled += [f"{page.relative_to(demo_site)}#{i}" for i in sorted(set(ids))
                    if ids.count(i) > 1]
    assert doubled == []


def test_every_demo_record_has_its_page(demo_site: Path) -> None:
    portal, _ = load(ROOT / "content")
    missing = []
    for record in portal.records():
        if not record.has_page:
            continue
        url = page_url(record_src(record))
        if not (demo_site / url / "index.html").is_file():
            missing.append(url)
    assert missing == []
    assert len(list(portal.records())) > 150


def _text(site: Path, url: str) -> str:
    return _soup(site / url / "index.html").select_one("article").get_text(" ", strip=True)


def test_bodies_by_region_and_by_kind(demo_site: Path) -> None:
    article = _soup(demo_site / "bodies/index.html").select_one("article")
    assert article.find(id="by-region") and article.find(id="by-kind")
    text = article.get_text(" ", strip=True)
    for heading in ("行政机关（6个）", "法律法规授权组织（1个）", "受委托组织（1个）"):
        assert heading in text
    # the tree nests counties under their city
    city = article.find("a", string="东湖市人力资源和社会保障局").find_parent("li")
    assert city.find("a", string="青山县人力资源和社会保障局")


def test_body_page_shows_powers_by_category_procedures_and_statistics(demo_site: Path) -> None:
    text = _text(demo_site, "bodies/qingshan-rsj")
    assert "行政处罚（" in text and "执法程序" in text and "行政处罚一般程序" in text
    row = _soup(demo_site / "bodies/qingshan-rsj/index.html").select_one(".gs-stats tbody tr")
    cells = [c.get_text(strip=True) for c in row.find_all(["th", "td"])]
    assert cells[0] == "2026年" and cells[1] == "无此职权"  # a county grants no licence
    assert cells[-2].endswith("元") and cells[-1].endswith("分")
    assert row.find("a", string=cells[-1])["href"].endswith("evaluation/2026/#qingshan-rsj")
    register = _soup(demo_site / "bodies/qingshan-rsj/index.html").find(
        "a", string="青山县人力资源和社会保障局执法人员名录")
    assert register is not None and register["href"].endswith("officers/body/qingshan-rsj/")


def test_entrusted_body_names_who_entrusted_it_and_the_scope(demo_site: Path) -> None:
    text = _text(demo_site, "bodies/xishan-jcfwzx")
    assert "委托机关 西山市人力资源和社会保障局" in text and "委托范围" in text


def test_power_list_by_category_and_by_body(demo_site: Path) -> None:
    soup = _soup(demo_site / "powers/index.html")
    assert soup.find(id="by-body")
    assert len(soup.select("#by-body ~ table tbody tr")) == 8


def test_benchmark_levels_have_anchors(demo_site: Path) -> None:
    soup = _soup(demo_site / "benchmarks/bm-overtime/index.html")
    assert soup.find(id="level-1") and soup.find(id="level-5")


def test_repealed_law_says_so_and_names_its_replacement(demo_site: Path) -> None:
    text = _text(demo_site, "laws/administrative-penalty-law-2017")
    assert "已修改" in text
    soup = _soup(demo_site / "laws/administrative-penalty-law-2017/index.html")
    assert soup.select_one("article a[href*='administrative-penalty-law/']")


def test_home_lists_entry_points_and_latest_corrections(demo_site: Path) -> None:
    text = _text(demo_site, "")
    for entry in ("查主体", "查人员", "查职权", "查决定", "我要投诉"):
        assert entry in text
    assert "最新执法决定" in text and "最新更正和撤回" in text


def test_home_shows_an_approved_correction(good: Path) -> None:
    from generator.render import render_pages
    from generator.settings import load_settings
    from tests.minisite import write_tree

    write_tree(good, {"content/corrections/d1-c1.yml": """
        id: d1-c1
        record: decisions/d1
        kind: 更正
        reason: 当事人名称<b>录入</b>有误
        requested_by: wang
        requested_on: 2025-06-20
        review: {reviewer: chen, date: 2025-06-21, outcome: 批准, note: 同意}
    """})
    portal, _ = load(good / "content")
    pages = render_pages(portal, load_settings(ROOT), DEMO_AS_OF, ROOT)
    home = next(p for p in pages if p.src == "index.md").markdown()
    section = home[home.index('id="corrections"'):]
    assert "当事人名称&lt;b&gt;录入&lt;/b&gt;有误" in section
    assert "东人社监罚〔2025〕1号" in section and "2025年6月21日" in section


def test_no_resource_is_loaded_from_another_host(demo_site: Path) -> None:
    """Scripts, styles, fonts and images all come from the site (links to other sites are fine)."""
    import re

    foreign = []
    for page in sorted(demo_site.rglob("*.html")):
        soup = _soup(page)
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"),
                          ("source", "src")):
            for element in soup.find_all(tag):
                value = str(element.get(attr) or "")
                if tag == "link" and not set(element.get("rel") or []) & {
                        "stylesheet", "icon", "preload", "modulepreload", "preconnect",
                        "dns-prefetch", "manifest"}:
                    continue
                if re.match(r"(https?:)?//", value):
                    foreign.append(f"{page.relative_to(demo_site)}: <{tag} {attr}={value}>")
    for sheet in sorted(demo_site.rglob("*.css")):
        text = sheet.read_text(encoding="utf-8")
        for match in re.finditer(r"(?:url\(\s*['\"]?|@import\s+['\"])((?:https?:)?//[^'\")\s]+)",
                                 text):
            foreign.append(f"{sheet.relative_to(demo_site)}: {match.group(1)}")
    assert foreign == []
