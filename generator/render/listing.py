"""One line of a list of decisions, as the home page, year pages and body pages show it."""

from __future__ import annotations

from dataclasses import dataclass

from generator.model import Decision
from generator.render.site import Site
from generator.render.text import chinese_date, party_name
from generator.render.urls import Link, Linker, record_src

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
    shown = site.memo.get(_SHOWN)
    if shown is None:
        shown = site.memo[_SHOWN] = {}
    parts = shown.get(decision.ref)
    if parts is None:  # a decision is in a list of each of its facets
        body = site.portal.bodies.get(decision.body)
        parts = shown[decision.ref] = (
            record_src(decision), chinese_date(decision.decision_date),
            party_name(decision.party), record_src(body) if body and body.has_page else None,
            body.name if body else decision.body, "、".join(decision.outcome.categories))
    src, date, party, body_src, body_name, outcome = parts
    return DecisionItem(
        document=linker.to_page(src, decision.document_number),
        date=date,
        type=decision.type,
        party=party,
        body=linker.to_page(body_src, body_name) if body_src is not None else Link(body_name),
        outcome=outcome,
    )


_SHOWN = "list items shown"
"""In `Site.memo`: what a decision's item shows, whatever page it is on, by reference."""


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
