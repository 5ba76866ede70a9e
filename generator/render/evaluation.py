"""评议考核: the published standard, each year's scores, and every deduction with its decision.

Scores come from generator.evaluation with the standard of site_config/evaluation.yml, which
this page prints in full: a reader can recount any score from the decisions it links to.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from generator.changes import Changes
from generator.evaluation import Before, Evaluation, Since, Standard
from generator.render.charts import Row, bar_chart
from generator.render.docs import DocPage, Made, StaticFile
from generator.render.listing import PER_PAGE
from generator.render.opendata import cell, csv_text
from generator.render.reuse import Reuse, record_digest
from generator.render.site import Site
from generator.render.statistics import year_label
from generator.render.templates import Templates
from generator.render.urls import Link, Linker
from generator.statistics import Statistics

SRC = "evaluation/index.md"
TITLE = "评议考核"
CSV = "evaluation/evaluation.csv"
INPUTS = "evaluations"
"""The name, in the site's manifest, of the evaluations the next build takes (`since`)."""
_LOOKED_UP = frozenset({"bodies", "officers", "powers", "laws", "procedures"})
"""The records the evaluations look up besides decisions (generator/evaluation.py `_Kept`)."""


def since(site: Site, changes: Changes, touched: frozenset[str] | None, before: object,
          statistics_before: object) -> Since | None:
    """What the evaluations may take from the last build's (`before`), when known: those of
    every body's year none of whose decisions was `touched` since (their records or
    publication, their appeals' or corrections': `Reuse.touched`). Each decision's body and
    year then come from the last build's statistics (`statistics_before`). None when
    another record the evaluations look up changed, or the as-of date."""
    if touched is None or changes.as_of != site.as_of or not isinstance(before, Before) \
            or not isinstance(statistics_before, Statistics) or statistics_before.made_of is None:
        return None
    portal = site.portal
    names = set()
    for ref in touched:
        kind, _, name = ref.partition("/")
        if kind in _LOOKED_UP:
            return None
        if kind == "decisions":
            names.add(name)
    groups = dict(statistics_before.made_of.groups)
    dirty = set()
    for name in names:
        group = groups.pop(name, None)
        if group is not None:
            dirty.add(group)
        decision = portal.decisions.get(name)
        if decision is not None:
            group = groups[name] = (decision.decision_date.year, decision.body)
            dirty.add(group)
    return Since(before, frozenset(dirty), groups)


def year_src(year: int) -> str:
    return f"evaluation/{year}/index.md"


def detail_src(year: int, body_id: str, number: int = 1) -> str:
    """A page of one body's deductions in one year (PER_PAGE a page)."""
    suffix = "" if number == 1 else f"{number}/"
    return f"evaluation/{year}/{body_id}/{suffix}index.md"


def _detail_pages(evaluation: Evaluation) -> int:
    return -(-len(evaluation.deductions) // PER_PAGE)


def years(site: Site) -> list[int]:
    """Years with at least one body evaluated, latest first."""
    return [year for year in site.statistics().years if site.evaluations(year)]


def sources(site: Site) -> set[str]:
    result = {SRC}
    for year in years(site):
        result.add(year_src(year))
        for evaluation in site.evaluations(year):
            result.update(detail_src(year, evaluation.body, n)
                          for n in range(1, _detail_pages(evaluation) + 1))
    return result


@dataclass(frozen=True)
class ScoreRow:
    body: Link
    decisions: int
    total: int
    lost: list[str]
    """The items that lost points, as `公示及时 −2`."""


@dataclass(frozen=True)
class YearScores:
    year: int
    label: str
    link: Link
    rows: list[ScoreRow]


@dataclass(frozen=True)
class DeductionRow:
    item: str
    decision: Link
    reasons: tuple[str, ...]
    points: int


@dataclass(frozen=True)
class ItemRow:
    name: str
    points: int
    lost: int
    score: int
    failed: int
    """How many decisions failed the item (each costs its deduction, down to zero)."""


@dataclass(frozen=True)
class BodyEvaluation:
    anchor: str
    body: Link
    decisions: int
    score: int
    items: list[ItemRow]
    details: Link | None
    """The body's deductions, each with its decision and why."""


@dataclass(frozen=True)
class DetailPage:
    title: str
    body: Link
    score: int
    rows: list[DeductionRow]
    total: int
    page_number: int
    page_count: int
    previous: Link | None
    next: Link | None
    year_page: Link


@dataclass(frozen=True)
class EvaluationPage:
    title: str
    standard: Standard | None
    years: list[YearScores]
    csv: Link
    statistics: Link


@dataclass(frozen=True)
class EvaluationYearPage:
    title: str
    partial: bool
    chart: Markup
    scores: YearScores
    bodies: list[BodyEvaluation]
    overview: Link


def _body(site: Site, linker: Linker, body_id: str) -> Link:
    body = site.portal.bodies.get(body_id)
    return linker.to_record(body, body.name if body else body_id)


def _scores(site: Site, linker: Linker, year: int, evaluations: list[Evaluation],
            anchored: bool) -> YearScores:
    rows = []
    for evaluation in evaluations:
        body = _body(site, linker, evaluation.body)
        if anchored:
            body = linker.to(year_src(year), body.text, evaluation.body)
        rows.append(ScoreRow(body, evaluation.decisions, evaluation.score,
                             [f"{i.item.name} −{i.lost}" for i in evaluation.items if i.lost]))
    label = year_label(year, site)
    return YearScores(year, label, linker.to(year_src(year), f"{label}评议考核详情"), rows)


def pages(site: Site, linker: Linker, templates: Templates,
          reuse: Reuse | None = None) -> list[Made]:
    """The standard and every year's scores; each year's page and each body's deductions,
    unless `reuse` finds what they show unchanged (thousands of pages at 100,000
    decisions, which a new decision leaves as they were but for its body's year)."""
    standard = site.settings.evaluation
    here = linker.at(SRC)
    context = EvaluationPage(
        title=TITLE, standard=standard,
        years=[_scores(site, here, year, site.evaluations(year), True) for year in years(site)],
        csv=Link("各年度各执法主体得分（CSV）", "evaluation.csv"),
        statistics=here.to("statistics/index.md", "年度执法数据"),
    )
    outputs: list[Made] = [DocPage(SRC, TITLE, (templates.render("evaluation.html.j2", context),))]
    if standard is None:
        return outputs
    outputs.append(StaticFile(CSV, csv_scores(site)))
    for year in years(site):
        key = _year_key(site, reuse, year) if reuse is not None else None
        kept = reuse.kept(year_src(year), key) if reuse is not None else None
        outputs.append(kept or year_page(site, year, linker, templates, key))
        for evaluation in site.evaluations(year):
            outputs += detail_pages(site, evaluation, linker, templates, reuse)
    return outputs


def _shown(evaluation: Evaluation) -> tuple[object, ...]:
    """What the pages show of an evaluation besides its records, as plain values."""
    return (evaluation.body, evaluation.year, evaluation.decisions, tuple(
        (i.item.key, i.item.name, i.item.points, i.item.deduction,
         tuple((d.decision.id, d.reasons) for d in i.deductions)) for i in evaluation.items))


def _year_key(site: Site, reuse: Reuse, year: int) -> bytes | None:
    evaluations = site.evaluations(year)
    bodies = site.portal.bodies
    src = year_src(year)
    return reuse.key([record_digest(site.portal.digests, bodies.get(e.body), e.body)
                      for e in evaluations], src, year_label(year, site), year >= site.as_of.year,
                     [_shown(e) for e in evaluations], reuse.around(src))


def detail_pages(site: Site, evaluation: Evaluation, linker: Linker, templates: Templates,
                 reuse: Reuse | None = None) -> list[Made]:
    """Every deduction of one body-year with its decision and reasons, PER_PAGE a page."""
    count = _detail_pages(evaluation)
    names = {i.item.key: (i.item.name, i.item.deduction) for i in evaluation.items}
    outputs: list[Made] = []
    digests = site.portal.digests
    for number in range(1, count + 1):
        src = detail_src(evaluation.year, evaluation.body, number)
        chunk = evaluation.deductions[(number - 1) * PER_PAGE:number * PER_PAGE]
        key = reuse.key([record_digest(digests, site.portal.bodies.get(evaluation.body),
                                       evaluation.body),
                         *(record_digest(digests, d.decision, d.decision.id) for d in chunk)],
                        src, number, count, evaluation.score, len(evaluation.deductions),
                        _shown(evaluation), reuse.around(src)) if reuse is not None else None
        kept = reuse.kept(src, key) if reuse is not None else None
        if kept is not None:
            outputs.append(kept)
            continue
        here = linker.at(src)
        body = _body(site, here, evaluation.body)
        context = DetailPage(
            title=f"{body.text}{evaluation.year}年评议考核扣分明细", body=body,
            score=evaluation.score,
            rows=[DeductionRow(names[d.item][0], here.to_record(d.decision,
                                                                d.decision.document_number),
                               d.reasons, names[d.item][1]) for d in chunk],
            total=len(evaluation.deductions), page_number=number, page_count=count,
            previous=here.to(detail_src(evaluation.year, evaluation.body, number - 1), "上一页")
            if number > 1 else None,
            next=here.to(detail_src(evaluation.year, evaluation.body, number + 1), "下一页")
            if number < count else None,
            year_page=here.to(year_src(evaluation.year), f"{evaluation.year}年评议考核结果",
                              evaluation.body))
        outputs.append(DocPage(src, context.title,
                               (templates.render("evaluation_details.html.j2", context),), key=key))
    return outputs


def year_page(site: Site, year: int, linker: Linker, templates: Templates,
              key: bytes | None = None) -> DocPage:
    src = year_src(year)
    here = linker.at(src)
    evaluations = site.evaluations(year)
    scores = _scores(site, here, year, evaluations, False)
    bodies = []
    for evaluation in evaluations:
        body = _body(site, here, evaluation.body)
        details = len(evaluation.deductions)
        bodies.append(BodyEvaluation(
            evaluation.body, body, evaluation.decisions, evaluation.score,
            [ItemRow(score.item.name, score.item.points, score.lost, score.score,
                     len(score.deductions)) for score in evaluation.items],
            here.to(detail_src(year, evaluation.body), f"扣分明细（{details}项）")
            if details else None))
    chart = bar_chart(f"chart-evaluation-{year}", f"{scores.label}各执法主体得分（满分100分，数据见下表）",
                      ["得分"], [Row(row.body.text, (row.total,)) for row in scores.rows], "分")
    context = EvaluationYearPage(
        title=f"{scores.label}评议考核结果", partial=year >= site.as_of.year, chart=chart,
        scores=scores, bodies=bodies, overview=here.to(SRC, "评议考核标准和各年度结果"))
    return DocPage(src, context.title, (templates.render("evaluation_year.html.j2", context),),
                   key=key)


def csv_scores(site: Site) -> str:
    standard = site.settings.evaluation
    assert standard is not None
    header = ["年度", "执法主体标识", "执法主体", "执法决定数",
              *(f"{item.name}（{item.points}分）" for item in standard.items), "总分", "扣分决定"]
    rows = []
    for year in years(site):
        for evaluation in site.evaluations(year):
            body = site.portal.bodies.get(evaluation.body)
            cited = sorted({d.decision.document_number for d in evaluation.deductions})
            rows.append([str(year), evaluation.body, body.name if body else evaluation.body,
                         str(evaluation.decisions), *(str(i.score) for i in evaluation.items),
                         str(evaluation.score), "；".join(cited)])
    return csv_text(header, [[cell(c) for c in r] for r in rows])
