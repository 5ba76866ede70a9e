"""执法人员: the officers table by body, and one page per officer (certificate lookup)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from generator.model import Decision, Officer
from generator.render.docs import DocPage
from generator.render.facets import officer_decisions_src
from generator.render.listing import PER_PAGE, DecisionItem, decision_item
from generator.render.site import Site
from generator.render.templates import Templates
from generator.render.text import certificate_state, chinese_date
from generator.render.urls import Link, Linker, record_src, section_src

LOOKUP_SRC = "officers/lookup.md"


@dataclass(frozen=True)
class OfficerRow:
    """One certificate, as the officers table and body pages show it."""

    name: Link
    certificate_number: str
    issuer: str
    field: str
    region: str
    validity: str
    state: str


@dataclass(frozen=True)
class OfficerGroup:
    body: Link
    officers: list[OfficerRow]


@dataclass(frozen=True)
class OfficersSection:
    title: str
    as_of: str
    groups: list[OfficerGroup]
    lookup: Link


@dataclass(frozen=True)
class OfficerPage:
    title: str
    name: str
    body: Link
    unit: str
    post: str
    certificate_number: str
    issuer: str
    field: str
    region: str
    validity: str
    state: str
    status_since: str
    status_note: str
    roles: list[str]
    as_of: str
    section: Link
    lookup: Link
    decisions: list[DecisionItem]
    decision_count: int
    all_decisions: Link | None


def officer_row(site: Site, linker: Linker, officer: Officer) -> OfficerRow:
    return OfficerRow(
        name=linker.to_record(officer, officer.name),
        certificate_number=officer.certificate_number,
        issuer=officer.issuer,
        field=officer.field,
        region=officer.region,
        validity=f"{chinese_date(officer.valid_from)}至{chinese_date(officer.valid_to)}",
        state=certificate_state(officer, site.as_of),
    )


def section_page(site: Site, linker: Linker, templates: Templates) -> DocPage:
    src = section_src(Officer)
    here = linker.at(src)
    groups = []
    # Officers of a body that did not load are still listed, under its id.
    orphans = sorted(set(site.officers_by_body) - set(site.portal.bodies))
    for body_id in site.body_order() + orphans:
        body = site.portal.bodies.get(body_id)
        rows = [officer_row(site, here, o) for o in site.officers_by_body.get(body_id, [])]
        if rows:
            groups.append(OfficerGroup(here.to_record(body, body.name if body else body_id), rows))
    context = OfficersSection("执法人员", chinese_date(site.as_of), groups,
                              here.to(LOOKUP_SRC, "执法证查询"))
    return DocPage(src, context.title, (templates.render("officers.html.j2", context),))


def officer_page(site: Site, linker: Linker, templates: Templates, officer: Officer,
                 signed: list[Decision]) -> DocPage:
    src = record_src(officer)
    here = linker.at(src)
    body = site.portal.bodies.get(officer.body)
    unit = next((u for u in body.units if u.id == officer.unit), None) if body else None
    post = next((p for p in unit.posts if p.id == officer.post), None) if unit else None
    row = officer_row(site, here, officer)
    context = OfficerPage(
        title=f"{officer.name}（{officer.certificate_number}）",
        name=officer.name,
        body=here.to_record(body, body.name if body else officer.body),
        unit=unit.name if unit else "",
        post=post.name if post else "",
        certificate_number=officer.certificate_number,
        issuer=officer.issuer,
        field=officer.field,
        region=officer.region,
        validity=row.validity,
        state=row.state,
        status_since=chinese_date(officer.status_since),
        status_note=officer.status_note,
        roles=list(officer.roles),
        as_of=chinese_date(site.as_of),
        section=here.to(section_src(Officer), "全部执法人员"),
        lookup=here.to(LOOKUP_SRC, "执法证查询"),
        decisions=[decision_item(site, here, d) for d in signed[:PER_PAGE]],
        decision_count=len(signed),
        all_decisions=here.to(officer_decisions_src(officer.id), f"{officer.name}承办的全部执法决定")
        if len(signed) > PER_PAGE else None,
    )
    return DocPage(src, context.title, (templates.render("officer.html.j2", context),))


def signed_by(site: Site) -> dict[str, list[Decision]]:
    """The public decisions each officer signed, latest first (one pass over the decisions)."""
    signed: dict[str, list[Decision]] = defaultdict(list)
    for decision in site.decisions:
        for officer_id in dict.fromkeys(decision.officers):
            signed[officer_id].append(decision)
    return signed


def pages(site: Site, linker: Linker, templates: Templates) -> list[DocPage]:
    officers = sorted(site.portal.officers.values(), key=lambda o: o.id)
    signed = signed_by(site)
    return [section_page(site, linker, templates)] + [
        officer_page(site, linker, templates, officer, signed.get(officer.id, []))
        for officer in officers
    ]
