"""The rules of DOMAIN.md as checks over a loaded Portal.

Each module checks one rule and yields `Problem`s; `check` runs them all. Rules never raise
for bad content and never stop early: a run reports everything at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from generator.portal import Portal
from generator.problems import Problem
from generator.rules import appeals, authority, basis, discretion, integrity, privacy, qualification, review

Rule = Callable[[Portal, dt.date], Iterable[Problem]]

RULES: tuple[tuple[str, Rule], ...] = (
    ("1 integrity: every reference resolves", integrity.check),
    ("2 持证上岗: certified officers, at least two", qualification.check),
    ("3 职权法定: the power is held, entrusted scope", authority.check),
    ("4 basis in force on the decision date", basis.check),
    ("5 legal review of major decisions", review.check),
    ("6 discretion benchmark ranges", discretion.check),
    ("8 复议诉讼: the decision exists, a decision found wrong is withdrawn", appeals.check),
    ("10 privacy: no personal data published", privacy.check),
)


def check(portal: Portal, as_of: dt.date) -> list[Problem]:
    problems: list[Problem] = []
    for _, rule in RULES:
        problems.extend(rule(portal, as_of))
    return problems
