from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.minisite import GOOD, write_tree


@pytest.fixture
def good(tmp_path: Path) -> Path:
    """A fresh copy of the small valid project."""
    return write_tree(tmp_path / "project", GOOD)


ROOT = Path(__file__).resolve().parent.parent
DEMO_AS_OF = __import__("datetime").date(2026, 11, 27)


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo authority built once (as of a fixed date) into a temporary folder."""
    from generator.build import Project, build

    site = tmp_path_factory.mktemp("demo") / "site"
    build(Project(ROOT), DEMO_AS_OF, site_dir=site)
    return site


# --- the demo site in headless Chromium (browser tests) --------------------------------

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


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """A built site served on 127.0.0.1 (a free port) while the block runs; yields its URL."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def served(demo_site: Path) -> Iterator[str]:
    with serving(demo_site) as url:
        yield url


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(chromium, served: str) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh 390×844 phone page for each test."""
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    yield context.new_page()
    context.close()


