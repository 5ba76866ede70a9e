"""`gongshi report --year N`: the yearly enforcement statistics (年度行政执法数据) for submission.

Two files, from the same figures as the site's statistics pages: a Markdown report (the
figures per body, the whole authority compared with the year before, the outcomes, and the
evaluation scores with every deduction), and the CSV with one row per body that the site
offers as statistics/<year>.csv.

Record text reaches the Markdown only through `_cell`, which keeps it from making table
columns, HTML or links.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from generator import build as pipeline
from generator import statistics as stats
from generator.ledger import Ledger
from generator.problems import ContentError, Report
from generator.render.site import Site, build_site_index
from generator.render.statistics import csv_wide
from generator.render.text import chinese_date
from generator.settings import load_settings


@dataclass(frozen=True)
class AnnualReport:
    year: int
    markdown: str
    csv: str
    problems: Report


def annual_report(project: pipeline.Project, year: int, as_of: dt.date) -> AnnualReport:
    """Check the content, then write the year's report; ContentError when the checks fail
    (figures from records the build would refuse are not figures to submit)."""
    portal, report = pipeline.check(project, as_of)
    if report.failed():
        raise ContentError(report)
    settings = load_settings(project.root)
    site = build_site_index(portal, settings, as_of, Ledger.read(project.root))
    return AnnualReport(year, markdown(site, year), csv_wide(site, _with_year(site, year), year),
                        report)


def _with_year(site: Site, year: int) -> stats.Statistics:
    """The statistics, including `year` even when no decision falls in it (all zeros)."""
    figures = site.statistics()
    if year in figures.years:
        return figures
    return stats.compute(site.portal, site.ledger, site.as_of, site.body_order(),
                         extra_years=(year,))


def _cell(text: str) -> str:
    """Record text as one Markdown table cell: no column breaks, no HTML, no link syntax."""
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "&#124;"),
                         ("[", "&#91;"), ("]", "&#93;"), ("`", "&#96;"), ("*", "&#42;"),
                         ("_", "&#95;"), ("\\", "&#92;")):
        text = text.replace(char, entity)
    return " ".join(text.split())


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def _change(before: str, after: str) -> str:
    try:
        difference = Decimal(after.rstrip("%")) - Decimal(before.rstrip("%"))
    except InvalidOperation:
        return "—"
    text = stats.amount(abs(difference)) if not after.endswith("%") else f"{abs(difference):.1f}%"
    return "持平" if difference == 0 else ("+" if difference > 0 else "−") + text


def markdown(site: Site, year: int) -> str:
    figures = _with_year(site, year)
    authority = site.settings.authority
    names = {b: (site.portal.bodies[b].name if b in site.portal.bodies else b) for b in figures.bodies}
    n = len(stats.CATEGORIES)
    headers = [h for h, _ in stats.COLUMNS]
    lines = [f"# {authority}{year}年度行政执法数据", ""]
    lines += [f"统计截至{chinese_date(site.as_of)}。"
              + ("本年度尚未结束，数据不是全年数据。" if stats.partial(year, site.as_of) else ""),
              "",
              "按决定日期所在年度统计各执法主体作出的全部执法决定，包括此后公示期满或者被撤回的决定"
              "（被撤回的决定已不再有效，其处理结果和罚没金额不计入）；"
              "执法主体没有某类职权的填“无此职权”，有此职权而没有作出决定的填“0”。"
              "更正和撤回按生效日期计入年度。", ""]
    lines += ["## 一、执法决定数（按类别）", ""]
    lines += _table(["执法主体", *headers[:n + 1]],
                    [[names[b], *stats.row(figures.of(year, b))[:n + 1]] for b in figures.bodies]
                    + [["全部执法主体", *stats.row(figures.of(year))[:n + 1]]])
    lines += ["## 二、罚款、法制审核、更正撤回、公示及时性和复议诉讼", ""]
    lines += _table(["执法主体", *headers[n + 1:]],
                    [[names[b], *stats.row(figures.of(year, b))[n + 1:]] for b in figures.bodies]
                    + [["全部执法主体", *stats.row(figures.of(year))[n + 1:]]])
    lines += ["## 三、与上年比较（全部执法主体）", ""]
    this = stats.row(figures.of(year))
    if (year - 1) in figures.years:
        last = stats.row(figures.of(year - 1))
        lines += _table(["指标", f"{year - 1}年", f"{year}年", "增减"],
                        [[h, b, a, _change(b, a)] for h, b, a in zip(headers, last, this, strict=True)])
    else:
        lines += [f"{year - 1}年没有执法决定记录。", ""]
    lines += ["## 四、处理结果", ""]
    outcomes = figures.of(year).outcomes
    lines += (_table(["处理结果", "决定件数"], [[name, str(count)] for name, count in outcomes])
              if outcomes else ["本年度没有执法决定。", ""])
    lines += ["## 五、评议考核", ""]
    evaluations = site.evaluations(year)
    standard = site.settings.evaluation
    if standard is None:
        lines += ["未制定评议考核标准（site_config/evaluation.yml）。", ""]
    elif not evaluations:
        lines += ["本年度没有作出执法决定的执法主体，未评分。", ""]
    else:
        lines += [f"按《{_cell(standard.title)}》标准（百分制）从记录计算，标准全文见 "
                  f"<{site.settings.base_url}evaluation/>。", ""]
        lines += _table(["执法主体", "决定数", *(i.name for i in standard.items), "总分"],
                        [[names.get(e.body, e.body), str(e.decisions),
                          *(str(i.score) for i in e.items), str(e.score)] for e in evaluations])
        deductions = [(e, d) for e in evaluations for d in e.deductions]
        if deductions:
            lines += ["扣分明细：", ""]
            lines += _table(["执法主体", "项目", "决定书文号", "原因"],
                            [[names.get(e.body, e.body), standard.item(d.item).name,
                              d.decision.document_number, "；".join(d.reasons)]
                             for e, d in deductions])
    return "\n".join(lines).rstrip("\n") + "\n"
