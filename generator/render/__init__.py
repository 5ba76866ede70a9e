"""Render: a checked Portal -> the pages of the public site, built by mkdocs into site_dir.

    build_site(portal, settings, as_of, project_root, site_dir, ledger)

Pages are rendered from the Jinja2 templates of site_config/templates/ into a fresh docs
folder under .gongshi/, then mkdocs (theme: mkdocs-material, config: mkdocs.yml) builds them
into `site_dir`. The output depends only on the portal, the ledger, the settings and `as_of`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from operator import attrgetter
from pathlib import Path

from generator.evaluation import before as before_evaluations
from generator.evaluation import takes_most
from generator.ledger import Ledger
from generator.parallel import Forked, run_all
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
    kept,
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
from generator.render.docs import DocPage, Made, Output, no_two_alike, write_docs
from generator.render.errors import RenderError
from generator.render.mkdocs_build import KeptRun, MkdocsRun, nav_sources, write_config
from generator.render.plan import page_sources
from generator.render.redirects import redirects
from generator.render.reuse import Left, Reuse, Reused, base_inputs
from generator.render.site import EVALUATIONS_SINCE, Site, build_site_index
from generator.render.sitemap import robots_txt, write_sitemap
from generator.render.templates import Templates
from generator.render.urls import HOME, Linker, page_url
from generator.settings import Settings
from generator.stages import stage

__all__ = ["RenderError", "build_site", "render_pages"]

WORK_DIR = ".gongshi"
SHELLS_KEPT = "shells"
"""The folder, in WORK_DIR, that keeps the last run of mkdocs that made the shells."""
MEANWHILE = "meanwhile"
"""In `Site.memo` after `build_site`: what its `meanwhile` returned."""
STATISTICS = "statistics"
TIMINGS = "publication timings"
"""The names of the site's figures and publication timings in its manifest, for the next
build (statistics.compute, timeliness.publications)."""
TASK_SECONDS = "task seconds"
"""In the manifest: how long each part of the rendering (`_tasks`) took, by its name, for
the next build to start the longest first."""


def render_pages(portal: Portal, settings: Settings, as_of: dt.date,
                 project_root: Path, ledger: Ledger | None = None) -> list[Output]:
    """Every page of the site, in a stable order (gathered in memory: for tests and tools;
    a build writes pages as they are rendered)."""
    site = build_site_index(portal, settings, as_of, ledger)
    parts = run_all([partial(_gathered, task) for _, task in _tasks(site, project_root)])
    return [page for part in parts for page in part] + _site_files(site)


def _gathered(task: Task) -> list[Output]:
    return [page for page in task() if not isinstance(page, Reused | Left)]


def _written(writer: shell.Writer, reuse: Reuse | None, task: Task) -> tuple[shell.Part, float]:
    """The task's outputs written, and how long that took."""
    started = time.perf_counter()
    part = writer.write(task())
    if reuse is not None:  # in a worker, what it found would be lost with the worker
        part.inputs = reuse.taken()
    return part, time.perf_counter() - started


def _costs(reuse: Reuse | None, names: list[str]) -> list[float] | None:
    """How long each task took in the last build (`TASK_SECONDS`), when it had them all:
    a rebuild that changed little spends most of its time in a few tasks (the open data,
    the statistics), and one of them started last kept a core idle at the end."""
    took = reuse.previous_inputs.get(TASK_SECONDS) if reuse is not None else None
    if not isinstance(took, dict) or not all(name in took for name in names):
        return None
    return [took[name] for name in names]


def _decision_shards(site: Site) -> int:
    """Decision pages are most of a build: in parts of a few thousand, so both cores get
    some and no worker holds more than a part's pages at a time."""
    return max(4, len(site.portal.decisions) // 2500)


Task = Callable[[], Iterator[Made]]


def _tasks(site: Site, project_root: Path, reuse: Reuse | None = None,
           ) -> list[tuple[str, Task]]:
    """The rendering of the site in independent parts, each yielding its pages in order,
    by a name that is the part's from one build to the next."""
    # What several modules share is computed before the workers fork, once: the related
    # decisions in another process meanwhile, since they need nothing else.
    with contextlib.ExitStack() as meanwhile:  # what runs meanwhile ends if this fails
        # (A warm build's are kept up to date, `kept.KeptSite`.)
        related = Forked(site.related) if "related" not in site.memo else None
        if related is not None:
            meanwhile.callback(related.stop)
        # The evaluations as well (seconds at 100,000 decisions) while this process makes the
        # statistics, once the publication timings both start from are there to be inherited.
        # The list of pages (the Linker's) holds the evaluations' pages, so it waits for them.
        if reuse is not None:  # both are made from the last build's, where nothing changed
            site.memo["timings before"] = (reuse.previous_inputs.get(TIMINGS), reuse.changes)
            site.memo["statistics before"] = (reuse.previous_inputs.get(STATISTICS), reuse.changes)
        with stage("publication timings"):
            site.timings()
        if reuse is not None and site.settings.evaluation:
            site.memo[EVALUATIONS_SINCE] = evaluation.since(
                site, reuse.changes, reuse.touched, reuse.previous_inputs.get(evaluation.INPUTS),
                reuse.previous_inputs.get(STATISTICS))
        # Their deductions name decisions: this process's own come back, not copies. Made
        # here, after the statistics, when most are the last build's (sending them back from
        # another process then cost more than making them).
        standard = site.settings.evaluation
        evaluated = Forked(site.all_evaluations, shared=site.portal.decisions,
                           shared_key=attrgetter("id")) \
            if standard is not None and not takes_most(
                site.memo.get(EVALUATIONS_SINCE), standard, bool(site.ledger.entries)) else None
        if evaluated is not None:
            meanwhile.callback(evaluated.stop)
        with stage("statistics"):
            site.statistics()
        if reuse is not None:
            reuse.inputs[TIMINGS] = site.memo["timings kept"]
            reuse.inputs[STATISTICS] = site.statistics()
        templates = Templates(project_root)
        with stage("version histories"):
            history.record_pages(site)
        # What the decision pages' workers each made for themselves, made once here while the
        # evaluations are made meanwhile.
        decisions.in_order(site)
        with stage("evaluations (waiting)" if evaluated is not None else "evaluations"):
            if evaluated is not None:
                site.memo["evaluations"] = evaluated.result()
            if standard is not None:
                site.all_evaluations()  # made here, unless they were made meanwhile
                if reuse is not None:
                    reuse.inputs[evaluation.INPUTS] = before_evaluations(
                        standard, bool(site.ledger.entries), site.memo["evaluations"],
                        site.memo.get(EVALUATIONS_SINCE))
        with stage("page list"):
            linker = Linker(page_sources(site), HOME)
        with stage("feeds"):
            feed_set = feeds.Feeds(site, linker, reuse)
        for year in site.statistics().years:
            site.scores(year)
        if related is not None:
            with stage("related decisions (waiting)"):
                site.memo["related"] = related.result()
    if reuse is not None:
        reuse.around = feed_set.signature
        with stage("what changed"):
            decisions.plan(site, reuse, ((key, feed.title) for key, feed in feed_set.by_key.items()),
                           feed_set.decisions_signature)

    def module(make: Callable[..., Iterable[Made]], *args: object) -> Task:
        def task() -> Iterator[Made]:
            pages = history.with_history(site, templates, make(*args))
            return feeds.with_feeds(feed_set, linker, templates, pages)
        return task

    def named(make: Callable[..., Iterable[Made]], *args: object) -> tuple[str, Task]:
        return make.__module__.rpartition(".")[2], module(make, *args)

    tasks = [("home", module(lambda: [home.home_page(site, linker, templates)]))]
    tasks.append(named(bodies.pages, site, linker, templates, reuse))
    tasks.append(named(officers.pages, site, linker, templates, reuse))
    tasks.append(named(lookup.pages, site, linker, templates, reuse))
    tasks.append(named(powers.pages, site, linker, templates, reuse))
    tasks += [named(m.pages, site, linker, templates) for m in (laws, procedures, benchmarks)]
    tasks.append(named(decision_lists.pages, site, linker, templates, reuse))
    tasks += [named(m.pages, site, linker, templates)
              for m in (freepages, history, timeliness)]
    tasks += [named(m.pages, site, linker, templates, reuse) for m in (statistics, evaluation)]
    tasks.append(named(opendata.pages, site, linker, templates, reuse))
    tasks.append(named(searchpage.pages, site, linker, templates))
    tasks.append(("feeds", module(feeds.pages, feed_set, linker, templates, reuse)))
    # Many parts of the same size last, so that both workers finish at about the same time
    # (without the last build's times of each: then the longest first, `_costs`).
    shards = _decision_shards(site)
    tasks += [(f"decisions {k}", module(decisions.pages, site, linker, templates, (k, shards),
                                        reuse))
              for k in range(shards)]
    return tasks


def _site_files(site: Site) -> list[Output]:
    return [*redirects(site), robots_txt(site)]


def build_site(portal: Portal, settings: Settings, as_of: dt.date, project_root: Path,
               site_dir: Path, ledger: Ledger | None = None, fill: bool = True,
               reuse: Reuse | None = None,
               meanwhile: Callable[[Site], object] | None = None,
               before_pages: Callable[[], None] | None = None) -> Site:
    """Render every page and build the site into `site_dir` (an empty folder). Without a
    ledger, records show no publication dates or version history. Returns the site index,
    which the search index is built from.

    With `fill`, mkdocs renders the shells (per folder depth, and one per page of the nav),
    and every page is filled into its shell (generator/render/shell.py) by the worker that
    rendered it and written at once: the same bytes, without mkdocs' cost per page, and
    without holding the site in memory. mkdocs renders only the pages that cannot be
    filled (none, as the demo stands), in a second run. Without, mkdocs renders every page.

    With `reuse` (and `fill`), what the published site has right already is neither
    rendered nor written (generator/render/reuse.py); `reuse.built` is then the key of every
    file written by the workers or left as published.

    `meanwhile` is called with the site index in a forked process while the shared figures
    and the pages are made (the build makes the browser search index then: it needs the
    records, not the figures or the pages, and the two together keep both cores busier than
    one after the other); what it returns is then `site.memo[MEANWHILE]`.

    `before_pages` is called once the shared figures are made, before the pages are: the
    build checks the content meanwhile, and stops there if the checks failed."""
    site = None
    if kept.KEPT and ledger is not None:  # in a warm build process (generator/warm.py)
        with stage("site index (kept)"):
            site = kept.KEPT[0].site(portal, settings, as_of, ledger)
    if site is None:
        with stage("site index"):
            site = build_site_index(portal, settings, as_of, ledger)
    in_nav = nav_sources(site)
    work = project_root / WORK_DIR
    work.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="render-", dir=work)).resolve()
    shells_run: MkdocsRun | KeptRun | None = None
    nav_run: MkdocsRun | KeptRun | None = None
    started: Forked[object] | None = None
    try:
        if meanwhile is not None:  # it needs the site index only: it fills the core the
            # shared figures leave idle, and is done sooner beside the pages
            started = Forked(partial(meanwhile, site))
        if fill:
            # The shells depend on the nav, not on any page's content: mkdocs renders them
            # (with stand-ins for the nav's pages) while the shared figures are computed.
            shells_run = _start_mkdocs(site, project_root, scratch / "shells", as_of,
                                       [*shell.stand_ins(in_nav), *shell.shells(shell.LEVELS)],
                                       work / SHELLS_KEPT)
        with stage("shared figures"):
            named = _tasks(site, project_root, reuse if fill else None)
        if before_pages is not None:
            with stage("checks (waiting)"):
                before_pages()
        shell_of: dict[int, shell.Shell] = {}
        nav_shells: dict[str, shell.Shell] = {}
        if shells_run is not None:
            with stage("page shells (mkdocs)"):
                shells_run.wait()
                shell_of = shell.read_shells(scratch / "shells" / "site", shell.LEVELS,
                                             settings.base_url)
                nav_shells = shell.nav_shells(scratch / "shells" / "site", in_nav,
                                              settings.base_url)
        if reuse is not None and fill:
            reuse.start(base_inputs(project_root, [portal.digests.get(law.ref, b"")
                                                   for law in portal.laws.values()],
                                    shell.texts(shell_of, nav_shells)))
        writer = shell.Writer(site_dir, shell_of, in_nav, settings.base_url,
                              reuse.previous if reuse is not None and fill else None, nav_shells)
        with stage("pages"):
            names = [name for name, _ in named]
            timed = run_all([partial(_written, writer, reuse if fill else None, task)
                             for _, task in named], _costs(reuse, names))
            parts = [part for part, _ in timed]
            rest = writer.write(iter(_site_files(site)))
        written = [entry for part in (*parts, rest) for entry in part.written]
        left = [part.left for part in parts]
        sources = [entry.src for entry in written]
        for some in left:
            sources += some.sources()
        if len(set(sources)) != len(sources):
            no_two_alike(sources)
        if reuse is not None:
            reuse.built = {entry.path: entry.key for entry in written if entry.path}
            published = reuse.previous.__getitem__
            for some in left:  # each under the published file's key
                paths = some.all_paths()
                reuse.built.update(zip(paths, map(published, paths), strict=True))
            reuse.wrote = [path for part in (*parts, rest) for path in part.wrote]
            reuse.inputs[TASK_SECONDS] = {name: round(seconds, 3)
                                          for name, (_, seconds) in zip(names, timed, strict=True)}
            for part in parts:
                for kind, found in part.inputs.items():
                    reuse.inputs.setdefault(kind, {}).update(found)
        by_mkdocs = [page for part in parts for page in part.kept]
        # The nav's pages filled or left as published have stand-ins in mkdocs' run (the nav
        # names them), whose pages are not kept. When mkdocs has no page to render, the
        # shells' run has made the theme's assets and 404 page already.
        rendered = {page.src for page in by_mkdocs}
        standing = shell.stand_ins(in_nav - rendered)
        leave = [page_url(page.src) + "index.html" for page in standing]
        built = scratch / "shells" / "site"
        if by_mkdocs or shells_run is None:
            nav_run = _start_mkdocs(site, project_root, scratch / "pages", as_of,
                                    [*by_mkdocs, *standing])
            built = scratch / "pages" / "site"
        if started is not None:
            with stage("browser search index (waiting)"):
                site.memo[MEANWHILE] = started.result()
                started = None
        with stage("nav pages (mkdocs)"):
            if nav_run is not None:
                nav_run.wait()
            others = shell.merge(built, site_dir, leave)
        with stage("sitemap"):  # after mkdocs' own, which lists only the nav's pages
            others += write_sitemap(site, written, site_dir,
                                    [path for some in left for path in some.paths])
        if reuse is not None:
            reuse.others = sorted(set(others))
    finally:
        for run in (shells_run, nav_run):
            if run is not None:
                run.stop()
        if started is not None:
            started.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return site


def _start_mkdocs(site: Site, project_root: Path, folder: Path, as_of: dt.date,
                  pages: list[DocPage], kept: Path | None = None) -> MkdocsRun | KeptRun:
    """mkdocs, started on `pages`; with `kept`, a run of the same inputs kept there is
    copied instead (`KeptRun`)."""
    docs_dir = folder / "docs"
    docs_dir.mkdir(parents=True)
    write_docs(list(pages), docs_dir)
    config_path = folder / "mkdocs.yml"
    write_config(site, project_root, docs_dir, config_path)
    if kept is not None:
        return KeptRun(config_path, folder / "site", as_of, project_root, kept)
    return MkdocsRun(config_path, folder / "site", as_of)
