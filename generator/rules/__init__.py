"""The rules of DOMAIN.md as checks over a loaded Portal.

Each module checks one rule and yields `Problem`s; `check` runs them all. Rules never raise
for bad content and never stop early: a run reports everything at once.

Each rule is in three parts (`Rule`), so that what it finds in one decision can be kept
between builds (generator/verdicts.py): at 100,000 decisions, checking them all again after
one changed takes seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from generator.model import Decision
from generator.portal import Portal
from generator.problems import Problem
from generator.rules import appeals, authority, basis, discretion, integrity, privacy, qualification, review

Part = Callable[[Portal, dt.date], Iterable[Problem]]


def _nothing(portal: Portal, as_of: dt.date) -> Iterable[Problem]:
    return ()


def _nothing_in(decision: Decision, portal: Portal) -> Iterable[Problem]:
    return ()


def _no_world(portal: Portal) -> Iterable[Problem]:
    return ()


@dataclass(frozen=True)
class Rule:
    """One rule: its problems are those of `before`, of `world`, of `decision` for each
    decision (in the portal's order), then of `after`.

    `world` judges the records that decisions cite (bodies, officers, powers, laws,
    procedures, benchmarks: "the world") from them alone, and `decision` one decision from
    itself and the world, never from other decisions, corrections, appeals, the ledger or the
    as-of date: their problems are kept between builds under a digest of the world (and the
    decision file's digest). What reads more goes in `before` or `after`, which run on every
    build."""

    title: str
    decision: Callable[[Decision, Portal], Iterable[Problem]] = _nothing_in
    world: Callable[[Portal], Iterable[Problem]] = _no_world
    before: Part = _nothing
    after: Part = _nothing

    def check(self, portal: Portal, as_of: dt.date) -> Iterator[Problem]:
        yield from self.before(portal, as_of)
        yield from self.world(portal)
        for decision in portal.decisions.values():
            yield from self.decision(decision, portal)
        yield from self.after(portal, as_of)


RULES: tuple[Rule, ...] = (
    Rule("1 integrity: every reference resolves", integrity.decision, integrity.world,
         integrity.before, integrity.after),
    Rule("2 持证上岗: certified officers, at least two", qualification.decision),
    Rule("3 职权法定: the power is held, entrusted scope", authority.decision, authority.world),
    Rule("4 basis in force on the decision date", basis.decision, after=basis.after),
    Rule("5 legal review of major decisions", review.decision),
    Rule("6 discretion benchmark ranges", discretion.decision),
    Rule("8 复议诉讼: the decision exists, a decision found wrong is withdrawn",
         after=appeals.check),
    Rule("10 privacy: no personal data published", privacy.decision, privacy.world,
         after=privacy.after),
)


def check(portal: Portal, as_of: dt.date) -> list[Problem]:
    problems: list[Problem] = []
    for rule in RULES:
        problems.extend(rule.check(portal, as_of))
    return problems
