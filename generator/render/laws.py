"""执法依据: laws by level, and one page per instrument with every quoted article anchored."""

from __future__ import annotations

from dataclasses import dataclass

from generator.articles import article_anchor
from generator.model import BasisLevel, LegalBasis
from generator.render.docs import DocPage
from generator.render.site import Site
from generator.render.templates import Templates
from generator.render.text import chinese_date
from generator.render.urls import Link, Linker, record_src, section_src

LEVELS: tuple[BasisLevel, ...] = (
    "法律", "行政法规", "部门规章", "地方性法规", "地方政府规章", "规范性文件",
)


@dataclass(frozen=True)
class LawRow:
    title: Link
    issuer: str
    document_number: str
    effective: str
    status: str


@dataclass(frozen=True)
class LawGroup:
    level: str
    laws: list[LawRow]


@dataclass(frozen=True)
class LawsSection:
    title: str
    groups: list[LawGroup]


@dataclass(frozen=True)
class ArticleView:
    anchor: str
    number: str
    text: str
    source: str


@dataclass(frozen=True)
class HistoryItem:
    kind: str
    iso: str
    date: str
    note: str
    effective: str


@dataclass(frozen=True)
class LawPage:
    title: str
    version_note: str
    level: str
    issuer: str
    document_number: str
    promulgated: str
    effective: str
    status: str
    in_force: bool
    repealed: str
    replaced_by: Link | None
    source: str
    history: list[HistoryItem]
    articles: list[ArticleView]


def section_page(site: Site, linker: Linker, templates: Templates) -> DocPage:
    src = section_src(LegalBasis)
    here = linker.at(src)
    laws = sorted(site.portal.laws.values(), key=lambda law: (law.title, law.effective, law.id))
    groups = [
        LawGroup(level, [_row(here, law) for law in laws if law.level == level])
        for level in LEVELS
    ]
    context = LawsSection("执法依据", [group for group in groups if group.laws])
    return DocPage(src, context.title, (templates.render("laws.html.j2", context),))


def _row(linker: Linker, law: LegalBasis) -> LawRow:
    title = f"{law.title}（{law.version_note}）" if law.version_note else law.title
    return LawRow(linker.to_record(law, title), law.issuer, law.document_number,
                  chinese_date(law.effective), law.status)


def law_page(site: Site, linker: Linker, templates: Templates, law: LegalBasis) -> DocPage:
    src = record_src(law)
    here = linker.at(src)
    successor = site.portal.laws.get(law.replaced_by) if law.replaced_by else None
    context = LawPage(
        title=law.title,
        version_note=law.version_note,
        level=law.level,
        issuer=law.issuer,
        document_number=law.document_number,
        promulgated=chinese_date(law.promulgated),
        effective=chinese_date(law.effective),
        status=law.status,
        in_force=law.status == "现行有效",
        repealed=chinese_date(law.repealed),
        replaced_by=here.to_record(successor, _successor_text(successor, law.replaced_by))
        if law.replaced_by else None,
        source=law.source,
        history=[HistoryItem(e.kind, e.date.isoformat(), chinese_date(e.date), e.note,
                             chinese_date(e.effective))
                 for e in sorted(law.history, key=lambda e: e.date)],
        articles=[ArticleView(article_anchor(a.number), a.number, a.text, a.source)
                  for a in law.articles],
    )
    return DocPage(src, context.title, (templates.render("law.html.j2", context),))


def _successor_text(successor: LegalBasis | None, fallback: str | None) -> str:
    if successor is None:
        return fallback or ""
    note = f"（{successor.version_note}）" if successor.version_note else ""
    return successor.title + note


def pages(site: Site, linker: Linker, templates: Templates) -> list[DocPage]:
    laws = sorted(site.portal.laws.values(), key=lambda law: law.id)
    return [section_page(site, linker, templates)] + [
        law_page(site, linker, templates, law) for law in laws
    ]
