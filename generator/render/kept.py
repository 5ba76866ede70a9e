"""The site index and what the build makes of it first, kept by a warm build process
(issue 8).

A build starts from the site index (`build_site_index`: every public decision sorted, by
body and by year too), the publication timings of every decision (`timeliness.publications`),
the record pages (`history.record_pages`), the public decisions filed by facet
(`facets.facet_values`), the decisions by id (`decisions.in_order`) and the 相关决定
(`Site.related`, search/related.py `KeptRelated`): seconds of CPU at 100,000 decisions, on
the path of every rebuild, for what is mostly the last build's.
`gongshi serve` keeps them in its warm process (generator/warm.py) while it waits for a
change, and is told which records each load changed. A build in its child then brings them
up to date by those records and by the ledger lines added or gone (`KeptSite.site`), in
place: the child's copy is its own. The parent does the same afterwards for its own copy,
and makes them afresh whenever the change was not only to decisions (a body, a
correction, another branch checked out), or the settings or the as-of date differ: then
the build makes its own, as a cold build does.

What comes out equals what a build makes of the same records (`tests/test_kept_site.py`).
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import itertools
import json
import os
from collections import Counter
from collections.abc import Iterable
from operator import attrgetter

from generator.ledger import Ledger
from generator.model import Decision, Record
from generator.portal import Portal
from generator.render.facets import (
    FACETS,
    OUTCOME_SLUGS,
    FacetValue,
    Filing,
    grouped,
    slug,
    values_of,
)
from generator.render.history import record_pages
from generator.render.site import Site, build_site_index, is_public, withdrawable
from generator.render.urls import record_src
from generator.settings import Settings
from generator.timeliness import Kept, publications, timing_of

Change = tuple[Record | None, Record | None]
"""A record file's record before a load and after it (None: no record)."""


_LOADS = itertools.count(1)
"""Numbers the loads a warm process notes (`KeptSite.note`)."""
Token = tuple[int, int]
"""A load of a warm process: its process id and the load's number."""
HISTORY = 1000
"""Loads whose changed decisions a `KeptSite` remembers (`changed_since`)."""


def _latest_first(decision: Decision) -> tuple[int, str]:
    """Where a decision sorts among the site's decisions (`latest_first`)."""
    return -decision.decision_date.toordinal(), decision.id


class KeptSite:
    """A site index with its timings, record pages and facet values, for records that a
    warm process holds and changes in place (see the module's docstring)."""

    def __init__(self, portal: Portal, settings: Settings, as_of: dt.date,
                 ledger: Ledger) -> None:
        self.portal, self.settings, self.as_of = portal, settings, as_of
        self.index = build_site_index(portal, settings, as_of, ledger)
        self.lines = ledger.lines
        """The ledger's lines the timings were made with."""
        self.kept: Kept = {}
        self.timings = publications(portal, ledger, kept=self.kept)
        self.ids = [timing.decision.id for timing in self.timings]
        """The timings' decision ids, in their order (by id)."""
        self.years = Counter(d.decision_date.year for d in portal.decisions.values())
        self.pages = record_pages(self.index)
        """Every record with a page, by its page's source (`history.record_pages`)."""
        self.filing = Filing.of(self.index)
        self.grouped = grouped(self.index, self.filing)
        """The public decisions filed by facet (`facets.grouped`)."""
        self.values: dict[tuple[str, str], FacetValue] = {}
        """The facet values made, by folder and key (`facets.values_of`)."""
        self.withdrawable = withdrawable(portal)
        self.public = {decision.ref: decision for decision in self.index.decisions}
        """The public decisions by ref (`decisions.in_order`)."""
        self.by_id = sorted(portal.decisions.values(), key=attrgetter("id"))
        """Every decision, in id order (`decisions.in_order`)."""
        # Imported here: the search package imports the render package.
        from search.related import KeptRelated

        self.related = KeptRelated(self.index.decisions)
        """The public decisions' 相关决定 (`Site.related`)."""
        self.pending: list[Change] = []
        """The changes of the loads since the index was last brought up to date."""
        self.whole = True
        """False once a load changed more than decisions: the index is no longer of use."""
        self.token: Token = (os.getpid(), next(_LOADS))
        """The last load noted (or the index's making): what a build's state made from
        these records may be marked with, for the next to tell what changed since
        (`changed_since`)."""
        self.history: list[tuple[Token, frozenset[str]]] = [(self.token, frozenset())]
        """The decisions (by id) each load changed, in order."""

    def note(self, changes: Iterable[Change] | None) -> None:
        """What a load changed (None: not known)."""
        if changes is None:
            self.whole = False
            return
        ids: set[str] = set()
        for old, new in changes:
            if not all(record is None or isinstance(record, Decision) for record in (old, new)):
                self.whole = False
            self.pending.append((old, new))
            ids.update(record.id for record in (old, new) if record is not None)
        self.token = (os.getpid(), next(_LOADS))
        self.history.append((self.token, frozenset(ids)))
        del self.history[:-HISTORY]

    def changed_since(self, token: object) -> set[str] | None:
        """The decisions (by id) whose files changed since the load `token` (a `Token`),
        when only decisions changed since and this index remembers that load: then
        nothing else a decision's page or document shows did (a body, a correction, the
        settings, the as-of date). None otherwise."""
        if not self.whole:
            return None
        for at, (noted, _) in enumerate(self.history):
            if noted == token:
                return {name for _, ids in self.history[at + 1:] for name in ids}
        return None

    def site(self, portal: Portal, settings: Settings, as_of: dt.date,
             ledger: Ledger) -> Site | None:
        """The site index of these records (changed in place since, by the loads `note`d),
        with what is kept of its figures in its memo; None when it is not to be had from
        what is kept."""
        if not self.current(portal, settings, as_of, ledger):
            return None
        years = [year for year, count in self.years.items() if count]
        site = dataclasses.replace(
            self.index, ledger=ledger, histories=ledger.histories(),
            recorded=ledger.by_correction(),
            decision_years=(max(years), min(years)) if years else (), memo={})
        # Not copies: a build in a child has its own copy of all that is kept.
        site.memo.update({KEPT_SITE: self, "timings": self.timings, "timings kept": self.kept,
                          "related": self.related.lists(),
                          "record_pages": self.pages,
                          "decisions in order": (self.public, self.by_id),
                          "facet values": values_of(site, self.filing, self.grouped,
                                                    self.values)})
        return site

    def current(self, portal: Portal, settings: Settings, as_of: dt.date,
                ledger: Ledger) -> bool:
        """Bring what is kept up to date with these records and this ledger; False when it
        cannot be (and is of no more use)."""
        if not self.whole or portal is not self.portal or settings != self.settings \
                or as_of != self.as_of:
            return False
        changed: set[str] = set()
        for old, new in self.pending:
            for record in (old, new):
                if record is not None:
                    changed.add(record.id)
            if old is not None:
                self._forget(old)  # type: ignore[arg-type]
            if new is not None:
                self._enter(new)  # type: ignore[arg-type]
        self.pending = []
        if ledger.lines is None or self.lines is None:  # a ledger not read from its file
            self.whole = False
            return False
        for line in ledger.lines ^ self.lines:
            try:
                ref = str(json.loads(line)["record"])
            except (ValueError, KeyError, TypeError):
                self.whole = False
                return False
            kind, _, name = ref.partition("/")
            # Another record's versions (a withdrawal's took effect) may change what is
            # public; a former id's, a decision's under another name.
            if kind != "decisions" or name not in portal.decisions:
                self.whole = False
                return False
            changed.add(name)
        self.lines = ledger.lines
        if not self._timed(changed, ledger):
            self.whole = False
        return self.whole

    def _forget(self, decision: Decision) -> None:
        self.years[decision.decision_date.year] -= 1
        at = bisect.bisect_left(self.by_id, decision.id, key=attrgetter("id"))
        if at < len(self.by_id) and self.by_id[at] is decision:
            del self.by_id[at]
        if decision.has_page:
            self.pages.pop(record_src(decision), None)
        index = self.index
        if not _remove(index.decisions, decision):
            return  # not public: in no list
        del self.public[decision.ref]
        self.related.forget(decision)
        _remove(index.decisions_by_body[decision.body], decision)
        if not index.decisions_by_body[decision.body]:
            del index.decisions_by_body[decision.body]
        year = decision.decision_date.year
        _remove(index.decisions_by_year[year], decision)
        if not index.decisions_by_year[year]:
            del index.decisions_by_year[year]
        for facet in FACETS:
            lists, titles = self.grouped[facet.folder]
            for key in facet.keys(self.filing, decision):
                _remove(lists[key], decision)
                if not lists[key]:
                    del lists[key]
                    titles.pop(key, None)

    def _enter(self, decision: Decision) -> None:
        self.years[decision.decision_date.year] += 1
        bisect.insort(self.by_id, decision, key=attrgetter("id"))
        if decision.has_page:
            self.pages[record_src(decision)] = decision
        index = self.index
        if not is_public(index, decision, self.withdrawable):
            return
        bisect.insort(index.decisions, decision, key=_latest_first)
        self.public[decision.ref] = decision
        self.related.enter(decision)
        bisect.insort(index.decisions_by_body.setdefault(decision.body, []), decision,
                      key=_latest_first)
        bisect.insort(index.decisions_by_year.setdefault(decision.decision_date.year, []),
                      decision, key=_latest_first)
        for facet in FACETS:
            lists, _ = self.grouped[facet.folder]
            for key in facet.keys(self.filing, decision):
                bisect.insort(lists.setdefault(key, []), decision, key=_latest_first)
        # A result's list is titled by the result as its latest decision names it: the
        # same for all, unless two names share a key (then the build makes its own).
        titles = self.grouped["outcome"][1]
        for category in decision.outcome.categories:
            if titles.setdefault(slug(category, OUTCOME_SLUGS), category) != category:
                self.whole = False

    def _timed(self, changed: set[str], ledger: Ledger) -> bool:
        """The timings of the decisions `changed` made again; False when that cannot be
        done here (a decision with former ids: its versions are under other names)."""
        decisions, histories = self.portal.decisions, ledger.histories()
        for name in sorted(changed):
            decision = decisions.get(name)
            if decision is not None and decision.former_ids:
                return False
            at = bisect.bisect_left(self.ids, name)
            there = at < len(self.ids) and self.ids[at] == name
            self.kept.pop(name, None)
            if decision is None:
                if there:
                    del self.ids[at], self.timings[at]
                continue
            made = timing_of(decision, histories)
            self.kept[name] = made[1:]
            if there:
                self.timings[at] = made
            else:
                self.ids.insert(at, name)
                self.timings.insert(at, made)
        return True


def _remove(decisions: list[Decision], decision: Decision) -> bool:
    """Take `decision` (that object) out of a list sorted as the site's decisions are;
    whether it was there."""
    at = bisect.bisect_left(decisions, _latest_first(decision), key=_latest_first)
    if at < len(decisions) and decisions[at] is decision:
        del decisions[at]
        return True
    return False


KEPT_SITE = "kept site"
"""In the memo of a site index a `KeptSite` gave: the `KeptSite`."""
KEPT: list[KeptSite] = []
"""In a warm build process: its `KeptSite`, once made (a list of one)."""
