"""Rule 3, 职权法定: a decision uses a power its body holds (法无授权不可为); an entrusted body
acts only inside the entrusted scope; parallel units sharing a power need a stated split."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from generator.model import Body, Decision, Power
from generator.portal import Portal
from generator.problems import Problem
from generator.rules._finding import error, warning

CODE = "R3-authority"


def holds(power: Power, body_id: str) -> bool:
    return power.held_by(body_id)


def world(portal: Portal) -> Iterator[Problem]:
    """The bodies' entrustments and the power list."""
    for entrusted in portal.bodies.values():
        yield from _entrustment(entrusted, portal)
    for listed in portal.powers.values():
        yield from _overlap(listed)
        for index, holder in enumerate(listed.holders):
            holder_body = portal.bodies.get(holder.body)
            entrustment = holder_body.entrustment if holder_body else None
            if entrustment is not None and listed.id not in entrustment.powers:
                yield error(listed, ("holders", index, "body"), CODE,
                            f"`{holder.body}` is an entrusted body and this power is outside "
                            "its entrusted scope",
                            f"add `{listed.id}` to its entrustment.powers (with the entrustment "
                            "document), or remove this holder")


def decision(decision: Decision, portal: Portal) -> Iterator[Problem]:
    power = portal.powers.get(decision.power)
    body = portal.bodies.get(decision.body)
    if power is None or body is None:
        return  # reported by rule 1
    if not holds(power, body.id):
        yield error(decision, ("power",), CODE,
                    f"`{body.name}` does not hold the power `{power.name}` (法无授权不可为)",
                    f"add `{body.id}` to the holders of content/powers/{power.id}.yml if the "
                    "law gives it this power, or correct the body or the power")
    entrustment = body.entrustment
    if entrustment is None:
        return
    if power.id not in entrustment.powers:
        yield error(decision, ("power",), CODE,
                    f"`{body.name}` acts by entrustment and `{power.name}` is outside the "
                    "entrusted scope", "only the entrusting body can take this decision")
    day = decision.decision_date
    if day < entrustment.valid_from or (entrustment.valid_to and day > entrustment.valid_to):
        yield error(decision, ("decision_date",), CODE,
                    f"the entrustment of `{body.id}` was not in force on {day}",
                    "check the entrustment period in the body's record")


def _entrustment(body: Body, portal: Portal) -> Iterator[Problem]:
    entrustment = body.entrustment
    if entrustment is None:
        return
    principal = portal.bodies.get(entrustment.entrusted_by)
    if principal is None:
        return  # reported by rule 1
    for index, power_id in enumerate(entrustment.powers):
        power = portal.powers.get(power_id)
        if power is not None and not holds(power, principal.id):
            yield error(body, ("entrustment", "powers", index), CODE,
                        f"`{principal.name}` cannot entrust `{power.name}`: it does not hold it",
                        "a body can only entrust powers it holds itself")


def _overlap(power: Power) -> Iterator[Problem]:
    units: dict[str, list[int]] = defaultdict(list)
    for index, holder in enumerate(power.holders):
        units[holder.body].append(index)
    for body_id, indexes in units.items():
        holders = [power.holders[i] for i in indexes]
        distinct = {(h.unit, h.post) for h in holders}
        if len(distinct) > 1 and any(not h.split for h in holders):
            yield warning(power, ("holders", indexes[1]), "R3-overlap",
                          f"{len(distinct)} parallel units or posts of `{body_id}` hold this power "
                          "without a stated split (职权交叉)",
                          "say how the work is divided in `split:` on each of them "
                          "(e.g. 按地域划分：东片区), or keep one holder")
