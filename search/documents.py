"""What can be found: one search document per public record, as the site shows it.

Withdrawn and expired decisions are not documents (their content left the site), a natural
person is masked (张某), and every document names its page, so a hit is a link.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from generator.model import Benchmark, Decision, Procedure
from generator.render.decisions import status
from generator.render.site import Site
from generator.render.text import party_name, party_representative, scrub_party
from generator.render.urls import page_url, record_src

KINDS = {
    "decisions": "执法决定", "bodies": "执法主体", "officers": "执法人员", "powers": "职权",
    "laws": "执法依据", "procedures": "执法程序", "benchmarks": "裁量基准",
}
"""Record types that can be searched, with the name a reader sees."""


@dataclass(frozen=True)
class Document:
    ref: str
    """`folder/id`: the record."""
    kind: str
    """The folder: decisions, bodies, officers …"""
    title: str
    url: str
    """The page, relative to the site root (`decisions/2026/donghu-2026-002/`)."""
    text: str
    """Everything a reader may search for, as shown on the page."""
    codes: str
    """Exact identifiers (文书号, 执法证号, 统一社会信用代码, 职权编码), space separated."""
    body: str = ""
    """The body id (for a body: itself; for an officer or a decision: whose it is)."""
    region: str = ""
    year: int = 0
    type: str = ""
    """The decision type or power category."""
    date: str = ""
    """ISO date: the decision date, or empty."""
    power: str = ""
    """A decision's power id (for related decisions)."""
    status: str = ""
    """As the page shows it: 公示中 / 已更正 for a decision, 有效 / 已过期 / 暂扣 … for an officer."""


def documents(site: Site) -> Iterator[Document]:
    """Every searchable public record, in a stable order."""
    for decision in sorted(site.decisions, key=lambda d: d.id):
        yield decision_document(site, decision)
    yield from other_documents(site)


def other_documents(site: Site) -> Iterator[Document]:
    """Every searchable public record but the decisions, in a stable order."""
    portal = site.portal
    bodies = portal.bodies
    for body in sorted(bodies.values(), key=lambda b: b.id):
        yield Document(body.ref, "bodies", body.name, page_url(record_src(body)),
                       " ".join([body.name, body.kind, body.region_name, body.address,
                                 *(u.name for u in body.units)]),
                       " ".join(filter(None, [body.uscc, body.region_code, _exact(body.name)])),
                       body=body.id, region=body.region_code)
    for officer in sorted(portal.officers.values(), key=lambda o: o.id):
        unit = bodies.get(officer.body)
        yield Document(officer.ref, "officers", officer.name, page_url(record_src(officer)),
                       " ".join([officer.name, unit.name if unit else "", officer.field,
                                 officer.region, officer.status]),
                       f"{officer.certificate_number} {_exact(officer.name)}", body=officer.body,
                       region=unit.region_code if unit else "",
                       status="已过期" if officer.status == "有效" and officer.valid_to < site.as_of
                       else officer.status)
    for power in sorted(portal.powers.values(), key=lambda p: p.id):
        holders = sorted({h.body for h in power.holders})
        yield Document(power.ref, "powers", power.name, page_url(record_src(power)),
                       " ".join([power.name, power.category, *power.duties]),
                       f"{power.code} {_exact(power.name)}",
                       body=" ".join(holders), type=power.category)
    for law in sorted(portal.laws.values(), key=lambda b: b.id):
        yield Document(law.ref, "laws", law.title, page_url(record_src(law)),
                       " ".join([law.title, law.level, law.issuer, law.status,
                                 *(f"{a.number} {a.text}" for a in law.articles)]),
                       f"{law.document_number} {_exact(law.title)}")
    for record in [*sorted(portal.procedures.values(), key=lambda p: p.id),
                   *sorted(portal.benchmarks.values(), key=lambda b: b.id)]:
        assert isinstance(record, (Procedure, Benchmark))
        yield Document(record.ref, record.kind_name, record.name, page_url(record_src(record)),
                       record.name, "")


def decision_document(site: Site, decision: Decision) -> Document:
    portal = site.portal
    party = decision.party
    body = portal.bodies.get(decision.body)
    power = portal.powers.get(decision.power)
    officers = [portal.officers[o] for o in decision.officers if o in portal.officers]
    text = " ".join([
        decision.document_number, party_name(party), party_representative(party),
        decision.type, body.name if body else "", power.name if power else "",
        scrub_party(decision.facts, party), scrub_party(decision.outcome.content, party),
        " ".join(decision.outcome.categories), *(o.name for o in officers),
    ])
    codes = " ".join(filter(None, [decision.document_number, party.uscc or "",
                                   _exact(party_name(party)),
                                   *(o.certificate_number for o in officers)]))
    return Document(decision.ref, "decisions", f"{decision.document_number} {party_name(party)}",
                    page_url(record_src(decision)), text, codes, body=decision.body,
                    region=body.region_code if body else "", year=decision.decision_date.year,
                    type=decision.type, date=decision.decision_date.isoformat(),
                    power=decision.power, status=status(site, decision))




def _exact(name: str) -> str:
    """A name as one exact code: typed in full, it ranks its record first."""
    return "".join(name.split())
