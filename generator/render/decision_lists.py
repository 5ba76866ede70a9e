"""执法决定: the section page (years), and each year's decisions, latest first, 50 a page."""

from __future__ import annotations

from dataclasses import dataclass

from generator.model import Decision
from generator.render.docs import DocPage
from generator.render.listing import DecisionItem, chunks, decision_item
from generator.render.site import Site
from generator.render.templates import Templates
from generator.render.urls import Link, Linker, section_src, year_src


@dataclass(frozen=True)
class YearEntry:
    year: Link
    count: int


@dataclass(frozen=True)
class DecisionsSection:
    title: str
    years: list[YearEntry]
    total: int


@dataclass(frozen=True)
class YearPage:
    title: str
    year: int
    page_number: int
    page_count: int
    decisions: list[DecisionItem]
    pages: list[Link]
    previous: Link | None
    next: Link | None
    section: Link


def by_year(site: Site) -> dict[int, list[Decision]]:
    """Public decisions of each year, latest year first, latest decision first."""
    years: dict[int, list[Decision]] = {year: [] for year in site.years()}
    for decision in site.decisions:
        years[decision.decision_date.year].append(decision)
    return years


def sources(site: Site) -> list[str]:
    """Every list page this module writes, known before any page is rendered."""
    return [section_src(Decision)] + [
        year_src(year, number + 1)
        for year, decisions in by_year(site).items()
        for number in range(len(chunks(decisions)))
    ]


def section_page(site: Site, linker: Linker, templates: Templates) -> DocPage:
    src = section_src(Decision)
    here = linker.at(src)
    years = [YearEntry(here.to(year_src(year), f"{year}年"), len(decisions))
             for year, decisions in by_year(site).items()]
    context = DecisionsSection("执法决定", years, len(site.decisions))
    return DocPage(src, context.title, (templates.render("decisions.html.j2", context),))


def year_pages(site: Site, linker: Linker, templates: Templates, year: int,
               decisions: list[Decision]) -> list[DocPage]:
    parts = chunks(decisions)
    result = []
    for index, part in enumerate(parts):
        number = index + 1
        src = year_src(year, number)
        here = linker.at(src)
        context = YearPage(
            title=f"{year}年执法决定" + (f"（第{number}页）" if number > 1 else ""),
            year=year,
            page_number=number,
            page_count=len(parts),
            decisions=[decision_item(site, here, d) for d in part],
            pages=[here.to(year_src(year, n), str(n)) for n in range(1, len(parts) + 1)],
            previous=here.to(year_src(year, number - 1), "上一页") if number > 1 else None,
            next=here.to(year_src(year, number + 1), "下一页") if number < len(parts) else None,
            section=here.to(section_src(Decision), "全部年份"),
        )
        result.append(DocPage(src, context.title, (templates.render("year.html.j2", context),)))
    return result


def pages(site: Site, linker: Linker, templates: Templates) -> list[DocPage]:
    result = [section_page(site, linker, templates)]
    for year, decisions in by_year(site).items():
        result += year_pages(site, linker, templates, year, decisions)
    return result
