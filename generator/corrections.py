"""Filing and reviewing corrections (更正) and withdrawals (撤回) of published records.

`file_correction` writes a new correction record; `review` appends the second person's review
to it, storing, on approval, the hash of exactly the content approved. Files are only ever
created or appended to, so nothing a person wrote in them is lost.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.ledger import content_hash
from generator.model import Correction, Officer
from generator.portal import Portal

REVIEWER_ROLE = "公示审核人员"


class CorrectionError(Exception):
    """A correction or review that may not be made; the message says why and what to do."""


def review_problem(portal: Portal, correction: Correction, reviewer_id: str) -> str:
    """Why this officer may not review this correction ('' when they may)."""
    reviewer: Officer | None = portal.officers.get(reviewer_id)
    if reviewer is None:
        return f"no officer with id `{reviewer_id}`"
    if REVIEWER_ROLE not in reviewer.roles:
        return (f"{reviewer.name} ({reviewer.id}) does not have the {REVIEWER_ROLE} role; "
                "ask an officer who has it")
    if reviewer.id == correction.requested_by:
        return (f"{reviewer.name} ({reviewer.id}) asked for this correction; a second person "
                "must review it")
    return ""


def _yaml_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def file_correction(portal: Portal, ref: str, reason: str, requested_by: str, day: dt.date,
                    kind: str = "更正", cause: str | None = None,
                    event_date: dt.date | None = None) -> Path:
    record = portal.lookup(ref)
    if record is None:
        raise CorrectionError(f"no record `{ref}`; name it as folder/id, "
                              "e.g. decisions/donghu-2025-001")
    if requested_by not in portal.officers:
        raise CorrectionError(f"no officer with id `{requested_by}`")
    if kind == "撤回" and (cause is None or event_date is None):
        raise CorrectionError("a withdrawal needs --cause and --event-date")
    folder = portal.root / "corrections"
    folder.mkdir(exist_ok=True)
    number = 1
    while (folder / f"{record.id}-c{number}.yml").exists() or \
            f"{record.id}-c{number}" in portal.corrections:
        number += 1
    correction_id = f"{record.id}-c{number}"
    lines = [f"id: {correction_id}", f"record: {ref}", f"kind: {kind}"]
    if cause:
        lines.append(f"cause: {cause}")
    if event_date:
        lines.append(f"event_date: {event_date.isoformat()}")
    lines += [f"reason: {_yaml_text(reason)}", f"requested_by: {requested_by}",
              f"requested_on: {day.isoformat()}"]
    path = folder / f"{correction_id}.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def review(portal: Portal, correction_id: str, approve: bool, reviewer_id: str, note: str,
           day: dt.date) -> Path:
    correction = portal.corrections.get(correction_id)
    if correction is None:
        raise CorrectionError(f"no correction `{correction_id}` in content/corrections/")
    if correction.review is not None:
        raise CorrectionError(f"{correction_id} was reviewed already on {correction.review.date}; "
                              "file a new correction for further changes")
    why = review_problem(portal, correction, reviewer_id)
    if why:
        raise CorrectionError(why)
    record = portal.lookup(correction.record)
    if record is None:
        raise CorrectionError(f"the record `{correction.record}` does not exist")
    block = ["review:", f"  reviewer: {reviewer_id}", f"  date: {day.isoformat()}",
             f"  outcome: {'批准' if approve else '驳回'}", f"  note: {_yaml_text(note)}"]
    if approve:
        # The approval names the exact content it approves: any later edit voids it.
        block.append(f"  approved_hash: '{content_hash(record)}'")
    path = portal.root.parent / correction.origin.path
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") else "\n") + "\n".join(block) + "\n",
                    encoding="utf-8")
    return path
