"""The site's own relative-path function agrees with posixpath.relpath on the site's paths."""

from __future__ import annotations

import posixpath
import random

from generator.render.urls import relpath


def test_relpath_agrees_with_posixpath() -> None:
    rng = random.Random(1)
    segments = ["decisions", "2025", "d-001", "bodies", "a", "b"]
    for _ in range(5000):
        path = "/".join(rng.choice(segments) for _ in range(rng.randint(0, 4))) or "."
        start = "/".join(rng.choice(segments) for _ in range(rng.randint(0, 4))) or "."
        assert relpath(path, start) == posixpath.relpath(path, start), (path, start)


def test_relative_href_is_relpath_of_the_page_urls() -> None:
    from generator.render.urls import page_url, relative_href

    sources = ["index.md", "about/index.md", "decisions/index.md", "decisions/2025/x.md",
               "decisions/2025/y.md", "decisions/body/dh/2.md", "decisions/body/dh/index.md",
               "bodies/dh.md", "feeds/index.md", "evaluation/2025/dh/3/index.md"]
    for here in sources:
        for target in sources:
            path = posixpath.relpath(page_url(target).rstrip("/") or ".",
                                     page_url(here).rstrip("/") or ".")
            expected = "./" if path == "." else path + "/"
            assert relative_href(here, target) == expected, (here, target)
            assert relative_href(here, target, "a") == expected + "#a"


def test_links_to_records_from_a_list_are_relative_hrefs() -> None:
    """`Linker.to_page` takes a folder's start of link once per page: the same hrefs as
    `relative_href`, from list pages, record pages, the pages inside a record's folder (its
    history) and the home page; a missing page is refused as `to` refuses it."""
    import pytest

    from generator.render.errors import RenderError
    from generator.render.urls import Linker, relative_href

    targets = ["decisions/2025/x.md", "decisions/2025/y.md", "decisions/2024/x.md",
               "bodies/dh.md", "bodies/index.md", "officers/o1.md", "decisions/index.md",
               "index.md", "about.md"]
    heres = ["index.md", "decisions/index.md", "decisions/2025/index.md",
             "decisions/2025/page-3.md", "decisions/2025/x.md", "decisions/2025/x/history.md",
             "decisions/2025/x/v/2.md", "decisions/body/dh/index.md",
             "decisions/body/dh/page-2.md", "bodies/dh.md", "bodies/index.md",
             "officers/o1/page-2.md", "evaluation/2025/dh/3/index.md"]
    pages = frozenset(targets + heres)
    for here in heres:
        linker = Linker(pages, here)
        for _ in range(2):  # the second time from what the first kept
            for target in targets:
                assert linker.to_page(target, "t").href == relative_href(here, target), \
                    (here, target)
                assert linker.to_page(target, "t", "a").href == relative_href(here, target, "a")
    with pytest.raises(RenderError, match="not a page of the site"):
        Linker(pages, "index.md").to_page("decisions/2023/z.md", "t")
