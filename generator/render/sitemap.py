"""sitemap.xml and robots.txt for search engines.

mkdocs writes a sitemap of every page, including the stubs of withdrawn and expired decisions
(which carry `noindex`) and with the build date as every page's lastmod. Ours replaces it:
only pages meant to be found, at absolute URLs under the portal's base URL, in a stable order.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from xml.sax.saxutils import escape

from generator.render.docs import DocPage, Output, StaticFile
from generator.render.site import Site
from generator.render.urls import page_url


def sitemap_xml(site: Site, pages: list[Output]) -> str:
    urls = sorted(site.settings.base_url + page_url(page.src) for page in pages
                  if isinstance(page, DocPage) and not page.noindex)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
             *(f"  <url><loc>{escape(url)}</loc></url>" for url in urls),
             "</urlset>"]
    return "\n".join(lines) + "\n"


def write_sitemap(site: Site, pages: list[Output], site_dir: Path) -> None:
    text = sitemap_xml(site, pages).encode("utf-8")
    (site_dir / "sitemap.xml").write_bytes(text)
    # mtime=0: the same content gives the same bytes on every build.
    (site_dir / "sitemap.xml.gz").write_bytes(gzip.compress(text, mtime=0))


def robots_txt(site: Site) -> StaticFile:
    return StaticFile("robots.txt", "User-agent: *\nAllow: /\n"
                                    f"Sitemap: {site.settings.base_url}sitemap.xml\n")
