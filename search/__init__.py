"""Search for Gongshi: the staff-side index built from the checked records, and its queries.

    build_index(project_root, site)   during `gongshi build`, into .gongshi/search-index/
    open_index(project_root)          for `gongshi search` (None when never built)

whoosh (whoosh-reloaded) stays inside `search.engine`, behind `SearchIndex`, so the engine
can change. The browser-side index (`search.browser`) is static files in the built site.
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


def build_browser_index(site: Site, site_dir: Path) -> int:
    """The browser's search index of the built site, in `site_dir/search/index/`."""
    from search.browser import Labels, write_browser_index

    bodies = site.portal.bodies.values()
    labels = Labels(bodies={body.id: body.name for body in bodies},
                    regions={body.region_code: body.region_name for body in bodies},
                    synonyms=site.settings.search_synonyms)
    return write_browser_index(documents(site), labels, site_dir)


def open_index(project_root: Path) -> SearchIndex | None:
    folder = project_root / INDEX_DIR
    return SearchIndex(folder) if SearchIndex.exists(folder) else None
