"""The sitemap: one file up to the protocol's 50,000 URLs, a sitemap index of parts above."""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest

from generator.render import sitemap
from generator.render.shell import Written

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
BASE = "https://example.gov.cn/"


def _written(count: int) -> list[Written]:
    entries = [Written(f"decisions/2025/d{n:04d}.md", page=True) for n in range(count)]
    entries.append(Written("decisions/2022/old.md", page=True, noindex=True))
    entries.append(Written("data/decisions.json", page=False))
    return entries


def _locs(path: Path, tag: str) -> list[str]:
    root = ET.fromstring(path.read_bytes())
    return [loc.text or "" for loc in root.findall(f"s:{tag}/s:loc", NS)]


def test_one_sitemap_lists_every_findable_page(tmp_path: Path) -> None:
    site = SimpleNamespace(settings=SimpleNamespace(base_url=BASE))
    sitemap.write_sitemap(site, _written(3), tmp_path)  # type: ignore[arg-type]
    assert _locs(tmp_path / "sitemap.xml", "url") == [
        f"{BASE}decisions/2025/d{n:04d}/" for n in range(3)]
    assert gzip.decompress((tmp_path / "sitemap.xml.gz").read_bytes()) == (
        tmp_path / "sitemap.xml").read_bytes()
    assert not list(tmp_path.glob("sitemap-*"))


def test_above_the_limit_a_sitemap_index_of_parts(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitemap, "SITEMAP_LIMIT", 2)
    site = SimpleNamespace(settings=SimpleNamespace(base_url=BASE))
    sitemap.write_sitemap(site, _written(5), tmp_path)  # type: ignore[arg-type]
    parts = _locs(tmp_path / "sitemap.xml", "sitemap")
    assert parts == [f"{BASE}sitemap-{n}.xml" for n in (1, 2, 3)]
    listed = [url for n in (1, 2, 3) for url in _locs(tmp_path / f"sitemap-{n}.xml", "url")]
    assert listed == [f"{BASE}decisions/2025/d{n:04d}/" for n in range(5)]
    assert len(_locs(tmp_path / "sitemap-1.xml", "url")) == 2
