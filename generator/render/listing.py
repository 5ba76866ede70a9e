"""One line of a list of decisions, as the home page, year pages and body pages show it."""

from __future__ import annotations

from dataclasses import dataclass

from generator.model import Decision
from generator.render.site import Site
from generator.render.text import chinese_date, party_name
from generator.render.urls import Link, Linker

PER_PAGE = 50
"""No list page links more than this many decisions (a long page is slow on a phone)."""


@dataclass(frozen=True)
class DecisionItem:
    document: Link
    date: str
    type: str
    party: str
    body: Link
    outcome: str


def decision_item(site: Site, linker: Linker, decision: Decision) -> DecisionItem:
    body = site.portal.bodies.get(decision.body)
    return DecisionItem(
        document=linker.to_record(decision, decision.document_number),
        date=chinese_date(decision.decision_date),
        type=decision.type,
        party=party_name(decision.party),
        body=linker.to_record(body, body.name if body else decision.body),
        outcome="、".join(decision.outcome.categories),
    )


def page_window(number: int, count: int, either_side: int = 2) -> list[int | None]:
    """The page numbers a pager shows: the first, the last and a few either side of the
    current one; None is a gap (…). A 2,000-page list must not put 2,000 links on each page."""
    shown = sorted({1, count, *range(max(1, number - either_side),
                                     min(count, number + either_side) + 1)})
    result: list[int | None] = []
    for previous, n in zip([0, *shown], shown, strict=False):
        if n - previous > 1:
            result.append(None)
        result.append(n)
    return result
