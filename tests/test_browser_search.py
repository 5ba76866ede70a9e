"""The header search (Pagefind) on the demo site in headless Chromium: realistic queries typed
without spaces find the expected record first; filters narrow; excerpts carry no zero-width
characters; withdrawn decisions are not found.

Skips where Chromium or playwright is missing, except under CI=true, where it fails instead.
"""

from __future__ import annotations

import re

import pytest

from tests.artifacts import artifact


def results(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.locator(".gs-search-result > a").all_inner_texts()


def search(page, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Type into the search page's box and wait for the results of exactly this query."""
    page.fill("#gs-search-q", query)
    page.wait_for_function(
        "q => new URLSearchParams(location.search).get('q') === q && "
        "!document.getElementById('gs-search-status').textContent.startsWith('正在')", arg=query)
    page.wait_for_timeout(100)
    return results(page)


@pytest.fixture
def search_page(phone, served: str):  # type: ignore[no-untyped-def]
    """The search page, reached as a reader does: the header's search button on a phone."""
    phone.goto(served + "/")
    phone.locator(".gs-header-search button").click()
    phone.wait_for_url(re.compile(r"/search/"))
    phone.wait_for_selector("select[data-filter='类型'] option:nth-child(2)", state="attached")
    return phone


def test_the_header_form_searches_from_any_page(chromium, served: str) -> None:  # type: ignore[no-untyped-def]
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(served + "/bodies/donghu-rsj/")
    page.fill("#gs-header-q", "拓新")
    page.press("#gs-header-q", "Enter")
    page.wait_for_selector(".gs-search-result")
    assert results(page)[0].startswith("东人社监罚〔2026〕1号")
    page.screenshot(path=str(artifact("search-desktop.png")))
    page.close()


@pytest.mark.parametrize(("query", "first"), [
    ("东湖市拓新人力资源服务有限公司", "东人社监罚〔2026〕1号 东湖市拓新人力资源服务有限公司"),
    ("拓新", "东人社监罚〔2026〕1号 东湖市拓新人力资源服务有限公司"),
    ("东人社监罚〔2026〕1号", "东人社监罚〔2026〕1号 东湖市拓新人力资源服务有限公司"),
    ("王磊", "王磊"),
    ("99010020220007", "王磊"),
    ("中华人民共和国劳动合同法", "中华人民共和国劳动合同法"),
])
def test_each_kind_of_query_finds_its_record_first(search_page, query: str,  # type: ignore[no-untyped-def]
                                                  first: str) -> None:
    found = search(search_page, query)
    assert found and found[0] == first, found[:3]


def test_a_topic_and_the_filters(search_page) -> None:  # type: ignore[no-untyped-def]
    everything = search(search_page, "有限公司")
    search_page.select_option("select[data-filter='年份']", "2025")
    search_page.wait_for_function("new URLSearchParams(location.search).get('年份') === '2025'")
    search_page.wait_for_timeout(300)
    in_2025 = search_page.inner_text("#gs-search-status")
    metas = search_page.locator(".gs-search-meta").all_inner_texts()
    assert metas and all("2025-" in meta for meta in metas)
    total = int(re.search(r"找到 (\d+) 条", search_page.inner_text("#gs-search-status"))[1])
    assert everything and total < 40, in_2025
    search_page.select_option("select[data-filter='决定类别']", "行政处罚")
    search_page.wait_for_timeout(400)
    narrower = int(re.search(r"找到 (\d+) 条", search_page.inner_text("#gs-search-status"))[1])
    assert 0 < narrower < total
    search_page.screenshot(path=str(artifact("search-phone.png")), full_page=True)


def test_excerpts_are_highlighted_without_zero_width_characters(search_page) -> None:  # type: ignore[no-untyped-def]
    search(search_page, "加班")
    excerpt = search_page.locator(".gs-search-excerpt").first
    assert excerpt.locator("mark").first.inner_text() == "加班"
    assert "\u200b" not in search_page.inner_text("#gs-search-results")


def test_a_withdrawn_decision_is_not_found(search_page) -> None:  # type: ignore[no-untyped-def]
    assert search(search_page, "西人社监罚〔2025〕5号")[:1] != ["西人社监罚〔2025〕5号"]
    assert not any("泓澄" in r for r in search(search_page, "泓澄汽车配件"))
