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
