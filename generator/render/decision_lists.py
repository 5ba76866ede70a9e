"""执法决定: the section page, and paginated lists of decisions by year, body, region, type,
outcome and officer, latest first, no page over PER_PAGE decisions.

A list's first page, at <folder>/, shows its latest PER_PAGE decisions. The older ones are
on pages numbered from the oldest, PER_PAGE each: <folder>/page-1/ holds the oldest
PER_PAGE, page-2/ the next, and so on up to the one after the first page, which holds
those of its PER_PAGE that the first page does not show. So a new decision, the latest,
changes the first two pages of each of its lists and no other (pages numbered from the
latest all shifted: at 100,000 decisions, a new decision rewrote 3,100 list pages), and a
page's address keeps showing the same decisions, for a reader who cites it. A decision
leaving the list (its publicity ended) shifts the pages after it, as before.

So a page cannot say which page it is counting from the latest, and it does not: it says
which days its decisions were made on, and its pager links the first page, the previous,
the next and the last one (首页 上一页 下一页 尾页). The first page alone says how many
decisions the list has.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterator
from dataclasses import dataclass

from generator.model import Decision
from generator.render.decisions import in_order, items_remade_ids
from generator.render.docs import DocPage, Made
from generator.render.facets import (
    FACETS,
    LISTED_ON_SECTION_PAGE,
    FacetValue,
    Filing,
    facet_values,
)
from generator.render.listing import PER_PAGE, DecisionItem, decision_item
from generator.render.reuse import Reuse, record_digest
from generator.render.site import Site
from generator.render.templates import Templates
from generator.render.text import chinese_date
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
class ListPage:
    title: str
    intro: str
    about: Link | None
    """The page of the body or officer the list belongs to."""
    total: int | None
    """How many decisions the list has: on its first page only (`Part`)."""
    span: str
    """The days the page's decisions were made on."""
    decisions: list[DecisionItem]
    first: Link | None
    previous: Link | None
    next: Link | None
    last: Link | None
    section: Link


@dataclass(frozen=True)
class Part:
    """One page of a list: its number (None for the first page) and its decisions."""

    number: int | None
    decisions: list[Decision]


def parts(decisions: list[Decision]) -> list[Part]:
    """A list's pages in reading order, latest decisions first (the module's docstring):
    the first page, then the pages numbered from the oldest, counting down. Each decision
    is on one page; none has more than PER_PAGE."""
    if len(decisions) <= PER_PAGE:
        return [Part(None, decisions)]
    count = -(-len(decisions) // PER_PAGE)  # the numbered pages, and the latest (partial) one
    latest = len(decisions) - (count - 1) * PER_PAGE  # 1 to PER_PAGE
    result = [Part(None, decisions[:PER_PAGE]), Part(count - 1, decisions[PER_PAGE:PER_PAGE + latest])]
    for number in range(count - 2, 0, -1):
        start = latest + (count - 1 - number) * PER_PAGE
        result.append(Part(number, decisions[start:start + PER_PAGE]))
    return result


def numbers(count: int) -> list[int | None]:
    """The numbers of the `parts` of a list of `count` decisions, in their order, without
    the parts: a list left as published need not slice its decisions (at 100,000 decisions
    in seven thousand lists, slicing them touched every decision six times over)."""
    if count <= PER_PAGE:
        return [None]
    return [None, *range(-(-count // PER_PAGE) - 1, 0, -1)]


@dataclass(frozen=True)
class DecisionList:
    """A list to paginate: its folder (decisions/2025, decisions/body/x …) and its words."""

    folder: str
    title: str
    intro: str
    decisions: list[Decision]
    about_src: str | None = None
    about_text: str = ""

    def src(self, number: int | None = None) -> str:
        """The source of the first page (`number` None), or of page `number`."""
        if number is None:
            return f"{self.folder}/index.md"
        return f"{self.folder}/page-{number}.md"


def by_year(site: Site) -> dict[int, list[Decision]]:
    """Public decisions of each year, latest year first, latest decision first."""
    return {year: site.decisions_by_year[year] for year in site.years()}


def year_folder(year: int) -> str:
    """The folder of the list of a year's decisions."""
    return f"decisions/{year}"


def lists(site: Site, values: list[FacetValue] | None = None) -> list[DecisionList]:
    """Every list of decisions the site has, years first, then each facet value."""
    years = [DecisionList(year_folder(year), f"{year}年执法决定",
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
        decision_list.src(number)
        for decision_list in lists(site)
        for number in numbers(len(decision_list.decisions))
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
    remade = items_remade_ids(site, reuse)
    words = _words(reuse, decision_list) if reuse is not None else b""
    if reuse is not None:
        srcs = [decision_list.src(number) for number in numbers(len(decision_list.decisions))]
        if _as_published(site, reuse, decision_list, len(srcs), words, remade):
            published = reuse.left_as_published(srcs)
            if published is not None:
                for src in srcs:  # what each page was made from, for the next build
                    reuse.carried(PAGES, src)
                yield published
                return
    pages = parts(decision_list.decisions)
    oldest = pages[-1].number
    for place, part in enumerate(pages):
        src = decision_list.src(part.number)
        newer = pages[place - 1].number if place else None
        older = pages[place + 1].number if place + 1 < len(pages) else None
        total = len(decision_list.decisions) if part.number is None else None
        if reuse is not None:
            # A page of a list that changed, whose decisions and place did not.
            same = reuse.found(PAGES, src, words + pickle.dumps(
                (part.number, total, newer, older, oldest, [d.id for d in part.decisions])))
            if same and remade is not None and all(d.id not in remade for d in part.decisions):
                published_page = reuse.as_published(src)
                if published_page is not None:
                    yield published_page
                    continue
        key = (_page_key(site, reuse, decision_list, part, total, newer, older, oldest)
               if reuse is not None else None)
        kept = reuse.kept(src, key) if reuse is not None else None
        if kept is not None:
            yield kept
            continue
        here = linker.at(src)
        span = _span(part.decisions)
        context = ListPage(
            title=decision_list.title + (f"（{span}）" if part.number is not None else ""),
            intro=decision_list.intro,
            about=here.to(decision_list.about_src, decision_list.about_text)
            if decision_list.about_src else None,
            total=total,
            span=span,
            decisions=[decision_item(site, here, d) for d in part.decisions],
            first=here.to(decision_list.src(), "首页") if place > 0 else None,
            previous=here.to(decision_list.src(newer), "上一页") if place > 0 else None,
            next=here.to(decision_list.src(older), "下一页") if place + 1 < len(pages) else None,
            last=here.to(decision_list.src(oldest), "尾页") if place + 1 < len(pages) else None,
            section=here.to(section_src(Decision), "全部执法决定"),
        )
        yield DocPage(src, context.title, (templates.render("year.html.j2", context),), key=key)


def _span(decisions: list[Decision]) -> str:
    """The days a page's decisions (latest first) were made on: 2025年3月2日至2025年3月9日."""
    if not decisions:
        return ""
    oldest, latest = decisions[-1].decision_date, decisions[0].decision_date
    if oldest == latest:
        return chinese_date(latest)
    return f"{chinese_date(oldest)}至{chinese_date(latest)}"


INPUTS = "decision lists"
PAGES = "decision list pages"
"""The names of the lists' and their pages' inputs in the site's manifest (`_as_published`,
`list_pages`)."""


def _words(reuse: Reuse, decision_list: DecisionList) -> bytes:
    """What a list's pages show besides their decisions: its words, and the bodies and feeds
    (`reuse.shared`)."""
    return hashlib.blake2b(reuse.shared + pickle.dumps(
        (decision_list.folder, decision_list.title, decision_list.intro,
         decision_list.about_src, decision_list.about_text)), digest_size=16).digest()


def _as_published(site: Site, reuse: Reuse, decision_list: DecisionList, count: int,
                  words: bytes, remade: frozenset[str] | None) -> bool:
    """Whether the list's pages are made from what the published ones were: the same words,
    bodies and feeds (`_words`), as many pages and decisions, none of which was made again
    (`decisions.items_remade`). A decision that joined the list was made again (its record
    or publicity changed, or its body's); one that left it changed the number. Then none of
    its pages needs a key (tens of thousands of pages show 100,000 decisions in several
    lists each: 2.4 s of CPU for their keys), and its decisions need no digest."""
    same = reuse.found(INPUTS, decision_list.folder,
                       words + pickle.dumps((count, len(decision_list.decisions))))
    return same and remade is not None and decision_list.folder not in lists_of(site, remade)


def lists_of(site: Site, ids: frozenset[str]) -> frozenset[str]:
    """The folders of the lists that hold any of the decisions `ids` (made once per process:
    asking each list's every decision was 600,000 questions at 100,000 decisions)."""
    if site.memo.get("lists of") is None or site.memo["lists of"][0] is not ids:
        filing = Filing.of(site)
        public = in_order(site)[0]
        folders: set[str] = set()
        for name in ids:
            decision = public.get(f"decisions/{name}")
            if decision is not None:
                folders.add(year_folder(decision.decision_date.year))
                folders.update(facet.list_folder(key)
                               for facet in FACETS for key in facet.keys(filing, decision))
        site.memo["lists of"] = (ids, frozenset(folders))
    found: frozenset[str] = site.memo["lists of"][1]
    return found


def _page_key(site: Site, reuse: Reuse, decision_list: DecisionList, part: Part,
              total: int | None, newer: int | None, older: int | None,
              oldest: int | None) -> bytes | None:
    """A list page shows, of each decision, its own fields and its body's name; and links
    the pages around it."""
    digests = site.portal.digests
    bodies = site.portal.bodies
    shown = [record_digest(digests, record, name) for decision in part.decisions
             for record, name in ((decision, decision.id),
                                  (bodies.get(decision.body), decision.body))]
    return reuse.key(shown, decision_list.folder, decision_list.title, decision_list.intro,
                     decision_list.about_src, decision_list.about_text, part.number, total,
                     newer, older, oldest, reuse.around(decision_list.src(part.number)))


def pages(site: Site, linker: Linker, templates: Templates,
          reuse: Reuse | None = None) -> Iterator[Made]:
    values = facet_values(site)
    yield section_page(site, linker, templates, values)
    for decision_list in lists(site, values):
        yield from list_pages(site, linker, templates, decision_list, reuse)
