"""执法主体: the bodies as a tree, and one page per body with its officers, powers, decisions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial

from markupsafe import Markup

from generator.model import Body, Decision, Power
from generator.render import evaluation as evaluation_page
from generator.render import statistics as statistics_page
from generator.render.citations import article_links
from generator.render.docs import DocPage, Made
from generator.render.facets import body_decisions_src
from generator.render.freepages import markdown_for
from generator.render.history import version_key
from generator.render.listing import PER_PAGE, DecisionItem, decision_item
from generator.render.officers import OfficerRow, officer_row, register_src, state_since
from generator.render.powers import CATEGORIES
from generator.render.reuse import Reuse, made_unless_kept
from generator.render.site import Site
from generator.render.templates import Templates
from generator.render.text import certificate_state, chinese_date, money
from generator.render.urls import Link, Linker, record_src, section_src
from generator.statistics import CATEGORIES as CATEGORY_COLUMNS
from generator.statistics import column_name
from generator.statistics import row as stats_row


@dataclass(frozen=True)
class BodyNode:
    link: Link
    kind: str
    region: str
    children: list[BodyNode] = field(default_factory=list)


@dataclass(frozen=True)
class KindGroup:
    kind: str
    bodies: list[BodyNode]


@dataclass(frozen=True)
class BodiesSection:
    title: str
    roots: list[BodyNode]
    kinds: list[KindGroup]
    total: int


@dataclass(frozen=True)
class EntrustmentView:
    entrusted_by: Link
    document: str
    powers: list[Link]
    validity: str


@dataclass(frozen=True)
class ChannelRow:
    channel: str
    value: str
    note: str


@dataclass(frozen=True)
class UnitRow:
    name: str
    duties: str
    posts: list[str]


@dataclass(frozen=True)
class PowerRow:
    name: Link
    code: str
    category: str


@dataclass(frozen=True)
class PowerCategory:
    category: str
    powers: list[PowerRow]


@dataclass(frozen=True)
class YearStatistics:
    """One year of a body's enforcement, by the categories of the annual statistics."""

    year: Link
    """The year, linking to its statistics page."""
    counts: list[str]
    """Per column of STAT_COLUMNS: a count ('0' where none) or 无此职权, then the total."""
    fines: str
    score: Link | None
    """The year's evaluation score (评议考核), linking to its deductions."""


@dataclass(frozen=True)
class BodyPage:
    title: str
    short_name: str
    kind: str
    parent: Link | None
    region: str
    uscc: str
    head: str
    address: str
    postcode: str
    phone: str
    office_hours: str
    website: Link | None
    legal_basis: list[Link]
    entrustment: EntrustmentView | None
    supervision: list[ChannelRow]
    units: list[UnitRow]
    description: Markup
    children: list[Link]
    officers: list[OfficerRow]
    officer_count: int
    register: Link | None
    powers: list[PowerCategory]
    procedures: list[Link]
    statistics: list[YearStatistics]
    stat_columns: tuple[str, ...]
    decisions: list[DecisionItem]
    decision_count: int
    all_decisions: Link


def section_page(site: Site, linker: Linker, templates: Templates) -> DocPage:
    src = section_src(Body)
    here = linker.at(src)
    seen: set[str] = set()
    roots = [_node(site, here, body, seen) for body in site.root_bodies]
    # Bodies caught in a parent cycle have no root; list them rather than lose them.
    roots += [_node(site, here, site.portal.bodies[body_id], seen)
              for body_id in site.body_order() if body_id not in seen]
    kinds = [KindGroup(kind, [BodyNode(here.to_record(body, body.name), body.kind,
                                       body.region_name)
                              for body in _in_tree_order(site) if body.kind == kind])
             for kind in KINDS]
    context = BodiesSection("执法主体", roots, [k for k in kinds if k.bodies],
                            len(site.portal.bodies))
    return DocPage(src, context.title, (templates.render("bodies.html.j2", context),))


KINDS = ("行政机关", "法律法规授权组织", "受委托组织")
OFFICERS_SHOWN = 50
"""A body page shows this many officers; its register pages list them all."""

# The columns of the annual enforcement statistics (年度行政执法数据), DOMAIN.md.
STAT_COLUMNS = (*(column_name(label) for label, _ in CATEGORY_COLUMNS), "合计")


def _in_tree_order(site: Site) -> list[Body]:
    return [site.portal.bodies[body_id] for body_id in site.body_order()]


def statistics(site: Site, linker: Linker, body: Body) -> list[YearStatistics]:
    """The body's years with decisions, from the same figures as the statistics pages."""
    figures = site.statistics()
    scores = {year: site.scores(year) for year in figures.years}
    rows = []
    for year in figures.years:
        mine = figures.of(year, body.id)
        if not mine.decisions:
            continue
        score = scores[year].get(body.id)
        rows.append(YearStatistics(
            linker.to(statistics_page.year_src(year), f"{year}年"),
            stats_row(mine)[:len(STAT_COLUMNS)], money(mine.fine_total, "元"),
            linker.to(evaluation_page.year_src(year), f"{score}分", body.id)
            if score is not None else None))
    return rows


def _node(site: Site, linker: Linker, body: Body, seen: set[str]) -> BodyNode:
    seen.add(body.id)
    children = [_node(site, linker, child, seen)
                for child in site.child_bodies.get(body.id, []) if child.id not in seen]
    return BodyNode(linker.to_record(body, body.name), body.kind, body.region_name, children)


def body_page(site: Site, linker: Linker, templates: Templates, body: Body) -> DocPage:
    src = record_src(body)
    here = linker.at(src)
    portal = site.portal
    parent = portal.bodies.get(body.parent) if body.parent else None
    decisions: list[Decision] = site.decisions_by_body.get(body.id, [])
    officers = site.officers_by_body.get(body.id, [])
    context = BodyPage(
        title=body.name,
        short_name=body.short_name,
        kind=body.kind,
        parent=here.to_record(parent, parent.name if parent else body.parent or "")
        if body.parent else None,
        region=f"{body.region_name}（{body.region_code}）",
        uscc=body.uscc,
        head=body.head,
        address=body.address,
        postcode=body.postcode,
        phone=body.phone,
        office_hours=body.office_hours,
        website=_website(body.website),
        legal_basis=article_links(portal, here, body.legal_basis),
        entrustment=_entrustment(site, here, body),
        supervision=[ChannelRow(c.channel, c.value, c.note) for c in body.supervision],
        units=[UnitRow(u.name, u.duties, [p.name for p in u.posts]) for u in body.units],
        description=markdown_for(site, here, body.description),
        children=[here.to_record(child, child.name)
                  for child in site.child_bodies.get(body.id, [])],
        officers=[officer_row(site, here, o) for o in officers[:OFFICERS_SHOWN]],
        officer_count=len(officers),
        register=here.to(register_src(body.id), f"{body.name}执法人员名录") if officers else None,
        powers=_powers_by_category(here, site.powers_by_body.get(body.id, [])),
        procedures=_procedures(site, here, site.powers_by_body.get(body.id, [])),
        statistics=statistics(site, here, body),
        stat_columns=STAT_COLUMNS,
        decisions=[decision_item(site, here, d) for d in decisions[:PER_PAGE]],
        decision_count=len(decisions),
        all_decisions=here.to(body_decisions_src(body.id), f"{body.name}的全部执法决定")
        if decisions else here.to(section_src(Decision), "全部执法决定"),
    )
    return DocPage(src, context.title, (templates.render("body.html.j2", context),))


def _website(url: str) -> Link | None:
    if not url:
        return None
    # Only web addresses become links: a `javascript:` value stays inert text.
    return Link(url, url if url.startswith(("http://", "https://")) else None)


def _entrustment(site: Site, linker: Linker, body: Body) -> EntrustmentView | None:
    entrustment = body.entrustment
    if entrustment is None:
        return None
    by = site.portal.bodies.get(entrustment.entrusted_by)
    powers = [linker.to_record(site.portal.powers.get(p),
                               site.portal.powers[p].name if p in site.portal.powers else p)
              for p in entrustment.powers]
    end = chinese_date(entrustment.valid_to) if entrustment.valid_to else "长期"
    return EntrustmentView(
        entrusted_by=linker.to_record(by, by.name if by else entrustment.entrusted_by),
        document=entrustment.document,
        powers=powers,
        validity=f"{chinese_date(entrustment.valid_from)}至{end}",
    )


def _power_row(linker: Linker, power: Power) -> PowerRow:
    return PowerRow(linker.to_record(power, power.name), power.code, power.category)


def _powers_by_category(linker: Linker, powers: list[Power]) -> list[PowerCategory]:
    groups = [PowerCategory(category, [_power_row(linker, p) for p in powers
                                       if p.category == category])
              for category in CATEGORIES]
    return [group for group in groups if group.powers]


def _procedures(site: Site, linker: Linker, powers: list[Power]) -> list[Link]:
    ids = sorted({p.procedure for p in powers if p.procedure})
    return [linker.to_record(site.portal.procedures.get(i), site.portal.procedures[i].name
                             if i in site.portal.procedures else i) for i in ids]


def pages(site: Site, linker: Linker, templates: Templates,
          reuse: Reuse | None = None) -> Iterator[Made]:
    """The section page, then each body's; with `reuse`, a body's page whose inputs are
    those the published one was made from is not rendered again (1,000 body pages took
    5 s of CPU on every rebuild)."""
    yield section_page(site, linker, templates)
    for body in sorted(site.portal.bodies.values(), key=lambda b: b.id):
        yield made_unless_kept(reuse, record_src(body),
                               partial(page_key, site, body=body),
                               partial(body_page, site, linker, templates, body))


def page_key(site: Site, reuse: Reuse, body: Body) -> bytes | None:
    """What a body's page shows besides its own record: the records all pages share
    (`reuse.shared`: bodies, powers, procedures, officers, feeds), the free pages its
    description may link, its officers' certificate states on the day, its figures of each
    year, its latest decisions, and its version history."""
    decisions = site.decisions_by_body.get(body.id, [])
    officers = site.officers_by_body.get(body.id, [])
    digests = site.portal.digests
    figures = site.statistics()
    years = [(year, stats_row(mine), mine.fine_total, site.scores(year).get(body.id))
             for year in figures.years if (mine := figures.of(year, body.id)).decisions]
    states = [(state, state_since(officer, state)) for officer in officers[:OFFICERS_SHOWN]
              for state in (certificate_state(officer, site.as_of),)]
    return reuse.key([digests.get(body.ref, b""),
                      *(digests.get(decision.ref, b"") for decision in decisions[:PER_PAGE])],
                     reuse.shared, sorted(site.portal.pages), years, states, len(officers),
                     len(decisions), version_key(site, body), reuse.around(record_src(body)))
