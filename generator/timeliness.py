"""Timeliness (DOMAIN.md rules 7 and 8): how fast decisions and withdrawals were published.

A decision is published within 7 working days of its decision date when it is a 行政许可 or a
行政处罚, within 20 otherwise, counted in Chinese working days: official holidays are off and
make-up working days (调休) are on, from the `chinese-calendar` package. Its publication date
is the date of version 1 in the ledger. A withdrawal is published within 3 (calendar) days of
the event that caused it (行政处罚法 art. 48); its publication date is the ledger's date for
it, or its approval while it is not yet in the ledger.

Years the calendar package does not cover are counted Monday to Friday, with a warning
telling staff to update the package.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterator, Mapping
from functools import cache, lru_cache
from typing import NamedTuple

import chinese_calendar

from generator.changes import EVERYTHING, Changes
from generator.ledger import Ledger, Publication, versions_of
from generator.model import Correction, Decision
from generator.portal import Portal
from generator.problems import Problem
from generator.rules._finding import warning

FAST_TYPES = frozenset({"行政许可", "行政处罚"})
FAST_LIMIT = 7
OTHER_LIMIT = 20
WITHDRAWAL_DAYS = 3


def limit(decision: Decision) -> int:
    """Working days allowed between the decision and its publication."""
    return FAST_LIMIT if decision.type in FAST_TYPES else OTHER_LIMIT


@lru_cache(maxsize=8192)
def is_workday(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the package has no holiday data for
        return day.weekday() < 5


@cache
def covered(year: int) -> bool:
    """Whether the calendar package knows the official holidays of this year."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=65536)  # decisions share their dates: each pair is counted once
def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start`, up to and including `end` (0 when end <= start)."""
    count = 0
    day = start + dt.timedelta(days=1)
    while day <= end:
        count += is_workday(day)
        day += dt.timedelta(days=1)
    return count


@lru_cache(maxsize=65536)
def deadline(start: dt.date, working_days: int) -> dt.date:
    """The last day of a period of `working_days` working days after `start`."""
    day = start
    remaining = working_days
    while remaining:
        day += dt.timedelta(days=1)
        remaining -= is_workday(day)
    return day


class Timing(NamedTuple):
    """How fast one decision was published. A named tuple: a build makes one for each of
    100,000 decisions, and a frozen dataclass took three times as long to make."""

    decision: Decision
    published: dt.date | None
    """Version 1's date in the ledger; None while not yet published."""
    limit: int
    deadline: dt.date
    used: int | None
    """Working days from the decision to its publication."""

    @property
    def late(self) -> bool:
        return self.published is not None and self.published > self.deadline


class ById(Mapping[str, Timing]):
    """Timings by decision id, found by bisection of a list of them in id order (as
    `publications` returns them). A dict of them all reads every timing and its decision:
    half a second to a second at 100,000 decisions, in a process forked from a warm build
    process, where each read copies a page of memory; a rebuild needs a few of them. Asked
    for many, it makes the dict after all."""

    def __init__(self, timings: list[Timing]) -> None:
        self.timings = timings
        self._asked = 0
        self._all: dict[str, Timing] | None = None

    def __getitem__(self, name: str) -> Timing:
        if self._all is not None:
            return self._all[name]
        timings = self.timings
        self._asked += 1
        if self._asked > 64 + len(timings) // 64:
            self._all = {timing.decision.id: timing for timing in timings}
            return self._all[name]
        at = bisect.bisect_left(timings, name, key=_decision_id)
        if at < len(timings) and timings[at].decision.id == name:
            return timings[at]
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return (timing.decision.id for timing in self.timings)

    def __len__(self) -> int:
        return len(self.timings)


def _decision_id(timing: Timing) -> str:
    return timing.decision.id


Kept = dict[str, tuple[dt.date | None, int, dt.date, int | None]]
"""Timings as a build keeps them for the next: each decision's, without the decision, by id."""


def publications(portal: Portal, ledger: Ledger, before: object = None,
                 changes: Changes = EVERYTHING, kept: Kept | None = None) -> list[Timing]:
    """Every decision with its publication date and deadline, in id order.

    `before`: the last build's timings (`kept`), and `changes`, the records changed since
    (generator/changes.py): the timings of unchanged decisions are taken from it (looking up
    every decision's versions took most of a second at 100,000 decisions). `kept` (a dict)
    is brought up to the timings returned."""
    histories = ledger.histories()
    known: Mapping[str, tuple[dt.date | None, int, dt.date, int | None]] = {}
    changed: set[str] = set()
    if isinstance(before, dict) and changes.refs is not None:
        changed = {ref.removeprefix("decisions/") for ref in changes.refs
                   if ref.startswith("decisions/")}
        # Else a changed ref is no decision's now: gone, or a former id with new versions.
        if changed <= portal.decisions.keys():
            known = before
    if kept is not None:
        kept.update(known)
        for name in changed:
            kept.pop(name, None)
    result = []
    make = Timing._make
    decisions = portal.decisions
    for name in sorted(decisions):  # keyed by id
        decision = decisions[name]
        found = known.get(name) if name not in changed else None
        if found is not None:
            result.append(make((decision, *found)))
            continue
        timing = timing_of(decision, histories)
        result.append(timing)
        if kept is not None:
            kept[decision.id] = timing[1:]
    return result


def timing_of(decision: Decision, histories: dict[str, list[Publication]]) -> Timing:
    """How fast the decision was published (`histories`: the ledger's)."""
    versions = versions_of(histories, decision)
    published = versions[0].published if versions else None
    days = limit(decision)
    return Timing(
        decision, published, days, deadline(decision.decision_date, days),
        working_days_between(decision.decision_date, published) if published else None)


def took_effect(correction: Correction, recorded: dict[str, Publication]) -> dt.date | None:
    """When an approved correction or withdrawal took effect on the site: its ledger date
    (`recorded` is `Ledger.by_correction()`), else its approval; None when not approved."""
    entry = recorded.get(correction.id)
    if entry is not None:
        return entry.published
    review = correction.review
    return review.date if review is not None and review.outcome == "批准" else None


Due = tuple[dt.date, int, tuple[int, ...]]
"""When a decision is to be published: its deadline, the working days allowed, and the years
of its date and deadline that the calendar package has no holidays for. All that the checks
need of a decision without former ids, besides the ledger: kept between builds
(generator/verdicts.py), as a plain tuple, which unpickles several times faster than a
named one."""


def due(decision: Decision) -> Due:
    days = limit(decision)
    end = deadline(decision.decision_date, days)
    return end, days, tuple(year for year in {decision.decision_date.year, end.year}
                            if not covered(year))


def _decision(portal: Portal, ref: str) -> Decision:
    return portal.decisions[ref.partition("/")[2]]


def check(portal: Portal, ledger: Ledger, as_of: dt.date,
          dues: Mapping[str, Due | None] | None = None) -> Iterator[Problem]:
    """Warnings for late publications, overdue ones and late withdrawals. Projects without a
    ledger have no publication dates, so nothing to check. `dues`: every decision by ref,
    with when it is due where that is known already and the decision has no former ids
    (kept between builds, generator/verdicts.py): those decisions are then read only when a
    warning names them."""
    if not ledger.entries:
        return
    histories = ledger.histories()
    if dues is None:
        dues = dict.fromkeys(decision.ref for decision in portal.decisions.values())
    uncovered: set[int] = set()
    for ref in sorted(dues):  # in id order: the refs differ only after `decisions/`
        known = dues[ref]
        found = histories.get(ref) if known is not None else None
        if known is not None and (found is None or len(found) < 2):
            item, published = known, found[0].published if found else None
        else:  # `versions_of` knows a decision published under several ids or versions
            decision = _decision(portal, ref)
            versions = versions_of(histories, decision)
            item, published = known or due(decision), versions[0].published if versions else None
        end, days, uncovered_years = item
        for year in uncovered_years:
            if year not in uncovered:
                uncovered.add(year)
                yield warning(_decision(portal, ref), ("decision_date",), "R7-calendar",
                              f"the installed chinese-calendar has no official holidays for "
                              f"{year}; working days of {year} are counted Monday to Friday",
                              "update chinese-calendar (pyproject.toml) once the State Council "
                              "has announced the year's holidays")
        if published is not None and published > end:
            decision = _decision(portal, ref)
            used = working_days_between(decision.decision_date, published)
            yield warning(decision, ("decision_date",), "R7-late",
                          f"published on {published}, {used} working days after the "
                          f"decision of {decision.decision_date}; a {decision.type} decision is "
                          f"published within {days} working days (by {end})",
                          "publish decisions sooner; this one is listed on the public "
                          "timeliness page (公示及时性)")
        elif published is None and as_of > end:
            decision = _decision(portal, ref)
            yield warning(decision, ("decision_date",), "R7-overdue",
                          f"not yet recorded as published; the {days} working days "
                          f"after the decision of {decision.decision_date} ended on {end}",
                          "run `gongshi publish` and commit ledger.jsonl with the decision")
    recorded = ledger.by_correction()
    for withdrawal in sorted(portal.corrections.values(), key=lambda c: c.id):
        if withdrawal.kind != "撤回" or withdrawal.event_date is None:
            continue
        published = took_effect(withdrawal, recorded)
        if published is None:
            continue
        days = (published - withdrawal.event_date).days
        if days > WITHDRAWAL_DAYS:
            yield warning(withdrawal, ("event_date",), "R8-late",
                          f"the withdrawal took effect on {published}, {days} days after the "
                          f"event of {withdrawal.event_date}; a decision is withdrawn within "
                          f"{WITHDRAWAL_DAYS} days (行政处罚法 第四十八条)",
                          "approve and publish withdrawals within three days of the event")
