"""Rule 4: the articles a decision applies were in force on its date; the power list is kept
up to date with 立改废释 (a power resting on an article no longer in force is a warning)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from generator.articles import Citation
from generator.model import Decision, LegalBasis
from generator.portal import Portal
from generator.problems import Problem
from generator.rules._finding import error, warning

CODE = "R4-basis"


def not_in_force(law: LegalBasis, day: dt.date) -> str:
    """Why `law` did not apply on `day` ('' when it did)."""
    if day < law.effective:
        return f"it took effect only on {law.effective}"
    if law.repealed is not None and day >= law.repealed:
        return f"it ceased to apply on {law.repealed} ({law.status})"
    return ""


def _replacement(law: LegalBasis, portal: Portal) -> str:
    if law.replaced_by and law.replaced_by in portal.laws:
        return f"cite the article of {portal.laws[law.replaced_by].title} ({law.replaced_by})"
    return "cite an article in force on that date"


def decision(decision: Decision, portal: Portal) -> Iterator[Problem]:
    day = decision.decision_date
    for field in ("articles_applied", "articles_violated"):
        for index, ref in enumerate(getattr(decision, field)):
            law = portal.laws.get(Citation.parse(ref).law)
            why = not_in_force(law, day) if law else ""
            if law is not None and why:
                yield error(decision, (field, index), CODE,
                            f"{law.title} {Citation.parse(ref).label} was not in force on "
                            f"{day}: {why}", _replacement(law, portal))


def after(portal: Portal, as_of: dt.date) -> Iterator[Problem]:
    """The power list, against the as-of date."""
    for power in portal.powers.values():
        for index, ref in enumerate(power.basis):
            law = portal.laws.get(Citation.parse(ref).law)
            why = not_in_force(law, as_of) if law else ""
            if law is not None and why:
                yield warning(power, ("basis", index), CODE,
                              f"the power rests on {law.title} {Citation.parse(ref).label}, "
                              f"not in force on {as_of}: {why}",
                              "update the power list after 立改废释: " + _replacement(law, portal))
