"""执法人员名录 and 执法证查询 as a citizen uses them, on the demo site.

The HTML tests parse the demo site (built once, tests/conftest.py); the browser tests look
certificates up on a 390×844 phone and save screenshots (tests/artifacts.py). Browser tests
skip without Chromium or playwright, except under CI=true, where they fail.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.loader import load
from generator.model import Officer
from generator.portal import Portal
from generator.render import render_pages
from generator.render.docs import DocPage, StaticFile
from generator.render.lookup import DATA_SRC, normalise
from generator.render.officers import INLINE_LIMIT, PER_PAGE, register_src
from generator.render.text import certificate_state
from generator.settings import load_settings
from tests.artifacts import artifact
from tests.conftest import DEMO_AS_OF, ROOT

# The demo officers whose certificate cannot be used on DEMO_AS_OF, and why.
NOT_VALID = {
    "dh-zhao-min": "已过期",
    "sh-huang-zhiyuan": "已过期",
    "nj-sun-li": "已过期",
    "qs-cao-bin": "已过期",
    "xs-zhou-jian": "注销",
    "dhzd-jiang-tao": "暂扣",
    "sm-luo-gang": "吊销",
}


@pytest.fixture(scope="module")
def portal() -> Portal:
    portal, _ = load(ROOT / "content")
    return portal


@pytest.fixture(scope="module")
def officers(portal: Portal) -> dict[str, Officer]:
    return portal.officers


def expected_state(officer_id: str) -> str:
    return NOT_VALID.get(officer_id, "有效")


def page(site: Path, url: str) -> BeautifulSoup:
    html = (site / url / "index.html").read_text(encoding="utf-8")
    article = BeautifulSoup(html, "html.parser").select_one("article")
    assert article is not None
    return article


def register_states(article: BeautifulSoup) -> dict[str, str]:
    """Certificate number -> the state in words, from the register table of a page."""
    states = {}
    for tr in article.select("table.gs-register tbody tr"):
        number = tr.select_one("td[data-label=执法证号]").get_text(strip=True)
        states[number] = tr.select_one("td[data-label=状态] .gs-state").get_text(strip=True)
    return states


# --- the data file ----------------------------------------------------------------------


def test_data_file_holds_every_certificate_with_its_state(demo_site: Path,
                                                          officers: dict[str, Officer]) -> None:
    text = (demo_site / DATA_SRC).read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["as_of"] == DEMO_AS_OF.isoformat()
    assert len(data["certificates"]) == len(officers) == 31
    for officer in officers.values():
        entry = data["certificates"][normalise(officer.certificate_number)]
        assert entry["name"] == officer.name
        assert entry["state"] == expected_state(officer.id) == certificate_state(officer,
                                                                                  DEMO_AS_OF)
        assert (demo_site / entry["officer_url"] / "index.html").is_file()
        body = data["bodies"][entry["body"]]
        assert (demo_site / body["url"] / "index.html").is_file() and body["phones"]
    # a 暂扣 / 注销 / 吊销 carries its date; an expiry does not
    assert data["certificates"]["99010020220021"]["state_since"] == "2026-03-01"
    assert data["certificates"]["99010020190021"]["state_since"] == ""
    # only public fields, and every state the script may meet is explained
    assert set(next(iter(data["certificates"].values()))) == {
        "number", "name", "officer_url", "body", "issuer", "field", "region",
        "valid_from", "valid_to", "state", "state_since", "roles"}
    assert set(data["bodies"]["donghu-rsj"]) == {"name", "url", "phones"}
    assert {e["state"] for e in data["certificates"].values()} <= set(data["states"])
    # sorted keys: the same content and date give the same bytes
    assert text == json.dumps(data, ensure_ascii=False, sort_keys=True, indent=0) + "\n"


def test_status_changes_count_only_from_their_date(officers: dict[str, Officer]) -> None:
    suspended = officers["dhzd-jiang-tao"]
    assert suspended.status_since is not None
    day_before = suspended.status_since - dt.timedelta(days=1)
    assert certificate_state(suspended, day_before) == "有效"
    assert certificate_state(suspended, suspended.status_since) == "暂扣"


def test_normalise_accepts_what_people_type() -> None:
    assert normalise(" ９９０１ 0020 190012 ") == "99010020190012"
    assert normalise("ab-12") == "AB-12"
    assert normalise("ＡＢ\u3000１２") == "AB12"  # full-width letters and ideographic space


# --- the register ----------------------------------------------------------------------


def test_register_says_each_state_in_words(demo_site: Path, officers: dict[str, Officer]) -> None:
    states = register_states(page(demo_site, "officers"))
    assert len(states) == len(officers)
    for officer in officers.values():
        assert states[officer.certificate_number] == expected_state(officer.id)
    assert {"有效", "已过期", "暂扣", "注销", "吊销"} <= set(states.values())


def test_register_colours_follow_the_state(demo_site: Path) -> None:
    rows = page(demo_site, "officers").select("table.gs-register tbody tr")
    classes = {tr.select_one(".gs-state").get_text(strip=True):
               set(tr.select_one(".gs-state")["class"]) - {"gs-state"} for tr in rows}
    assert classes["有效"] == {"gs-state-ok"} and classes["吊销"] == {"gs-state-revoked"}
    assert len({frozenset(c) for c in classes.values()}) == len(classes)  # one colour each


def test_register_shows_roles_and_links_the_lookup(demo_site: Path) -> None:
    article = page(demo_site, "officers")
    reviewer = next(tr for tr in article.select("table.gs-register tbody tr")
                    if "林晓燕" in tr.get_text())
    assert "法制审核人员" in reviewer.select_one(".gs-role").get_text()
    assert article.find("a", string="执法证查询")["href"] == "lookup/"


def test_register_is_grouped_by_body_with_a_page_each(demo_site: Path,
                                                      officers: dict[str, Officer]) -> None:
    article = page(demo_site, "officers")
    index = article.select(".gs-register-index li")
    assert index[0].a.get_text() == "示例省人力资源和社会保障厅"  # the tree's root first
    seen: dict[str, str] = {}
    for item in index:
        register = item.find_all("a")[1]["href"]
        body_page = page(demo_site, f"officers/{register}")
        seen.update(register_states(body_page))
        assert body_page.h1.get_text().endswith(item.a.get_text())
    assert seen == {o.certificate_number: expected_state(o.id) for o in officers.values()}


def _many_officers(portal: Portal, count: int) -> Portal:
    template = portal.officers["dh-wang-lei"]
    extra = {f"x-{n:05d}": template.model_copy(update={
        "id": f"x-{n:05d}", "certificate_number": f"9901009{n:07d}", "name": f"测试{n}"})
        for n in range(count)}
    return Portal(portal.root, bodies=portal.bodies, officers={**portal.officers, **extra},
                  laws=portal.laws, powers=portal.powers, procedures=portal.procedures,
                  benchmarks=portal.benchmarks, decisions=portal.decisions,
                  corrections=portal.corrections, pages=portal.pages)


def test_register_scales_to_pages_of_one_body(portal: Portal) -> None:
    big = _many_officers(portal, 2 * PER_PAGE + 5)
    assert len(big.officers) > INLINE_LIMIT
    pages = {p.src: p for p in render_pages(big, load_settings(ROOT), DEMO_AS_OF, ROOT)}
    section = pages["officers/index.md"]
    assert isinstance(section, DocPage)
    # past INLINE_LIMIT the section page is an index of bodies, not one giant table
    assert "gs-register-index" in section.markdown() and "<tbody>" not in section.markdown()
    body_pages = [pages[register_src("donghu-rsj", n)] for n in (1, 2, 3)]
    assert register_src("donghu-rsj", 4) not in pages
    rows = [p.markdown().count("<tr class=") for p in body_pages]
    assert rows[:2] == [PER_PAGE, PER_PAGE] and 0 < rows[2] <= PER_PAGE
    assert sum(rows) == sum(1 for o in big.officers.values() if o.body == "donghu-rsj")
    assert 'aria-label="分页"' in body_pages[1].markdown()
    data = pages[DATA_SRC]
    assert isinstance(data, StaticFile)
    assert len(json.loads(data.text)["certificates"]) == len(big.officers)


# --- one officer -----------------------------------------------------------------------


def test_officer_page_has_status_box_and_lists_signed_decisions(demo_site: Path,
                                                                portal: Portal) -> None:
    officer = portal.officers["dh-li-na"]
    signed = sorted((d for d in portal.decisions.values()
                     if officer.id in d.officers and d.publicity_end >= DEMO_AS_OF),
                    key=lambda d: (-d.decision_date.toordinal(), d.id))
    article = page(demo_site, "officers/dh-li-na")
    box = article.select_one(".gs-officer-status")
    assert box is not None and box.find_previous_sibling("h1") is not None
    assert "gs-result-ok" in box["class"] and box.select_one(".gs-state").get_text() == "有效"
    listed = article.select("#decisions ~ table.gs-list tbody tr")
    assert [tr.a.get_text() for tr in listed] == [d.document_number for d in signed]
    assert len(listed) > 1
    for tr in listed:
        href = tr.a["href"]
        assert (demo_site / "officers/dh-li-na" / href / "index.html").resolve().is_file()


@pytest.mark.parametrize("officer_id", sorted(NOT_VALID))
def test_officer_page_says_why_a_certificate_cannot_be_used(demo_site: Path,
                                                           officer_id: str) -> None:
    box = page(demo_site, f"officers/{officer_id}").select_one(".gs-officer-status")
    assert box.select_one(".gs-state").get_text() == NOT_VALID[officer_id]
    assert "不能" in box.get_text()


# --- in the browser --------------------------------------------------------------------

CASES = [("dh-li-na", "有效", "证件有效"), ("dh-zhao-min", "已过期", "已过有效期"),
         ("dhzd-jiang-tao", "暂扣", "已被暂扣"), ("xs-zhou-jian", "注销", "已注销"),
         ("sm-luo-gang", "吊销", "已被吊销")]


@pytest.mark.parametrize(("officer_id", "state", "words"), CASES)
def test_lookup_in_the_browser(phone, served: str, officers: dict[str, Officer],  # type: ignore[no-untyped-def]
                               officer_id: str, state: str, words: str) -> None:
    officer = officers[officer_id]
    phone.goto(served + "/officers/lookup/")
    # typed as a person might: with spaces and full-width digits
    typed = officer.certificate_number[:4] + " " + officer.certificate_number[4:]
    phone.fill("#gs-lookup-number", typed.translate(str.maketrans("0123", "０１２３")))
    result = phone.locator("#gs-lookup-result")
    result.get_by_text(words).wait_for(timeout=5000)
    text = result.inner_text()
    assert officer.name in text and state in text
    assert officer.issuer in text and officer.field in text and officer.region in text
    assert f"{officer.valid_to.year}年{officer.valid_to.month}月{officer.valid_to.day}日" in text
    assert result.locator(".gs-state").inner_text() == state
    phone.screenshot(path=str(artifact(f"lookup-{officer.id}.png")), full_page=True)
    assert result.locator("a[href*='bodies/']").count() == 1  # the body, linked
    result.get_by_role("link", name=officer.name).click()
    phone.wait_for_load_state()
    assert phone.url.endswith(f"/officers/{officer.id}/")


def test_lookup_states_differ_in_colour_too(phone, served: str,  # type: ignore[no-untyped-def]
                                            officers: dict[str, Officer]) -> None:
    phone.goto(served + "/officers/lookup/")
    seen = {}
    for officer_id, state, _ in CASES:
        phone.fill("#gs-lookup-number", officers[officer_id].certificate_number)
        badge = phone.locator("#gs-lookup-result .gs-state")
        badge.get_by_text(state).wait_for(timeout=5000)
        seen[state] = (badge.get_attribute("class"),
                       badge.evaluate("e => getComputedStyle(e).color"),
                       phone.locator("#gs-lookup-result .gs-result").evaluate(
                           "e => getComputedStyle(e).borderLeftColor"))
    assert len({cls for cls, _, _ in seen.values()}) == len(CASES), seen
    assert len({colour for _, colour, _ in seen.values()}) == len(CASES), seen
    assert seen["有效"][2] != seen["吊销"][2]


def test_lookup_on_submit_for_an_unknown_number(phone, served: str) -> None:  # type: ignore[no-untyped-def]
    phone.goto(served + "/officers/lookup/")
    phone.fill("#gs-lookup-number", "12345678")
    assert phone.locator("#gs-lookup-result").inner_text() == ""  # still typing
    phone.click(".md-content button[type=submit]")
    result = phone.locator("#gs-lookup-result")
    result.get_by_text("未查询到").wait_for(timeout=5000)
    text = result.inner_text()
    assert "12345678" in text and "核对证号" in text and "监督电话" in text
    assert result.get_attribute("aria-live") == "polite"
    phone.screenshot(path=str(artifact("lookup-unknown.png")), full_page=True)


def test_lookup_says_unknown_once_a_whole_number_is_typed(phone, served: str) -> None:  # type: ignore[no-untyped-def]
    phone.goto(served + "/officers/lookup/")
    phone.locator("#gs-lookup-number").press_sequentially("99999999999999")
    phone.locator("#gs-lookup-result").get_by_text("未查询到").wait_for(timeout=5000)


def test_lookup_escapes_what_is_typed(phone, served: str) -> None:  # type: ignore[no-untyped-def]
    phone.goto(served + "/officers/lookup/")
    phone.fill("#gs-lookup-number", "<img src=x onerror=alert(1)>")
    phone.click(".md-content button[type=submit]")
    result = phone.locator("#gs-lookup-result")
    result.get_by_text("未查询到").wait_for(timeout=5000)
    assert result.locator("img").count() == 0


def test_lookup_without_javascript_points_to_the_register(chromium, served: str) -> None:  # type: ignore[no-untyped-def]
    context = chromium.new_context(viewport={"width": 390, "height": 844},
                                   java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(served + "/officers/lookup/")
        content = page.locator(".md-content")
        assert "JavaScript" in content.inner_text()
        content.get_by_role("link", name="执法人员名录").first.click()
        page.wait_for_load_state()
        assert page.url.endswith("/officers/")
    finally:
        context.close()


def test_register_reads_as_cards_on_a_phone(phone, served: str) -> None:  # type: ignore[no-untyped-def]
    phone.goto(served + "/officers/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    card = phone.locator("table.gs-register tbody tr").first
    box = card.bounding_box()
    assert box is not None and box["width"] <= 390
    assert card.locator("td[data-label=状态] .gs-state").is_visible()
    phone.screenshot(path=str(artifact("register-phone.png")), full_page=False)
    phone.goto(served + "/officers/dhzd-jiang-tao/")
    assert "暂扣" in phone.locator(".gs-officer-status").inner_text()
    phone.screenshot(path=str(artifact("officer-suspended-phone.png")), full_page=True)
