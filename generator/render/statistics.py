"""年度行政执法数据: the authority's figures year over year, each year per body, and CSV.

The figures come from generator.statistics, the same computation `gongshi report` writes, so
the site and the submitted report never disagree. Each chart is drawn from the table printed
under it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from generator import statefile
from generator import statistics as stats
from generator.render.charts import Row, bar_chart
from generator.render.docs import DocPage, Made, Output, StaticFile
from generator.render.opendata import cell, csv_text
from generator.render.reuse import Reuse, record_digest
from generator.render.site import Site
from generator.render.templates import Templates
from generator.render.text import chinese_date
from generator.render.urls import Link, Linker

SRC = "statistics/index.md"
TITLE = "年度执法数据"
CSV = "statistics/statistics.csv"


def year_src(year: int) -> str:
    return f"statistics/{year}/index.md"


def year_csv(year: int) -> str:
    return f"statistics/{year}.csv"


def sources(site: Site) -> set[str]:
    return {SRC, *(year_src(year) for year in figures_of(site).years)}


def figures_of(site: Site) -> stats.Statistics:
    return site.statistics()


def year_label(year: int, site: Site) -> str:
    if stats.partial(year, site.as_of):
        return f"{year}年（截至{chinese_date(site.as_of).removeprefix(f'{year}年')}）"
    return f"{year}年"


@dataclass(frozen=True)
class Table:
    """A table: the header, then rows whose first cell may be a link."""

    header: list[str]
    rows: list[tuple[Link, list[str]]]
    total: list[str] | None = None


@dataclass(frozen=True)
class StatisticsPage:
    title: str
    authority: str
    years: list[Link]
    chart: Markup
    fines_chart: Markup
    table: Table
    csv: Link
    evaluation: Link


@dataclass(frozen=True)
class YearPage:
    title: str
    partial: bool
    as_of: str
    chart: Markup
    categories: Table
    figures: Table
    outcomes: Table
    csv: Link
    overview: Link
    evaluation: Link


def pages(site: Site, linker: Linker, templates: Templates,
          reuse: Reuse | None = None) -> list[Made]:
    """The overview of every year, and each year's page and CSV, unless `reuse` finds
    the year's figures and bodies as the published ones were made from."""
    figures = figures_of(site)
    here = linker.at(SRC)
    ascending = sorted(figures.years)
    series = [year_label(year, site) for year in ascending]
    category_rows = [Row(stats.column_name(label),
                         tuple(figures.of(year).category(label) for year in ascending))
                     for label, _ in stats.CATEGORIES]
    chart = bar_chart("chart-years", "各年度执法决定数（按类别，数据见下表）", series, category_rows,
                      "件")
    fines_chart = bar_chart("chart-fines", "各年度罚款总额（元，数据见下表）", ["罚款总额"],
                            [Row(label, (figures.of(year).fine_total,))
                             for year, label in zip(ascending, series, strict=True)], "元")
    table = Table(["指标", *series],
                  [(Link(header), [cell(figures.of(year)) for year in ascending])
                   for header, cell in stats.COLUMNS])
    context = StatisticsPage(
        title=TITLE, authority=site.settings.authority,
        years=[here.to(year_src(year), year_label(year, site)) for year in figures.years],
        chart=chart, fines_chart=fines_chart, table=table,
        csv=Link("全部年度、全部执法主体（CSV）", "statistics.csv"),
        evaluation=here.to("evaluation/index.md", "评议考核"),
    )
    keys = {year: _year_key(site, reuse, figures, year) for year in figures.years} \
        if reuse is not None else {}
    blocks = site.portal.root.parent / CSV_BLOCKS if reuse is not None else None
    outputs: list[Made] = [DocPage(SRC, TITLE, (templates.render("statistics.html.j2", context),)),
                           StaticFile(CSV, csv_long(site, figures, keys, blocks))]
    for year in figures.years:
        key = keys.get(year)
        kept = [reuse.kept(year_src(year), key), reuse.kept(year_csv(year), key, page=False)] \
            if reuse is not None else [None]
        if all(kept):
            outputs += [page for page in kept if page is not None]
        else:
            outputs += year_page(site, figures, year, linker, templates, key)
    return outputs


def _year_key(site: Site, reuse: Reuse, figures: stats.Statistics, year: int) -> bytes | None:
    """A year's page and CSV show its figures, each body's name and the as-of date."""
    bodies = site.portal.bodies
    return reuse.key([record_digest(site.portal.digests, bodies.get(b), b) for b in figures.bodies],
                     year_src(year), year_label(year, site), stats.partial(year, site.as_of),
                     chinese_date(site.as_of), [figures.of(year, b) for b in figures.bodies],
                     figures.of(year), reuse.around(year_src(year)))


def _body_name(site: Site, body_id: str) -> str:
    body = site.portal.bodies.get(body_id)
    return body.name if body else body_id


def year_page(site: Site, figures: stats.Statistics, year: int, linker: Linker,
              templates: Templates, key: bytes | None = None) -> list[Output]:
    src = year_src(year)
    here = linker.at(src)
    label = year_label(year, site)
    category_headers = [stats.column_name(name) for name, _ in stats.CATEGORIES]
    n = len(category_headers)
    bodies = figures.bodies
    categories = Table(
        ["执法主体", *(header for header, _ in stats.COLUMNS[:n + 1])],
        [(here.to_record(site.portal.bodies.get(b), _body_name(site, b)),
          stats.row(figures.of(year, b))[:n + 1]) for b in bodies],
        ["全部执法主体", *stats.row(figures.of(year))[:n + 1]])
    others = Table(
        ["执法主体", *(header for header, _ in stats.COLUMNS[n + 1:])],
        [(here.to_record(site.portal.bodies.get(b), _body_name(site, b)),
          stats.row(figures.of(year, b))[n + 1:]) for b in bodies],
        ["全部执法主体", *stats.row(figures.of(year))[n + 1:]])
    total = figures.of(year)
    outcomes = Table(["处理结果", "决定件数"],
                     [(Link(name), [str(count)]) for name, count in total.outcomes])
    chart = bar_chart(
        f"chart-{year}", f"{label}各执法主体的执法决定数（按类别，数据见下表）",
        category_headers,
        [Row(_body_name(site, b), tuple(figures.of(year, b).category(c) or 0
                                        for c, _ in stats.CATEGORIES)) for b in bodies],
        "件", stacked=True)
    context = YearPage(
        title=f"{label}行政执法数据", partial=stats.partial(year, site.as_of),
        as_of=chinese_date(site.as_of), chart=chart, categories=categories, figures=others,
        outcomes=outcomes, csv=Link(f"{year}年各执法主体数据（CSV）", f"../{year}.csv"),
        overview=here.to(SRC, "各年度数据"),
        evaluation=here.to("evaluation/index.md", "评议考核"),
    )
    return [DocPage(src, context.title, (templates.render("statistics_year.html.j2", context),),
                    key=key),
            StaticFile(year_csv(year), csv_wide(site, figures, year), key=key)]


def csv_wide(site: Site, figures: stats.Statistics, year: int) -> str:
    """One row per body and one for the whole authority: the form submitted each January."""
    header = ["年度", "执法主体标识", "执法主体", *(h for h, _ in stats.COLUMNS)]
    rows = [[str(year), b, _body_name(site, b), *stats.row(figures.of(year, b))]
            for b in figures.bodies]
    rows.append([str(year), "", "全部执法主体", *stats.row(figures.of(year))])
    return csv_text(header, [[cell(c) for c in r] for r in rows])


CSV_BLOCKS = Path(".gongshi") / "statistics-csv.pickle"
"""Each year's lines of `CSV`, kept by the key of the year's page (`_year_key`: its
figures, each body's name, the code): a rebuild after one new decision makes its year's
again, not every year's (0.7 s of CPU at 1,000 bodies)."""


def csv_long(site: Site, figures: stats.Statistics,
             keys: Mapping[int, bytes | None] | None = None, blocks: Path | None = None) -> str:
    """Every figure of every year and body, one per line (easy to pivot): `csv_text`'s
    bytes, written at once (at 1,000 bodies, a line at a time took 1.4 s of CPU). With
    `blocks` (a file), the lines of a year whose key (in `keys`) the last build met are
    taken as it made them."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(["年度", "执法主体标识", "执法主体", "指标", "数值"])
    kept: statefile.Kept[str] = statefile.Kept(blocks, None, 8)
    values: dict[str, str] = {}  # figures repeat: each made safe once
    parts = [out.getvalue()]
    for year in figures.years:
        key = keys.get(year) if keys is not None else None
        found = kept.get(key)
        if found is None:
            found = _year_lines(site, figures, year, values)
            kept.put(key, found)
        parts.append(found)
    kept.save()
    return "\ufeff" + "".join(parts)


def _year_lines(site: Site, figures: stats.Statistics, year: int, values: dict[str, str]) -> str:
    """A year's lines of `csv_long`; `values`: each cell's text made safe, for the next."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    headers = [cell(header) for header, _ in stats.COLUMNS]
    for body_id in (*figures.bodies, stats.AUTHORITY):
        name = _body_name(site, body_id) if body_id else "全部执法主体"
        start = (cell(str(year)), cell(body_id), cell(name))
        row = stats.row(figures.of(year, body_id))
        writer.writerows([(*start, header, values[value] if value in values
                           else values.setdefault(value, cell(value)))
                          for header, value in zip(headers, row, strict=True)])
    return out.getvalue()
