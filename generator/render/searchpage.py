"""搜索: the page the header's search form goes to. Its script queries the static search index
(search/browser.py) in the browser; without JavaScript it says how to browse instead."""

from __future__ import annotations

from dataclasses import dataclass

from generator.model import Body, Decision, Officer
from generator.render.docs import DocPage, Output
from generator.render.site import Site
from generator.render.templates import Templates
from generator.render.urls import Link, Linker, asset_href, section_src

SRC = "search/index.md"
SCRIPT = "assets/javascripts/search.js"
CORE = "assets/javascripts/search-core.js"
"""Imported by SCRIPT; preloaded so that both download at once."""
FILTERS = ("类型", "执法主体", "行政区划", "年份", "决定类别", "状态")


@dataclass(frozen=True)
class SearchPage:
    title: str
    index: str
    """The search index folder (search/browser.py), relative to this page."""
    root: str
    """The site root, relative to this page (result URLs are relative to it)."""
    script: str
    core: str
    filters: tuple[str, ...]
    browse: list[Link]


def pages(site: Site, linker: Linker, templates: Templates) -> list[Output]:
    here = linker.at(SRC)
    context = SearchPage(
        title="搜索", index=asset_href(SRC, "search/index") + "/", root=asset_href(SRC, ".") + "/",
        script=asset_href(SRC, SCRIPT), core=asset_href(SRC, CORE), filters=FILTERS,
        browse=[here.to(section_src(Decision), "执法决定"), here.to(section_src(Body), "执法主体"),
                here.to(section_src(Officer), "执法人员")])
    return [DocPage(SRC, context.title, (templates.render("search.html.j2", context),))]
