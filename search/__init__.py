"""Search for Gongshi: the staff-side index built from the checked records, and its queries.

    build_index(project_root, site)   during `gongshi build`, into .gongshi/search-index/
    open_index(project_root)          for `gongshi search` (None when never built)

whoosh (whoosh-reloaded) stays inside `search.engine`, behind `SearchIndex`, so the engine
can change. The browser-side index (Pagefind) is built separately from the site.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from search.documents import KINDS, Document, documents
from search.engine import Filters, Hit, SearchIndex

if TYPE_CHECKING:
    from generator.render.site import Site

INDEX_DIR = Path(".gongshi") / "search-index"

__all__ = ["KINDS", "Document", "Filters", "Hit", "SearchIndex", "build_browser_index",
           "build_index", "open_index"]


def build_index(project_root: Path, site: Site) -> SearchIndex:
    return SearchIndex.build(project_root / INDEX_DIR, documents(site))


def build_browser_index(project_root: Path, site: Site, site_dir: Path) -> int:
    """The Pagefind index of the built site, in `site_dir/pagefind/`."""
    from search.browser import write_browser_index

    names = {body.id: body.name for body in site.portal.bodies.values()}
    regions = {body.region_code: body.region_name for body in site.portal.bodies.values()}
    return write_browser_index(documents(site), names, regions, site_dir,
                               project_root / ".gongshi")


def open_index(project_root: Path) -> SearchIndex | None:
    folder = project_root / INDEX_DIR
    return SearchIndex(folder) if SearchIndex.exists(folder) else None
