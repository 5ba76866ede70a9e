"""关于: the free Markdown pages of content/pages/, and staff Markdown anywhere on the site."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from generator.model import Page
from generator.render.docs import DocPage
from generator.render.markdown import safe_markdown
from generator.render.site import Site
from generator.render.templates import Templates
from generator.render.urls import ABOUT, Link, Linker, record_src


@dataclass(frozen=True)
class AboutSection:
    title: str
    intro: str
    authority: str
    contact: str
    pages: list[Link]


@dataclass(frozen=True)
class FreePage:
    title: str
    body: Markup


def ordered_pages(site: Site) -> list[Page]:
    """Free pages in the order of the 关于 menu."""
    return sorted(site.portal.pages.values(), key=lambda p: (p.order, p.id))


def markdown_for(site: Site, linker: Linker, text: str) -> Markup:
    """Staff Markdown as safe HTML; `complaint.md` links to the free page `complaint`."""

    def rewrite(url: str) -> str | None:
        path, _, anchor = url.partition("#")
        stem = path.removeprefix("./").removesuffix(".md")
        if path.endswith(".md") and "/" not in stem and stem in site.portal.pages:
            return linker.href(record_src(site.portal.pages[stem]), anchor)
        return None

    return safe_markdown(text, rewrite) if text.strip() else Markup("")


def about_page(site: Site, linker: Linker, templates: Templates) -> DocPage:
    here = linker.at(ABOUT)
    settings = site.settings
    context = AboutSection(
        title="关于本平台",
        intro=settings.intro,
        authority=settings.authority,
        contact=settings.contact,
        pages=[here.to_record(page, page.title) for page in ordered_pages(site)],
    )
    return DocPage(ABOUT, context.title, (templates.render("about.html.j2", context),))


def free_page(site: Site, linker: Linker, templates: Templates, page: Page) -> DocPage:
    src = record_src(page)
    context = FreePage(page.title, markdown_for(site, linker.at(src), page.body_markdown))
    return DocPage(src, context.title, (templates.render("page.html.j2", context),))


def pages(site: Site, linker: Linker, templates: Templates) -> list[DocPage]:
    return [about_page(site, linker, templates)] + [
        free_page(site, linker, templates, page) for page in ordered_pages(site)
    ]
