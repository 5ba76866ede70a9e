"""The demo site in headless Chromium, as a citizen on a phone meets it.

Skips where Chromium or playwright is missing, except under CI=true, where it fails instead.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]


def _need_browser() -> None:
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append(CHROMIUM)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright")
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests need {', '.join(missing)} (CI must install them)")
        pytest.skip(f"needs {', '.join(missing)}")


@pytest.fixture(scope="module")
def served(demo_site: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(demo_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def phone(served: str) -> Iterator[object]:
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page = context.new_page()
        yield page
        browser.close()


def test_home_page_in_chinese_on_a_phone(phone, served: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    phone.goto(served + "/")
    assert "示例省" in phone.title()
    assert phone.locator("html").get_attribute("lang", timeout=5000).startswith("zh")
    phone.screenshot(path=str(tmp_path / "home.png"))
    assert (tmp_path / "home.png").stat().st_size > 10_000


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
