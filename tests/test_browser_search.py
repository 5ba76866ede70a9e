"""The header search on the demo site in headless Chromium: realistic queries typed without
spaces find the expected record first; filters narrow; excerpts are highlighted; withdrawn
decisions are not found; the browser makes terms exactly as the index writer does.

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
    ("劳动保障监察条例", "劳动保障监察条例"),
    ("示例省劳动保障监察条例", "示例省劳动保障监察条例"),
    ("拖欠工资", "东人社监理〔2026〕1号 东湖市瑞丰建筑劳务有限公司"),
    ("91990100MA7K3L9Q2K", "东人社监理〔2026〕1号 东湖市瑞丰建筑劳务有限公司"),
    ("瑞丰建筑", "东人社监理〔2026〕1号 东湖市瑞丰建筑劳务有限公司"),
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


def test_more_results_and_a_listing_by_filter_alone(search_page) -> None:  # type: ignore[no-untyped-def]
    first = search(search_page, "有限公司")
    total = int(re.search(r"找到 (\d+) 条", search_page.inner_text("#gs-search-status"))[1])
    assert len(first) == 20 < total
    search_page.click("#gs-search-more")
    search_page.wait_for_function("document.querySelectorAll('.gs-search-result').length > 20")
    assert len(results(search_page)) == min(40, total)
    assert results(search_page)[:20] == first

    search_page.fill("#gs-search-q", "")
    search_page.select_option("select[data-filter='类型']", "decisions")
    search_page.wait_for_function("new URLSearchParams(location.search).get('类型') === 'decisions'")
    search_page.wait_for_timeout(300)
    dates = [re.search(r"\d{4}-\d\d-\d\d", m)[0]
             for m in search_page.locator(".gs-search-meta").all_inner_texts()]
    assert len(dates) == 20 and dates == sorted(dates, reverse=True)  # newest first


def test_a_query_that_matches_only_in_part_says_so(search_page) -> None:  # type: ignore[no-untyped-def]
    found = search(search_page, "瑞丰建筑火星分公司")
    assert "部分符合" in search_page.inner_text("#gs-search-status")
    assert found[0] == "东人社监理〔2026〕1号 东湖市瑞丰建筑劳务有限公司"


AWKWARD = ["东湖市拓新人力资源服务有限公司", "东人社监罚〔2026〕1号", "ＡＢＣ１２３号",
           "91990100MA7K3L9Q2K", "张 伟", "𠀀𠀁x", "拖欠 10名 工资", "a", "号", "", "Ⅻ条例",
           "﹝2024﹞15号", "O'Brien 公司"]


def test_the_browser_makes_the_same_terms_as_the_index(search_page) -> None:  # type: ignore[no-untyped-def]
    from search.terms import exact, query_terms, shard

    got = search_page.evaluate("""async (texts) => {
        const core = await import(new URL("../assets/javascripts/search-core.js", location.href));
        return texts.map((t) => [core.queryTerms(t), core.exact(t),
                                 core.queryTerms(t).map(([term]) => core.shard(term, 4096))]);
    }""", AWKWARD)
    expected = [[[[term, units] for term, units in query_terms(t)], exact(t),
                 [shard(term, 4096) for term, _ in query_terms(t)]] for t in AWKWARD]
    assert got == expected


def test_the_browser_joins_a_terms_postings_from_every_range(  # type: ignore[no-untyped-def]
        chromium, tmp_path, monkeypatch) -> None:
    """A term file has a segment for each range of records its terms are in, but the last,
    whose postings are in the tail files: the browser reads each term's postings, weights
    and all, as the index writer meant them."""
    import itertools
    import shutil

    from search import browser
    from tests.conftest import ROOT, serving
    from tests.test_browser_index import SAMPLE_LABELS, sample

    monkeypatch.setattr(browser, "_plan", lambda records: (browser.CHUNK, 1))  # ranges of 32
    browser.write_browser_index(sample(), SAMPLE_LABELS, tmp_path)
    core = tmp_path / "assets/javascripts/search-core.js"
    core.parent.mkdir(parents=True)
    shutil.copy(ROOT / browser.CLIENT, core)
    expected = {}
    for term, value in browser.read_terms(tmp_path / "search/index").items():
        numbers = list(itertools.accumulate(value[0]))
        if numbers[0] // browser.CHUNK != numbers[-1] // browser.CHUNK:  # in several ranges
            expected[term] = [numbers, value[1] if len(value) > 1 else None]
    last = (len(sample()) - 1) // browser.CHUNK  # the tail's range
    assert len(expected) > 20 and any(weights for _, weights in expected.values())
    assert sum(numbers[-1] // browser.CHUNK == last for numbers, _ in expected.values()) > 10
    page = chromium.new_page()
    with serving(tmp_path) as url:
        page.goto(url + "/")
        got = page.evaluate("""async (terms) => {
            const core = await import("/assets/javascripts/search-core.js");
            const index = await core.SearchIndex.open(new URL("/search/index/", location.href));
            const found = await index.postings(terms);
            return terms.map((t) => { const [n, w] = found.get(t); return [Array.from(n), w]; });
        }""", sorted(expected))
    page.close()
    assert dict(zip(sorted(expected), got, strict=True)) == expected
