"""The home page: what the portal is, the entry points, and the latest decisions."""

from __future__ import annotations

from dataclasses import dataclass

from generator.model import Body, Decision, Officer, Power
from generator.render import evaluation, history, statistics, timeliness
from generator.render.docs import DocPage
from generator.render.listing import DecisionItem, decision_item
from generator.render.officers import LOOKUP_SRC
from generator.render.site import Site
from generator.render.templates import Templates
from generator.render.text import chinese_date
from generator.render.urls import ABOUT, HOME, Link, Linker, record_src, section_src

LATEST = 10


@dataclass(frozen=True)
class EntryPoint:
    link: Link
    hint: str


@dataclass(frozen=True)
class CorrectionItem:
    kind: str
    record: Link
    reason: str
    date: str


@dataclass(frozen=True)
class HomePage:
    title: str
    intro: str
    authority: str
    entries: list[EntryPoint]
    latest: list[DecisionItem]
    corrections: list[CorrectionItem]
    all_decisions: Link
    all_corrections: Link
    timeliness: Link
    statistics: Link
    evaluation: Link


def _complaint(site: Site, linker: Linker) -> Link:
    page = site.portal.pages.get(site.settings.complaint_page)
    if page is not None:
        return linker.to(record_src(page), "我要投诉")
    # Without a complaint page, each body's page lists its supervision channels.
    return linker.to(ABOUT, "我要投诉")


def latest_corrections(site: Site, linker: Linker) -> list[CorrectionItem]:
    """Approved corrections and withdrawals, newest first."""
    items = []
    for correction in site.approved_corrections()[:LATEST]:
        record = site.portal.lookup(correction.record)
        items.append(CorrectionItem(correction.kind, linker.to_record(
                                        record, history.record_label(record, correction.record)),
                                    correction.reason, chinese_date(site.effective(correction))))
    return items


def home_page(site: Site, linker: Linker, templates: Templates) -> DocPage:
    here = linker.at(HOME)
    entries = [
        EntryPoint(here.to(section_src(Body), "查主体"), "执法机关和组织、监督投诉方式"),
        EntryPoint(here.to(section_src(Officer), "查人员"), "执法人员名录"),
        EntryPoint(here.to(LOOKUP_SRC, "执法证查询"), "核对执法人员出示的证件"),
        EntryPoint(here.to(section_src(Power), "查职权"), "权责清单、依据和裁量基准"),
        EntryPoint(here.to(section_src(Decision), "查决定"), "行政处罚、许可等执法决定"),
        EntryPoint(_complaint(site, here), "投诉举报和监督渠道"),
    ]
    context = HomePage(
        title=site.settings.name,
        intro=site.settings.intro,
        authority=site.settings.authority,
        entries=entries,
        latest=[decision_item(site, here, d) for d in site.decisions[:LATEST]],
        corrections=latest_corrections(site, here),
        all_decisions=here.to(section_src(Decision), "全部执法决定"),
        all_corrections=here.to(history.SRC, "全部更正和撤回"),
        timeliness=here.to(timeliness.SRC, "公示及时性"),
        statistics=here.to(statistics.SRC, "年度执法数据"),
        evaluation=here.to(evaluation.SRC, "评议考核"),
    )
    return DocPage(HOME, "首页", (templates.render("home.html.j2", context),))
