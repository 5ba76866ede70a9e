"""Render: a checked Portal -> the pages of the public site, built by mkdocs into site_dir.

    build_site(portal, settings, as_of, project_root, site_dir, ledger)

Pages are rendered from the Jinja2 templates of site_config/templates/ into a fresh docs
folder under .gongshi/, then mkdocs (theme: mkdocs-material, config: mkdocs.yml) builds them
into `site_dir`. The output depends only on the portal, the ledger, the settings and `as_of`.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from generator.ledger import Ledger
from generator.portal import Portal
from generator.render import (
    benchmarks,
    bodies,
    decision_lists,
    decisions,
    evaluation,
    feeds,
    freepages,
    history,
    home,
    laws,
    lookup,
    officers,
    opendata,
    powers,
    procedures,
    searchpage,
    shell,
    statistics,
    timeliness,
)
from generator.render.docs import DocPage, Output, write_docs
from generator.render.errors import RenderError
from generator.render.mkdocs_build import nav_sources, run_mkdocs, write_config
from generator.render.parallel import run_all
from generator.render.plan import page_sources
from generator.render.redirects import redirects
from generator.render.site import Site, build_site_index
from generator.render.sitemap import robots_txt, write_sitemap
from generator.render.templates import Templates
from generator.render.urls import HOME, Linker
from generator.settings import Settings

__all__ = ["RenderError", "build_site", "render_pages"]

WORK_DIR = ".gongshi"


def render_pages(portal: Portal, settings: Settings, as_of: dt.date,
                 project_root: Path, ledger: Ledger | None = None) -> list[Output]:
    """Every page of the site, in a stable order (gathered before anything is written)."""
    return _pages(build_site_index(portal, settings, as_of, ledger), project_root)


DECISION_SHARDS = 4
"""Decision pages are most of a build: in a few parts, so both cores get some."""


def _pages(site: Site, project_root: Path) -> list[Output]:
    templates = Templates(project_root)
    linker = Linker(page_sources(site), HOME)
    feed_set = feeds.Feeds(site, linker)
    # What several modules share is computed before the workers fork, once.
    site.related()
    for year in evaluation.years(site):
        site.evaluations(year)

    def module(make: Callable[..., Sequence[Output]], *args: object) -> Callable[[], list[Output]]:
        def task() -> list[Output]:
            pages = history.with_history(site, templates, list(make(*args)))
            return feeds.with_feeds(feed_set, linker, templates, pages)
        return task

    tasks = [module(lambda: [home.home_page(site, linker, templates)])]
    tasks += [module(m.pages, site, linker, templates)
              for m in (bodies, officers, lookup, powers, laws, procedures, benchmarks,
                        decision_lists)]
    tasks += [module(decisions.pages, site, linker, templates, (k, DECISION_SHARDS))
              for k in range(DECISION_SHARDS)]
    tasks += [module(m.pages, site, linker, templates)
              for m in (freepages, history, timeliness, statistics, evaluation, opendata,
                        searchpage)]
    tasks.append(module(feeds.pages, feed_set, linker, templates))
    pages = [page for part in run_all(tasks) for page in part]
    pages += redirects(site)
    pages.append(robots_txt(site))
    return pages


def build_site(portal: Portal, settings: Settings, as_of: dt.date, project_root: Path,
               site_dir: Path, ledger: Ledger | None = None, fill: bool = True) -> Site:
    """Render every page and let mkdocs build the site into `site_dir` (an empty folder).
    Without a ledger, records show no publication dates or version history. Returns the
    site index, which the search index is built from.

    With `fill`, mkdocs renders the nav's pages and one shell per folder depth, and every
    other page is filled into its shell (generator/render/shell.py): the same bytes, without
    mkdocs' cost per page."""
    site = build_site_index(portal, settings, as_of, ledger)
    pages = _pages(site, project_root)
    in_nav = nav_sources(site)
    filled = [p for p in pages if isinstance(p, DocPage) and fill and shell.fillable(p, in_nav)]
    levels = {shell.depth(p.src) for p in filled}
    by_mkdocs: list[Output] = [p for p in pages if isinstance(p, DocPage)
                               and not (fill and shell.fillable(p, in_nav))]
    by_mkdocs += shell.shells(levels)
    # Data files, feeds and redirects go straight into the site, after mkdocs has built it
    # (it empties the folder first): through mkdocs they would be written, then copied.
    files: list[Output] = [p for p in pages if not isinstance(p, DocPage)]
    work = project_root / WORK_DIR
    work.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="render-", dir=work))
    try:
        docs_dir = scratch / "docs"
        docs_dir.mkdir()
        write_docs(by_mkdocs, docs_dir)
        config_path = scratch / "mkdocs.yml"
        write_config(site, project_root, docs_dir, config_path)
        run_mkdocs(config_path, site_dir, as_of)
        if filled:
            shell_of = shell.read_shells(site_dir, levels, settings.base_url)
            shutil.rmtree(site_dir / shell.FOLDER)
            shell.write_filled(filled, shell_of, settings.base_url, site_dir)
        write_docs(files, site_dir)
        write_sitemap(site, pages, site_dir)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return site
