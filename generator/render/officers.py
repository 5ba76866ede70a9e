"""执法人员名录: the register by body, one page per officer, and what a certificate state means.

The register scales to the 10,000 officers the architecture plans for: each body has its own
register pages (officers/body/<body>/, PER_PAGE officers a page), and the section page is an
index of bodies with their counts by state. While the whole register is small it is also
listed on the section page, so a citizen scrolls instead of clicking.
"""

from __future__ import annotations

import hashlib
import pickle
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from generator.model import Body, Decision, Officer
from generator.render.decisions import items_remade_ids, records_touched
from generator.render.docs import DocPage, Made
from generator.render.facets import facet_values, officer_decisions_src
from generator.render.history import version_key
from generator.render.listing import PER_PAGE as DECISIONS_PER_PAGE
from generator.render.listing import DecisionItem, decision_item, page_window
from generator.render.reuse import Reuse, Reused, made_unless_kept, record_digest
from generator.render.site import Site
from generator.render.templates import Templates
from generator.render.text import certificate_state, chinese_date
from generator.render.urls import Link, Linker, record_src, section_src

LOOKUP_SRC = "officers/lookup.md"

PER_PAGE = 100
"""Officers on one register page of a body."""

INLINE_LIMIT = 200
"""Up to this many officers in all, the section page lists every one of them too."""

STATES: dict[str, tuple[str, str]] = {
    "有效": ("ok", "证件有效，可以依法执法。"),
    "已过期": ("expired", "证件已过有效期，不能用于执法。"),
    "尚未生效": ("pending", "证件尚未生效，不能用于执法。"),
    "暂扣": ("suspended", "证件已被暂扣，暂扣期间不能执法。"),
    "注销": ("cancelled", "证件已注销，不能用于执法。"),
    "吊销": ("revoked", "证件已被吊销，不能用于执法。"),
}
"""Each certificate state (text.certificate_state): its CSS class (the colour) and what it
means for the citizen in front of the officer. The words are always shown with the colour."""


def state_class(state: str) -> str:
    return STATES.get(state, ("stopped", ""))[0]


def state_verdict(state: str) -> str:
    return STATES.get(state, ("", "证件不能用于执法。"))[1]


@dataclass(frozen=True)
class OfficerRow:
    """One certificate, as the register and body pages show it."""

    name: Link
    certificate_number: str
    issuer: str
    field: str
    region: str
    validity: str
    state: str
    state_since: str = ""
    """The date a 暂扣 / 注销 / 吊销 took effect, when that is the state shown."""
    roles: tuple[str, ...] = ()
    """Roles besides 执法人员, e.g. 法制审核人员."""

    @property
    def state_class(self) -> str:
        return state_class(self.state)


@dataclass(frozen=True)
class OfficerGroup:
    body: Link
    officers: list[OfficerRow]
    more: Link | None = None
    """The body's own register, when this group shows only its first page."""


@dataclass(frozen=True)
class StateCount:
    state: str
    count: int

    @property
    def state_class(self) -> str:
        return state_class(self.state)


@dataclass(frozen=True)
class BodyEntry:
    """One body in the register's index: its register page and its officers by state."""

    register: Link
    body: Link
    depth: int
    total: int
    states: list[StateCount]


@dataclass(frozen=True)
class PageNumber:
    link: Link | None
    current: bool = False


@dataclass(frozen=True)
class OfficersRegister:
    """The section page (index of bodies, maybe every officer) or one page of a body."""

    title: str
    intro: str
    as_of: str
    total: int
    index: list[BodyEntry]
    groups: list[OfficerGroup]
    lookup: Link
    section: Link | None
    body_page: Link | None
    page_number: int = 1
    page_count: int = 1
    pages: tuple[PageNumber, ...] = ()
    previous: Link | None = None
    next: Link | None = None


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
    state_class: str
    verdict: str
    status_since: str
    status_note: str
    roles: list[str]
    as_of: str
    section: Link
    register: Link | None
    lookup: Link
    decisions: list[DecisionItem]
    decision_count: int
    all_decisions: Link | None


def state_since(officer: Officer, state: str) -> str:
    return chinese_date(officer.status_since) if state == officer.status != "有效" else ""


def officer_row(site: Site, linker: Linker, officer: Officer) -> OfficerRow:
    state = certificate_state(officer, site.as_of)
    return OfficerRow(
        name=linker.to_record(officer, officer.name),
        certificate_number=officer.certificate_number,
        issuer=officer.issuer,
        field=officer.field,
        region=officer.region,
        validity=f"{chinese_date(officer.valid_from)}至{chinese_date(officer.valid_to)}",
        state=state,
        state_since=state_since(officer, state),
        roles=tuple(role for role in officer.roles if role != "执法人员"),
    )


# --- the register ----------------------------------------------------------------------


def register_src(body_id: str, page_number: int = 1) -> str:
    """A page of one body's register: officers/body/<body>/, then officers/body/<body>/page-N/."""
    if page_number == 1:
        return f"officers/body/{body_id}/index.md"
    return f"officers/body/{body_id}/page-{page_number}.md"


def _register_bodies(site: Site) -> list[str]:
    """Bodies with officers, in the body tree order; officers of a body that did not load
    are still listed, under its id."""
    orphans = sorted(set(site.officers_by_body) - set(site.portal.bodies))
    return [body_id for body_id in site.body_order() + orphans
            if site.officers_by_body.get(body_id)]


def _page_count(count: int) -> int:
    return max(1, -(-count // PER_PAGE))


def sources(site: Site) -> list[str]:
    """Every register page, known before any page is rendered."""
    return [register_src(body_id, number + 1)
            for body_id in _register_bodies(site)
            for number in range(_page_count(len(site.officers_by_body[body_id])))]


def _depths(site: Site) -> dict[str, int]:
    depths: dict[str, int] = {}
    for body_id in site.body_order():
        parent = site.portal.bodies[body_id].parent
        depths[body_id] = depths.get(parent, -1) + 1 if parent else 0
    return depths


def _body_link(site: Site, linker: Linker, body_id: str) -> Link:
    body: Body | None = site.portal.bodies.get(body_id)
    return linker.to_record(body, body.name if body else body_id)


def _body_name(site: Site, body_id: str) -> str:
    body = site.portal.bodies.get(body_id)
    return body.name if body else body_id


def section_page(site: Site, linker: Linker, templates: Templates) -> DocPage:
    src = section_src(Officer)
    here = linker.at(src)
    bodies = _register_bodies(site)
    depths = _depths(site)
    total = sum(len(site.officers_by_body[b]) for b in bodies)
    index = []
    for body_id in bodies:
        officers = site.officers_by_body[body_id]
        counts = Counter(certificate_state(o, site.as_of) for o in officers)
        index.append(BodyEntry(
            register=here.to(register_src(body_id), f"{len(officers)}人"),
            body=_body_link(site, here, body_id),
            depth=min(depths.get(body_id, 0), 4),
            total=len(officers),
            states=[StateCount(state, counts[state]) for state in STATES if counts[state]],
        ))
    groups = []
    if total <= INLINE_LIMIT:
        groups = [OfficerGroup(_body_link(site, here, body_id),
                               [officer_row(site, here, o) for o in site.officers_by_body[body_id]])
                  for body_id in bodies]
    context = OfficersRegister(
        title="执法人员名录",
        intro="持有行政执法证件的人员，按执法主体排列。",
        as_of=chinese_date(site.as_of),
        total=total,
        index=index,
        groups=groups,
        lookup=here.to(LOOKUP_SRC, "执法证查询"),
        section=None,
        body_page=None,
    )
    return DocPage(src, context.title, (templates.render("officers.html.j2", context),))


def register_pages(site: Site, linker: Linker, templates: Templates,
                   body_id: str) -> list[DocPage]:
    officers = site.officers_by_body[body_id]
    count = _page_count(len(officers))
    name = _body_name(site, body_id)
    result = []
    for number in range(1, count + 1):
        src = register_src(body_id, number)
        here = linker.at(src)
        part = officers[(number - 1) * PER_PAGE : number * PER_PAGE]
        context = OfficersRegister(
            title=f"执法人员名录：{name}" + (f"（第{number}页）" if number > 1 else ""),
            intro=f"{name}持有行政执法证件的人员，按执法证号排列。",
            as_of=chinese_date(site.as_of),
            total=len(officers),
            index=[],
            groups=[OfficerGroup(_body_link(site, here, body_id),
                                 [officer_row(site, here, o) for o in part])],
            lookup=here.to(LOOKUP_SRC, "执法证查询"),
            section=here.to(section_src(Officer), "全部执法主体的人员"),
            body_page=_body_link(site, here, body_id),
            page_number=number,
            page_count=count,
            pages=tuple(PageNumber(None) if n is None
                        else PageNumber(Link(str(n)), True) if n == number
                        else PageNumber(here.to(register_src(body_id, n), str(n)))
                        for n in page_window(number, count)),
            previous=here.to(register_src(body_id, number - 1), "上一页") if number > 1 else None,
            next=here.to(register_src(body_id, number + 1), "下一页") if number < count else None,
        )
        result.append(DocPage(src, context.title,
                              (templates.render("officers.html.j2", context),)))
    return result


# --- one officer -----------------------------------------------------------------------


def officer_page(site: Site, linker: Linker, templates: Templates, officer: Officer,
                 signed: list[Decision]) -> DocPage:
    src = record_src(officer)
    here = linker.at(src)
    body = site.portal.bodies.get(officer.body)
    unit = next((u for u in body.units if u.id == officer.unit), None) if body else None
    post = next((p for p in unit.posts if p.id == officer.post), None) if unit else None
    row = officer_row(site, here, officer)
    register = register_src(officer.body)
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
        state_class=row.state_class,
        verdict=state_verdict(row.state),
        status_since=chinese_date(officer.status_since),
        status_note=officer.status_note,
        roles=list(officer.roles),
        as_of=chinese_date(site.as_of),
        section=here.to(section_src(Officer), "执法人员名录"),
        register=here.to(register, f"{body.name if body else officer.body}的执法人员")
        if here.exists(register) else None,
        lookup=here.to(LOOKUP_SRC, "执法证查询"),
        decisions=[decision_item(site, here, d) for d in signed[:DECISIONS_PER_PAGE]],
        decision_count=len(signed),
        all_decisions=here.to(officer_decisions_src(officer.id), f"{officer.name}承办的全部执法决定")
        if len(signed) > DECISIONS_PER_PAGE else None,
    )
    return DocPage(src, context.title, (templates.render("officer.html.j2", context),))


def signed_by(site: Site) -> dict[str, list[Decision]]:
    """The public decisions each officer signed, latest first: the lists of the facet
    按承办执法人员, made once before the workers fork (a pass of its own over 100,000
    decisions took 0.4 s in a worker)."""
    return {value.key: value.decisions for value in facet_values(site)
            if value.facet.folder == "officer"}


REGISTERS = "officer registers"
PAGES = "officer pages"
"""The names, in the site's manifest, of what the registers and officers' pages were made
from besides their records (`pages`)."""


def pages(site: Site, linker: Linker, templates: Templates,
          reuse: Reuse | None = None) -> Iterator[Made]:
    """The section, the registers by body, and each officer's page; with `reuse`, a page
    made from what the published one was made from is not rendered again.

    The registers show officers and bodies (whose digests are in `reuse.shared`) as of the
    build's date. An officer's page shows, besides, the latest
    decisions the officer signed, and their number: when none of the records it shows
    changed (`decisions.records_touched`), nor any of those decisions (`items_remade`), and
    the number is the same, it is taken as published without a key."""
    officers = sorted(site.portal.officers.values(), key=lambda o: o.id)
    signed = signed_by(site)
    frame = b""
    touched = remade = None
    if reuse is not None:
        frame = hashlib.blake2b(reuse.shared + site.as_of.isoformat().encode(),
                                digest_size=16).digest()
        touched, remade = records_touched(reuse), items_remade_ids(site, reuse)
    yield section_page(site, linker, templates)  # in the nav: mkdocs renders it
    for body_id in _register_bodies(site):
        srcs = [register_src(body_id, number + 1)
                for number in range(_page_count(len(site.officers_by_body[body_id])))]
        published = [*_as_published(reuse, REGISTERS, body_id, frame, srcs)]
        yield from published or register_pages(site, linker, templates, body_id)
    for officer in officers:
        mine = signed.get(officer.id, [])
        if reuse is not None:
            same = reuse.found(PAGES, officer.id, frame + pickle.dumps(
                (len(mine), linker.exists(register_src(officer.body)))))
            if same and touched is not None and remade is not None \
                    and officer.ref not in touched and f"bodies/{officer.body}" not in touched \
                    and all(d.id not in remade for d in mine[:DECISIONS_PER_PAGE]):
                page_published = reuse.as_published(record_src(officer))
                if page_published is not None:
                    yield page_published
                    continue
        yield made_unless_kept(reuse, record_src(officer),
                               partial(_page_key, site, linker, officer=officer, signed=mine),
                               partial(officer_page, site, linker, templates, officer, mine))


def _as_published(reuse: Reuse | None, kind: str, name: str, frame: bytes,
                  srcs: list[str]) -> list[Reused]:
    """The pages at `srcs`, as published when what they were made from (`frame`, their
    number) is the published ones'; else none."""
    if reuse is None or not reuse.found(kind, name, frame + str(len(srcs)).encode()):
        return []
    return reuse.all_as_published(srcs) or []


def _page_key(site: Site, linker: Linker, reuse: Reuse, officer: Officer,
              signed: list[Decision]) -> bytes | None:
    """An officer's page shows the officer, the body, the latest decisions signed (each with
    its body's name), their number, the state as of the build's date, and the versions."""
    digests = site.portal.digests
    bodies = site.portal.bodies
    shown = [record_digest(digests, officer, officer.id),
             record_digest(digests, bodies.get(officer.body), officer.body)]
    for decision in signed[:DECISIONS_PER_PAGE]:
        shown += [record_digest(digests, decision, decision.id),
                  record_digest(digests, bodies.get(decision.body), decision.body)]
    corrections = site.corrections_by_record.get(officer.ref, [])
    shown += [record_digest(digests, c, c.id) for c in corrections]
    return reuse.key(shown, site.as_of, len(signed), linker.exists(register_src(officer.body)),
                     version_key(site, officer), reuse.around(record_src(officer)))
