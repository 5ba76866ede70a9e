"""复议诉讼 records: they name a decision, their dates agree, and a decision that a review or a
court found wrong is withdrawn (rule 8: changed, revoked, confirmed unlawful or void)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from generator.model import REVERSING_RESULTS, Appeal
from generator.portal import Portal
from generator.problems import Problem
from generator.rules._finding import error, warning

CODE = "R1-integrity"


def check(portal: Portal, as_of: dt.date) -> Iterator[Problem]:
    withdrawn = {c.record.removeprefix("decisions/") for c in portal.corrections.values()
                 if c.kind == "撤回"}
    for appeal in sorted(portal.appeals.values(), key=lambda a: a.id):
        yield from _dates(appeal, portal)
        decision = portal.decisions.get(appeal.decision)
        if decision is None:
            continue
        if appeal.result in REVERSING_RESULTS and appeal.decision not in withdrawn:
            yield warning(appeal, ("result",), "R8-appeal",
                          f"the {appeal.kind} result {appeal.result} finds decision "
                          f"`{decision.id}` wrong, and no withdrawal (撤回) of it is filed",
                          f"file one within 3 days of {appeal.concluded_on}: gongshi correct "
                          f"decisions/{decision.id} --withdraw --cause "
                          f"{_cause(appeal.result)} --event-date {appeal.concluded_on} …")


def _cause(result: str) -> str:
    return {"部分撤销": "撤销"}.get(result, result)


def _dates(appeal: Appeal, portal: Portal) -> Iterator[Problem]:
    decision = portal.decisions.get(appeal.decision)
    if decision is None:
        if f"decisions/{appeal.decision}" not in portal.broken:
            yield error(appeal, ("decision",), CODE, f"no decision with id `{appeal.decision}`",
                        "name the decision by its id, e.g. donghu-2025-002")
        return
    if appeal.filed_on < decision.decision_date:
        yield error(appeal, ("filed_on",), CODE,
                    f"filed on {appeal.filed_on}, before the decision of {decision.decision_date}",
                    "check the date the review or suit was accepted")
    if appeal.result == "审理中":
        if appeal.concluded_on is not None:
            yield error(appeal, ("concluded_on",), CODE, "a case 审理中 has no conclusion date",
                        "remove `concluded_on`, or set the `result`")
    elif appeal.concluded_on is None:
        yield error(appeal, ("concluded_on",), CODE, f"result {appeal.result} needs its date",
                    "add `concluded_on: YYYY-MM-DD`, the date of the decision or judgment")
    elif appeal.concluded_on < appeal.filed_on:
        yield error(appeal, ("concluded_on",), CODE, "concluded before it was filed",
                    "check filed_on and concluded_on")
