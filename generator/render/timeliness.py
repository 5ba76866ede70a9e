"""公示及时性: how fast each body published its decisions, per year, and every late one.

Figures come from generator.timeliness (rules 7 and 8), the same computation `gongshi check`
warns with, so the page and the warnings never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator import timeliness as rule
from generator.render.docs import DocPage, Output
from generator.render.site import Site
from generator.render.templates import Templates
from generator.render.text import chinese_date
from generator.render.urls import Link, Linker

SRC = "timeliness/index.md"
TITLE = "公示及时性"


@dataclass(frozen=True)
class YearRow:
    body: Link
    year: int
    published: int
    on_time: int
    late: int
    rate: str


@dataclass(frozen=True)
class LateRow:
    decision: Link
    body: Link
    type: str
    decision_date: str
    published: str
    used: int
    limit: int


@dataclass(frozen=True)
class WithdrawalRow:
    decision: Link
    event_date: str
    withdrawn: str
    days: int
    late: bool


@dataclass(frozen=True)
class TimelinessPage:
    title: str
    fast_limit: int
    other_limit: int
    withdrawal_days: int
    has_ledger: bool
    years: list[YearRow]
    late: list[LateRow]
    withdrawals: list[WithdrawalRow]
    corrections: Link


def _rate(on_time: int, published: int) -> str:
    return f"{on_time * 100 / published:.1f}%" if published else "—"


def pages(site: Site, linker: Linker, templates: Templates) -> list[Output]:
    here = linker.at(SRC)
    portal = site.portal
    timings = [t for t in site.timings() if t.published is not None]

    def body_link(body_id: str) -> Link:
        body = portal.bodies.get(body_id)
        return here.to_record(body, body.name if body else body_id)

    # Each body's published and late decisions of each year, as the statistics count them
    # from the same timings (a pass of its own over 100,000 took 0.3 s of a rebuild).
    figures = site.statistics()
    years = [YearRow(body_link(body_id), year, mine.published, mine.on_time, mine.late,
                     _rate(mine.on_time, mine.published))
             for body_id in figures.bodies for year in figures.years
             if (mine := figures.of(year, body_id)).published]
    late = sorted((t for t in timings if t.late),
                  key=lambda t: (-t.decision.decision_date.toordinal(), t.decision.id))
    withdrawals = []
    for correction in site.approved_corrections():
        decision = portal.decisions.get(correction.record.removeprefix("decisions/"))
        if correction.kind != "撤回" or correction.event_date is None or decision is None:
            continue
        effective = site.effective(correction)
        days = (effective - correction.event_date).days
        withdrawals.append(WithdrawalRow(
            here.to_record(decision, decision.document_number), chinese_date(correction.event_date),
            chinese_date(effective), days, days > rule.WITHDRAWAL_DAYS))
    context = TimelinessPage(
        title=TITLE,
        fast_limit=rule.FAST_LIMIT,
        other_limit=rule.OTHER_LIMIT,
        withdrawal_days=rule.WITHDRAWAL_DAYS,
        has_ledger=bool(site.ledger.entries),
        years=years,
        late=[LateRow(here.to_record(t.decision, t.decision.document_number),
                      body_link(t.decision.body), t.decision.type,
                      chinese_date(t.decision.decision_date), chinese_date(t.published),
                      t.used or 0, t.limit) for t in late],
        withdrawals=withdrawals,
        corrections=here.to("corrections/index.md", "更正与撤回"),
    )
    return [DocPage(SRC, TITLE, (templates.render("timeliness.html.j2", context),))]
