"""裁量基准: the list of benchmarks, and one page per benchmark with its levels and ranges."""

from __future__ import annotations

from dataclasses import dataclass

from generator.model import Benchmark, FineRange
from generator.render.citations import article_links
from generator.render.docs import DocPage
from generator.render.site import Site
from generator.render.templates import Templates
from generator.render.text import chinese_date, money
from generator.render.urls import Link, Linker, record_src, section_src


@dataclass(frozen=True)
class BenchmarkRow:
    name: Link
    power: Link
    issued_by: str
    effective: str


@dataclass(frozen=True)
class BenchmarksSection:
    title: str
    benchmarks: list[BenchmarkRow]


def level_anchor(benchmark: Benchmark, level: str) -> str:
    """The anchor of a level on its benchmark page (`level-2` for the second), or ''."""
    for index, entry in enumerate(benchmark.levels, start=1):
        if entry.level == level:
            return f"level-{index}"
    return ""


@dataclass(frozen=True)
class LevelRow:
    anchor: str
    level: str
    conditions: list[str]
    fine: str
    other_penalties: list[str]


@dataclass(frozen=True)
class BenchmarkPage:
    title: str
    power: Link
    basis: list[Link]
    issued_by: str
    effective: str
    levels: list[LevelRow]


def fine_range(fine: FineRange | None) -> str:
    """The allowed fine in words: 2,000元至20,000元, or 1倍至3倍 of the sum owed."""
    if fine is None:
        return "不罚款"
    if fine.unit == "倍":
        return f"应缴或违法所得数额的{fine.min:f}倍至{fine.max:f}倍"
    return f"{money(fine.min, fine.unit)}至{money(fine.max, fine.unit)}"


def _row(site: Site, linker: Linker, benchmark: Benchmark) -> BenchmarkRow:
    power = site.portal.powers.get(benchmark.power)
    return BenchmarkRow(
        name=linker.to_record(benchmark, benchmark.name),
        power=linker.to_record(power, power.name if power else benchmark.power),
        issued_by=benchmark.issued_by,
        effective=chinese_date(benchmark.effective),
    )


def section_page(site: Site, linker: Linker, templates: Templates) -> DocPage:
    src = section_src(Benchmark)
    here = linker.at(src)
    benchmarks = sorted(site.portal.benchmarks.values(), key=lambda b: (b.name, b.id))
    context = BenchmarksSection("裁量基准", [_row(site, here, b) for b in benchmarks])
    return DocPage(src, context.title, (templates.render("benchmarks.html.j2", context),))


def benchmark_page(site: Site, linker: Linker, templates: Templates,
                   benchmark: Benchmark) -> DocPage:
    src = record_src(benchmark)
    here = linker.at(src)
    row = _row(site, here, benchmark)
    context = BenchmarkPage(
        title=benchmark.name,
        power=row.power,
        basis=article_links(site.portal, here, benchmark.basis),
        issued_by=benchmark.issued_by,
        effective=row.effective,
        levels=[LevelRow(level_anchor(benchmark, level.level), level.level,
                         list(level.conditions), fine_range(level.fine),
                         list(level.other_penalties)) for level in benchmark.levels],
    )
    return DocPage(src, context.title, (templates.render("benchmark.html.j2", context),))


def pages(site: Site, linker: Linker, templates: Templates) -> list[DocPage]:
    benchmarks = sorted(site.portal.benchmarks.values(), key=lambda b: b.id)
    return [section_page(site, linker, templates)] + [
        benchmark_page(site, linker, templates, benchmark) for benchmark in benchmarks
    ]
