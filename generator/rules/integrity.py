"""Rule 1: every reference resolves, codes carry valid check digits, records agree with themselves."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterator, Mapping
from functools import partial

from stdnum.cn import uscc

from generator.articles import Citation
from generator.memo import MEMO
from generator.model import Body, Decision, Record
from generator.portal import Portal
from generator.problems import Problem
from generator.rules._finding import error
from generator.source import FieldPath

CODE = "R1-integrity"


def before(portal: Portal, as_of: dt.date) -> Iterator[Problem]:
    """Former ids, of every record, decisions too."""
    yield from _former_ids(portal)


def world(portal: Portal) -> Iterator[Problem]:
    """The records that decisions cite."""
    refs = _References(portal)
    for body in portal.bodies.values():
        yield from _body(body, portal, refs)
    for officer in portal.officers.values():
        yield from refs.need(officer, ("body",), "bodies", officer.body)
        home = portal.bodies.get(officer.body)
        if home is not None:
            yield from refs.unit_post(officer, (), home, officer.unit, officer.post)
        if officer.status != "有效" and officer.status_since is None:
            yield error(officer, ("status",), CODE, f"status {officer.status} has no date",
                        "add `status_since: YYYY-MM-DD`, the day the certificate stopped being valid")
        if officer.valid_to < officer.valid_from:
            yield error(officer, ("valid_to",), CODE, "the certificate ends before it starts",
                        "check valid_from and valid_to")
    for law in portal.laws.values():
        if law.replaced_by:
            yield from refs.need(law, ("replaced_by",), "laws", law.replaced_by)
        if law.status == "现行有效" and law.repealed is not None:
            yield error(law, ("repealed",), CODE, "an instrument 现行有效 cannot have a repeal date",
                        "remove `repealed`, or set `status` to 已废止 or 已修改")
        if law.status != "现行有效" and law.repealed is None:
            yield error(law, ("status",), CODE, f"status {law.status} needs the date it ceased to apply",
                        "add `repealed: YYYY-MM-DD`")
        seen: set[str] = set()
        for index, article in enumerate(law.articles):
            if article.number in seen:
                yield error(law, ("articles", index, "number"), CODE,
                            f"{article.number} is listed twice", "keep one entry per article")
            seen.add(article.number)
    for power in portal.powers.values():
        yield from refs.articles(power, "basis", power.basis)
        for index, holder in enumerate(power.holders):
            holder_body = portal.bodies.get(holder.body)
            yield from refs.need(power, ("holders", index, "body"), "bodies", holder.body)
            if holder_body is not None:
                yield from refs.unit_post(power, ("holders", index), holder_body, holder.unit,
                                          holder.post)
        if power.procedure:
            yield from refs.need(power, ("procedure",), "procedures", power.procedure)
        if power.benchmark:
            yield from refs.need(power, ("benchmark",), "benchmarks", power.benchmark)
            benchmark = portal.benchmarks.get(power.benchmark)
            if benchmark is not None and benchmark.power != power.id:
                yield error(power, ("benchmark",), CODE,
                            f"benchmark `{benchmark.id}` is written for power `{benchmark.power}`",
                            "name the benchmark made for this power")
    for procedure in portal.procedures.values():
        step_ids = [step.id for step in procedure.steps]
        for index, step in enumerate(procedure.steps):
            if step_ids.count(step.id) > 1:
                yield error(procedure, ("steps", index, "id"), CODE,
                            f"step id `{step.id}` is used twice", "give each step its own id")
            yield from refs.articles(procedure, ("steps", index, "basis"), step.basis)
            for b_index, branch in enumerate(step.branches):
                if branch.goto not in step_ids:
                    yield error(procedure, ("steps", index, "branches", b_index, "goto"), CODE,
                                f"no step `{branch.goto}` in this procedure",
                                "use one of: " + ", ".join(step_ids))
    for benchmark in portal.benchmarks.values():
        yield from refs.need(benchmark, ("power",), "powers", benchmark.power)
        yield from refs.articles(benchmark, "basis", benchmark.basis)
        levels = [level.level for level in benchmark.levels]
        for index, level in enumerate(benchmark.levels):
            if levels.count(level.level) > 1:
                yield error(benchmark, ("levels", index, "level"), CODE,
                            f"level {level.level} is defined twice", "merge the two entries")
            if level.fine is not None and level.fine.min > level.fine.max:
                yield error(benchmark, ("levels", index, "fine"), CODE,
                            f"the range {level.fine.min}–{level.fine.max} is upside down",
                            "min must not exceed max")


def decision(decision: Decision, portal: Portal) -> Iterator[Problem]:
    yield from _decision(decision, portal, _References(portal))


def after(portal: Portal, as_of: dt.date) -> Iterator[Problem]:
    """Corrections: they name records of any type, decisions too."""
    refs = _References(portal)
    for correction in portal.corrections.values():
        if portal.lookup(correction.record) is None:
            yield error(correction, ("record",), CODE, f"no record `{correction.record}`",
                        "name the record as folder/id, e.g. decisions/donghu-2025-001")
        yield from refs.need(correction, ("requested_by",), "officers", correction.requested_by)
        if correction.review is not None:
            yield from refs.need(correction, ("review", "reviewer"), "officers",
                                 correction.review.reviewer)
        if correction.kind == "撤回" and (correction.cause is None or correction.event_date is None):
            yield error(correction, ("kind",), CODE, "a withdrawal needs its cause and the event date",
                        "add `cause:` (变更 / 撤销 / 确认违法 / 确认无效 / 公示期满 / 其他) and "
                        "`event_date:`")


def _former_ids(portal: Portal) -> Iterator[Problem]:
    """A former id keeps its old URL alive: it may not be any record's id, now or before."""
    for kind_name in ("bodies", "officers", "laws", "powers", "procedures", "benchmarks",
                      "decisions", "corrections", "appeals", "pages"):
        table = portal.table(kind_name)
        claimed: dict[str, str] = {}
        for record in table.values():
            for index, former in enumerate(record.former_ids):
                other = table.get(former)
                if other is not None:
                    yield error(record, ("former_ids", index), CODE,
                                f"`{former}` is the id of {other.origin.path}",
                                "a former id cannot be reused; remove it from former_ids")
                elif former in claimed:
                    yield error(record, ("former_ids", index), CODE,
                                f"`{former}` is also a former id of `{claimed[former]}`",
                                "an old URL can only lead to one record")
                claimed.setdefault(former, record.id)


def _body(body: Body, portal: Portal, refs: _References) -> Iterator[Problem]:
    if body.parent:
        yield from refs.need(body, ("parent",), "bodies", body.parent)
    if not uscc.is_valid(body.uscc):
        yield error(body, ("uscc",), CODE, f"`{body.uscc}` is not a valid 统一社会信用代码",
                    "check the 18 characters against the registration certificate; "
                    "the last one is a GB 32100 check digit")
    yield from refs.articles(body, "legal_basis", body.legal_basis)
    entrustment = body.entrustment
    if body.kind == "受委托组织" and entrustment is None:
        yield error(body, ("kind",), CODE, "a 受委托组织 must state who entrusted it and the scope",
                    "add `entrustment:` with entrusted_by, document, powers, valid_from")
    if body.kind != "受委托组织" and entrustment is not None:
        yield error(body, ("entrustment",), CODE, f"a {body.kind} is not entrusted",
                    "remove `entrustment`, or set `kind: 受委托组织`")
    if body.kind == "法律法规授权组织" and not body.legal_basis:
        yield error(body, ("kind",), CODE,
                    "a 法律法规授权组织 must cite the law or regulation that empowers it",
                    "add `legal_basis: [<law id>#第X条]`")
    if entrustment is not None:
        yield from refs.need(body, ("entrustment", "entrusted_by"), "bodies",
                             entrustment.entrusted_by)
        for index, power in enumerate(entrustment.powers):
            yield from refs.need(body, ("entrustment", "powers", index), "powers", power)


def _decision(decision: Decision, portal: Portal, refs: _References) -> Iterator[Problem]:
    yield from refs.need(decision, ("body",), "bodies", decision.body)
    yield from refs.need(decision, ("power",), "powers", decision.power)
    for index, officer in enumerate(decision.officers):
        yield from refs.need(decision, ("officers", index), "officers", officer)
        if decision.officers.index(officer) != index:
            yield error(decision, ("officers", index), CODE, f"officer `{officer}` is listed twice",
                        "list each officer once")
    yield from refs.articles(decision, "articles_violated", decision.articles_violated)
    yield from refs.articles(decision, "articles_applied", decision.articles_applied)
    power = portal.powers.get(decision.power)
    if power is not None and power.category != decision.type:
        yield error(decision, ("type",), CODE,
                    f"type {decision.type} differs from the power's category {power.category}",
                    f"set `type: {power.category}`, or cite the power actually used")
    party = decision.party
    # stdnum's check is a third of this rule's time at 100,000 decisions: kept per file.
    if party.uscc is not None and not MEMO.get("party uscc valid", decision,
                                               partial(uscc.is_valid, party.uscc)):
        yield error(decision, ("party", "uscc"), CODE,
                    f"`{party.uscc}` is not a valid 统一社会信用代码",
                    "copy it from the party's business licence; the last character is a check digit")
    if party.kind == "法人及非法人组织" and party.uscc is None:
        yield error(decision, ("party", "uscc"), CODE, "a 法人及非法人组织 party needs its "
                    "统一社会信用代码", "add `uscc:` under `party:`")
    if party.kind == "自然人" and party.uscc is not None:
        yield error(decision, ("party", "uscc"), CODE, "a natural person has no 统一社会信用代码",
                    "remove `uscc`, or set the party's kind to 个体工商户 or 法人及非法人组织")
    outcome = decision.outcome
    if ("罚款" in outcome.categories) != (outcome.fine_amount is not None):
        yield error(decision, ("outcome", "fine_amount"), CODE,
                    "罚款 in categories and fine_amount must go together",
                    "give both the category 罚款 and the amount, or neither")
    if decision.legal_review is not None:
        yield from refs.need(decision, ("legal_review", "reviewer"), "officers",
                             decision.legal_review.reviewer)
    yield from _steps(decision, portal)
    if decision.publicity_end < decision.decision_date:
        yield error(decision, ("publicity_end",), CODE, "the publicity period ends before the decision",
                    "publicity_end is the last day the decision stays public")


def _steps(decision: Decision, portal: Portal) -> Iterator[Problem]:
    """The steps recorded (办理过程) are steps of the procedure of the decision's power."""
    if not decision.steps:
        return
    power = portal.powers.get(decision.power)
    procedure = portal.procedures.get(power.procedure) if power and power.procedure else None
    if power is None or (power.procedure and procedure is None):
        return  # reported as a dangling reference already
    if procedure is None:
        yield error(decision, ("steps",), CODE,
                    f"power `{power.id}` names no procedure, so its steps cannot be recorded",
                    "give the power a `procedure:`, or remove `steps:`")
        return
    ids = [step.id for step in procedure.steps]
    seen: set[str] = set()
    for index, done in enumerate(decision.steps):
        if done.step not in ids:
            yield error(decision, ("steps", index, "step"), CODE,
                        f"procedure `{procedure.id}` has no step `{done.step}`",
                        "use one of: " + ", ".join(ids))
        elif done.step in seen:
            yield error(decision, ("steps", index, "step"), CODE,
                        f"step `{done.step}` is recorded twice", "record each step once")
        seen.add(done.step)


class _References:
    """Looks up ids and article citations, phrasing a problem when one does not resolve."""

    def __init__(self, portal: Portal) -> None:
        self.portal = portal

    def need(self, record: Record, loc: FieldPath, kind_name: str, ref: str) -> Iterator[Problem]:
        table = self.portal.table(kind_name)
        if ref not in table and f"{kind_name}/{ref}" not in self.portal.broken:
            yield error(record, loc, CODE, f"no {kind_name} record with id `{ref}`",
                        _suggest(ref, table) or f"create content/{kind_name}/{ref}.yml, or fix the id")

    def unit_post(self, record: Record, loc: FieldPath, body: Body, unit: str | None,
                  post: str | None) -> Iterator[Problem]:
        units = {u.id: u for u in body.units}
        if unit is not None and unit not in units:
            yield error(record, (*loc, "unit"), CODE, f"body `{body.id}` has no unit `{unit}`",
                        "units of that body: " + (", ".join(units) or "none declared"))
        elif post is not None:
            posts = [p.id for u in ([units[unit]] if unit else body.units) for p in u.posts]
            if post not in posts:
                yield error(record, (*loc, "post"), CODE, f"no post `{post}` there",
                            "posts: " + (", ".join(posts) or "none declared"))

    def articles(self, record: Record, field: str | FieldPath,
                 refs: list[str]) -> Iterator[Problem]:
        base: FieldPath = (field,) if isinstance(field, str) else field
        for index, ref in enumerate(refs):
            citation = Citation.parse(ref)
            law = self.portal.laws.get(citation.law)
            loc = (*base, index)
            if law is None and f"laws/{citation.law}" in self.portal.broken:
                continue
            if law is None:
                yield error(record, loc, CODE, f"no legal basis with id `{citation.law}`",
                            _suggest(citation.law, self.portal.laws)
                            or f"create content/laws/{citation.law}.yml, or fix the id")
            elif citation.article not in {a.number for a in law.articles}:
                yield error(record, loc, CODE,
                            f"{law.title} has no {citation.article} in content/laws/{law.id}.yml",
                            "add the article with its text to the legal basis, or fix the number")


def _suggest(ref: str, table: Mapping[str, object]) -> str:
    close = difflib.get_close_matches(ref, list(table), n=1, cutoff=0.7)
    return f"did you mean `{close[0]}`?" if close else ""
