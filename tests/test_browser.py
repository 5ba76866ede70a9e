"""The demo site in headless Chromium, as a citizen on a phone meets it.

Skips where Chromium or playwright is missing, except under CI=true, where it fails instead.
"""

from __future__ import annotations

from tests.artifacts import artifact


def test_home_page_in_chinese_on_a_phone(phone, served: str) -> None:  # type: ignore[no-untyped-def]
    phone.goto(served + "/")
    assert "示例省" in phone.title()
    assert phone.locator("html").get_attribute("lang", timeout=5000).startswith("zh")
    for entry in ("查主体", "查人员", "查职权", "查决定", "我要投诉"):
        assert phone.get_by_role("link", name=entry).first.is_visible()
    phone.screenshot(path=str(artifact("home-phone.png")), full_page=True)
    assert artifact("home-phone.png").stat().st_size > 10_000


def test_follow_body_to_power_to_article(phone, served: str) -> None:  # type: ignore[no-untyped-def]
    phone.goto(served + "/")
    phone.get_by_role("link", name="查主体").first.click()
    phone.wait_for_load_state()
    content = phone.locator(".md-content")
    content.get_by_role("link", name="东湖市人力资源和社会保障局").first.click()
    phone.wait_for_load_state()
    assert phone.url.endswith("/bodies/donghu-rsj/")
    phone.screenshot(path=str(artifact("body-phone.png")), full_page=True)
    content.locator("#powers ~ table a[href*='powers/']").first.click()
    phone.wait_for_load_state()
    assert "/powers/" in phone.url
    article_link = content.locator("a[href*='/laws/'][href*='#art-']").first
    href = article_link.get_attribute("href")
    article_link.click()
    phone.wait_for_load_state()
    anchor = href.split("#", 1)[1]
    assert phone.url.endswith("#" + anchor)
    target = phone.locator(f"[id='{anchor}']")
    assert target.is_visible() and "第" in target.inner_text()
    box = target.bounding_box()
    assert box is not None and 0 <= box["y"] < 844  # the article is on screen, not below it


def test_decision_and_flowchart_screenshots(phone, served: str) -> None:  # type: ignore[no-untyped-def]
    phone.goto(served + "/decisions/2025/donghu-2025-002/")
    assert "重大执法决定" in phone.locator(".md-content").inner_text()
    phone.screenshot(path=str(artifact("decision-phone.png")), full_page=True)
    phone.goto(served + "/procedures/penalty-ordinary/")
    # the theme draws the diagram into a closed shadow root: the drawn box is what we can see
    phone.wait_for_function(
        "() => { const d = document.querySelector('div.mermaid');"
        " return d !== null && d.getBoundingClientRect().height > 300; }", timeout=20_000)
    assert phone.locator("pre.mermaid").count() == 0
    phone.screenshot(path=str(artifact("flowchart-phone.png")), full_page=True)



def test_click_through_to_a_decision_and_its_body(phone, served: str) -> None:  # type: ignore[no-untyped-def]
    phone.goto(served + "/decisions/")
    phone.locator(".md-content a", has_text="2025年").first.click()
    phone.wait_for_load_state()
    assert phone.url.endswith("/decisions/2025/")
    phone.locator(".md-content a[href*='-2025-']").first.click()
    phone.wait_for_load_state()
    assert "/decisions/2025/" in phone.url and phone.url.count("/") > 5
    content = phone.locator(".md-content")
    assert "决定书文号" in content.inner_text() and "〔2025〕" in content.inner_text()
    content.locator("a[href*='bodies/']").first.click()
    phone.wait_for_load_state()
    assert "/bodies/" in phone.url
    assert "监督" in phone.locator(".md-content").inner_text()


def test_natural_person_is_masked_on_screen(phone, served: str) -> None:  # type: ignore[no-untyped-def]
    from generator.loader import load
    from generator.privacy import mask_person_name
    from tests.conftest import ROOT

    portal, _ = load(ROOT / "content")
    person = next(d for d in portal.decisions.values() if d.party.kind == "自然人")
    phone.goto(f"{served}/decisions/{person.decision_date.year}/{person.id}/")
    text = phone.locator(".md-content").inner_text()
    assert mask_person_name(person.party.name) in text
    assert person.party.name not in phone.content()

