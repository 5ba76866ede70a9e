"""Every page of the site, known before any is rendered, so every link can be checked."""

from __future__ import annotations

from generator.model import Benchmark, Body, LegalBasis, Officer, Power, Procedure
from generator.render import (
    decision_lists,
    evaluation,
    history,
    lookup,
    officers,
    statistics,
    timeliness,
)
from generator.render.site import Site
from generator.render.urls import ABOUT, HOME, section_src

SECTIONS: tuple[tuple[str, str], ...] = (
    ("执法主体", section_src(Body)),
    ("执法人员", section_src(Officer)),
    ("权责清单", section_src(Power)),
    ("执法依据", section_src(LegalBasis)),
    ("执法程序", section_src(Procedure)),
    ("裁量基准", section_src(Benchmark)),
)
"""The nav, in the order a citizen looks: who acts, who they are, what they may do, on what
basis, how, how hard; then 执法决定 and 关于, which nav.py adds."""


def page_sources(site: Site) -> frozenset[str]:
    sources = {HOME, ABOUT, history.SRC, timeliness.SRC, "feeds/index.md", "data/index.md", "search/index.md",
               *(src for _, src in SECTIONS)}
    sources.update(decision_lists.sources(site))
    sources.update(lookup.sources())
    sources.update(officers.sources(site))
    sources.update(statistics.sources(site))
    sources.update(evaluation.sources(site))
    sources.update(history.record_pages(site))  # every record with a page, by its source
    return frozenset(sources)
