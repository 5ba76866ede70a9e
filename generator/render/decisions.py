"""One page per decision with every 双公示 field, how the case went (办理过程) and its appeals
(复议诉讼); a withdrawn or expired one shows a notice only."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from operator import attrgetter

from generator.ledger import refs
from generator.model import (
    Appeal,
    Benchmark,
    Body,
    Decision,
    Officer,
    Outcome,
    Power,
    Procedure,
    Record,
)
from generator.render.benchmarks import level_anchor
from generator.render.citations import article_links
from generator.render.docs import DocPage, Made
from generator.render.facets import OUTCOME_SLUGS, TYPE_SLUGS, body_decisions_src, slug
from generator.render.history import version_key
from generator.render.reuse import Left, Reuse
from generator.render.site import Publicity, Site
from generator.render.templates import Templates
from generator.render.text import (
    chinese_date,
    money,
    party_name,
    party_representative,
    scrub_party,
)
from generator.render.urls import Link, Linker, page_url, record_src, section_src


@dataclass(frozen=True)
class ReviewView:
    reviewer: Link
    date: str
    passed: bool
    opinion: str


@dataclass(frozen=True)
class OutcomeView:
    categories: list[Link]
    """Each 处理类别, linked to the list of public decisions with it."""
    content: str
    fine: str
    confiscated: str
    affected_persons: str
    base_amount: str
    licence_number: str
    licence_valid_to: str


@dataclass(frozen=True)
class RelatedDecision:
    """One line of 相关决定: a link named by 文书号 and party (masked as in every list)."""

    link: Link
    date: str
    body: str


@dataclass(frozen=True)
class StepView:
    """One line of 办理过程: a step of the procedure, when it was done, and its time limit."""

    name: str
    date: str
    time_limit: str
    """The procedure's own wording (立案之日起60个工作日内), or — when it sets none."""


@dataclass(frozen=True)
class AppealView:
    """One case of 复议诉讼, shown as a table of fields (an empty one is left out)."""

    kind: str
    organ: str
    filed_on: str
    result: str
    concluded_on: str
    """The date of the decision or judgment, or 审理中 while the case goes on."""
    document_number: str
    note: str


@dataclass(frozen=True)
class DecisionPage:
    title: str
    publicity: str
    status: str
    """公示中 / 已更正 / 已撤回 / 公示期满, as the reader sees it."""
    notice: str
    document_number: str
    type: Link
    body: Link
    power: Link
    party_name: str
    party_kind: str
    party_uscc: str
    legal_representative: str
    facts: str
    articles_violated: list[Link]
    articles_applied: list[Link]
    discretion_level: Link
    discretion_reason: str
    benchmark: Link | None
    outcome: OutcomeView
    decision_date: str
    officers: list[Link]
    major: bool
    legal_review: ReviewView | None
    remedies: list[str]
    publicity_end: str
    note: str
    steps: list[StepView]
    """办理过程, in the order of the procedure: only for a decision that is itself public."""
    appeals: list[AppealView]
    """复议诉讼 against the decision, by filing date: only for a decision that is itself public."""
    published: str
    """When it was first published (from the ledger), or '' when not recorded."""
    body_decisions: Link | None
    """The body's list of public decisions: only for a decision that is itself public."""
    all_decisions: Link
    related: list[RelatedDecision]
    """相关决定 (search/related.py): public decisions of the same power (or, for a decision
    alone in its power, of the same body and type), near in date, with similar facts."""


def _facet_link(here: Linker, public: bool, folder: str, text: str) -> Link:
    """A link to a facet list; a decision that is not public is in no list, so plain text."""
    return here.to(f"decisions/{folder}/index.md", text) if public else Link(text)


def _outcome(here: Linker, public: bool, outcome: Outcome, decision: Decision) -> OutcomeView:
    return OutcomeView(
        categories=[_facet_link(here, public, f"outcome/{slug(c, OUTCOME_SLUGS)}", c)
                    for c in dict.fromkeys(outcome.categories)],
        content=scrub_party(outcome.content, decision.party),
        fine=money(outcome.fine_amount),
        confiscated=money(outcome.confiscated_amount),
        affected_persons=f"{outcome.affected_persons}人" if outcome.affected_persons else "",
        base_amount=money(outcome.base_amount),
        licence_number=outcome.licence_number,
        licence_valid_to=chinese_date(outcome.licence_valid_to),
    )


def status(site: Site, decision: Decision) -> str:
    publicity = site.publicity(decision)
    if publicity is Publicity.WITHDRAWN:
        return "已撤回"
    if publicity is Publicity.EXPIRED:
        return "公示期满"
    corrected = any(c.kind == "更正" and c.review is not None and c.review.outcome == "批准"
                    for c in site.corrections_by_record.get(decision.ref, []))
    return "已更正" if corrected else "公示中"


def _notice(site: Site, decision: Decision, publicity: Publicity) -> str:
    if publicity is Publicity.WITHDRAWN:
        withdrawal = site.withdrawal(decision)
        assert withdrawal is not None  # WITHDRAWN means there is one
        return (f"本决定已于{chinese_date(site.effective(withdrawal))}撤回（{withdrawal.cause or '其他'}）。"
                f"理由：{withdrawal.reason}")
    if publicity is Publicity.EXPIRED:
        return f"本决定的公示期已于{chinese_date(decision.publicity_end)}届满，详细内容不再公示。"
    return ""


def _steps(decision: Decision, procedure: Procedure | None) -> list[StepView]:
    """The recorded steps in the order of the procedure. `gongshi check` refuses a step the
    procedure lacks; were one here anyway, it comes last under its own id."""
    known = {step.id: (index, step) for index, step in enumerate(procedure.steps)} \
        if procedure else {}
    rows = []
    for done in decision.steps:
        index, step = known.get(done.step, (len(known), None))
        rows.append((index, done.date, StepView(
            name=step.name if step else done.step,
            date=chinese_date(done.date),
            time_limit=step.time_limit if step and step.time_limit else "—",
        )))
    return [view for _, _, view in sorted(rows, key=lambda row: (row[0], row[1]))]


def _appeal(appeal: Appeal, decision: Decision) -> AppealView:
    return AppealView(
        kind=appeal.kind,
        organ=appeal.organ,
        filed_on=chinese_date(appeal.filed_on),
        result=appeal.result,
        concluded_on=chinese_date(appeal.concluded_on) or "审理中",
        document_number=appeal.document_number,
        note=scrub_party(appeal.note, decision.party),
    )


def decision_page(site: Site, linker: Linker, templates: Templates, decision: Decision,
                  related: list[Decision], appeals: list[Appeal]) -> DocPage:
    """`appeals` are those against this decision, in the order to show them."""
    src = record_src(decision)
    here = linker.at(src)
    portal = site.portal
    party = decision.party
    body = portal.bodies.get(decision.body)
    power = portal.powers.get(decision.power)
    benchmark = portal.benchmarks.get(power.benchmark) if power and power.benchmark else None
    procedure = portal.procedures.get(power.procedure) if power and power.procedure else None
    reviewer = portal.officers.get(decision.legal_review.reviewer) \
        if decision.legal_review else None
    publicity = site.publicity(decision)
    public = publicity is Publicity.PUBLIC
    context = DecisionPage(
        title=decision.document_number,
        publicity=publicity.value,
        status=status(site, decision),
        notice=_notice(site, decision, publicity),
        document_number=decision.document_number,
        type=_facet_link(here, public, f"type/{slug(decision.type, TYPE_SLUGS)}",
                         decision.type),
        body=here.to_record(body, body.name if body else decision.body),
        power=here.to_record(power, power.name if power else decision.power),
        party_name=party_name(party),
        party_kind=party.kind,
        party_uscc=party.uscc or "",
        legal_representative=party_representative(party),
        facts=scrub_party(decision.facts, party),
        articles_violated=article_links(portal, here, decision.articles_violated),
        articles_applied=article_links(portal, here, decision.articles_applied),
        discretion_level=(here.to_record(benchmark, decision.discretion.level,
                                         level_anchor(benchmark, decision.discretion.level))
                          if benchmark and level_anchor(benchmark, decision.discretion.level)
                          else Link(decision.discretion.level)) if decision.discretion
        else Link(""),
        discretion_reason=scrub_party(decision.discretion.reason, party)
        if decision.discretion else "",
        benchmark=here.to_record(benchmark, benchmark.name) if benchmark else None,
        outcome=_outcome(here, public, decision.outcome, decision),
        decision_date=chinese_date(decision.decision_date),
        officers=[_officer_link(site, here, officer_id) for officer_id in decision.officers],
        major=decision.major,
        legal_review=ReviewView(
            reviewer=here.to_record(reviewer, reviewer.name if reviewer
                                    else decision.legal_review.reviewer),
            date=chinese_date(decision.legal_review.date),
            passed=decision.legal_review.passed,
            opinion=scrub_party(decision.legal_review.opinion, party),
        ) if decision.legal_review else None,
        remedies=[f"{r.kind}：{r.deadline}向{r.where}提出" for r in procedure.remedies]
        if procedure else [],
        publicity_end=chinese_date(decision.publicity_end),
        note=scrub_party(decision.note, party),
        steps=_steps(decision, procedure) if public else [],
        appeals=[_appeal(appeal, decision) for appeal in appeals] if public else [],
        published=chinese_date(site.published(decision)),
        body_decisions=here.to(body_decisions_src(decision.body),
                               f"{body.name if body else decision.body}的全部执法决定")
        if publicity is Publicity.PUBLIC else None,
        all_decisions=here.to(section_src(Decision), "全部执法决定"),
        related=[_related(site, here, other) for other in related] if public else [],
    )
    return DocPage(src, context.title, (templates.render("decision.html.j2", context),),
                   noindex=not public)


def _officer_link(site: Site, linker: Linker, officer_id: str) -> Link:
    officer = site.portal.officers.get(officer_id)
    if officer is None:
        return Link(officer_id)
    return linker.to_record(officer, f"{officer.name}（执法证号 {officer.certificate_number}）")


def _related(site: Site, linker: Linker, decision: Decision) -> RelatedDecision:
    body = site.portal.bodies.get(decision.body)
    return RelatedDecision(
        link=linker.to_record(decision, f"{decision.document_number} {party_name(decision.party)}"),
        date=chinese_date(decision.decision_date),
        body=body.name if body else decision.body,
    )


def appeals_by_decision(site: Site) -> dict[str, list[Appeal]]:
    """`Portal.appeals_by_decision`, once per build (`plan` asks first, before the workers
    fork), not once per part."""
    if "appeals by decision" not in site.memo:
        site.memo["appeals by decision"] = site.portal.appeals_by_decision()
    found: dict[str, list[Appeal]] = site.memo["appeals by decision"]
    return found


def in_order(site: Site) -> tuple[dict[str, Decision], list[Decision]]:
    """The public decisions by ref, and every decision in id order: once per build, before
    the workers fork, not once per part (forty parts at 100,000 decisions)."""
    if "decisions in order" not in site.memo:
        site.memo["decisions in order"] = (
            {decision.ref: decision for decision in site.decisions},
            sorted(site.portal.decisions.values(), key=lambda d: d.id))
    found: tuple[dict[str, Decision], list[Decision]] = site.memo["decisions in order"]
    return found


INPUTS = "decision pages"
"""The name of the decision pages' inputs in the site's manifest (`plan`)."""


def plan(site: Site, reuse: Reuse, feeds: Iterable[tuple[str, str]],
         decision_feeds: Callable[[str, str], object]) -> None:
    """Before the pages are made: what each decision's page is made from, in two digests:
    its record's, and one of its 相关决定, appeals, corrections, versions, publicity and
    feeds. A page whose digests are those of the published one is left as published,
    unless a record it shows besides changed (its body, power, benchmark, procedure or
    officers, or its 相关决定's bodies: `_touched`). Any other page is made again, and
    written only where its bytes changed. No page is keyed: 100,000 keys cost 15 to 19 s
    of CPU in a full build, where nothing is reused.

    The digests of a decision none of whose inputs changed since the published site was
    built (`_changed`) are taken from its manifest: at 100,000 decisions, making them all
    took 2 to 3 s of a rebuild after one new decision.

    Also what the lists and body pages share (`reuse.shared`: the bodies, powers,
    benchmarks, procedures, officers, and the feeds they link), and the digests without
    相关决定 and publicity that key open data's items (`item_inputs`).

    `feeds`: each feed's key and title; `decision_feeds`: what the feed links of the pages
    of a body's decisions of a type are made from (`Feeds.decisions_signature`)."""
    portal = site.portal
    digests = portal.digests
    shared = hashlib.blake2b(digest_size=16)
    shown = {}
    for records in (portal.bodies, portal.powers, portal.benchmarks, portal.procedures,
                    portal.officers):
        for name in sorted(records):
            ref = records[name].ref
            shown[ref] = digests.get(ref, b"missing")
            shared.update(f"\0{ref}\0".encode())
            shared.update(shown[ref])
    shared.update(repr(sorted(feeds)).encode())
    related = site.related()
    appeals = appeals_by_decision(site)
    corrections = site.corrections_by_record
    histories = site.histories
    # A decision page's feeds follow from its body and type: for each body and type there
    # were decisions of at the last build (a pass over all decisions took 0.3 s), and those
    # of the changed decisions.
    feeds_before = reuse.previous_inputs.get(_FEEDS)
    kinds: set[tuple[str, str]] = set(feeds_before) if reuse.changes.known and isinstance(
        feeds_before, dict) else set(map(attrgetter("body", "type"), portal.decisions.values()))
    for ref in reuse.changes.refs or ():
        decision = portal.decisions.get(ref.removeprefix("decisions/"))
        if decision is not None and ref.startswith("decisions/"):
            kinds.add((decision.body, decision.type))
    feeds_of = {kind: repr(decision_feeds(*kind)) for kind in kinds}
    reuse.inputs[_RELATED], reuse.inputs[_FEEDS] = related, feeds_of
    changed = _changed(site, reuse, related, feeds_of)
    before, items_before = reuse.previous_inputs.get(INPUTS), reuse.previous_inputs.get(ITEMS)
    if changed is None or not isinstance(before, dict) or not isinstance(items_before, dict):
        changed = None
        inputs: dict[str, tuple[bytes, bytes]] = {}
        items: dict[str, tuple[bytes, bytes]] = {}
        todo: Iterable[Decision] = portal.decisions.values()
    else:
        inputs, items = dict(before), dict(items_before)
        for ref in changed:
            inputs.pop(ref, None)
            items.pop(ref, None)
        todo = [portal.decisions[name] for ref in changed
                if (name := ref.removeprefix("decisions/")) in portal.decisions]
    blake2b = hashlib.blake2b
    for decision in todo:
        ref = decision.ref
        digest = digests.get(ref, b"")
        own = [f"{v.record}\x1e{v.version}\x1e{v.hash}\x1e{v.published}\x1e{v.correction}"
               f"\x1e{v.fields}" for v in (site.versions(decision) if decision.former_ids
                                          else histories.get(ref, ()))]
        for record in (*appeals.get(decision.id, ()), *corrections.get(ref, ())):
            own.append(record.ref + (digests.get(record.ref) or b"missing").hex())
        publicity = site.publicity(decision)
        own.append(publicity.value)
        item = blake2b("\x1f".join(own).encode(), digest_size=16).digest()
        items[ref] = (digest, item)
        page = blake2b(item, digest_size=16)
        kind = (decision.body, decision.type)
        if kind not in feeds_of:
            feeds_of[kind] = repr(decision_feeds(*kind))
        page.update("\x1f".join([*related.get(ref, ()), publicity.value, feeds_of[kind]])
                    .encode())
        if ref in corrections or decision.former_ids:
            # Few decisions: what their status, notice and history say. For the others,
            # these follow from the record, the publicity and the versions above.
            page.update(repr((status(site, decision), _notice(site, decision, publicity),
                              site.published(decision), version_key(site, decision))).encode())
        inputs[ref] = (digest, page.digest())
    site.memo["decision items"] = reuse.inputs[ITEMS] = items
    reuse.shared = shared.digest()
    touched = _touched(site, reuse.changed(SHOWN, shown), related)
    reuse.compare(INPUTS, inputs, related, touched, changed)
    if changed is None or not isinstance(items_before, dict):
        site.memo[_ITEMS_REMADE] = None
    else:
        # A decision without a record digest (made in a test) is never as published.
        site.memo[_ITEMS_REMADE] = frozenset(
            ref for ref in changed if items.get(ref) != items_before.get(ref)).union(
            touched, (ref for ref, (digest, _) in items.items() if not digest))


ITEMS = "decision items"
"""The name of the decisions' digests without 相关决定 and publicity in the site's manifest
(`plan`, `item_inputs`)."""
_RELATED = "related decisions"
_FEEDS = "decision feeds"
"""The names, in the site's manifest, of each decision's 相关决定 and of the feeds of each
body and type (`_changed`)."""


def _changed(site: Site, reuse: Reuse, related: Mapping[str, list[str]],
             feeds_of: Mapping[tuple[str, str], str]) -> set[str] | None:
    """The decisions (by ref) whose page inputs (`plan`) may have changed since the
    published site was built: those whose record or versions changed, whose appeals or
    corrections did, whose publicity may have changed with the as-of date, whose feeds or
    相关决定 changed. None when that is not known."""
    changes = reuse.changes
    related_before = reuse.previous_inputs.get(_RELATED)
    feeds_before = reuse.previous_inputs.get(_FEEDS)
    if changes.refs is None or reuse.touched is None or not isinstance(related_before, dict) \
            or not isinstance(feeds_before, dict):
        return None
    portal = site.portal
    # An appeal or correction changes the page of the decision it is about, and of the one
    # it was about (it may have moved, or be gone): `touched`.
    changed = {ref for ref in reuse.touched if ref.startswith("decisions/")}
    decisions = portal.decisions.values()
    # Versions recorded under a former id: a changed ref that is no decision's now.
    if any(ref.startswith("decisions/") and ref.removeprefix("decisions/") not in portal.decisions
           for ref in changes.refs):
        changed.update(decision.ref for decision in decisions if decision.former_ids
                       and changes.any_of(refs(decision)))
    if changes.as_of != site.as_of:
        if changes.as_of is None:
            return None
        first, last = sorted((changes.as_of, site.as_of))
        changed.update(decision.ref for decision in decisions
                       if first <= decision.publicity_end < last)
    feeds = {key for key in feeds_of.keys() | feeds_before.keys()
             if feeds_of.get(key) != feeds_before.get(key)}
    if feeds:
        changed.update(decision.ref for decision in decisions
                       if (decision.body, decision.type) in feeds)
    changed.update(ref for ref, listed in related.items() if related_before.get(ref) != listed)
    changed.update(related_before.keys() - related.keys())
    return changed


SHOWN = "records decision pages show"
"""The name, in the site's manifest, of the digests of the records that decision pages show
besides their own (`plan`)."""


def _touched(site: Site, changed: set[str], related: Mapping[str, list[str]]) -> set[str]:
    """The decisions whose page shows a record (by ref) in `changed`, besides their own."""
    if not changed:
        return set()
    portal = site.portal

    def ids(model: type[Record]) -> set[str]:
        return {ref.partition("/")[2] for ref in changed if ref.startswith(model.kind_name + "/")}

    bodies, officers = ids(Body), ids(Officer)
    benchmarks, procedures = ids(Benchmark), ids(Procedure)
    powers = ids(Power) | {name for name, power in portal.powers.items()
                           if power.benchmark in benchmarks or power.procedure in procedures}
    public = in_order(site)[0]
    return {decision.ref for decision in portal.decisions.values()
            if decision.body in bodies or decision.power in powers
            or (decision.legal_review and decision.legal_review.reviewer in officers)
            or not officers.isdisjoint(decision.officers)
            or any(public[other].body in bodies for other in related.get(decision.ref, ())
                   if other in public)}


_ITEMS_REMADE = "decision items made again"


def items_remade(site: Site, reuse: Reuse | None) -> frozenset[str] | None:
    """The decisions (by ref) whose item in open data (their record, versions, appeals,
    corrections and publicity, their body and power) may not be the published one's, when
    known (`plan`): every other decision's item is as published."""
    found: frozenset[str] | None = site.memo.get(_ITEMS_REMADE)
    return found if reuse is not None and reuse.remade(INPUTS) is not None else None


def items_remade_ids(site: Site, reuse: Reuse | None) -> frozenset[str] | None:
    """`items_remade` by decision id (once per process): asked of every decision of many
    lists, an id is at hand where a ref is made anew."""
    if reuse is None:
        return None
    if "remade ids" not in site.memo:
        remade = items_remade(site, reuse)
        site.memo["remade ids"] = None if remade is None else frozenset(
            ref.removeprefix("decisions/") for ref in remade)
    found: frozenset[str] | None = site.memo["remade ids"]
    return found


def records_touched(reuse: Reuse | None) -> frozenset[str] | None:
    """The records (by ref) touched since the published site was built (`Reuse.touched`),
    when known and this build's base (code, configuration, theme) is the published one's."""
    return reuse.touched if reuse is not None and reuse.remade(INPUTS) is not None else None


def item_inputs(site: Site, ref: str) -> tuple[bytes, bytes] | None:
    """Two digests of what the decision's page shows of it besides its 相关决定 and feeds:
    its record's, and its versions', appeals', corrections' and publicity's (`plan`, for
    open data's items), when known."""
    found: tuple[bytes, bytes] | None = site.memo.get("decision items", {}).get(ref)
    return found if found is not None and found[0] else None


def pages(site: Site, linker: Linker, templates: Templates,
          shard: tuple[int, int] = (0, 1), reuse: Reuse | None = None) -> Iterator[Made]:
    """The decision pages, in id order; with `shard` (k, n), the k-th of n equal parts.
    With `reuse`, a page whose inputs are those the published one was made from is not
    rendered again."""
    public, decisions = in_order(site)
    related_refs = site.related()  # once per build: each decision's list, from its neighbours
    appeals = appeals_by_decision(site)
    part, parts = shard
    decisions = decisions[part * len(decisions) // parts:(part + 1) * len(decisions) // parts]
    unchanged = reuse.unchanged(INPUTS) if reuse is not None else frozenset()
    # The pages left as published, yielded at once: an object each, and the writer's look
    # at each, were half a second of a rebuild at 100,000 decisions.
    left = Left()
    published = reuse.previous if reuse is not None and reuse.base else {}
    for decision in decisions:
        ref = decision.ref
        if ref in unchanged:
            src = record_src(decision)
            path = page_url(src) + "index.html"
            if path in published:
                # Only a public decision is among `public` (Site.decisions): the others'
                # pages are stubs, not to be indexed.
                if ref in public:
                    left.srcs.append(src)
                    left.paths.append(path)
                else:
                    left.hidden_srcs.append(src)
                    left.hidden_paths.append(path)
                continue
        related = [public[ref] for ref in related_refs.get(decision.ref, [])]
        yield decision_page(site, linker, templates, decision, related,
                            appeals.get(decision.id, []))
    yield left
