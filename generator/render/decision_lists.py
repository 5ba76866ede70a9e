"""执法决定: the section page, and paginated lists of decisions by year, body, region, type,
outcome and officer, latest first, no page over PER_PAGE decisions.

The first page of a list is at <folder>/, the others at <folder>/page-N/. A page links only
a window of page numbers (first, last, and two either side), so a list of 2,000 pages does
not write 2,000 links into each of them.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterator
from dataclasses import dataclass

from generator.model import Decision
from generator.render.docs import DocPage, Made
from generator.render.facets import FACETS, LISTED_ON_SECTION_PAGE, FacetValue, facet_values
from generator.render.listing import DecisionItem, chunks, decision_item, page_window
from generator.render.reuse import Reuse, record_digest
from generator.render.site import Site
from generator.render.templates import Templates
from generator.render.urls import Link, Linker, record_src, section_src


@dataclass(frozen=True)
class ListEntry:
    link: Link
    count: int
    depth: int = 0
    """Indentation: a city under its province, a county under its city."""


@dataclass(frozen=True)
class FacetGroup:
    label: str
    anchor: str
    entries: list[ListEntry]


@dataclass(frozen=True)
class DecisionsSection:
    title: str
    years: list[ListEntry]
    facets: list[FacetGroup]
    total: int
    corrections: Link
    timeliness: Link


@dataclass(frozen=True)
class PageNumber:
    """One place in the pager: a page's link, the current page (no link), or a gap (…)."""

    link: Link | None
    current: bool = False


@dataclass(frozen=True)
class ListPage:
    title: str
    intro: str
    about: Link | None
    """The page of the body or officer the list belongs to."""
    page_number: int
    page_count: int
    total: int
    decisions: list[DecisionItem]
    pages: list[PageNumber]
    previous: Link | None
    next: Link | None
    section: Link


@dataclass(frozen=True)
class DecisionList:
    """A list to paginate: its folder (decisions/2025, decisions/body/x …) and its words."""

    folder: str
    title: str
    intro: str
    decisions: list[Decision]
    about_src: str | None = None
    about_text: str = ""

    def src(self, page_number: int = 1) -> str:
        if page_number == 1:
            return f"{self.folder}/index.md"
        return f"{self.folder}/page-{page_number}.md"


def by_year(site: Site) -> dict[int, list[Decision]]:
    """Public decisions of each year, latest year first, latest decision first."""
    years: dict[int, list[Decision]] = {year: [] for year in site.years()}
    for decision in site.decisions:
        years[decision.decision_date.year].append(decision)
    return years


def lists(site: Site, values: list[FacetValue] | None = None) -> list[DecisionList]:
    """Every list of decisions the site has, years first, then each facet value."""
    years = [DecisionList(f"decisions/{year}", f"{year}年执法决定",
                          f"{year}年作出、公示期内的执法决定，最新的在前。", decisions)
             for year, decisions in by_year(site).items()]
    values = facet_values(site) if values is None else values
    return years + [_facet_list(site, value) for value in values]


def _facet_list(site: Site, value: FacetValue) -> DecisionList:
    record = (site.portal.bodies.get(value.key) if value.facet.folder == "body"
              else site.portal.officers.get(value.key) if value.facet.folder == "officer"
              else None)
    return DecisionList(value.folder, f"执法决定：{value.title}",
                        f"{value.facet.label.removeprefix('按')}：{value.title}。"
                        "公示期内的执法决定，最新的在前。",
                        value.decisions, record_src(record) if record else None,
                        f"{record.label}信息" if record else "")


def sources(site: Site) -> list[str]:
    """Every list page this module writes, known before any page is rendered."""
    return [section_src(Decision)] + [
        decision_list.src(number + 1)
        for decision_list in lists(site)
        for number in range(len(chunks(decision_list.decisions)))
    ]


def section_page(site: Site, linker: Linker, templates: Templates,
                 values: list[FacetValue]) -> DocPage:
    src = section_src(Decision)
    here = linker.at(src)
    years = [ListEntry(here.to(f"decisions/{year}/index.md", f"{year}年"), len(decisions))
             for year, decisions in by_year(site).items()]
    groups = []
    for facet in FACETS:
        if facet.folder not in LISTED_ON_SECTION_PAGE:
            continue
        entries = [ListEntry(here.to(f"{value.folder}/index.md", value.title),
                             len(value.decisions), value.depth)
                   for value in values if value.facet is facet]
        if entries:
            groups.append(FacetGroup(facet.label, f"by-{facet.folder}", entries))
    context = DecisionsSection("执法决定", years, groups, len(site.decisions),
                               here.to("corrections/index.md", "更正与撤回"),
                               here.to("timeliness/index.md", "公示及时性"))
    return DocPage(src, context.title, (templates.render("decisions.html.j2", context),))


def list_pages(site: Site, linker: Linker, templates: Templates,
               decision_list: DecisionList, reuse: Reuse | None = None) -> Iterator[Made]:
    """The list's pages; with `reuse`, one whose rows and place are those the published
    page was made from is not rendered again."""
    parts = chunks(decision_list.decisions)
    if reuse is not None and _as_published(site, reuse, decision_list, len(parts)):
        published = [reuse.as_published(decision_list.src(number + 1))
                     for number in range(len(parts))]
        if all(published):
            yield from (page for page in published if page is not None)
            return
    for index, part in enumerate(parts):
        number = index + 1
        src = decision_list.src(number)
        key = _page_key(site, reuse, decision_list, part, number, len(parts)) \
            if reuse is not None else None
        kept = reuse.kept(src, key) if reuse is not None else None
        if kept is not None:
            yield kept
            continue
        here = linker.at(src)
        context = ListPage(
            title=decision_list.title + (f"（第{number}页）" if number > 1 else ""),
            intro=decision_list.intro,
            about=here.to(decision_list.about_src, decision_list.about_text)
            if decision_list.about_src else None,
            page_number=number,
            page_count=len(parts),
            total=len(decision_list.decisions),
            decisions=[decision_item(site, here, d) for d in part],
            pages=[PageNumber(None) if n is None
                   else PageNumber(Link(str(n)), True) if n == number
                   else PageNumber(here.to(decision_list.src(n), str(n)))
                   for n in page_window(number, len(parts))],
            previous=here.to(decision_list.src(number - 1), "上一页") if number > 1 else None,
            next=here.to(decision_list.src(number + 1), "下一页") if number < len(parts) else None,
            section=here.to(section_src(Decision), "全部执法决定"),
        )
        yield DocPage(src, context.title, (templates.render("year.html.j2", context),), key=key)


INPUTS = "decision lists"
"""The name of the lists' inputs in the site's manifest (`_as_published`)."""


def _as_published(site: Site, reuse: Reuse, decision_list: DecisionList, count: int) -> bool:
    """Whether the list's pages are made from what the published ones were: the same
    decisions' records in the same order, and the same words and bodies (in
    `reuse.shared`). Then none of its pages needs a key (tens of thousands of pages show
    100,000 decisions in several lists each: 2.4 s of CPU for their keys)."""
    digests = site.portal.digests
    inputs = hashlib.blake2b(reuse.shared, digest_size=16)
    inputs.update(pickle.dumps((decision_list.folder, decision_list.title, decision_list.intro,
                                decision_list.about_src, decision_list.about_text, count,
                                len(decision_list.decisions))))
    for decision in decision_list.decisions:
        digest = digests.get(decision.ref)
        if not digest:  # a record not read from a file: its pages are never reused
            return False
        inputs.update(digest)
    return reuse.found(INPUTS, decision_list.folder, inputs.digest())


def _page_key(site: Site, reuse: Reuse, decision_list: DecisionList, part: list[Decision],
              number: int, count: int) -> bytes | None:
    """A list page shows, of each decision, its own fields and its body's name."""
    digests = site.portal.digests
    bodies = site.portal.bodies
    shown = [record_digest(digests, record, name) for decision in part
             for record, name in ((decision, decision.id),
                                  (bodies.get(decision.body), decision.body))]
    return reuse.key(shown, decision_list.folder, decision_list.title, decision_list.intro,
                     decision_list.about_src, decision_list.about_text, number, count,
                     len(decision_list.decisions), reuse.around(decision_list.src(number)))


def pages(site: Site, linker: Linker, templates: Templates,
          reuse: Reuse | None = None) -> Iterator[Made]:
    values = facet_values(site)
    yield section_page(site, linker, templates, values)
    for decision_list in lists(site, values):
        yield from list_pages(site, linker, templates, decision_list, reuse)
