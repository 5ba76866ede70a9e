"""评议考核: a 100-point evaluation of each body and year, computed from the records.

The standard (site_config/evaluation.yml) names eight items, each with its points and the
points one failing decision costs; the checks behind each item live here, so the published
standard and the score can never say different things. Every deduction names the decision
that caused it and why, in the words the evaluation page shows.

The checks reuse the rules' own predicates (certificate validity, powers held, articles in
force), so a decision that a build would refuse also fails here: the evaluation can be run on
content the build has not accepted (`gongshi report`), and means the same.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from generator import statefile, timeliness
from generator.articles import Citation
from generator.configfile import config_problems, read_yaml
from generator.decision_inputs import DecisionInputs, digest
from generator.ledger import Ledger
from generator.model import Correction, Decision, Procedure
from generator.portal import Portal
from generator.rules.authority import holds
from generator.rules.basis import not_in_force
from generator.rules.qualification import certificate_problem
from generator.timeliness import working_days_between

STANDARD_FILE = Path("site_config") / "evaluation.yml"
ITEMS = ("qualification", "authority", "basis", "procedure", "review", "completeness",
         "timeliness", "litigation")
"""The items the program knows how to check, in the order they are published."""


class StandardError(Exception):
    """site_config/evaluation.yml is missing or invalid; the message says where and how."""


class Item(BaseModel):
    """One item of the standard: its name, points and the points one failing decision costs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(description="项目标识，程序据此判定")
    name: str = Field(min_length=1, description="项目名称")
    points: int = Field(ge=1, le=100, description="分值")
    deduction: int = Field(ge=1, description="每件不符合标准的决定扣分")
    standard: str = Field(min_length=1, description="公开的评分标准")

    @model_validator(mode="after")
    def _deduction_fits(self) -> Item:
        if self.deduction > self.points:
            raise ValueError(f"deduction {self.deduction} exceeds the item's {self.points} points")
        return self


class Standard(BaseModel):
    """The published evaluation standard (评议考核标准)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1)
    summary: str = ""
    scope: str = ""
    items: tuple[Item, ...]

    @model_validator(mode="after")
    def _complete(self) -> Standard:
        keys = [item.key for item in self.items]
        if sorted(keys) != sorted(ITEMS):
            missing = sorted(set(ITEMS) - set(keys))
            extra = sorted(set(keys) - set(ITEMS) | {k for k in keys if keys.count(k) > 1})
            raise ValueError(f"items must be exactly {', '.join(ITEMS)} once each"
                             + (f"; missing: {', '.join(missing)}" if missing else "")
                             + (f"; unknown or repeated: {', '.join(extra)}" if extra else ""))
        total = sum(item.points for item in self.items)
        if total != 100:
            raise ValueError(f"the items' points add up to {total}, not 100")
        return self

    def item(self, key: str) -> Item:
        return next(item for item in self.items if item.key == key)


def load_standard(project_root: Path) -> Standard:
    path = project_root / STANDARD_FILE
    try:
        return Standard.model_validate(read_yaml(path))
    except FileNotFoundError:
        raise StandardError(f"{path}: file not found; copy the one in the Gongshi repository "
                            "and adjust the points") from None
    except ValueError as exc:  # ValidationError is one
        raise StandardError(config_problems(path, exc)) from None


# --- the result ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deduction:
    """One decision failing one item, and why (in the words the page shows)."""

    item: str
    decision: Decision
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ItemScore:
    item: Item
    deductions: tuple[Deduction, ...]

    @property
    def lost(self) -> int:
        return min(self.item.points, self.item.deduction * len(self.deductions))

    @property
    def score(self) -> int:
        return self.item.points - self.lost


@dataclass(frozen=True)
class Evaluation:
    """One body's evaluation for one year."""

    body: str
    year: int
    decisions: int
    items: tuple[ItemScore, ...]

    @property
    def score(self) -> int:
        return sum(item.score for item in self.items)

    @property
    def deductions(self) -> list[Deduction]:
        return [d for item in self.items for d in item.deductions]


def evaluate(portal: Portal, ledger: Ledger, standard: Standard, year: int,
             body_ids: list[str], as_of: dt.date) -> list[Evaluation]:
    """The evaluations of `year` for the bodies that made decisions that year, in the order
    of `body_ids`, as things stood on `as_of`."""
    return evaluate_years(portal, ledger, standard, [year], body_ids, as_of)[year]


Group = tuple[int, str]
"""A body's year: (year, body id)."""


@dataclass(frozen=True)
class Before:
    """The last build's evaluations, and what a rebuild needs to take them (`Since.of`)."""

    standard: str
    """The standard and whether there was a ledger, as `repr`: with another, none is taken."""
    evaluations: dict[Group, KeptEvaluation]


@dataclass(frozen=True)
class Since:
    """What a rebuild takes from the last build's evaluations (`before`): those of every
    body's year but the `dirty` ones, and each decision's group now (`groups`)."""

    before: Before
    dirty: frozenset[Group]
    groups: Mapping[str, Group]


def evaluate_years(portal: Portal, ledger: Ledger, standard: Standard, years: list[int],
                   body_ids: list[str], as_of: dt.date,
                   timings: list[timeliness.Timing] | None = None,
                   cache: Path | None = None,
                   since: Since | None = None) -> dict[int, list[Evaluation]]:
    """`evaluate` for several years, reading the records once (`timings`: the publication
    timings, when the caller has them). With a `cache` file, the evaluations of a body's
    year whose inputs are the last build's are taken from it (`_Kept`). With `since`, those
    of the last build are taken for every body's year but the dirty ones, and only the
    dirty ones' decisions are looked at (grouping and keying 100,000 decisions took 1.5 s
    of a rebuild after one new decision)."""
    case = _Checks(portal, ledger, as_of, timings)
    usable = takes_most(since, standard, case.has_ledger)
    grouped: dict[Group, list[Decision]] = {}
    present: set[Group] = set()
    if since is not None and usable:
        present.update(since.groups.values())
        todo = since.dirty.union(present - since.before.evaluations.keys())
        for name, group in since.groups.items():
            if group in todo:
                grouped.setdefault(group, []).append(portal.decisions[name])
        for members in grouped.values():
            members.sort(key=lambda d: (d.decision_date, d.id))
    else:
        todo = None
        for decision in sorted(portal.decisions.values(), key=lambda d: (d.decision_date, d.id)):
            grouped.setdefault((decision.decision_date.year, decision.body), []).append(decision)
    kept = _Kept(cache, portal, case, standard) if cache is not None else None
    result: dict[int, list[Evaluation]] = {}
    for year in years:
        result[year] = []
        for body_id in body_ids:
            group = (year, body_id)
            if todo is not None and since is not None and group in present and group not in todo:
                result[year].append(taken(portal, standard, group,
                                          since.before.evaluations[group]))
                continue
            decisions = grouped.get(group, [])
            if decisions:
                result[year].append(
                    kept.evaluation(year, body_id, decisions) if kept is not None
                    else _evaluation(case, standard, year, body_id, decisions))
    if kept is not None:
        kept.save(keep_all=todo is not None)
    return result


def kept_form(evaluation: Evaluation) -> KeptEvaluation:
    """The evaluation as kept between builds: the deductions' decisions by id."""
    return (evaluation.decisions, tuple(tuple((d.decision.id, d.reasons) for d in item.deductions)
                                        for item in evaluation.items))


def taken(portal: Portal, standard: Standard, group: Group, kept: KeptEvaluation) -> Evaluation:
    """An evaluation kept between builds (`kept_form`), its deductions naming the portal's
    decisions."""
    year, body_id = group
    count, items = kept
    decisions_by_id = portal.decisions
    return Evaluation(body_id, year, count, tuple(
        ItemScore(item, tuple(Deduction(item.key, decisions_by_id[name], reasons)
                              for name, reasons in deductions))
        for item, deductions in zip(standard.items, items, strict=True)))


def before(standard: Standard, has_ledger: bool,
           evaluations: Mapping[int, list[Evaluation]], since: Since | None = None) -> Before:
    """What the next build takes of these evaluations (`Since`). With `since` (what they
    were made with), those taken from the last build are kept as it kept them."""
    made_with = repr((standard, has_ledger))
    taken_from = since.before.evaluations if since is not None \
        and since.before.standard == made_with else {}
    dirty = since.dirty if since is not None else frozenset()
    kept: dict[Group, KeptEvaluation] = {}
    for of_year in evaluations.values():
        for evaluation in of_year:
            group = (evaluation.year, evaluation.body)
            found = taken_from.get(group) if group not in dirty else None
            kept[group] = found if found is not None else kept_form(evaluation)
    return Before(made_with, kept)


def takes_most(since: Since | None, standard: Standard, has_ledger: bool) -> bool:
    """Whether `evaluate_years` with `since` takes the last build's evaluations but the
    dirty ones': then they are a fraction of a second's work, not seconds."""
    return since is not None and since.before.standard == repr((standard, has_ledger))


CACHE_FILE = Path(".gongshi") / "evaluations.pickle"

KeptEvaluation = tuple[int, tuple[tuple[tuple[str, tuple[str, ...]], ...], ...]]
"""An evaluation as kept: its number of decisions, and for each item of the standard the
deductions, as (decision id, reasons)."""


class _Kept:
    """Evaluations kept between builds (issue 8: evaluating every year of 100,000 decisions
    took 4 s of a rebuild). A body's year is judged from its decisions of that year (their
    files, publication, appeals and corrections: generator/decision_inputs.py), from the
    records the checks look up (bodies, officers, powers, laws, procedures), the standard,
    and the as-of date while a decision is not yet published; it is kept under a digest of
    those, and of the code that judges."""

    def __init__(self, cache: Path, portal: Portal, case: _Checks, standard: Standard) -> None:
        self.portal = portal
        self.case = case
        self.standard = standard
        self.digest = digest
        code = Path(__file__).parent
        self.kept: statefile.Kept[KeptEvaluation] = statefile.Kept(cache, statefile.code_digest(
            [Path(__file__), *(code / name for name in _JUDGED_BY)]))
        self.inputs = DecisionInputs(portal, case.timings, case.recorded)
        looked_up = [record for records in (portal.bodies, portal.officers, portal.powers,
                                            portal.laws, portal.procedures)
                     for record in records.values()]
        self.shared = digest(repr((standard, case.has_ledger)).encode(),
                             *sorted(f"{record.ref}\0".encode() + portal.digests.get(record.ref, b"-")
                                     for record in looked_up))

    def evaluation(self, year: int, body_id: str, decisions: list[Decision]) -> Evaluation:
        content = self.inputs.of(decisions)
        day = self.case.as_of.isoformat() if self.inputs.unpublished(decisions) else ""
        key = None if content is None else self.digest(
            self.shared, f"{year} {body_id} {day}".encode(), content)
        found = self.kept.get(key)
        if found is not None:
            return taken(self.portal, self.standard, (year, body_id), found)
        evaluation = _evaluation(self.case, self.standard, year, body_id, decisions)
        self.kept.put(key, kept_form(evaluation))
        return evaluation

    def save(self, keep_all: bool = False) -> None:
        """`keep_all`: keep also what this build did not use (it looked at some only)."""
        if keep_all:
            for key, value in self.kept.known.items():
                self.kept.used.setdefault(key, value)
        self.kept.save()


_JUDGED_BY = ("model.py", "timeliness.py", "articles.py", "decision_inputs.py",
              "rules/authority.py", "rules/basis.py", "rules/qualification.py")
"""Besides this module, the code an evaluation depends on."""


def _evaluation(case: _Checks, standard: Standard, year: int, body_id: str,
                decisions: list[Decision]) -> Evaluation:
    items = []
    for item in standard.items:
        check = getattr(case, item.key)
        deductions = []
        for decision in decisions:
            reasons = tuple(check(decision))
            if reasons:
                deductions.append(Deduction(item.key, decision, reasons))
        items.append(ItemScore(item, tuple(deductions)))
    return Evaluation(body_id, year, len(decisions), tuple(items))


# --- the checks, one method per item ---------------------------------------------------------

_ANCHOR = re.compile(r"^(.+?)之日起")


class _Checks:
    """Each method yields the reasons one decision fails one item (none when it passes)."""

    def __init__(self, portal: Portal, ledger: Ledger, as_of: dt.date,
                 timings: list[timeliness.Timing] | None) -> None:
        self.portal = portal
        self.as_of = as_of
        self.has_ledger = bool(ledger.entries)
        """Without a ledger there are no publication dates: timeliness is not judged (as at
        `gongshi check`)."""
        self.timings = timeliness.ById(timings if timings is not None
                                       else timeliness.publications(portal, ledger))
        self.recorded = ledger.by_correction()
        self.appeals = portal.appeals_by_decision()
        self.withdrawals: dict[str, list[Correction]] = {}
        for correction in sorted(portal.corrections.values(), key=lambda c: c.id):
            if correction.kind == "撤回" and correction.record.startswith("decisions/"):
                self.withdrawals.setdefault(correction.record.removeprefix("decisions/"),
                                            []).append(correction)

    def qualification(self, decision: Decision) -> Iterator[str]:
        certified = 0
        for officer_id in decision.officers:
            officer = self.portal.officers.get(officer_id)
            if officer is None:
                yield f"执法人员 {officer_id} 没有记录"
            elif officer.body != decision.body:
                yield f"执法人员{officer.name}不属于本主体"
            elif certificate_problem(officer, decision.decision_date):
                yield f"执法人员{officer.name}的执法证（{officer.certificate_number}）在决定日期无效"
            else:
                certified += 1
        if certified < 2:
            yield f"持有效执法证的执法人员{certified}名，少于两名"

    def authority(self, decision: Decision) -> Iterator[str]:
        power = self.portal.powers.get(decision.power)
        body = self.portal.bodies.get(decision.body)
        if power is None or body is None:
            yield "所用职权或执法主体没有记录"
            return
        if not holds(power, body.id):
            yield f"本主体的权责清单中没有“{power.name}”"
        entrustment = body.entrustment
        if entrustment is not None:
            day = decision.decision_date
            if power.id not in entrustment.powers:
                yield f"“{power.name}”不在委托范围内"
            elif day < entrustment.valid_from or (entrustment.valid_to and day > entrustment.valid_to):
                yield "决定日期不在委托期限内"

    def basis(self, decision: Decision) -> Iterator[str]:
        for ref in [*decision.articles_violated, *decision.articles_applied]:
            citation = Citation.parse(ref)
            law = self.portal.laws.get(citation.law)
            if law is None:
                yield f"引用的依据 {citation.law} 没有记录"
            elif not_in_force(law, decision.decision_date):
                yield f"《{law.title}》{citation.label}在决定日期不在有效期内"
        power = self.portal.powers.get(decision.power)
        if power is not None:
            rests_on = {(c.law, c.number) for c in map(Citation.parse, power.basis)}
            if not any((c.law, c.number) in rests_on
                       for c in map(Citation.parse, decision.articles_applied)):
                yield f"适用的条款均不是职权“{power.name}”的设定依据"

    def procedure(self, decision: Decision) -> Iterator[str]:
        procedure = self._procedure(decision)
        if procedure is None or not decision.steps:
            return
        order = {step.id: n for n, step in enumerate(procedure.steps)}
        names = {step.id: step.name for step in procedure.steps}
        done = sorted((s for s in decision.steps if s.step in order), key=lambda s: order[s.step])
        dates = {s.step: s.date for s in done}
        for earlier, later in itertools.pairwise(done):
            if later.date < earlier.date:
                yield (f"“{names[later.step]}”（{_date(later.date)}）早于"
                       f"“{names[earlier.step]}”（{_date(earlier.date)}），与程序顺序不符")
        by_name = {step.name: step.id for step in procedure.steps}
        for step in procedure.steps:
            if step.id not in dates or not step.time_limit_days:
                continue
            anchor = _ANCHOR.match(step.time_limit)
            start_id = by_name.get(anchor.group(1)) if anchor else None
            if start_id is None or start_id not in dates:
                continue
            working = "工作日" in step.time_limit
            used = (working_days_between(dates[start_id], dates[step.id]) if working
                    else (dates[step.id] - dates[start_id]).days)
            if used > step.time_limit_days:
                unit = "个工作日" if working else "日"
                yield (f"“{step.name}”在{names[start_id]}之日起第{used}{unit}办理，"
                       f"超过{step.time_limit_days}{unit}的时限")

    def review(self, decision: Decision) -> Iterator[str]:
        if not decision.major:
            return
        review = decision.legal_review
        if review is None:
            yield "重大执法决定未经法制审核"
            return
        reviewer = self.portal.officers.get(review.reviewer)
        if not review.passed:
            yield "法制审核未通过"
        if review.date > decision.decision_date:
            yield "法制审核晚于决定日期"
        if reviewer is None or "法制审核人员" not in reviewer.roles:
            yield "审核人不是法制审核人员"
        elif review.reviewer in decision.officers:
            yield "审核人是本案承办人员"

    def completeness(self, decision: Decision) -> Iterator[str]:
        missing = []
        party, outcome = decision.party, decision.outcome
        if party.kind != "自然人" and party.uscc is None:
            missing.append("当事人统一社会信用代码")
        if "罚款" in outcome.categories and outcome.fine_amount is None:
            missing.append("罚款数额")
        if "没收违法所得" in outcome.categories and outcome.confiscated_amount is None:
            missing.append("没收违法所得数额")
        power = self.portal.powers.get(decision.power)
        if (decision.type == "行政处罚" and power is not None and power.benchmark
                and decision.discretion is None):
            missing.append("裁量阶次")
        if "准予许可" in outcome.categories and (not outcome.licence_number
                                               or outcome.licence_valid_to is None):
            missing.append("许可证编号和有效期")
        if missing:
            yield "缺少" + "、".join(missing)

    def timeliness(self, decision: Decision) -> Iterator[str]:
        if not self.has_ledger:
            return
        timing = self.timings.get(decision.id)
        if timing is not None and timing.late:
            yield f"决定后第{timing.used}个工作日公示，超过{timing.limit}个工作日的时限"
        elif timing is not None and timing.published is None and self.as_of > timing.deadline:
            yield f"超过{timing.limit}个工作日的时限仍未公示"
        for withdrawal in self.withdrawals.get(decision.id, []):
            effective = timeliness.took_effect(withdrawal, self.recorded)
            if withdrawal.event_date is None or effective is None:
                continue
            days = (effective - withdrawal.event_date).days
            if days > timeliness.WITHDRAWAL_DAYS:
                yield f"撤回在事由发生后第{days}日生效，超过{timeliness.WITHDRAWAL_DAYS}日的时限"

    def litigation(self, decision: Decision) -> Iterator[str]:
        for appeal in self.appeals.get(decision.id, []):
            if appeal.reversing:
                number = f"（{appeal.document_number}）" if appeal.document_number else ""
                yield f"{appeal.organ}{appeal.kind}{appeal.result}{number}"

    def _procedure(self, decision: Decision) -> Procedure | None:
        power = self.portal.powers.get(decision.power)
        if power is None or not power.procedure:
            return None
        return self.portal.procedures.get(power.procedure)


def _date(day: dt.date) -> str:
    """2025年5月1日, as the pages write dates (generator.render.text.chinese_date)."""
    return f"{day.year}年{day.month}月{day.day}日"
