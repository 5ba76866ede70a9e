"""The publication gate: a published record changes only through an approved correction.

A record in the ledger whose content hash differs from its last published version needs a
correction for it whose review was approved by a second person for exactly this content
(the approval stores the hash). Otherwise `gongshi check` and `gongshi build` fail, naming the
fields that changed with their old and new values (masked where private) and how to file a
correction. The old values come from git: the commit that recorded the publication.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from generator.corrections import review_problem
from generator.ledger import LEDGER_FILE, Ledger, Publication, content_hash, gated, pending, refs
from generator.model import Correction, Record
from generator.portal import Portal
from generator.privacy import find_personal_data, mask_person_name
from generator.problems import Problem, field_label
from generator.rules._finding import error, warning
from generator.source import parse_yaml

CODE = "R11-correction"
Path_ = tuple[str | int, ...]
"""Where a field is inside a record: ('outcome', 'fine_amount'), ('officers', 1)."""
PRIVATE_FIELDS = {("party", "name"), ("party", "legal_representative")}


def approval(portal: Portal, record: Record) -> Correction | None:
    """The approved correction for the record's current content, if there is one."""
    digest = content_hash(record)
    for correction in portal.corrections.values():
        review = correction.review
        if (correction.record == record.ref and review is not None
                and review.outcome == "批准" and review.approved_hash == digest
                and not review_problem(portal, correction, review.reviewer)):
            return correction
    return None


def check(portal: Portal, ledger: Ledger,
          hashes: Mapping[str, str | None] | None = None) -> Iterator[Problem]:
    """`hashes`: every decision by ref, in the portal's order, with its content hash where
    it is known already and the decision has no former ids (kept between builds,
    generator/verdicts.py): those decisions are then not read, unless their content changed
    since it was published."""
    for correction in portal.corrections.values():
        if correction.review is not None:
            why = review_problem(portal, correction, correction.review.reviewer)
            if why:
                yield error(correction, ("review", "reviewer"), CODE,
                            f"this review does not count: {why}",
                            "reviews are recorded by `gongshi review`, by a second person")
    has_ledger = bool(ledger.entries)
    for record, published in _pending(portal, ledger, hashes):
        if published is None:
            if has_ledger:
                yield warning(record, ("id",), "R11-unpublished",
                              "new record, not yet recorded in the publication ledger",
                              "run `gongshi publish` and commit ledger.jsonl with it")
            continue
        if isinstance(record, Correction):
            yield error(record, ("reason",), CODE,
                        f"{record.ref} was published on {published.published} and has changed "
                        "since; a published correction or withdrawal is the record of a review "
                        "and is never edited",
                        "undo the edit (git checkout -- the file), and file a new correction "
                        "with `gongshi correct` if something more must change")
            continue
        if approval(portal, record) is not None:
            continue
        changes = changed_fields(record, published, portal.root.parent)
        shown = "; ".join(changes[:6]) + (" …" if len(changes) > 6 else "")
        first = _first_field(changes)
        yield error(record, (first,) if first else ("id",), CODE,
                    f"version {published.version} of {record.ref} was published on "
                    f"{published.published} and its content has changed without an approved "
                    f"correction" + (f": {shown}" if shown else ""),
                    f"undo the edit, or file a correction: `gongshi correct {record.ref} "
                    "--reason \"…\"`, then a second person with the 公示审核人员 role runs "
                    "`gongshi review approve <correction id> --reviewer <officer id> --note \"…\"`")
    yield from _removed(portal, ledger)


def _pending(portal: Portal, ledger: Ledger, hashes: Mapping[str, str | None] | None
             ) -> Iterator[tuple[Record, Publication | None]]:
    """`ledger.pending`, in the same order, taking the decisions' content hashes from
    `hashes`, where they are: a decision published once whose hash is the ledger's is not
    pending, and nothing more need be known of it (at 100,000 decisions, reading each
    decision and its hash again took a second)."""
    histories = ledger.histories()
    for kind_name in KINDS:
        if kind_name != "decisions" or hashes is None:
            for record in portal.table(kind_name).values():
                yield from _published(record, histories, None)
            continue
        for ref, known in hashes.items():
            if known is not None:
                found = histories.get(ref)
                if found is not None and found[-1].hash == known:
                    continue
            yield from _published(portal.decisions[ref.partition("/")[2]], histories, known)


def _published(record: Record, histories: Mapping[str, list[Publication]],
               known: str | None) -> Iterator[tuple[Record, Publication | None]]:
    """The record and its last publication, if its content is not the one published."""
    if not gated(record):
        return
    earlier = [found[-1] for ref in refs(record) if (found := histories.get(ref)) is not None]
    published = max(earlier, key=lambda e: e.version) if earlier else None
    if published is None or published.hash != (known or content_hash(record)):
        yield record, published


KINDS = ("bodies", "officers", "laws", "powers", "procedures", "benchmarks", "decisions",
         "corrections", "appeals", "pages")
"""Record types in the order of `Portal.records`."""


def _removed(portal: Portal, ledger: Ledger) -> Iterator[Problem]:
    """Published records whose file is gone. What was public leaves the site only through a
    reviewed withdrawal, never by deleting its file. A record renamed with `former_ids` is
    not gone."""
    histories = ledger.histories()
    # Most published records are loaded from their file, and so have a digest: the few
    # others are looked up (at 100,000 decisions, looking up each took a third of a second).
    missing = [ref for ref in histories if ref not in portal.digests
               and portal.lookup(ref) is None]
    if not missing:
        return
    renamed = {f"{record.kind_name}/{former}" for record in portal.records()
               for former in record.former_ids}
    lines = {entry: number for number, entry in enumerate(sorted(ledger.entries), 1)}
    for ref in sorted(missing):
        if ref in renamed:
            continue
        entry = histories[ref][-1]
        yield Problem(
            file=LEDGER_FILE, line=lines[entry], severity="error", code="R11-removed",
            record=ref, field="",
            message=f"{ref} was published (version {entry.version}, {entry.published}) and its "
                    "file is gone from content/",
            hint="restore the file from git (`git log --diff-filter=D --summary -- content/` "
                 "shows where it was); to take a decision off the site, file a withdrawal: "
                 f"`gongshi correct {ref} --withdraw --cause … --event-date … --reason \"…\"`")


def publish(portal: Portal, ledger: Ledger, day: dt.date) -> list[Publication]:
    """Record every pending version in the ledger: new records as version 1, changed ones as
    the next version with the correction that approved them and the fields it changed, and
    approved withdrawals as a version of their record. Changes without an approved correction
    are not recorded (check reports them)."""
    latest = ledger.latest()
    added = []
    repo = portal.root.parent
    for record, published in pending(portal, ledger):
        if published is None:
            entry = Publication(record.ref, 1, content_hash(record), day)
        else:
            correction = approval(portal, record)
            if correction is None:
                continue
            paths = changed_paths(record, published, repo) or []
            entry = Publication(record.ref, published.version + 1, content_hash(record), day,
                                correction.id, tuple(field_label(path) for path in paths))
        latest[record.ref] = entry
        added.append(entry)
    recorded = ledger.by_correction()
    for withdrawal in sorted(portal.corrections.values(), key=lambda c: (c.requested_on, c.id)):
        review = withdrawal.review
        current = latest.get(withdrawal.record)
        if (withdrawal.kind != "撤回" or review is None or review.outcome != "批准"
                or withdrawal.id in recorded or current is None
                or review_problem(portal, withdrawal, review.reviewer)):
            continue
        entry = Publication(withdrawal.record, current.version + 1, current.hash, day,
                            withdrawal.id)
        latest[withdrawal.record] = entry
        added.append(entry)
    ledger.entries.extend(added)
    return added


def _first_field(changes: list[str]) -> str:
    return changes[0].split(":", 1)[0].split(".")[0].split("[")[0] if changes else ""


def changed_fields(record: Record, published: Publication, repo: Path) -> list[str]:
    """`field: old → new` for each field that differs from the published version."""
    old = _published_content(record, published, repo)
    if old is None:
        return []
    result = []
    for path, before, after in _diff(old, _plain(record), ()):
        if isinstance(before, str) and isinstance(after, str):
            before, after = _around_difference(before, after)
        result.append(f"{_label(path)}: {_show(path, before)} → {_show(path, after)}")
    return result


def _around_difference(before: str, after: str, context: int = 12) -> tuple[str, str]:
    """Long texts cut to where they differ (…于2025年12月4日责令… → …于2025年12月24日责令…),
    so a change late in a paragraph is not hidden behind two identical beginnings."""
    if len(before) <= 40 and len(after) <= 40:
        return before, after
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while (end < min(len(before), len(after)) - start
           and before[-1 - end] == after[-1 - end]):
        end += 1
    cut = max(0, start - context)

    def excerpt(text: str) -> str:
        stop = min(len(text), len(text) - end + context)
        return ("…" if cut else "") + text[cut:stop] + ("…" if stop < len(text) else "")

    return excerpt(before), excerpt(after)


def changed_paths(record: Record, published: Publication, repo: Path) -> list[Path_] | None:
    """The paths of the fields that differ from the published version (None if unknown)."""
    old = _published_content(record, published, repo)
    if old is None:
        return None
    return [path for path, _, _ in _diff(old, _plain(record), ())]


def _plain(record: Record) -> Any:
    return json.loads(json.dumps(record.model_dump(mode="json")))


def _published_content(record: Record, published: Publication, repo: Path) -> Any:
    """The record as it was when this version was recorded, read from git (None if unknown)."""
    try:
        commits = _git(repo, "log", "--reverse", "--format=%H", "-S", published.hash, "--",
                       "ledger.jsonl").split()
        if not commits:
            return None
        top = Path(_git(repo, "rev-parse", "--show-toplevel").strip())
        path = (repo / record.origin.path).resolve().relative_to(top).as_posix()
        text = _git(repo, "show", f"{commits[0]}:{path}")
    except (OSError, subprocess.CalledProcessError, ValueError):
        return None
    try:
        data, _ = parse_yaml(text, path)
        old = type(record).model_validate(data)
    except Exception:  # an old version that no longer validates: show no field diff
        return None
    if content_hash(old) != published.hash:
        return None
    return json.loads(json.dumps(old.model_dump(mode="json")))


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True, timeout=30).stdout



def _diff(old: Any, new: Any, path: Path_) -> Iterator[tuple[Path_, Any, Any]]:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            yield from _diff(old.get(key), new.get(key), (*path, key))
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (before, after) in enumerate(zip(old, new, strict=True)):
            yield from _diff(before, after, (*path, index))
    elif old != new:
        yield path, old, new


def _label(path: tuple[str | int, ...]) -> str:
    return field_label(path)


def _show(path: tuple[str | int, ...], value: Any) -> str:
    if value is None:
        return "(none)"
    if path in PRIVATE_FIELDS and isinstance(value, str):
        return f"“{mask_person_name(value)}”"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if any(find_personal_data(text)):
        return "（含个人信息，不显示）"
    return f"“{text[:60]}…”" if len(text) > 60 else f"“{text}”"
