"""Print, dark scheme and no-JavaScript reading of the demo site, in headless Chromium."""

from __future__ import annotations

import re

from generator.loader import load
from tests.artifacts import artifact
from tests.conftest import DEMO_AS_OF, ROOT


def _longest_decisions(count: int) -> list[str]:
    """The longest public decisions, then every one with 办理过程 (a printed table)."""
    portal, _ = load(ROOT / "content")
    public = [d for d in portal.decisions.values() if d.publicity_end >= DEMO_AS_OF]
    public.sort(key=lambda d: -len(d.model_dump_json()))
    chosen = public[:count] + [d for d in public[count:] if d.steps]
    return [f"/decisions/{d.decision_date.year}/{d.id}/" for d in chosen]


def test_a_decision_prints_as_one_clean_a4_page(phone, served: str) -> None:  # type: ignore[no-untyped-def]
    for index, path in enumerate(_longest_decisions(3)):
        phone.goto(served + path)
        phone.emulate_media(media="print")
        for chrome in (".md-header", ".md-tabs", ".md-footer", ".md-sidebar--primary"):
            if phone.locator(chrome).count():
                assert phone.locator(chrome).first.evaluate(
                    "e => getComputedStyle(e).display") == "none", chrome
        pdf = phone.pdf(format="A4")
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        assert pages == 1, f"{path} prints on {pages} pages"
        if index == 0:
            artifact("decision-print.pdf").write_bytes(pdf)
        phone.emulate_media(media="screen")


def test_dark_and_light_scheme_toggle(phone, served: str) -> None:  # type: ignore[no-untyped-def]
    phone.goto(served + "/")
    body = phone.locator("body")
    before = body.get_attribute("data-md-color-scheme")
    toggle = phone.locator("label[title^='切换到']:visible")
    toggle.first.click()
    after = body.get_attribute("data-md-color-scheme")
    assert {before, after} == {"default", "slate"}
    background = body.evaluate("e => getComputedStyle(e).backgroundColor")
    phone.screenshot(path=str(artifact(f"home-{after}.png")))
    toggle.first.click()
    assert body.get_attribute("data-md-color-scheme") == before
    assert body.evaluate("e => getComputedStyle(e).backgroundColor") != background


def test_pages_read_without_javascript(chromium, served: str) -> None:  # type: ignore[no-untyped-def]
    context = chromium.new_context(java_script_enabled=False,
                                   viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(served + "/decisions/2025/donghu-2025-002/")
        text = page.locator("article").inner_text()
        for field in ("决定书文号", "当事人", "违法事实", "处罚依据", "决定内容", "救济途径"):
            assert field in text
        page.goto(served + "/bodies/")
        page.locator("article").get_by_role("link", name="东湖市人力资源和社会保障局").first.click()
        assert page.url.endswith("/bodies/donghu-rsj/")
        page.goto(served + "/officers/lookup/")
        assert "需要启用浏览器的 JavaScript" in page.locator("article").inner_text()
    finally:
        context.close()


CONTRAST = """() => {
  const rgba = c => c.match(/[\\d.]+/g).map(Number);
  const channel = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = element => {
    for (let e = element; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c.length < 4 || c[3] > 0.5) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const alpha = element => {
    let a = 1;
    for (let e = element; e; e = e.parentElement) a *= Number(getComputedStyle(e).opacity);
    return a;
  };
  const result = {};
  for (const selector of SELECTORS) {
    const element = document.querySelector(selector);
    if (!element) continue;
    const back = background(element);
    const c = rgba(getComputedStyle(element).color);
    const a = (c.length === 4 ? c[3] : 1) * alpha(element);
    const fore = c.slice(0, 3).map((v, i) => v * a + back[i] * (1 - a));
    const [hi, lo] = [luminance(fore), luminance(back)].sort((x, y) => y - x);
    result[selector] = (hi + 0.05) / (lo + 0.05);
  }
  return result;
}"""
# Normal text needs 4.5:1 (WCAG AA); the page title is large text (3:1).
READABLE = {".md-header__topic": 4.5, ".md-tabs__link": 4.5, ".md-typeset p": 4.5,
            ".md-typeset td": 4.5, ".md-typeset td a": 4.5, ".md-typeset table.gs-fields th": 4.5,
            ".gs-badge": 4.5, ".md-footer-meta": 4.5, ".md-typeset h1": 3.0}


def test_text_is_readable_in_the_light_and_the_dark_scheme(chromium, served: str) -> None:  # type: ignore[no-untyped-def]
    script = CONTRAST.replace("SELECTORS", repr(sorted(READABLE)))
    for system, scheme in (("light", "default"), ("dark", "slate")):
        context = chromium.new_context(color_scheme=system, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        try:
            page.goto(served + "/decisions/2025/donghu-2025-002/")
            # the scheme follows the reader's system setting until they choose one
            assert page.locator("body").get_attribute("data-md-color-scheme") == scheme
            ratios = page.evaluate(script)
            assert set(ratios) == set(READABLE), scheme
            low = {s: round(r, 2) for s, r in ratios.items() if r < READABLE[s]}
            assert low == {}, scheme
            if system == "light":
                page.emulate_media(media="print")
                page.screenshot(path=str(artifact("decision-print-preview.png")), full_page=True)
                page.emulate_media(media="screen")
            page.goto(served + "/")
            page.wait_for_timeout(800)  # the tabs fade in
            page.screenshot(path=str(artifact(f"home-{system}.png")), full_page=True)
        finally:
            context.close()


def test_a_flowchart_prints_whole_on_one_page(chromium, served: str) -> None:  # type: ignore[no-untyped-def]
    """The drawing is atomic in print: taller than a page, it would be cut and leave a blank."""
    context = chromium.new_context(viewport={"width": 794, "height": 1123})  # A4 at 96 dpi
    page = context.new_page()
    try:
        page.goto(served + "/procedures/penalty-ordinary/")
        host = page.locator("div.mermaid").first
        host.wait_for(state="attached", timeout=20_000)
        page.wait_for_function("() => document.querySelector('div.mermaid')"
                               ".style.getPropertyValue('--gs-aspect') !== ''", timeout=20_000)
        on_screen = host.bounding_box()
        page.emulate_media(media="print")
        printed = host.bounding_box()
        assert on_screen is not None and printed is not None
        assert on_screen["height"] > 1123  # this one is taller than a page on screen ...
        assert 400 < printed["height"] <= 220 / 25.4 * 96 + 8  # ... and 22 cm in print
        pdf = page.pdf(format="A4")
        artifact("procedure-print.pdf").write_bytes(pdf)
    finally:
        context.close()


def test_navigation_and_flowchart_page_without_javascript(chromium, served: str) -> None:  # type: ignore[no-untyped-def]
    """The tabs (desktop) and the drawer (phone) work without JavaScript; a flowchart page says
    the drawing needs it instead of showing its source, and keeps its table of steps."""
    for width in (1280, 390):
        context = chromium.new_context(java_script_enabled=False,
                                       viewport={"width": width, "height": 900})
        page = context.new_page()
        try:
            page.goto(served + "/procedures/penalty-ordinary/")
            assert page.locator("html").get_attribute("class") == "no-js"
            assert not page.locator(".md-search").is_visible()  # search needs JavaScript
            code = page.locator("pre.mermaid")
            assert not code.locator("code").is_visible()
            assert "需要启用浏览器的 JavaScript" in code.evaluate(
                "e => getComputedStyle(e, '::before').content")
            assert page.locator("article table").first.is_visible()
            if width > 1000:
                page.locator(".md-tabs").get_by_role("link", name="执法决定").click()
            else:
                page.locator(".md-header label[for='__drawer']").click()
                page.locator(".md-nav--primary").get_by_role("link", name="执法决定").first.click()
            page.wait_for_load_state()
            assert page.url == served + "/decisions/"
            assert page.get_by_role("heading", name="执法决定").first.is_visible()
            assert page.locator("article a[href*='2025']").first.is_visible()
            page.screenshot(path=str(artifact(f"decisions-nojs-{width}.png")))
        finally:
            context.close()
