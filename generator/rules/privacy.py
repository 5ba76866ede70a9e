"""Rule 10: personal data never reaches the published site. Every text field of every record
is scanned; a natural-person party's full name may appear only where the site masks it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any

from generator.memo import MEMO
from generator.model import Decision, Record
from generator.portal import Portal
from generator.privacy import find_personal_data, mask_person_name, may_hold_personal_data
from generator.problems import Problem
from generator.rules._finding import error
from generator.source import FieldPath

CODE = "R10-privacy"

# Fields the site shows masked, never as written.
MASKED_FIELDS = {("party", "name"), ("party", "legal_representative")}
# Official codes made of digits: only an ID number in them is personal data (some offices
# wrongly reuse an officer's 身份证号 as the certificate number); other digit runs are the code.
CODE_FIELDS = {"certificate_number", "uscc", "licence_number", "code"}


def texts(value: Any, loc: FieldPath = ()) -> Iterator[tuple[FieldPath, str]]:
    """Every text in a record's data, with its location."""
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from texts(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from texts(item, (*loc, index))


def world(portal: Portal) -> Iterator[Problem]:
    """The records that decisions cite, which come before them (`Portal.records`)."""
    for kind_name in ("bodies", "officers", "laws", "powers", "procedures", "benchmarks"):
        for record in portal.table(kind_name).values():
            yield from _kept(record)


def decision(decision: Decision, portal: Portal) -> Iterable[Problem]:
    return _kept(decision)


def after(portal: Portal, as_of: dt.date) -> Iterator[Problem]:
    """The records that come after decisions (`Portal.records`)."""
    for kind_name in ("corrections", "appeals", "pages"):
        for record in portal.table(kind_name).values():
            yield from _kept(record)


def _kept(record: Record) -> list[Problem]:
    return MEMO.get("privacy", record, partial(_problems, record))


def _problems(record: Record) -> list[Problem]:
    """What the record alone gives (kept between builds by generator/memo.py)."""
    return list(_scan(record))


def _scan(record: Record) -> Iterator[Problem]:
    # Every text of the record is in its JSON as written (escapes touch neither digits
    # nor Chinese), so one scan clears a record with nothing that could be personal data.
    if may_hold_personal_data(record.model_dump_json()):
        yield from _findings(record)
    if isinstance(record, Decision):
        yield from _names(record)


def _findings(record: Record) -> Iterator[Problem]:
    for loc, text in texts(record.model_dump(mode="python")):
        for finding in find_personal_data(text):
            if loc and loc[-1] in CODE_FIELDS and finding.kind != "居民身份证号":
                continue
            yield error(record, loc, CODE,
                        f"a {finding.kind} in a published field: {finding.preview}",
                        "remove it; personal data of parties, workers and officers is never "
                        "published (记录中不得含有个人信息)")


def _names(decision: Decision) -> Iterator[Problem]:
    party = decision.party
    people = []
    if party.kind == "自然人":
        people.append(party.name)
    if party.kind in {"自然人", "个体工商户"} and party.legal_representative:
        people.append(party.legal_representative)
    for name in people:
        if len(name) < 2 or "某" in name:
            continue  # already masked in the record
        for loc, text in texts(decision.model_dump(mode="python")):
            if loc not in MASKED_FIELDS and name in text:
                yield error(decision, loc, CODE,
                            f"the natural person's full name appears in a published field "
                            f"(shown as {mask_person_name(name)} elsewhere)",
                            f"write {mask_person_name(name)} or 当事人 instead of the full name")
