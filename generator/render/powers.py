"""权责清单: powers by category, and one page per power with its basis, holders and duties."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from markupsafe import Markup

from generator.model import Benchmark, Power, PowerCategory, Procedure
from generator.render.citations import article_links
from generator.render.docs import DocPage, Made
from generator.render.freepages import markdown_for
from generator.render.history import version_key
from generator.render.reuse import Reuse, made_unless_kept
from generator.render.site import Site
from generator.render.templates import Templates
from generator.render.urls import Link, Linker, record_src, section_src

CATEGORIES: tuple[PowerCategory, ...] = (
    "行政许可", "行政处罚", "行政强制", "行政征收", "行政给付",
    "行政检查", "行政确认", "行政奖励", "行政裁决", "其他",
)


@dataclass(frozen=True)
class PowerRow:
    code: str
    name: Link
    holders: list[Link]


@dataclass(frozen=True)
class PowerGroup:
    category: str
    powers: list[PowerRow]


@dataclass(frozen=True)
class BodyPowers:
    body: Link
    count: int
    categories: str


@dataclass(frozen=True)
class PowersSection:
    title: str
    groups: list[PowerGroup]
    bodies: list[BodyPowers]


@dataclass(frozen=True)
class HolderRow:
    body: Link
    unit: str
    post: str
    split: str


@dataclass(frozen=True)
class PowerPage:
    title: str
    code: str
    category: str
    basis: list[Link]
    holders: list[HolderRow]
    duties: list[str]
    liability: list[str]
    procedure: Link | None
    benchmark: Link | None
    statutory_limit: str
    promised_limit: str
    limit_note: str
    description: Markup


def section_page(site: Site, linker: Linker, templates: Templates) -> DocPage:
    src = section_src(Power)
    here = linker.at(src)
    powers = sorted(site.portal.powers.values(), key=lambda p: (p.code, p.id))
    groups = [
        PowerGroup(category, [_row(site, here, p) for p in powers if p.category == category])
        for category in CATEGORIES
    ]
    by_body = [
        BodyPowers(here.to_record(site.portal.bodies[body_id], site.portal.bodies[body_id].name,
                                  "powers"),
                   len(held), "、".join(c for c in CATEGORIES if any(p.category == c for p in held)))
        for body_id in site.body_order()
        if (held := site.powers_by_body.get(body_id, []))
    ]
    context = PowersSection("权责清单", [group for group in groups if group.powers], by_body)
    return DocPage(src, context.title, (templates.render("powers.html.j2", context),))


def _row(site: Site, linker: Linker, power: Power) -> PowerRow:
    holders = [_body_link(site, linker, body_id)
               for body_id in dict.fromkeys(holder.body for holder in power.holders)]
    return PowerRow(power.code, linker.to_record(power, power.name), holders)


def _body_link(site: Site, linker: Linker, body_id: str) -> Link:
    body = site.portal.bodies.get(body_id)
    return linker.to_record(body, body.name if body else body_id)


def _holder(site: Site, linker: Linker, power: Power, index: int) -> HolderRow:
    holder = power.holders[index]
    body = site.portal.bodies.get(holder.body)
    unit = next((u for u in body.units if u.id == holder.unit), None) if body else None
    post = next((p for p in unit.posts if p.id == holder.post), None) if unit else None
    return HolderRow(_body_link(site, linker, holder.body), unit.name if unit else "",
                     post.name if post else "", holder.split)


def _days(days: int | None) -> str:
    return f"{days}日" if days else ""


def power_page(site: Site, linker: Linker, templates: Templates, power: Power) -> DocPage:
    src = record_src(power)
    here = linker.at(src)
    procedure: Procedure | None = (
        site.portal.procedures.get(power.procedure) if power.procedure else None)
    benchmark: Benchmark | None = (
        site.portal.benchmarks.get(power.benchmark) if power.benchmark else None)
    context = PowerPage(
        title=power.name,
        code=power.code,
        category=power.category,
        basis=article_links(site.portal, here, power.basis),
        holders=[_holder(site, here, power, i) for i in range(len(power.holders))],
        duties=list(power.duties),
        liability=list(power.liability),
        procedure=here.to_record(procedure, procedure.name if procedure else power.procedure or "")
        if power.procedure else None,
        benchmark=here.to_record(benchmark, benchmark.name if benchmark else power.benchmark or "")
        if power.benchmark else None,
        statutory_limit=_days(power.statutory_limit_days),
        promised_limit=_days(power.promised_limit_days),
        limit_note=power.limit_note,
        description=markdown_for(site, here, power.description),
    )
    return DocPage(src, context.title, (templates.render("power.html.j2", context),))


def pages(site: Site, linker: Linker, templates: Templates,
          reuse: Reuse | None = None) -> Iterator[Made]:
    """The section page, then each power's; with `reuse`, a power's page whose inputs are
    those the published one was made from is not rendered again (25 pages with 1,000
    holders each took a second of CPU on every rebuild)."""
    yield section_page(site, linker, templates)
    for power in sorted(site.portal.powers.values(), key=lambda p: p.id):
        yield made_unless_kept(reuse, record_src(power),
                               partial(page_key, site, power=power),
                               partial(power_page, site, linker, templates, power))


def page_key(site: Site, reuse: Reuse, power: Power) -> bytes | None:
    """What a power's page shows besides its own record: the records all pages share
    (`reuse.shared`: its holders' bodies, units and posts, its procedure and benchmark), the
    free pages its description may link, its version history and its feeds. (The laws its
    basis quotes are in every key's base.)"""
    return reuse.key([site.portal.digests.get(power.ref, b"")], reuse.shared,
                     sorted(site.portal.pages), version_key(site, power),
                     reuse.around(record_src(power)))
