"""Rule 2, 持证上岗: every officer on a decision holds a certificate valid that day, issued for
the deciding body; at least two such officers (行政处罚法 第四十二条)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from generator.model import Decision, Officer
from generator.portal import Portal
from generator.problems import Problem
from generator.rules._finding import error

CODE = "R2-certificate"


def certificate_problem(officer: Officer, day: dt.date) -> str:
    """Why the officer's certificate did not allow enforcement on `day` ('' when it did)."""
    if day < officer.valid_from:
        return f"certificate {officer.certificate_number} was not yet valid (from {officer.valid_from})"
    if day > officer.valid_to:
        return f"certificate {officer.certificate_number} had expired on {officer.valid_to}"
    if officer.status != "有效" and (officer.status_since is None or officer.status_since <= day):
        since = f" since {officer.status_since}" if officer.status_since else ""
        return f"certificate {officer.certificate_number} was {officer.status}{since}"
    return ""


def decision(decision: Decision, portal: Portal) -> Iterator[Problem]:
    day = decision.decision_date
    certified = set()
    for index, officer_id in enumerate(decision.officers):
        officer = portal.officers.get(officer_id)
        if officer is None:
            continue  # reported by rule 1
        why = certificate_problem(officer, day)
        if why:
            yield error(decision, ("officers", index), CODE,
                        f"{officer.name} ({officer_id}) may not enforce on {day}: {why}",
                        "name an officer whose certificate was valid on the decision date")
        elif officer.body != decision.body:
            yield error(decision, ("officers", index), CODE,
                        f"{officer.name} ({officer_id}) holds a certificate for "
                        f"`{officer.body}`, not for `{decision.body}`",
                        "name officers of the deciding body")
        else:
            certified.add(officer_id)
    if len(certified) < 2:
        yield error(decision, ("officers",), CODE,
                    f"only {len(certified)} certified officer(s) of the deciding body; "
                    "行政处罚法 第四十二条 requires at least two",
                    "list at least two officers with valid certificates")
