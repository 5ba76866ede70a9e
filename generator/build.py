"""The build: load → check → gate → render → write and swap. Reads like ARCHITECTURE.md.

The site is never half-written: everything is rendered into a fresh folder next to the target
and swapped in only when every stage succeeded, so a failed build leaves the previous site.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator import deploy, gate, parallel, stages, verdicts
from generator.ledger import LEDGER_FILE, Ledger, LedgerError, Publication
from generator.loader import load
from generator.memo import MEMO, MEMO_FILE
from generator.parsecache import CACHE_FILE
from generator.portal import Portal
from generator.problems import ContentError, Problem, Report
from generator.stages import stage

if TYPE_CHECKING:
    from generator.settings import Settings


@dataclass(frozen=True)
class Project:
    """Where a Gongshi project keeps its parts (the layout is fixed by the product)."""

    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def site(self) -> Path:
        return self.root / "site"


def today() -> dt.date:
    """The default as-of date: SOURCE_DATE_EPOCH when set (reproducible builds), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


def check(project: Project, as_of: dt.date) -> tuple[Portal, Report]:
    """Load every record, run every rule and the publication gate; the report holds all
    problems of the run."""
    portal, report, _ = _checked(project, as_of)
    return portal, report


def _checked(project: Project, as_of: dt.date, meanwhile: bool = False,
             loaded: tuple[Portal, Report] | None = None) -> tuple[Portal, Report, Ledger | None]:
    """Load and check (`check`). `meanwhile`: what the checks computed is saved by another
    process while the caller goes on, until `MEMO.wait()`. `loaded`: the records and their
    problems, read already (by a warm build process, generator/warm.py)."""
    # The records live as long as the run: out of the collector's sight, which would
    # otherwise walk all of them each time what comes next (the ledger's 100,000 entries,
    # the checks' findings) makes enough objects (reading the ledger took 3.1 s, not 0.9 s).
    # The collector stays off until they are frozen: the first collection after the load
    # walked them all (a second at 100,000 decisions).
    collecting = gc.isenabled()
    gc.disable()
    try:
        try:
            with stage("load"):
                portal, report = loaded if loaded is not None else load(project.content,
                                                                          project.root / CACHE_FILE)
                MEMO.read(project.root / MEMO_FILE)
        finally:
            parallel.freeze()
            if collecting:
                gc.enable()
        return _checked_portal(project, as_of, portal, report, meanwhile)
    finally:
        parallel.thaw()


def _checked_portal(project: Project, as_of: dt.date, portal: Portal, report: Report,
                    meanwhile: bool) -> tuple[Portal, Report, Ledger | None]:
    try:
        ledger: Ledger | None = Ledger.read(project.root)
    except LedgerError as exc:
        ledger = None
        report.add(Problem(file=LEDGER_FILE, line=1, severity="error", code="R11-ledger",
                           record="", field="", message=str(exc),
                           hint="the ledger is written by `gongshi publish` only"))
    with stage("check"):
        report.extend(verdicts.check(portal, ledger, as_of, project.root, PARALLEL_FROM))
        MEMO.save(project.root / MEMO_FILE, portal.records, meanwhile)
    return portal, report, ledger


PARALLEL_FROM = 2000
"""Decisions to judge from which judging them in two processes pays for starting them."""


def publish(project: Project, day: dt.date) -> tuple[list[Publication], Report]:
    """Check, then record every pending version in ledger.jsonl (nothing when checks fail)."""
    portal, report, ledger = _checked(project, day)
    if report.failed() or ledger is None:
        raise ContentError(report)
    added = gate.publish(portal, ledger, day)
    if added:
        ledger.write()
    return added, report


def build(project: Project, as_of: dt.date, strict: bool = False,
          site_dir: Path | None = None, staff_index: bool = False,
          loaded: tuple[Portal, Report] | None = None) -> Report:
    """Check, then build the site into `site_dir` (default site/).

    Raises ContentError (with the whole report) when the content has errors; the previous
    site is then left exactly as it was. Builds of one project take turns.

    A rebuild renders and writes only what changed since the published site was built
    (generator/render/reuse.py), and changes only those files in it (generator/deploy.py).

    The staff's search index (`gongshi search`) is not part of the site: it is brought up to
    date by the first search after a build (search.current_index), or here with
    `staff_index`. Building it whole costs more than the site at 100,000 decisions.

    `loaded`: the records and the problems of reading them, when a warm build process read
    them already (generator/warm.py).
    """
    from generator.settings import load_settings

    if loaded is None:  # else the stages' timings start with its load
        stages.reset()
    target = (site_dir or project.site).resolve()
    with deploy.locked(project.root):
        settings = load_settings(project.root)
        try:
            portal, report, ledger = _checked(project, as_of, meanwhile=True, loaded=loaded)
            if report.failed(strict) or ledger is None:
                raise ContentError(report)
            # The records live as long as the build: out of the collector's sight, which
            # would otherwise walk all of them again and again while pages are made.
            with parallel.frozen():
                _publish_site(project, as_of, target, settings, portal, ledger, staff_index)
        finally:
            MEMO.wait()
    return report


def _publish_site(project: Project, as_of: dt.date, target: Path, settings: Settings,
                  portal: Portal, ledger: Ledger, staff_index: bool) -> None:
    from generator.changes import STATE, WHOSE, State, since, touched, whose
    from generator.render import MEANWHILE, build_site
    from generator.render.reuse import Manifest, Reuse
    from generator.render.site import Site
    from search import build_browser_index, build_index, mark_built

    deploy.remove_leftovers(target, project.root)
    previous = Manifest.read(project.root, target)
    reuse = Reuse(previous.keys, previous.inputs) if previous is not None else Reuse()
    state = State.of(portal, ledger, as_of)
    reuse.changes = since(reuse.previous_inputs.get(STATE), state)
    reuse.inputs[WHOSE] = about = whose(portal)
    reuse.touched = touched(reuse.changes, about, reuse.previous_inputs.get(WHOSE))
    if state is not None:
        reuse.inputs[STATE] = state
    staging = deploy.staging_folder(target)
    try:
        def browser_index(site: Site) -> tuple[dict[str, bytes], float]:
            started = time.perf_counter()  # in a process of its own, beside the pages
            keys = build_browser_index(site, staging,
                                       previous.keys if previous is not None else None)
            return keys, time.perf_counter() - started

        with stage("render"):
            site = build_site(portal, settings, as_of, project.root, staging, ledger,
                              reuse=reuse, meanwhile=browser_index)
            index_keys, seconds = site.memo[MEANWHILE]
            stages.record("browser search index", seconds)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    with stage("deploy"):
        # The search index names its files and keys them: the deploy need not read them.
        deploy.publish(project.root, staging, target, {**reuse.built, **index_keys}, previous,
                       reuse.others, reuse.inputs,
                       None if reuse.wrote is None else [*reuse.wrote, *index_keys])
    mark_built(project.root, as_of)
    if staff_index:
        with stage("staff search index"):
            build_index(project.root, site)
