"""执法决定: the section page, and paginated lists of decisions by year, body, region, type
and outcome, latest first, no page over PER_PAGE decisions."""

from __future__ import annotations

from dataclasses import dataclass

from generator.model import Decision
from generator.render.docs import DocPage
from generator.render.facets import FACETS, LISTED_ON_SECTION_PAGE, FacetValue, facet_values
from generator.render.listing import DecisionItem, chunks, decision_item
from generator.render.site import Site
from generator.render.templates import Templates
from generator.render.urls import Link, Linker, section_src


@dataclass(frozen=True)
class ListEntry:
    link: Link
    count: int


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


@dataclass(frozen=True)
class ListPage:
    title: str
    intro: str
    page_number: int
    page_count: int
    total: int
    decisions: list[DecisionItem]
    pages: list[Link]
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


def lists(site: Site) -> list[DecisionList]:
    """Every list of decisions the site has, years first, then each facet."""
    result = [DecisionList(f"decisions/{year}", f"{year}年执法决定",
                           f"{year}年作出、公示期内的执法决定，最新的在前。", decisions)
              for year, decisions in by_year(site).items()]
    result += [_facet_list(value) for value in facet_values(site)]
    return result


def _facet_list(value: FacetValue) -> DecisionList:
    return DecisionList(value.folder, f"执法决定：{value.title}",
                        f"{value.facet.label}：{value.title}，公示期内的执法决定，最新的在前。",
                        value.decisions)


def sources(site: Site) -> list[str]:
    """Every list page this module writes, known before any page is rendered."""
    return [section_src(Decision)] + [
        decision_list.src(number + 1)
        for decision_list in lists(site)
        for number in range(len(chunks(decision_list.decisions)))
    ]


def section_page(site: Site, linker: Linker, templates: Templates,
                 all_lists: list[DecisionList]) -> DocPage:
    src = section_src(Decision)
    here = linker.at(src)
    by_folder = {decision_list.folder: decision_list for decision_list in all_lists}
    years = [ListEntry(here.to(f"decisions/{year}/index.md", f"{year}年"), len(decisions))
             for year, decisions in by_year(site).items()]
    groups = []
    for facet in FACETS:
        if facet.folder not in LISTED_ON_SECTION_PAGE:
            continue
        entries = [ListEntry(here.to(listed.src(), listed.title.removeprefix("执法决定：")),
                             len(listed.decisions))
                   for folder, listed in by_folder.items()
                   if folder.startswith(f"decisions/{facet.folder}/")]
        if entries:
            groups.append(FacetGroup(facet.label, f"by-{facet.folder}", entries))
    context = DecisionsSection("执法决定", years, groups, len(site.decisions))
    return DocPage(src, context.title, (templates.render("decisions.html.j2", context),))


def list_pages(site: Site, linker: Linker, templates: Templates,
               decision_list: DecisionList) -> list[DocPage]:
    parts = chunks(decision_list.decisions)
    result = []
    for index, part in enumerate(parts):
        number = index + 1
        src = decision_list.src(number)
        here = linker.at(src)
        context = ListPage(
            title=decision_list.title + (f"（第{number}页）" if number > 1 else ""),
            intro=decision_list.intro,
            page_number=number,
            page_count=len(parts),
            total=len(decision_list.decisions),
            decisions=[decision_item(site, here, d) for d in part],
            pages=[here.to(decision_list.src(n), str(n)) for n in range(1, len(parts) + 1)],
            previous=here.to(decision_list.src(number - 1), "上一页") if number > 1 else None,
            next=here.to(decision_list.src(number + 1), "下一页") if number < len(parts) else None,
            section=here.to(section_src(Decision), "全部执法决定"),
        )
        result.append(DocPage(src, context.title, (templates.render("year.html.j2", context),)))
    return result


def pages(site: Site, linker: Linker, templates: Templates) -> list[DocPage]:
    all_lists = lists(site)
    result = [section_page(site, linker, templates, all_lists)]
    for decision_list in all_lists:
        result += list_pages(site, linker, templates, decision_list)
    return result
