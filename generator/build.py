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
from functools import partial
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


def _checked(project: Project, as_of: dt.date,
             loaded: tuple[Portal, Report] | None = None) -> tuple[Portal, Report, Ledger | None]:
    """Load and check (`check`). `loaded`: the records and their problems, read already (by
    a warm build process, generator/warm.py)."""
    try:
        portal, report = _loaded(project, loaded)
        ledger = _ledger(project, report)
        with stage("check"):
            report.extend(_judged(project, as_of, portal, ledger))
        return portal, report, ledger
    finally:
        parallel.thaw()


def _loaded(project: Project, loaded: tuple[Portal, Report] | None) -> tuple[Portal, Report]:
    """The records and the problems of reading them, frozen (`parallel.freeze`, also when
    reading fails: the caller thaws them when done)."""
    # The records live as long as the run: out of the collector's sight, which would
    # otherwise walk all of them each time what comes next (the ledger's 100,000 entries,
    # the checks' findings) makes enough objects (reading the ledger took 3.1 s, not 0.9 s).
    # The collector stays off until they are frozen: the first collection after the load
    # walked them all (a second at 100,000 decisions).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with stage("load"):
            portal, report = loaded if loaded is not None else load(project.content,
                                                                      project.root / CACHE_FILE)
            MEMO.read(project.root / MEMO_FILE)
    finally:
        parallel.freeze()
        if collecting:
            gc.enable()
    return portal, report


def _ledger(project: Project, report: Report) -> Ledger | None:
    """The publication ledger; None, with the problem in `report`, when it cannot be read."""
    try:
        return Ledger.read(project.root)
    except LedgerError as exc:
        report.add(Problem(file=LEDGER_FILE, line=1, severity="error", code="R11-ledger",
                           record="", field="", message=str(exc),
                           hint="the ledger is written by `gongshi publish` only"))
        return None


def _judged(project: Project, as_of: dt.date, portal: Portal,
            ledger: Ledger | None) -> list[Problem]:
    """The problems the rules, the gate and the timeliness checks find; what the checks
    computed is kept for the next (generator/memo.py)."""
    problems = verdicts.check(portal, ledger, as_of, project.root, PARALLEL_FROM)
    MEMO.save(project.root / MEMO_FILE, portal.records)
    return problems


class _Checking:
    """The checks of a build, run in another process while the site is rendered: at 100,000
    decisions they took a second in which one core was idle. The site is published only
    once they passed (`passed`)."""

    def __init__(self, project: Project, as_of: dt.date, portal: Portal, ledger: Ledger,
                 report: Report, strict: bool) -> None:
        self.report, self.strict = report, strict
        self._done = False
        self._forked = parallel.Forked(partial(self._timed, project, as_of, portal, ledger))

    @staticmethod
    def _timed(project: Project, as_of: dt.date, portal: Portal,
               ledger: Ledger) -> tuple[list[Problem], float]:
        started = time.perf_counter()
        problems = _judged(project, as_of, portal, ledger)
        return problems, time.perf_counter() - started

    def passed(self) -> None:
        """Wait for the checks; raise ContentError, with every problem of the build, when
        they failed."""
        if not self._done:
            self._done = True
            problems, seconds = self._forked.result()
            stages.record("check", seconds)
            self.report.extend(problems)
        if self.report.failed(self.strict):
            raise ContentError(self.report)

    def stop(self) -> None:
        self._forked.stop()


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
    site is then left exactly as it was. Builds of one project take turns. The checks run
    beside the render's first part (`_Checking`): the pages are made once they passed.

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
        # The records live as long as the build: out of the collector's sight (frozen), which
        # would otherwise walk all of them again and again while pages are made.
        checking: _Checking | None = None
        try:
            portal, report = _loaded(project, loaded)
            ledger = _ledger(project, report)
            if ledger is None or report.failed(strict):  # nothing to render: every problem
                report.extend(_judged(project, as_of, portal, ledger))
                raise ContentError(report)
            checking = _Checking(project, as_of, portal, ledger, report, strict)
            _publish_site(project, as_of, target, settings, portal, ledger, staff_index,
                          checking)
        finally:
            if checking is not None:
                checking.stop()
            parallel.thaw()
    return report


def _publish_site(project: Project, as_of: dt.date, target: Path, settings: Settings,
                  portal: Portal, ledger: Ledger, staff_index: bool, checking: _Checking) -> None:
    """Render the site beside the checks, and publish it once they passed. A render that
    fails on content the checks fail is reported as their problems."""
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
                              reuse=reuse, meanwhile=browser_index, before_pages=checking.passed)
            index_keys, seconds = site.memo[MEANWHILE]
            stages.record("browser search index", seconds)
        checking.passed()
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, Exception) and not isinstance(exc, ContentError):
            checking.passed()  # content the checks fail: their problems, not this
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
