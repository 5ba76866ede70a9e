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
