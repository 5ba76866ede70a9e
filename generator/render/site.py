"""What every page needs to know about the whole portal, computed once before rendering.

Lists are sorted here, once, so every page shows them in the same order on every build
(the output must be the same bytes for the same content and as-of date).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from operator import attrgetter
from typing import Any

from generator.changes import EVERYTHING
from generator.evaluation import CACHE_FILE as EVALUATIONS_CACHE
from generator.evaluation import Evaluation, evaluate_years
from generator.ledger import Ledger, Publication, versions_of
from generator.model import Body, Correction, Decision, Officer, Power, Record
from generator.portal import Portal
from generator.settings import Settings
from generator.statistics import CACHE_FILE as STATISTICS_CACHE
from generator.statistics import Statistics, year_range
from generator.statistics import compute as compute_statistics
from generator.timeliness import Timing, publications, took_effect

EVALUATIONS_SINCE = "evaluations since"
"""In `Site.memo`: what the evaluations take from the last build's (render/evaluation.py
`since`), set by the build before they are made."""


class Publicity(Enum):
    """Whether a decision's details may be shown (DOMAIN.md rules 8 and 9)."""

    PUBLIC = "public"
    WITHDRAWN = "withdrawn"  # an approved 撤回: only the notice stays
    EXPIRED = "expired"  # after 公示截止期: only a stub stays


@dataclass(frozen=True)
class Site:
    """The portal, the settings and the as-of date, with the cross-indexes pages use."""

    portal: Portal
    settings: Settings
    as_of: dt.date
    root_bodies: list[Body]
    child_bodies: dict[str, list[Body]]
    officers_by_body: dict[str, list[Officer]]
    powers_by_body: dict[str, list[Power]]
    decisions: list[Decision]
    """Every decision whose details are public, latest first."""
    decisions_by_body: dict[str, list[Decision]]
    corrections_by_record: dict[str, list[Correction]]
    ledger: Ledger
    """The publication ledger (empty for a project that keeps none)."""
    histories: dict[str, list[Publication]]
    """Each record's published versions, oldest first."""
    recorded: dict[str, Publication]
    """The version each correction or withdrawal made public, by correction id."""
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """Figures several pages share, computed once on first use."""
    decision_years: tuple[int, ...] = ()
    """The years of the latest and the earliest decision (none without decisions): all that
    the years the figures cover take from the decisions (`year_range`), known without
    another pass over them, which took half a second in each process that made one."""
    decisions_by_year: dict[int, list[Decision]] = field(default_factory=dict, repr=False)
    """The public decisions of each year, latest first (`decisions` filed by year: the
    year lists and the open data's year files take them, and a pass over 100,000 decisions
    took a quarter of a second in each)."""

    def related(self) -> dict[str, list[str]]:
        """Each public decision's 相关决定 (search/related.py), by ref."""
        if "related" not in self.memo:
            # Imported here: the search package imports the render package.
            from search.related import related

            self.memo["related"] = related(self)
        result: dict[str, list[str]] = self.memo["related"]
        return result

    def timings(self) -> list[Timing]:
        """How fast each decision was published (rule 7), in id order."""
        if "timings" not in self.memo:
            # The last build's, and what changed since, when a build asks (render/__init__.py).
            before, changes = self.memo.get("timings before", (None, EVERYTHING))
            self.memo["timings"] = publications(self.portal, self.ledger, before, changes,
                                                self.memo.setdefault("timings kept", {}))
        result: list[Timing] = self.memo["timings"]
        return result

    def statistics(self) -> Statistics:
        """Every year's enforcement figures (年度执法数据), per body and in all."""
        if "statistics" not in self.memo:
            # The last build's, and what changed since, when a build asks (render/__init__.py).
            before, changes = self.memo.get("statistics before", (None, EVERYTHING))
            self.memo["statistics"] = compute_statistics(
                self.portal, self.ledger, self.as_of, self.body_order(), timings=self.timings(),
                cache=self.portal.root.parent / STATISTICS_CACHE, before=before, changes=changes,
                found=self.decision_years)
        result: Statistics = self.memo["statistics"]
        return result

    def evaluations(self, year: int) -> list[Evaluation]:
        """The year's evaluation (评议考核) of each body that decided anything that year."""
        standard = self.settings.evaluation
        if standard is None:
            return []
        if "evaluations" not in self.memo:
            # The statistics' years, without the statistics: the evaluations are made in
            # another process while this one makes the statistics (render/__init__.py).
            years = sorted({*self.year_range(), year})
            self.memo["evaluations"] = evaluate_years(
                self.portal, self.ledger, standard, years, self.body_order(), self.as_of,
                self.timings(), cache=self.portal.root.parent / EVALUATIONS_CACHE,
                since=self.memo.get(EVALUATIONS_SINCE))
        evaluations: dict[int, list[Evaluation]] = self.memo["evaluations"]
        if year not in evaluations:
            evaluations.update(evaluate_years(self.portal, self.ledger, standard, [year],
                                              self.body_order(), self.as_of, self.timings()))
        return evaluations[year]

    def all_evaluations(self) -> dict[int, list[Evaluation]]:
        """The evaluations of every year with figures, by year (for `Forked`, which hands
        them to the build's Site with `memo["evaluations"]`)."""
        for year in self.year_range():
            self.evaluations(year)
        result: dict[int, list[Evaluation]] = self.memo.get("evaluations", {})
        return result

    def scores(self, year: int) -> dict[str, int]:
        """Each evaluated body's score for the year, by body id."""
        key = f"scores-{year}"
        if key not in self.memo:
            self.memo[key] = {e.body: e.score for e in self.evaluations(year)}
        result: dict[str, int] = self.memo[key]
        return result

    def versions(self, record: Record) -> list[Publication]:
        """The record's published versions, oldest first (also those under a former id)."""
        return versions_of(self.histories, record)

    def published(self, record: Record) -> dt.date | None:
        """When the record was first published (None when not in the ledger)."""
        versions = self.versions(record)
        return versions[0].published if versions else None

    def effective(self, correction: Correction) -> dt.date:
        """When an approved correction or withdrawal took effect on the site: its ledger
        date, or its approval while `gongshi publish` has not recorded it yet."""
        effective = took_effect(correction, self.recorded)
        if effective is not None:
            return effective
        return correction.review.date if correction.review else correction.requested_on

    def approved_corrections(self) -> list[Correction]:
        """Approved corrections and withdrawals, newest first by the day they took effect."""
        approved = [c for c in self.portal.corrections.values() if _approved(c)]
        return sorted(approved, key=lambda c: (-self.effective(c).toordinal(), c.id))

    def publicity(self, decision: Decision) -> Publicity:
        if self.withdrawal(decision) is not None:
            return Publicity.WITHDRAWN
        if decision.publicity_end < self.as_of:
            return Publicity.EXPIRED
        return Publicity.PUBLIC

    def withdrawal(self, decision: Decision) -> Correction | None:
        for correction in self.corrections_by_record.get(decision.ref, []):
            if correction.kind == "撤回" and _approved(correction):
                return correction
        return None

    def body_order(self) -> list[str]:
        """Every body id, depth first down the tree; bodies in a parent cycle come last."""
        order: list[str] = []
        seen: set[str] = set()
        stack = list(reversed(self.root_bodies))
        while stack:
            body = stack.pop()
            if body.id in seen:
                continue
            seen.add(body.id)
            order.append(body.id)
            stack.extend(reversed(self.child_bodies.get(body.id, [])))
        return order + sorted(set(self.portal.bodies) - seen)

    def year_range(self) -> tuple[int, ...]:
        """The years the figures cover, latest first (`generator.statistics.year_range`)."""
        return year_range(self.portal, self.as_of, found=self.decision_years)

    def years(self) -> list[int]:
        """Years with public decisions, latest first."""
        return sorted((year for year, found in self.decisions_by_year.items() if found),
                      reverse=True)


def _approved(correction: Correction) -> bool:
    return correction.review is not None and correction.review.outcome == "批准"


def withdrawable(portal: Portal) -> set[str]:
    """The ids of the decisions with an approved 撤回: only they may be withdrawn
    (`Site.publicity`)."""
    return {c.record.removeprefix("decisions/") for c in portal.corrections.values()
            if c.kind == "撤回" and _approved(c) and c.record.startswith("decisions/")}


def is_public(site: Site, decision: Decision, withdrawable: set[str]) -> bool:
    """Whether the decision's details are shown (`Site.decisions`); `withdrawable`: as
    `withdrawable` gives."""
    return decision.publicity_end >= site.as_of and (
        decision.id not in withdrawable or site.publicity(decision) is Publicity.PUBLIC)


def latest_first(decisions: Iterable[Decision]) -> list[Decision]:
    """Latest decision date first, then by id."""
    return by_date(decisions, latest_first=True)


def by_date(decisions: Iterable[Decision], latest_first: bool = False) -> list[Decision]:
    """By decision date (the latest first, with `latest_first`), then by id: sorted by id,
    then by date (a stable sort, also with `reverse`), twice as fast as one sort by a key
    made of both."""
    ordered = sorted(decisions, key=attrgetter("id"))
    ordered.sort(key=attrgetter("decision_date"), reverse=latest_first)
    return ordered


def build_site_index(portal: Portal, settings: Settings, as_of: dt.date,
                     ledger: Ledger | None = None) -> Site:
    """Index the portal (and its publication ledger) for rendering."""
    ledger = ledger or Ledger(portal.root.parent / "ledger.jsonl", [])
    bodies = sorted(portal.bodies.values(), key=lambda b: (b.region_code, b.id))
    children: dict[str, list[Body]] = defaultdict(list)
    roots: list[Body] = []
    for body in bodies:
        if body.parent and body.parent in portal.bodies and body.parent != body.id:
            children[body.parent].append(body)
        else:
            roots.append(body)
    officers: dict[str, list[Officer]] = defaultdict(list)
    for officer in sorted(portal.officers.values(), key=lambda o: (o.certificate_number, o.id)):
        officers[officer.body].append(officer)
    powers: dict[str, list[Power]] = defaultdict(list)
    for power in sorted(portal.powers.values(), key=lambda p: (p.code, p.id)):
        for body_id in sorted({holder.body for holder in power.holders}):
            powers[body_id].append(power)
    corrections: dict[str, list[Correction]] = defaultdict(list)
    for correction in sorted(portal.corrections.values(), key=lambda c: (c.requested_on, c.id)):
        corrections[correction.record].append(correction)
    every = latest_first(list(portal.decisions.values()))
    site = Site(portal, settings, as_of, roots, dict(children), dict(officers), dict(powers),
                [], {}, dict(corrections), ledger, ledger.histories(), ledger.by_correction(),
                decision_years=(every[0].decision_date.year, every[-1].decision_date.year)
                if every else ())
    withdrawn = withdrawable(portal)
    public = [d for d in every if is_public(site, d, withdrawn)]
    by_body: dict[str, list[Decision]] = defaultdict(list)
    by_year: dict[int, list[Decision]] = defaultdict(list)
    for decision in public:
        by_body[decision.body].append(decision)
        by_year[decision.decision_date.year].append(decision)
    site.decisions.extend(public)
    site.decisions_by_body.update(by_body)
    site.decisions_by_year.update(by_year)
    return site
