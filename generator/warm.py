"""Warm builds: one process keeps the records and the build state between builds (issue 8).

`gongshi serve` builds the site again after each change. A build in a new process first
reads every record file and seconds of pickled state (the checks' memo, the site's manifest,
open data's and the search index's caches): at 100,000 decisions, more than ten seconds
before it renders anything. A warm process reads them once, and then, after each build, only
the files that changed, while it waits for the next change.

Each build runs in a child forked from the warm process: the child inherits the records and
the state as they are, and may change them freely, since they are its own copy. The next
build starts again from the parent's copy, as a cold build starts from the files; so a warm
build makes the same site as `gongshi build` would.
"""

from __future__ import annotations

import collections
import contextlib
import copy
import dataclasses
import datetime as dt
import gc
import os
import select
import sys
import tempfile
import traceback
from collections.abc import Callable, Collection
from pathlib import Path

from generator import parallel, stages, statefile, verdicts
from generator.build import Project
from generator.loader import Warm, load
from generator.parsecache import CACHE_FILE
from generator.portal import Portal
from generator.problems import Report
from generator.render import kept
from generator.stages import stage

ASKED_BUILDS = 8
"""The builds whose state read a warm process holds for the next (`WarmBuilds._asked`)."""

Work = Callable[[Portal, Report], bool]
"""What a build does with the records and the problems of reading them: True when it
published the site."""


class WarmBuilds:
    """Builds of one project, in children of this process (see the module's docstring)."""

    def __init__(self, project: Project, as_of: dt.date | None = None) -> None:
        self.project = project
        self.as_of = as_of
        """The date the builds are made as of (None: today's), for the site index kept
        between builds (`kept`): a build as of another day makes its own."""
        self.files = Warm()
        self.asked: collections.deque[list[statefile.Asked]] = collections.deque(
            maxlen=ASKED_BUILDS)
        """The state each of the last children read, for `refresh`."""
        self._exiting: int | None = None
        """The last child, until it is known to have exited."""

    def build(self, work: Work, changed: Collection[str | os.PathLike[str]] | None = None,
              ) -> bool:
        """Read the record files that changed since the last build (those in `changed`, as
        a watcher of the content folder tells them; without it, those whose signature
        changed), then run `work` in a forked child (here, where fork is unavailable).
        Whether it published the site. Then `refresh`, before the next build."""
        stages.reset()
        with stage("read changed files"):
            # The first load takes the parse cache's records; the next ones keep their own.
            cache = None if self.files.portal is not None else self.project.root / CACHE_FILE
            collecting = gc.isenabled()
            gc.disable()
            try:
                portal, report = load(self.project.content, cache, self.files, changed)
                if kept.KEPT:
                    kept.KEPT[0].note(self.files.changes)
                # The ledger and the checks' memo, where another process added to them
                # since (`gongshi publish`): a second at 100,000 decisions in the child.
                statefile.HELD.update(self._asked())
            finally:
                parallel.freeze_for_good()  # they live on here: out of the collector's sight
                if collecting:
                    gc.enable()
        if not hasattr(os, "fork"):  # the build may change the portal that is kept here
            return work(_copy(portal), report)
        return self._in_child(work, portal, report)

    def _in_child(self, work: Work, portal: Portal, report: Report) -> bool:
        self._reap()
        handle, log = tempfile.mkstemp(prefix="warm-reads-")
        os.close(handle)
        told, tell = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: build, noting what state it read, tell, and exit
            os.close(told)
            published = False
            try:
                statefile.HELD.log = log
                published = work(portal, report)
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                with contextlib.suppress(OSError):
                    os.write(tell, b"1" if published else b"0")
                os._exit(0 if published else 1)
        os.close(tell)
        del portal, report  # the child's now; the records stay in `self.files`
        self._exiting = pid
        try:
            said = self._told(told, pid)
            self.asked.append(statefile.HELD.noted(Path(log)))
        finally:
            os.close(told)
            os.unlink(log)
        return said

    def _told(self, told: int, pid: int) -> bool:
        """Whether the child published the site, as soon as it tells: letting go of its
        memory (a quarter of a second at 100,000 decisions) is left to it while this
        process goes on. A child that died without telling is waited for (a process it
        forked may hold the pipe open still)."""
        while True:
            if select.select([told], [], [], 0.2)[0]:
                said = os.read(told, 1)
                if said:
                    return said == b"1"
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                self._exiting = None
                return False

    def _reap(self) -> None:
        """Wait for the last child to have exited."""
        if self._exiting is not None:
            pid, self._exiting = self._exiting, None
            os.waitpid(pid, 0)

    def refresh(self) -> None:
        """Read the state the last build read, where it changed (it wrote it, mostly): for
        the next build to take. Seconds at 100,000 decisions: while waiting for a change."""
        statefile.HELD.refresh(self._asked())
        self._reap()
        self._keep()

    def _asked(self) -> list[statefile.Asked]:
        """The state the last ASKED_BUILDS children read: a build that changes one
        decision reads state an unchanged one does not (the open data of its year), and
        would read it from its file after one."""
        return list(dict.fromkeys(asked for build in self.asked for asked in build))

    def _keep(self) -> None:
        """Bring the site index kept for the next build up to date (generator/render/
        kept.py), or make it afresh, and the checks' verdicts assembled
        (generator/verdicts.py `assemble`): seconds at 100,000 decisions, while nothing
        waits."""
        from generator.build import today
        from generator.ledger import Ledger, LedgerError
        from generator.settings import SettingsError, load_settings

        portal = self.files.portal
        if portal is None or not hasattr(os, "fork"):  # without fork, builds take copies
            return
        try:
            settings = load_settings(self.project.root)
            ledger = Ledger.read(self.project.root)
        except (SettingsError, LedgerError, OSError):
            kept.KEPT.clear()  # the build will say what is wrong
            return
        as_of = self.as_of or today()
        collecting = gc.isenabled()
        gc.disable()
        try:
            if not kept.KEPT or not kept.KEPT[0].current(portal, settings, as_of, ledger):
                kept.KEPT[:] = [kept.KeptSite(portal, settings, as_of, ledger)]
            site = kept.KEPT[0]
            verdicts.assemble(portal, self.project.root, site.token, site.changed_since)
        finally:
            parallel.freeze_for_good()  # kept as the records are: out of the collector's sight
            if collecting:
                gc.enable()


def _copy(portal: Portal) -> Portal:
    """The portal with tables of its own (the records are the same)."""
    copied = copy.copy(portal)
    for held in dataclasses.fields(portal):
        value = getattr(portal, held.name)
        if isinstance(value, dict | set):
            setattr(copied, held.name, value.copy())
    return copied
