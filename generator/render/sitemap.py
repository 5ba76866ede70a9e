"""sitemap.xml and robots.txt for search engines.

mkdocs writes a sitemap of every page, including the stubs of withdrawn and expired decisions
(which carry `noindex`) and with the build date as every page's lastmod. Ours replaces it:
only pages meant to be found, at absolute URLs under the portal's base URL, in a stable order.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

from generator.render.docs import StaticFile
from generator.render.shell import Written
from generator.render.site import Site
from generator.render.urls import page_url

INDEX = "index.html"
SITEMAP_LIMIT = 50_000
"""URLs one sitemap file may list (sitemaps.org); more go into parts under a sitemap index."""


def sitemap_xml(urls: list[str]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
             *(f"  <url><loc>{escape(url)}</loc></url>" for url in urls),
             "</urlset>"]
    return "\n".join(lines) + "\n"


def sitemap_index(locations: list[str]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
             *(f"  <sitemap><loc>{escape(url)}</loc></sitemap>" for url in locations),
             "</sitemapindex>"]
    return "\n".join(lines) + "\n"


def write_sitemap(site: Site, written: Iterable[Written], site_dir: Path,
                  left: Iterable[str] = ()) -> list[str]:
    """sitemap.xml (and .gz) of every page meant to be found: those `written`, and those
    `left` as published (by their file, an index.html); above SITEMAP_LIMIT pages, a
    sitemap index of numbered parts. Returns the files written, by their path in the site."""
    base = site.settings.base_url
    urls = [base + page_url(entry.src) for entry in written if entry.page and not entry.noindex]
    urls += [base + path.removesuffix(INDEX) for path in left]
    urls.sort()
    if len(urls) <= SITEMAP_LIMIT:
        return _write(site_dir, "sitemap.xml", sitemap_xml(urls))
    names, files = [], []
    for number, start in enumerate(range(0, len(urls), SITEMAP_LIMIT), start=1):
        names.append(f"sitemap-{number}.xml")
        files += _write(site_dir, names[-1], sitemap_xml(urls[start:start + SITEMAP_LIMIT]))
    return files + _write(site_dir, "sitemap.xml",
                          sitemap_index([site.settings.base_url + n for n in names]))


def _write(site_dir: Path, name: str, text: str) -> list[str]:
    data = text.encode("utf-8")
    (site_dir / name).write_bytes(data)
    # mtime=0: the same content gives the same bytes on every build.
    (site_dir / f"{name}.gz").write_bytes(gzip.compress(data, mtime=0))
    return [name, f"{name}.gz"]


def robots_txt(site: Site) -> StaticFile:
    return StaticFile("robots.txt", "User-agent: *\nAllow: /\n"
                                    f"Sitemap: {site.settings.base_url}sitemap.xml\n")
