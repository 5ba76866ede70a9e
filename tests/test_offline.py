"""Nothing is fetched from another host: the site works where foreign CDNs cannot be reached.

Readers in mainland China often cannot reach Google Fonts, unpkg.com or jsdelivr. The browser
tests open the demo site in Chromium and record every request; the static tests read every
built HTML and CSS file. Browser tests skip where Chromium or playwright is missing, except
under CI=true, where they fail instead (tests/conftest.py).
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.conftest import ROOT
from tests.minisite import AS_OF

# One page of every kind a citizen meets.
PAGES = (
    "/",                                   # home
    "/bodies/donghu-rsj/",                 # a body
    "/officers/",                          # the officers list
    "/officers/dh-li-na/",                 # an officer
    "/officers/lookup/",                   # 执法证查询 (fetches its data file)
    "/powers/cf-overtime/",                # a power
    "/laws/labour-contract-law/",          # a law
    "/procedures/penalty-ordinary/",       # a procedure with its flowchart
    "/benchmarks/bm-overtime/",            # a discretion benchmark
    "/decisions/",                         # the decisions list
    "/decisions/2025/donghu-2025-002/",    # a decision
    "/about/",                             # an about page
)
FLOWCHART = "/procedures/penalty-ordinary/"
MERMAID = "assets/javascripts/vendor/mermaid.min.js"
RESIZE_OBSERVER = "assets/javascripts/vendor/resize-observer.js"


def _foreign(urls: list[str], own: str) -> list[str]:
    return sorted({url for url in urls if urlsplit(url).scheme not in ("data", "blob")
                   and urlsplit(url).netloc != own})


class Recorder:
    """Every request a page makes, and every one that failed."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.urls: list[str] = []
        self.failed: list[str] = []
        page.on("request", lambda request: self.urls.append(request.url))
        page.on("requestfailed", lambda request: self.failed.append(request.url))
        page.on("response", lambda response: response.status >= 400
                and self.failed.append(f"{response.status} {response.url}"))


def _diagram_drawn(page, timeout: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    """Whether an <svg> was drawn into a div.mermaid (the theme puts it in a CLOSED shadow
    root, which page scripts and locators cannot see; the DevTools protocol can)."""
    cdp = page.context.new_cdp_session(page)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            root = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
            if _svg_in_mermaid(root):
                return True
            time.sleep(0.25)
        return False
    finally:
        cdp.detach()


def _svg_in_mermaid(node: dict, inside: bool = False) -> bool:  # type: ignore[type-arg]
    attributes = node.get("attributes", [])
    classes = dict(zip(attributes[::2], attributes[1::2], strict=True)).get("class", "")
    inside = inside or (node.get("nodeName") == "DIV" and "mermaid" in classes.split())
    if inside and node.get("nodeName", "").lower() == "svg":
        return True
    children = node.get("children", []) + node.get("shadowRoots", [])
    return any(_svg_in_mermaid(child, inside) for child in children)


@pytest.fixture
def desktop(chromium, served: str):  # type: ignore[no-untyped-def]
    """A fresh desktop-sized page (the navigation tabs show at this width)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield context.new_page()
    context.close()


def test_no_request_leaves_the_site(desktop, served: str) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder(desktop)
    for path in PAGES:
        desktop.goto(served + path)
        desktop.wait_for_load_state("networkidle")
        if path == FLOWCHART:
            assert _diagram_drawn(desktop), "the flowchart was not drawn"
    assert _foreign(recorder.urls, urlsplit(served).netloc) == []
    assert recorder.failed == []
    assert len(recorder.urls) > len(PAGES)  # the recorder saw the pages' assets too


def test_the_flowchart_is_drawn_by_the_sites_own_mermaid(desktop, served: str) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder(desktop)
    desktop.goto(served + FLOWCHART)
    assert _diagram_drawn(desktop), "the flowchart was not drawn"
    assert desktop.locator("pre.mermaid").count() == 0  # the source gave way to the drawing
    assert served + "/" + MERMAID in recorder.urls
    assert desktop.evaluate("typeof window.mermaid") == "object"
    assert _foreign(recorder.urls, urlsplit(served).netloc) == []


def test_pages_without_a_diagram_do_not_load_mermaid(desktop, served: str) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder(desktop)
    desktop.goto(served + "/decisions/2025/donghu-2025-002/")
    desktop.wait_for_load_state("networkidle")
    assert not any(url.endswith(MERMAID) for url in recorder.urls)  # 3.5 MB, only where drawn


def test_a_browser_without_resize_observer_gets_the_sites_polyfill(chromium, served: str) -> None:  # type: ignore[no-untyped-def]
    """The theme would fetch resize-observer-polyfill from unpkg.com for such a browser."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script("delete window.ResizeObserver;")
    page = context.new_page()
    try:
        recorder = Recorder(page)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(served + "/")
        page.wait_for_load_state("networkidle")
        assert served + "/" + RESIZE_OBSERVER in recorder.urls
        assert page.evaluate("typeof window.ResizeObserver") == "function"
        assert _foreign(recorder.urls, urlsplit(served).netloc) == []
        assert errors == []
    finally:
        context.close()


def test_a_modern_browser_does_not_load_the_polyfill(desktop, served: str) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder(desktop)
    desktop.goto(served + "/")
    desktop.wait_for_load_state("networkidle")
    assert not any(url.endswith(RESIZE_OBSERVER) for url in recorder.urls)


# --- static: what the built files reference ----------------------------------------------

EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+(?:url\(\s*)?['"]?([^'");\s]+)""",
                     re.IGNORECASE)
# <link rel=...> that make the browser fetch something (canonical, next, alternate do not).
FETCHING_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "prefetch",
                 "modulepreload", "preconnect", "dns-prefetch", "manifest", "mask-icon"}
RESOURCE_ATTRIBUTES = (("script", "src"), ("img", "src"), ("iframe", "src"), ("source", "src"),
                       ("video", "src"), ("video", "poster"), ("audio", "src"),
                       ("embed", "src"), ("object", "data"), ("track", "src"), ("input", "src"))


def _external_in_css(text: str) -> list[str]:
    urls = (match.group(1) or match.group(2) for match in CSS_URL.finditer(text))
    return [url for url in urls if EXTERNAL.match(url)]


def external_resources(html: str) -> list[str]:
    """Every resource an HTML page would fetch from another host (links to other sites are
    not resources)."""
    soup = BeautifulSoup(html, "html.parser")
    found: list[str] = []
    for tag, attribute in RESOURCE_ATTRIBUTES:
        for element in soup.find_all(tag):
            value = str(element.get(attribute) or "")
            if EXTERNAL.match(value):
                found.append(f"<{tag} {attribute}={value}>")
    for element in soup.find_all(["img", "source"]):
        for candidate in str(element.get("srcset") or "").split(","):
            if EXTERNAL.match(candidate):
                found.append(f"<{element.name} srcset={candidate.strip()}>")
    for element in soup.find_all("link"):
        rels = {rel.lower() for rel in element.get("rel") or []}
        value = str(element.get("href") or "")
        if rels & FETCHING_RELS and EXTERNAL.match(value):
            found.append(f"<link rel={' '.join(sorted(rels))} href={value}>")
    for element in soup.find_all("style"):
        found += [f"<style> {url}" for url in _external_in_css(element.get_text())]
    for element in soup.find_all(style=True):
        found += [f"<{element.name} style> {url}" for url in _external_in_css(element["style"])]
    return found


def test_the_checker_sees_what_it_should() -> None:
    page = """<html><head>
      <link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">
      <link rel="preconnect" href="//fonts.gstatic.com">
      <link rel="canonical" href="https://zfgs.example.gov.cn/">
      <script src="https://unpkg.com/mermaid@11/dist/mermaid.min.js"></script>
      <style>@import url("https://cdn.jsdelivr.net/x.css"); b { background: url(/ok.png) }</style>
      </head><body><img src="HTTP://example.com/a.png"><div style="background:url('//x.cn/b')">
      <a href="https://www.gov.cn/">中国政府网</a><img src="assets/ok.png"></div></body></html>"""
    assert [entry.split()[-1] for entry in external_resources(page)] == [
        "src=https://unpkg.com/mermaid@11/dist/mermaid.min.js>", "src=HTTP://example.com/a.png>",
        "href=https://fonts.googleapis.com/css?family=Roboto>", "href=//fonts.gstatic.com>",
        "https://cdn.jsdelivr.net/x.css", "//x.cn/b"]


def test_no_built_file_references_a_resource_on_another_host(demo_site: Path) -> None:
    found = []
    pages = sorted(demo_site.rglob("*.html"))
    for page in pages:
        found += [f"{page.relative_to(demo_site)}: {entry}"
                  for entry in external_resources(page.read_text(encoding="utf-8"))]
    sheets = sorted(demo_site.rglob("*.css"))
    for sheet in sheets:
        found += [f"{sheet.relative_to(demo_site)}: {url}"
                  for url in _external_in_css(sheet.read_text(encoding="utf-8"))]
    assert len(pages) > 100 and sheets
    assert found == []


def _scripts(page: Path) -> list[str]:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return [str(script.get("src") or script.get_text()) for script in soup.find_all("script")]


def test_every_page_with_a_diagram_loads_mermaid_from_the_site(demo_site: Path) -> None:
    """mkdocs-material fetches mermaid from unpkg.com on a page with a diagram that does not
    define window.mermaid itself."""
    with_diagram = [page for page in sorted(demo_site.rglob("*.html"))
                    if 'class="mermaid"' in page.read_text(encoding="utf-8")]
    assert with_diagram
    for page in with_diagram:
        loads = [src for src in _scripts(page) if src.endswith(MERMAID.split("/")[-1])]
        assert len(loads) == 1, page.relative_to(demo_site)
        assert (page.parent / loads[0]).resolve() == (demo_site / MERMAID).resolve()
    vendored = demo_site / MERMAID
    assert vendored.stat().st_size > 1_000_000


def test_every_page_provides_resize_observer_before_the_theme_runs(demo_site: Path) -> None:
    """mkdocs-material fetches resize-observer-polyfill from unpkg.com where it is missing."""
    assert (demo_site / RESIZE_OBSERVER).is_file()
    for page in sorted(demo_site.rglob("*.html")):
        scripts = _scripts(page)
        bundle = [i for i, src in enumerate(scripts) if "/bundle." in "/" + src]
        if not bundle:
            continue  # a redirect page, without the theme
        guard = [i for i, src in enumerate(scripts) if RESIZE_OBSERVER in src]
        assert guard and guard[0] < bundle[0], page.relative_to(demo_site)


def test_a_free_page_with_a_diagram_loads_mermaid_from_the_site(good: Path) -> None:
    """Diagrams outside procedure pages (a staff-written Markdown page) are covered too."""
    from generator.build import Project, build

    shutil.copytree(ROOT / "site_config", good / "site_config")
    shutil.copy(ROOT / "mkdocs.yml", good / "mkdocs.yml")
    about = good / "content" / "pages" / "about.md"
    about.write_text(about.read_text(encoding="utf-8")
                     + "\n```mermaid\nflowchart TD\n  A[投诉] --> B[受理]\n```\n",
                     encoding="utf-8")
    site = good / "site"
    build(Project(good), AS_OF, site_dir=site)
    pages = [page for page in sorted(site.rglob("*.html"))
             if 'class="mermaid"' in page.read_text(encoding="utf-8")]
    assert pages
    for page in pages:
        loads = [src for src in _scripts(page) if src.endswith("mermaid.min.js")]
        assert len(loads) == 1, page.relative_to(site)
        assert (page.parent / loads[0]).resolve() == (site / MERMAID).resolve()


def test_no_page_asks_a_code_host_for_repository_facts(demo_site: Path) -> None:
    """With `repo_url` set, the theme's script asks api.github.com (or a GitLab host) for stars
    and the latest release from the reader's browser: the site names no repository."""
    for page in sorted(demo_site.rglob("*.html")):
        assert 'data-md-component="source"' not in page.read_text(encoding="utf-8"), page
