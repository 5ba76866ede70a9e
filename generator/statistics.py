"""年度行政执法数据: each body's yearly enforcement figures, and the whole authority's.

The national rules ask every body to publish its figures for a year by 31 January of the next.
They are counted here from the records, by the year of the decision date, over every decision
the body made that year: also those whose publicity period has since ended, so a year's figures
do not shrink as its decisions expire, and those later withdrawn (a withdrawal is counted again
in its own row). A withdrawn decision no longer stands and its content has left the site, so
its outcome, fine and confiscation are not counted: with one decision in a year, a total would
show its fine. A category the body holds no power
of is 无此职权, not 0, so a reader can tell "did none" from "may not do".

The same figures feed the statistics pages, their CSV and `gongshi report`.

A body's figures for a year depend only on its decisions of that year (their files, their
publication timings, appeals and corrections: generator/decision_inputs.py), on the power categories
it holds and on its corrections that took effect that year. So a build keeps them
(.gongshi/statistics.pickle) under a digest of those, and counts again only the figures of
what changed: one new decision, those of its body for its year (issue 8: counting every
year of 100,000 decisions took 3.5 s of a rebuild). The authority's figures for a year are
added up from its bodies' (`_authority`): counting them from the year's decisions, tens of
thousands, took a second of each rebuild.
"""

from __future__ import annotations

import datetime as dt
import functools
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Set
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from generator import statefile, timeliness
from generator.changes import EVERYTHING, Changes
from generator.decision_inputs import DecisionInputs, digest
from generator.ledger import Ledger
from generator.model import Appeal, Decision
from generator.portal import Portal

CATEGORIES: tuple[tuple[str, frozenset[str]], ...] = (
    ("许可", frozenset({"行政许可"})),
    ("处罚", frozenset({"行政处罚"})),
    ("强制", frozenset({"行政强制"})),
    ("征收", frozenset({"行政征收"})),
    ("征用", frozenset()),
    ("检查", frozenset({"行政检查"})),
    ("其他", frozenset({"行政给付", "行政确认", "行政奖励", "行政裁决", "其他"})),
)
"""The columns of the national yearly form, with the power categories each counts. No power
category of the model is 征用 (requisition), which 人社 bodies do not hold: always 无此职权."""
_CATEGORY_AT = {label: at for at, (label, _) in enumerate(CATEGORIES)}


NO_POWER = "无此职权"

CACHE_FILE = Path(".gongshi") / "statistics.pickle"

AUTHORITY = ""
"""The body id under which the whole authority's figures are kept."""


@dataclass(frozen=True)
class Figures:
    """One body's (or the whole authority's) figures for one year."""

    year: int
    body: str
    """The body's id; AUTHORITY for the whole authority."""
    categories: tuple[tuple[str, int | None], ...]
    """Decisions per column of CATEGORIES; None where the body holds no such power."""
    decisions: int
    outcomes: tuple[tuple[str, int], ...]
    """Decisions per outcome category (罚款, 警告 …), most frequent first; a decision with
    two categories counts in both."""
    fines: int
    """Decisions with a fine."""
    fine_total: Decimal
    fine_median: Decimal | None
    confiscated_total: Decimal
    major: int
    reviewed: int
    """Major decisions with a legal review that passed (法制审核)."""
    corrections: int
    """更正 of the body's decisions that took effect this year."""
    withdrawals: int
    """撤回 of the body's decisions that took effect this year."""
    published: int
    """Decisions of this year recorded as published."""
    on_time: int
    late: int
    reviews: int
    """行政复议 cases against the year's decisions."""
    suits: int
    """行政诉讼 cases against the year's decisions."""
    reversed: int
    """Decisions of the year that a review or court revoked, changed or found unlawful."""
    fine_amounts: tuple[str, ...] = field(default=(), repr=False, compare=False)
    """A body's fines (as `str(Decimal)`, which pickle in a tenth of the time), for the
    authority's median (`_authority`); none in the authority's own figures."""

    def category(self, label: str) -> int | None:
        # In the order of CATEGORIES, as they are counted: a dict of them for each cell
        # asked was most of the time of a table's row (8,000 rows at 1,000 bodies).
        at = _CATEGORY_AT.get(label)
        if at is not None and at < len(self.categories) and self.categories[at][0] == label:
            return self.categories[at][1]
        return dict(self.categories)[label]

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.published if self.published else None


@dataclass(frozen=True)
class Statistics:
    """Every year's figures, per body and for the whole authority."""

    years: tuple[int, ...]
    """Every year from the first decision to the last (or to the as-of year), latest first."""
    bodies: tuple[str, ...]
    """Body ids in the order the site lists them."""
    figures: dict[tuple[int, str], Figures] = field(repr=False)
    made_of: _MadeOf | None = field(default=None, repr=False, compare=False)
    """What the figures were counted from, for the next build to tell which of them changed
    (`compute` with `before`)."""

    def of(self, year: int, body: str = AUTHORITY) -> Figures:
        return self.figures[(year, body)]


@dataclass(frozen=True)
class _MadeOf:
    held: dict[str, frozenset[str]]
    counted: dict[tuple[int, str], Counter[str]]
    """Corrections and withdrawals that took effect, by year and body of the decision."""
    withdrawn: frozenset[str]
    appealed: dict[str, str]
    """Each appeal's decision, by appeal id."""
    groups: dict[str, tuple[int, str]]
    """Each decision's year and body, by id."""
    code: bytes = b""
    """The code the figures were counted by (`_code`): figures counted by other code (the
    authority's, before they were added up from the bodies') are not taken."""


def held_categories(portal: Portal) -> dict[str, frozenset[str]]:
    """Per body, the power categories it holds, itself or by entrustment."""
    held: dict[str, set[str]] = {body_id: set() for body_id in portal.bodies}
    for power in portal.powers.values():
        for holder in power.holders:
            held.setdefault(holder.body, set()).add(power.category)
    for body in portal.bodies.values():
        if body.entrustment is not None:
            for power_id in body.entrustment.powers:
                entrusted = portal.powers.get(power_id)
                if entrusted is not None:
                    held[body.id].add(entrusted.category)
    return {body_id: frozenset(categories) for body_id, categories in held.items()}


def year_range(portal: Portal, as_of: dt.date, extra_years: Iterable[int] = (),
               found: Iterable[int] | None = None) -> tuple[int, ...]:
    """The years the figures cover, latest first: from the first decision's (or an extra
    year's) to this year's or the last decision's, none left out between. `found`: the
    years of the decisions, or at least of the earliest and the latest, when known."""
    if found is None:
        found = {d.decision_date.year for d in portal.decisions.values()}
    found = list(found)
    extra = list(extra_years)
    first = min([*found, *extra], default=as_of.year)
    last = max([as_of.year, *found, *extra])
    return tuple(range(last, first - 1, -1))


def compute(portal: Portal, ledger: Ledger, as_of: dt.date,
            body_order: Iterable[str] | None = None, extra_years: Iterable[int] = (),
            timings: list[timeliness.Timing] | None = None, cache: Path | None = None,
            before: object = None, changes: Changes = EVERYTHING,
            found: Iterable[int] | None = None) -> Statistics:
    """The figures of every year and body, from the records and the ledger (also of
    `extra_years`, which may have no decision at all). `timings` saves recounting the
    publication timings when the caller has them. With a `cache` file, figures whose
    inputs are those of the last build's are taken from it (the module's docstring).

    `before`: the last build's statistics, and `changes`, the records that changed since
    (generator/changes.py): its figures are taken for every body and year none of whose
    decisions changed (a digest of every group took 2 s at 100,000 decisions). `found`: the
    decisions' years, when known (`year_range`)."""
    bodies = tuple(body_order if body_order is not None else sorted(portal.bodies))
    years = year_range(portal, as_of, extra_years, found)
    held = held_categories(portal)
    recorded = ledger.by_correction()
    counted: dict[tuple[int, str], Counter[str]] = {}
    for correction in portal.corrections.values():
        decision = portal.decisions.get(correction.record.removeprefix("decisions/"))
        effective = timeliness.took_effect(correction, recorded)
        if decision is None or not correction.record.startswith("decisions/") or effective is None:
            continue
        counted.setdefault((effective.year, decision.body), Counter())[correction.kind] += 1
    appeals = portal.appeals_by_decision()
    withdrawn = frozenset(c.record.removeprefix("decisions/") for c in portal.corrections.values()
                          if c.kind == "撤回" and c.record.startswith("decisions/")
                          and timeliness.took_effect(c, recorded) is not None)
    appealed = {appeal.id: appeal.decision for appeal in portal.appeals.values()}
    listed = timings if timings is not None else timeliness.publications(portal, ledger)
    every_category = frozenset().union(*held.values()) if held else frozenset()
    code = _code()
    if isinstance(before, Statistics) and before.made_of is not None and changes.known \
            and (before.years, before.bodies) == (years, bodies) and before.made_of.held == held \
            and before.made_of.code == code:
        made_of = _MadeOf(held, counted, withdrawn, appealed, dict(before.made_of.groups), code)
        return Statistics(years, bodies, _updated(portal, changes, before, made_of, listed,
                                                  appeals, every_category), made_of)
    decisions = sorted(portal.decisions.values(), key=lambda d: d.id)
    by_id = timeliness.ById(listed)
    grouped: dict[tuple[int, str], list[Decision]] = {}
    groups: dict[str, tuple[int, str]] = {}
    for decision in decisions:
        group = groups[decision.id] = (decision.decision_date.year, decision.body)
        grouped.setdefault(group, []).append(decision)
    kept: statefile.Kept[Figures] = statefile.Kept(cache, code if cache is not None else None)
    inputs = DecisionInputs(portal, by_id, recorded) if cache is not None else None

    def figures_of(year: int, body: str, group: Callable[[], list[Decision]],
                   categories: frozenset[str], counts: Counter[str],
                   content: list[bytes | None]) -> Figures:
        key = None if inputs is None or None in content else digest(
            repr((year, body, sorted(categories), sorted(counts.items()))).encode(),
            *(part for part in content if part is not None))
        found = kept.get(key)
        if found is None:
            found = _figures(year, body, group(), categories, by_id, counts, appeals, withdrawn)
            kept.put(key, found)
        return found

    figures: dict[tuple[int, str], Figures] = {}
    contents = {group_key: inputs.of(group) if inputs is not None else None
                for group_key, group in grouped.items()}
    # A body not among `bodies` (a decision's that did not load) counts in the authority's.
    named = set(bodies)
    unlisted = sorted(group for group in grouped if group[1] not in named)
    for year in years:
        for body_id in [*bodies, *(body for y, body in unlisted if y == year)]:
            figures[(year, body_id)] = figures_of(
                year, body_id, functools.partial(_of_body, grouped, year, body_id),
                held.get(body_id, frozenset()), counted.get((year, body_id), Counter()),
                [contents.get((year, body_id), b"")])
        figures[(year, AUTHORITY)] = _authority(year, figures, every_category, counted)
    kept.save()
    return Statistics(years, bodies, figures,
                      _MadeOf(held, counted, withdrawn, appealed, groups, code))


def _updated(portal: Portal, changes: Changes, before: Statistics, now: _MadeOf,
             timings: list[timeliness.Timing], appeals: dict[str, list[Appeal]],
             every_category: frozenset[str]) -> dict[tuple[int, str], Figures]:
    """`before`'s figures, those that may have changed counted again: the bodies' from their
    decisions, the authority's from its bodies'."""
    assert before.made_of is not None
    dirty = _dirty(portal, changes, before.made_of, now)
    figures = dict(before.figures)
    if not dirty:
        return figures
    members: dict[tuple[int, str], list[str]] = {
        group: [] for group in dirty if group[1] != AUTHORITY}
    for name, group in now.groups.items():  # ids only: no decision of another group is read
        found = members.get(group)
        if found is not None:
            found.append(name)
    listed, by_id = set(before.bodies), timeliness.ById(timings)
    for (year, body), names in sorted(members.items()):
        if not names and body not in listed:  # a body not listed has figures while it decides
            figures.pop((year, body), None)
            continue
        decisions = sorted(map(portal.decisions.__getitem__, names), key=lambda d: d.id)
        figures[(year, body)] = _figures(
            year, body, decisions, now.held.get(body, frozenset()), by_id,
            now.counted.get((year, body), Counter()), appeals, now.withdrawn)
    for year in sorted({year for year, body in dirty if body == AUTHORITY}):
        figures[(year, AUTHORITY)] = _authority(year, figures, every_category, now.counted)
    return figures


def _authority(year: int, figures: Mapping[tuple[int, str], Figures], held: frozenset[str],
               counted: Mapping[tuple[int, str], Counter[str]]) -> Figures:
    """The authority's figures of `year`: its bodies' (in `figures`), added up; the median of
    all their fines; the corrections and withdrawals of all decisions (`counted`)."""
    parts = [found for (y, body), found in figures.items() if y == year and body != AUTHORITY]
    categories = []
    for index, (label, types) in enumerate(CATEGORIES):
        count = sum(part.categories[index][1] or 0 for part in parts)
        categories.append((label, count if count or (held & types) else None))
    outcomes: Counter[str] = Counter()
    for part in parts:
        outcomes.update(dict(part.outcomes))
    changes: Counter[str] = Counter()
    for (y, _), counter in counted.items():
        if y == year:
            changes.update(counter)
    fines = sorted(Decimal(amount) for part in parts for amount in part.fine_amounts)
    published, late = sum(part.published for part in parts), sum(part.late for part in parts)
    return Figures(
        year=year, body=AUTHORITY, categories=tuple(categories),
        decisions=sum(part.decisions for part in parts),
        outcomes=tuple(sorted(outcomes.items(), key=lambda item: (-item[1], item[0]))),
        fines=len(fines), fine_total=sum(fines, Decimal(0)),
        fine_median=statistics.median(fines) if fines else None,
        confiscated_total=sum((part.confiscated_total for part in parts), Decimal(0)),
        major=sum(part.major for part in parts), reviewed=sum(part.reviewed for part in parts),
        corrections=changes["更正"], withdrawals=changes["撤回"],
        published=published, on_time=published - late, late=late,
        reviews=sum(part.reviews for part in parts), suits=sum(part.suits for part in parts),
        reversed=sum(part.reversed for part in parts),
    )


def _dirty(portal: Portal, changes: Changes, before: _MadeOf,
           now: _MadeOf) -> set[tuple[int, str]]:
    """The figures (by year and body) that may differ from `before`'s; `now.groups`, a copy
    of the last build's, is brought up to date on the way."""
    assert changes.refs is not None
    decisions: set[str] = set()
    for ref in changes.refs:
        kind, _, name = ref.partition("/")
        if kind == "decisions":
            decisions.add(name)
        elif kind == "appeals":
            decisions.update(found for found in (before.appealed.get(name), now.appealed.get(name))
                             if found is not None)
    decisions.update(before.withdrawn ^ now.withdrawn)
    dirty = {key for key in before.counted.keys() | now.counted.keys()
             if before.counted.get(key) != now.counted.get(key)}
    for name in decisions:
        group = now.groups.pop(name, None)
        if group is not None:
            dirty.add(group)
        decision = portal.decisions.get(name)
        if decision is not None:
            group = now.groups[name] = (decision.decision_date.year, decision.body)
            dirty.add(group)
    return dirty | {(year, AUTHORITY) for year, _ in dirty}


def _of_body(grouped: dict[tuple[int, str], list[Decision]], year: int,
             body: str) -> list[Decision]:
    return grouped.get((year, body), [])


def _code() -> bytes:
    """The code figures are counted by: kept figures made by other code are not taken."""
    here = Path(__file__).parent
    return statefile.code_digest([Path(__file__), *(here / name for name in _COUNTED_BY)])


_COUNTED_BY = ("model.py", "timeliness.py", "decision_inputs.py")
"""Besides this module, the code figures depend on."""


def _figures(year: int, body: str, decisions: list[Decision], held: frozenset[str],
             timings: Mapping[str, timeliness.Timing], changes: Counter[str],
             appeals: dict[str, list[Appeal]], withdrawn: Set[str]) -> Figures:
    # One pass over the decisions: a rebuild counts again the authority's figures of a
    # year, tens of thousands of decisions, and a pass per figure took most of a second.
    by_type: dict[str, int] = {}
    outcomes: dict[str, int] = {}
    fines: list[Decimal] = []
    confiscated = Decimal(0)
    major = reviewed = published = late = reviews = suits = reversed_ = 0
    for d in decisions:
        by_type[d.type] = by_type.get(d.type, 0) + 1
        outcome = d.outcome
        if d.id not in withdrawn:
            for category in dict.fromkeys(outcome.categories):
                outcomes[category] = outcomes.get(category, 0) + 1
            if outcome.fine_amount:
                fines.append(outcome.fine_amount)
            confiscated += outcome.confiscated_amount or Decimal(0)
        if d.major:
            major += 1
            if d.legal_review is not None and d.legal_review.passed:
                reviewed += 1
        timing = timings.get(d.id)
        if timing is not None and timing.published:
            published += 1
            late += timing.late
        cases = appeals.get(d.id)
        if cases:
            for case in cases:
                reviews += case.kind == "行政复议"
                suits += case.kind == "行政诉讼"
            reversed_ += any(case.reversing for case in cases)
    categories = []
    for label, types in CATEGORIES:
        count = sum(by_type.get(t, 0) for t in types)
        categories.append((label, count if count or (held & types) else None))
    return Figures(
        year=year, body=body, categories=tuple(categories), decisions=len(decisions),
        outcomes=tuple(sorted(outcomes.items(), key=lambda item: (-item[1], item[0]))),
        fines=len(fines), fine_total=sum(fines, Decimal(0)),
        fine_median=statistics.median(fines) if fines else None,
        confiscated_total=confiscated, major=major, reviewed=reviewed,
        corrections=changes["更正"], withdrawals=changes["撤回"],
        published=published, on_time=published - late, late=late,
        reviews=reviews, suits=suits, reversed=reversed_,
        fine_amounts=tuple(map(str, fines)),
    )


# --- the figures as table cells, shared by the pages, the CSV and `gongshi report` -----------


def amount(value: Decimal | None) -> str:
    """An amount in yuan as the tables show it: digits only, no grouping, so a spreadsheet
    reads it as a number; '—' where there is none."""
    if value is None:
        return "—"
    value = value.normalize()
    return f"{value:f}" if value == value.to_integral() else str(value)


def column_name(label: str) -> str:
    """行政许可 … 行政检查, and 其他 for the rest, as the national form names them."""
    return label if label == "其他" else f"行政{label}"


def rate(figures: Figures) -> str:
    value = figures.on_time_rate
    return "—" if value is None else f"{value * 100:.1f}%"


def _category(label: str) -> Callable[[Figures], str]:
    def cell(figures: Figures) -> str:
        count = figures.category(label)
        return NO_POWER if count is None else str(count)
    return cell


COLUMNS: tuple[tuple[str, Callable[[Figures], str]], ...] = (
    *((column_name(label), _category(label)) for label, _ in CATEGORIES),
    ("执法决定合计", lambda f: str(f.decisions)),
    ("罚款件数", lambda f: str(f.fines)),
    ("罚款总额（元）", lambda f: amount(f.fine_total)),
    ("罚款中位数（元）", lambda f: amount(f.fine_median)),
    ("没收违法所得（元）", lambda f: amount(f.confiscated_total)),
    ("重大执法决定", lambda f: str(f.major)),
    ("经法制审核", lambda f: str(f.reviewed)),
    ("更正", lambda f: str(f.corrections)),
    ("撤回", lambda f: str(f.withdrawals)),
    ("已公示", lambda f: str(f.published)),
    ("按时公示", lambda f: str(f.on_time)),
    ("逾期公示", lambda f: str(f.late)),
    ("按时公示率", rate),
    ("行政复议", lambda f: str(f.reviews)),
    ("行政诉讼", lambda f: str(f.suits)),
    ("被纠错", lambda f: str(f.reversed)),
)
"""Every figure of a body's year, as the column header and its cell text."""


def row(figures: Figures) -> list[str]:
    return [cell(figures) for _, cell in COLUMNS]


def partial(year: int, as_of: dt.date) -> bool:
    """Whether the year was not over on the as-of date (its figures are so far)."""
    return year >= as_of.year
