"""Browsing decisions on the demo site: by year, body, region, type and outcome, 50 a page."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.loader import load
from generator.model import Decision
from generator.render.facets import OUTCOME_SLUGS, TYPE_SLUGS, region_scope, slug
from generator.render.listing import PER_PAGE
from tests.artifacts import artifact
from tests.conftest import DEMO_AS_OF, ROOT


@pytest.fixture(scope="module")
def public() -> list[Decision]:
    portal, _ = load(ROOT / "content")
    return [d for d in portal.decisions.values() if d.publicity_end >= DEMO_AS_OF]


def _listed(site: Path, folder: str) -> list[str]:
    """Every decision linked from all pages of one list, following its pagination."""
    found: list[str] = []
    pages = sorted((site / folder).glob("page-*/index.html"),
                   key=lambda p: int(p.parent.name.removeprefix("page-")))
    for page in [site / folder / "index.html", *pages]:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        links = [a["href"] for a in soup.select("article table.gs-list tbody tr td:first-child a")]
        assert len(links) <= PER_PAGE, page
        found += [href.rstrip("/").rsplit("/", 1)[-1] for href in links]
    return found


def test_lists_by_year_type_and_body_hold_each_public_decision_once(
        demo_site: Path, public: list[Decision]) -> None:
    ids = sorted(d.id for d in public)
    for facet in ("type", "body"):
        listed = [i for folder in sorted((demo_site / "decisions" / facet).iterdir())
                  for i in _listed(demo_site, f"decisions/{facet}/{folder.name}")]
        assert sorted(listed) == ids, facet
    years = [i for year in (2025, 2026) for i in _listed(demo_site, f"decisions/{year}")]
    assert sorted(years) == ids


def test_each_facet_value_lists_exactly_its_decisions(demo_site: Path,
                                                      public: list[Decision]) -> None:
    portal, _ = load(ROOT / "content")
    for decision in public[:10]:
        body = portal.bodies[decision.body]
        assert decision.id in _listed(demo_site, f"decisions/body/{decision.body}")
        assert decision.id in _listed(demo_site, f"decisions/type/{TYPE_SLUGS[decision.type]}")
        for category in decision.outcome.categories:
            assert decision.id in _listed(demo_site,
                                          f"decisions/outcome/{slug(category, OUTCOME_SLUGS)}")
        # a county's decision is also listed under its city and its province
        for code in {body.region_code, body.region_code[:4] + "00", body.region_code[:2] + "0000"}:
            if (demo_site / "decisions/region" / code).is_dir():
                assert decision.id in _listed(demo_site, f"decisions/region/{code}")
    province = _listed(demo_site, "decisions/region/990000")
    assert sorted(province) == sorted(d.id for d in public)
    assert region_scope("990122") == "990122" and region_scope("990100") == "9901"


def test_long_lists_are_paginated(demo_site: Path, public: list[Decision]) -> None:
    assert len(public) > PER_PAGE
    assert (demo_site / "decisions/region/990000/page-2/index.html").is_file()
    assert len(_listed(demo_site, "decisions/region/990000")) == len(public)


def test_expired_decisions_are_in_no_list_and_show_a_stub(demo_site: Path) -> None:
    portal, _ = load(ROOT / "content")
    expired = [d for d in portal.decisions.values() if d.publicity_end < DEMO_AS_OF]
    assert expired
    everything = " ".join(p.read_text(encoding="utf-8")
                          for p in (demo_site / "decisions").rglob("index.html")
                          if p.parent.name not in {d.id for d in expired})
    for decision in expired:
        assert f"/{decision.id}/" not in everything
        page = demo_site / f"decisions/{decision.decision_date.year}/{decision.id}/index.html"
        text = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one(
            "article").get_text()
        assert "公示期满" in text and decision.facts[:10] not in text


def test_decision_page_shows_its_status_and_links_the_level(demo_site: Path) -> None:
    soup = BeautifulSoup((demo_site / "decisions/2025/donghu-2025-002/index.html").read_text(
        encoding="utf-8"), "html.parser")
    assert soup.select_one(".gs-badge").get_text() == "公示中"
    level = soup.find("th", string="裁量阶次").find_next("a")
    assert level["href"].endswith("benchmarks/bm-si-registration/#level-4")


def test_section_page_offers_every_facet(demo_site: Path) -> None:
    soup = BeautifulSoup((demo_site / "decisions/index.html").read_text(encoding="utf-8"),
                         "html.parser")
    for anchor in ("by-year", "by-body", "by-region", "by-type", "by-outcome"):
        assert soup.find(id=anchor), anchor


def test_paginated_list_on_a_phone(phone, served: str) -> None:  # type: ignore[no-untyped-def]
    phone.goto(served + "/decisions/")
    phone.locator("#by-region ~ ul a").first.click()
    phone.wait_for_load_state()
    assert phone.url.endswith("/decisions/region/990000/")
    rows = phone.locator("article table.gs-list tbody tr")
    assert rows.count() == 50
    phone.screenshot(path=str(artifact("decision-list-phone.png")), full_page=True)
    phone.locator("nav.gs-pager").first.get_by_role("link", name="下一页").click()
    phone.wait_for_load_state()
    assert phone.url.endswith("/decisions/region/990000/page-2/")
    assert 0 < rows.count() <= 50
    rows.first.locator("a").first.click()
    phone.wait_for_load_state()
    assert "公示状态" in phone.locator("article").inner_text()


def test_renamed_record_redirects(phone, served: str) -> None:  # type: ignore[no-untyped-def]
    phone.goto(served + "/bodies/donghu-zhidui/")
    phone.wait_for_url("**/bodies/donghu-jczd/", timeout=5000)
    assert "东湖市劳动保障监察支队" in phone.locator("article h1").inner_text()
