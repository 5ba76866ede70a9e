"""Search for Gongshi: the staff-side index built from the checked records, and its queries.

    mark_built(project_root, as_of)   by every `gongshi build`: which build is the latest
    build_index(project_root, site)   into .gongshi/search-index/, for that build
    current_index(project_root)       for `gongshi search`: None unless it matches the latest
                                      build (the first search after a build brings it up to
                                      date, which a build does not do: at 100,000 decisions
                                      building the index whole costs more than the site)
    open_index(project_root)          as it is (None when never built)

whoosh (whoosh-reloaded) stays inside `search.engine`, behind `SearchIndex`, so the engine
can change. The browser-side index (`search.browser`) is static files in the built site.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from search.documents import KINDS, Document, documents
from search.engine import Filters, Hit, SearchIndex

if TYPE_CHECKING:
    from generator.render.site import Site

INDEX_DIR = Path(".gongshi") / "search-index"
LAST_BUILD = Path(".gongshi") / "last-build.json"
INDEX_FOR = Path(".gongshi") / "search-index.for"
"""The token of the build the index was brought up to date for."""

__all__ = ["KINDS", "Document", "Filters", "Hit", "SearchIndex", "build_browser_index",
           "build_index", "current_index", "last_build", "mark_built", "open_index"]


def mark_built(project_root: Path, as_of: dt.date) -> None:
    """Record that a build (as of `as_of`) has just been published."""
    token = {"as_of": as_of.isoformat(), "token": uuid.uuid4().hex}
    _write_atomically(project_root / LAST_BUILD, json.dumps(token))


def last_build(project_root: Path) -> tuple[dt.date, str] | None:
    """The as-of date and token of the latest build, if any."""
    try:
        data = json.loads((project_root / LAST_BUILD).read_text(encoding="utf-8"))
        return dt.date.fromisoformat(data["as_of"]), str(data["token"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def build_index(project_root: Path, site: Site) -> SearchIndex:
    """Bring the staff index up to date with `site` (incremental when it exists)."""
    built = last_build(project_root)
    result = SearchIndex.build(project_root / INDEX_DIR, documents(site))
    _write_atomically(project_root / INDEX_FOR, built[1] if built else "")
    return result


def current_index(project_root: Path) -> SearchIndex | None:
    """The staff index if it was brought up to date for the latest build, else None."""
    built = last_build(project_root)
    try:
        made_for = (project_root / INDEX_FOR).read_text(encoding="utf-8")
    except OSError:
        return None
    if made_for != (built[1] if built else ""):
        return None
    return open_index(project_root)


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temporary, path)


def build_browser_index(site: Site, site_dir: Path, published: Mapping[str, bytes] | None = None,
                        state: Path | None = None) -> dict[str, bytes]:
    """The browser's search index of the built site, in `site_dir/search/index/`; the
    decisions whose inputs are unchanged (search/browser_records.py), and the postings of
    records whose text is unchanged (search/browser_cache.py), come from the project's
    caches. Returns the key of each file of the index by its path in the
    site; a file the `published` site has with the same key is not written."""
    from search.browser import Labels, check_client, normalized, write_indexed
    from search.browser_cache import CACHE_FILE
    from search.browser_records import RECORDS_FILE, records

    bodies = site.portal.bodies.values()
    labels = Labels(bodies={body.id: body.name for body in bodies},
                    regions={body.region_code: body.region_name for body in bodies},
                    synonyms=site.settings.search_synonyms)
    check_client(site.portal.root.parent)
    state = site.portal.root.parent if state is None else state
    indexed, whole = records(site, normalized(labels.synonyms), state / RECORDS_FILE)
    return write_indexed(indexed, labels, site_dir, state / CACHE_FILE, published, whole)


def open_index(project_root: Path) -> SearchIndex | None:
    folder = project_root / INDEX_DIR
    return SearchIndex(folder) if SearchIndex.exists(folder) else None
