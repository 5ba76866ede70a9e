"""年度执法数据 and 评议考核 in headless Chromium, on a desktop and on a phone, light and dark.

Skips where Chromium or playwright is missing, except under CI=true, where it fails instead.
Screenshots are saved as test artifacts (tests/artifacts.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.artifacts import artifact
from tests.yearly import Demo, expected_row, expected_scores

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def desktop(chromium, served: str) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN")
    yield context.new_page()
    context.close()


def _no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], "the page scrolls sideways"


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_statistics_pages_screenshots(request, served: str, device: str) -> None:  # type: ignore[no-untyped-def]
    page = request.getfixturevalue(device)
    demo = Demo.read()
    page.goto(served + "/statistics/")
    assert page.locator("h1").inner_text() == "年度执法数据"
    chart = page.locator("#chart-years svg")
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box["width"] <= page.viewport_size["width"] and box["height"] > 200
    total = page.locator("table.gs-figures tr", has_text="执法决定合计").locator("td").all_inner_texts()
    assert total == [expected_row(demo, 2025, None)["执法决定合计"],
                     expected_row(demo, 2026, None)["执法决定合计"]]
    _no_sideways_scroll(page)
    page.screenshot(path=str(artifact(f"statistics-{device}.png")), full_page=True)
    page.get_by_role("link", name="2025年", exact=True).click()
    page.wait_for_url("**/statistics/2025/")
    assert page.locator("h1").inner_text() == "2025年行政执法数据"
    assert page.locator("#chart-2025 svg").is_visible()
    _no_sideways_scroll(page)
    page.screenshot(path=str(artifact(f"statistics-2025-{device}.png")), full_page=True)
    assert artifact(f"statistics-2025-{device}.png").stat().st_size > 20_000


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_evaluation_pages_screenshots(request, served: str, device: str) -> None:  # type: ignore[no-untyped-def]
    page = request.getfixturevalue(device)
    demo = Demo.read()
    page.goto(served + "/evaluation/")
    assert page.locator("h1").inner_text() == "评议考核"
    assert page.locator("table").first.locator("tbody tr").count() == 8
    _no_sideways_scroll(page)
    page.screenshot(path=str(artifact(f"evaluation-{device}.png")), full_page=True)
    page.goto(served + "/evaluation/2025/")
    _no_sideways_scroll(page)
    page.screenshot(path=str(artifact(f"evaluation-2025-{device}.png")), full_page=True)
    # From the summary to a body's section, then from a deduction to the decision it names.
    page.locator("table.gs-scores a", has_text="西山市人力资源和社会保障局").click()
    heading = page.locator("h2#xishan-rsj")
    score = expected_scores(demo, 2025)["xishan-rsj"]
    assert heading.inner_text() == f"西山市人力资源和社会保障局：{score}分"
    assert heading.is_visible() and heading.bounding_box()["y"] < page.viewport_size["height"]
    page.locator("h2#xishan-rsj + p a", has_text="扣分明细").click()
    page.wait_for_url("**/evaluation/2025/xishan-rsj/")
    _no_sideways_scroll(page)
    page.screenshot(path=str(artifact(f"evaluation-2025-details-{device}.png")), full_page=True)
    deduction = page.locator("article table tbody a").first
    number = deduction.inner_text()
    deduction.click()
    page.wait_for_load_state()
    assert number in page.locator("article").inner_text()


def test_charts_follow_the_dark_scheme(chromium, served: str) -> None:  # type: ignore[no-untyped-def]
    fills = {}
    for scheme in ("light", "dark"):
        context = chromium.new_context(viewport=DESKTOP, color_scheme=scheme, locale="zh-CN")
        page = context.new_page()
        page.goto(served + "/statistics/2025/")
        fills[scheme] = page.evaluate("""() => {
            const svg = document.querySelector('#chart-2025 svg');
            return [getComputedStyle(svg.querySelector('rect')).fill,
                    getComputedStyle(svg.querySelector('text')).fill,
                    getComputedStyle(document.body).backgroundColor];
        }""")
        page.screenshot(path=str(artifact(f"statistics-2025-{scheme}.png")))
        context.close()
    (bar_light, text_light, _), (bar_dark, text_dark, _) = fills["light"], fills["dark"]
    assert bar_light != bar_dark and text_light != text_dark
    # Text is drawn in the scheme's foreground colour: dark on light, light on dark.
    def brightness(css: str) -> float:
        parts = [float(x) for x in css[css.index("(") + 1:-1].split(",")[:3]]
        return sum(parts) / 3
    assert brightness(text_light) < 128 < brightness(text_dark)
