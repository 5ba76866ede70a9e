"""执法人员名录 and 执法证查询 as a citizen uses them, on the demo site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.loader import load
from generator.model import Officer
from generator.render.lookup import normalise
from generator.render.text import certificate_state
from tests.artifacts import artifact
from tests.conftest import DEMO_AS_OF, ROOT


@pytest.fixture(scope="module")
def officers() -> dict[str, Officer]:
    portal, _ = load(ROOT / "content")
    return portal.officers


def _by_state(officers: dict[str, Officer], state: str) -> Officer:
    return next(o for o in sorted(officers.values(), key=lambda o: o.id)
                if certificate_state(o, DEMO_AS_OF) == state)


def test_data_file_holds_every_certificate_with_its_state(demo_site: Path,
                                                          officers: dict[str, Officer]) -> None:
    data = json.loads((demo_site / "officers/certificates.json").read_text(encoding="utf-8"))
    assert data["as_of"] == DEMO_AS_OF.isoformat()
    assert len(data["certificates"]) == len(officers)
    for officer in officers.values():
        entry = data["certificates"][normalise(officer.certificate_number)]
        assert entry["name"] == officer.name
        assert entry["state"] == certificate_state(officer, DEMO_AS_OF)
    # only public fields
    assert set(next(iter(data["certificates"].values()))) == {
        "number", "name", "body", "body_url", "officer_url", "issuer", "field", "region",
        "valid_from", "valid_to", "state", "state_since"}


def test_normalise_accepts_what_people_type() -> None:
    assert normalise(" ９９０１ 0020 190012 ") == "99010020190012"
    assert normalise("ab-12") == "AB-12"


def test_register_says_each_state_in_words(demo_site: Path, officers: dict[str, Officer]) -> None:
    soup = BeautifulSoup((demo_site / "officers/index.html").read_text(encoding="utf-8"),
                         "html.parser")
    states = {}
    for tr in soup.select("article tbody tr"):
        cells = tr.find_all("td")
        states[cells[1].get_text(strip=True)] = cells[-1].get_text(strip=True)
    assert len(states) == len(officers)
    for officer in officers.values():
        assert states[officer.certificate_number] == certificate_state(officer, DEMO_AS_OF)
    assert {"有效", "已过期", "暂扣", "注销", "吊销"} <= set(states.values())


def test_officer_page_lists_the_decisions_they_signed(demo_site: Path) -> None:
    portal, _ = load(ROOT / "content")
    officer = portal.officers["dh-li-na"]
    signed = [d for d in portal.decisions.values()
              if officer.id in d.officers and d.publicity_end >= DEMO_AS_OF]  # public ones
    soup = BeautifulSoup((demo_site / "officers/dh-li-na/index.html").read_text(encoding="utf-8"),
                         "html.parser")
    listed = soup.select("#decisions + table tbody tr")
    assert len(listed) == len(signed) > 0
    first = listed[0].find("a")
    assert (demo_site / "officers/dh-li-na" / first["href"] / "index.html").resolve().is_file()


@pytest.mark.parametrize(
    ("state", "words"),
    [("有效", "证件有效"), ("已过期", "已过有效期"), ("暂扣", "已被暂扣"), ("吊销", "已被吊销")],
)
def test_lookup_in_the_browser(phone, served: str, officers: dict[str, Officer],  # type: ignore[no-untyped-def]
                               state: str, words: str) -> None:
    officer = _by_state(officers, state)
    phone.goto(served + "/officers/lookup/")
    # typed as a person might: with spaces and full-width digits
    typed = officer.certificate_number[:4] + " " + officer.certificate_number[4:]
    phone.fill("#gs-lookup-number", typed.translate(str.maketrans("0123", "０１２３")))
    result = phone.locator("#gs-lookup-result")
    result.get_by_text(words).wait_for(timeout=5000)
    text = result.inner_text()
    assert officer.name in text and state in text
    badge = result.locator(".gs-state")
    assert badge.inner_text() == state
    phone.screenshot(path=str(artifact(f"lookup-{officer.id}.png")), full_page=True)
    result.get_by_role("link", name=officer.name).click()
    phone.wait_for_load_state()
    assert phone.url.endswith(f"/officers/{officer.id}/")


def test_lookup_states_differ_in_colour_too(phone, served: str,  # type: ignore[no-untyped-def]
                                            officers: dict[str, Officer]) -> None:
    phone.goto(served + "/officers/lookup/")
    colours = {}
    for state in ("有效", "已过期", "暂扣", "吊销"):
        phone.fill("#gs-lookup-number", _by_state(officers, state).certificate_number)
        badge = phone.locator("#gs-lookup-result .gs-state")
        badge.get_by_text(state).wait_for(timeout=5000)
        colours[state] = badge.evaluate("e => getComputedStyle(e).color")
    assert len(set(colours.values())) == 4, colours


def test_lookup_unknown_number(phone, served: str) -> None:  # type: ignore[no-untyped-def]
    phone.goto(served + "/officers/lookup/")
    phone.fill("#gs-lookup-number", "12345678")
    phone.click("button[type=submit]")
    result = phone.locator("#gs-lookup-result")
    result.get_by_text("未查询到").wait_for(timeout=5000)
    assert "12345678" in result.inner_text()
    phone.screenshot(path=str(artifact("lookup-unknown.png")), full_page=True)


def test_lookup_escapes_what_is_typed(phone, served: str) -> None:  # type: ignore[no-untyped-def]
    phone.goto(served + "/officers/lookup/")
    phone.fill("#gs-lookup-number", "<img src=x onerror=alert(1)>")
    phone.click("button[type=submit]")
    result = phone.locator("#gs-lookup-result")
    result.get_by_text("未查询到").wait_for(timeout=5000)
    assert result.locator("img").count() == 0
