"""Rule 5, 重大执法决定法制审核: a major decision has a passed legal review, on or before the
decision date, by an officer with the legal-review role who is not a case officer."""

from __future__ import annotations

from collections.abc import Iterator

from generator.model import Decision
from generator.portal import Portal
from generator.problems import Problem
from generator.rules._finding import error

CODE = "R5-legal-review"


def decision(decision: Decision, portal: Portal) -> Iterator[Problem]:
    if not decision.major:
        return
    review = decision.legal_review
    if review is None:
        yield error(decision, ("major",), CODE,
                    "a major decision (重大执法决定) has no legal review (法制审核) and "
                    "cannot be published",
                    "add `legal_review:` with reviewer, date, passed and opinion")
        return
    reviewer = portal.officers.get(review.reviewer)
    if reviewer is not None and "法制审核人员" not in reviewer.roles:
        yield error(decision, ("legal_review", "reviewer"), CODE,
                    f"{reviewer.name} ({reviewer.id}) does not have the 法制审核人员 role",
                    "name an officer whose record lists the role 法制审核人员")
    if review.reviewer in decision.officers:
        yield error(decision, ("legal_review", "reviewer"), CODE,
                    "the legal reviewer is one of the case officers",
                    "the review must be done by someone who did not handle the case")
    if review.date > decision.decision_date:
        yield error(decision, ("legal_review", "date"), CODE,
                    f"the review ({review.date}) is dated after the decision "
                    f"({decision.decision_date})",
                    "a major decision may only be taken after its legal review")
    if not review.passed:
        yield error(decision, ("legal_review", "passed"), CODE,
                    "the legal review did not pass (审核未通过), so the decision may not be made",
                    "publish only a decision whose review passed")
