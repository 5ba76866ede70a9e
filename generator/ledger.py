"""The publication ledger: what has been public, version by version (DOMAIN.md rule 11).

A text file in the repository, `ledger.jsonl`, one line per published version of a record:
its `folder/id`, version number, content hash, publication date, the correction that
allowed it (none for version 1) and the fields that correction changed. A withdrawal (撤回) is
recorded as a version too: same content hash, the withdrawal as its correction, from which
day on the content left the site. Git history is the audit trail behind it. Lines are kept in
a stable order, so a publication shows in a diff as added lines only.

The content hash is over the record's meaning, not its bytes: the validated record as
canonical JSON, so key order, comments, quoting and whitespace never make a change.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from generator import statefile
from generator.memo import MEMO
from generator.model import Correction, Record
from generator.portal import Portal

LEDGER_FILE = "ledger.jsonl"


def canonical(record: Record) -> str:
    """The record's meaning as canonical JSON (every field, defaults included, keys sorted;
    fields added to the format later only when set, see `Record.hashed_when_set`)."""
    data = record.model_dump(mode="json")
    for name in record.hashed_when_set:
        if getattr(record, name) == _default(type(record), name):
            del data[name]
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@functools.cache
def _default(model: type[Record], name: str) -> Any:
    # Computed once: pydantic inspects the default factory's signature on every call.
    return model.model_fields[name].get_default(call_default_factory=True)


def content_hash(record: Record) -> str:
    return MEMO.get("content hash", record, lambda: "sha256:" + hashlib.sha256(
        canonical(record).encode("utf-8")).hexdigest())


def gated(record: Record) -> bool:
    """Records that are published and recorded in the ledger. A correction is the review
    trail: it is filed, then `gongshi review` appends the review, so it is recorded once it has
    been approved, and from then on it never changes (a further change is a new correction)."""
    if isinstance(record, Correction):
        return record.review is not None and record.review.outcome == "批准"
    return True


@dataclass(frozen=True, order=True)
class Publication:
    """One published version of one record."""

    record: str
    version: int
    hash: str
    published: dt.date
    correction: str | None = None
    fields: tuple[str, ...] = ()
    """The fields this version changed (`outcome.fine_amount`), for the version history."""

    def line(self) -> str:
        data = asdict(self)
        data["published"] = self.published.isoformat()
        if not self.fields:
            del data["fields"]
        else:
            data["fields"] = list(self.fields)
        return json.dumps(data, ensure_ascii=False, sort_keys=True)


class LedgerError(Exception):
    """The ledger file itself is malformed (it is written by `gongshi publish`)."""


@dataclass
class Ledger:
    path: Path
    entries: list[Publication]
    lines: frozenset[str] | None = field(default=None, compare=False, repr=False)
    """The file's lines, when the ledger was read from it: what a rebuild compares with the
    last build's, to tell whose publication changed (generator/changes.py)."""
    _histories: tuple[int, dict[str, list[Publication]]] | None = field(
        default=None, init=False, repr=False, compare=False)

    @classmethod
    def read(cls, project_root: Path) -> Ledger:
        path = project_root / LEDGER_FILE
        found = _read(path)
        if isinstance(found, str):
            raise LedgerError(found)
        entries, lines, histories = found
        ledger = cls(path, list(entries), lines)
        ledger._histories = (len(entries), histories)
        return ledger

    def latest(self) -> dict[str, Publication]:
        """The current published version of each record."""
        current: dict[str, Publication] = {}
        for entry in sorted(self.entries):
            current[entry.record] = entry
        return current

    def history(self, ref: str) -> list[Publication]:
        return sorted(e for e in self.entries if e.record == ref)

    def histories(self) -> dict[str, list[Publication]]:
        """Every record's published versions, oldest first (not to be changed: the same
        for every caller while no entry is added; a build asks several times, and sorting
        100,000 entries takes a tenth of a second)."""
        known = self._histories
        if known is not None and known[0] == len(self.entries):
            return known[1]
        result = _histories(self.entries)
        self._histories = (len(self.entries), result)
        return result

    def by_correction(self) -> dict[str, Publication]:
        """The version each correction or withdrawal made public."""
        return {e.correction: e for e in self.entries if e.correction}

    def write(self) -> None:
        text = "".join(entry.line() + "\n" for entry in sorted(self.entries))
        self.path.write_text(text, encoding="utf-8")


Read = tuple[tuple[Publication, ...], frozenset[str], dict[str, list[Publication]]]
"""The ledger file's entries, its lines and `Ledger.histories`."""


def _parse(path: Path) -> Read | str:
    """The ledger file's entries, lines and histories, or what is wrong with it
    (`Ledger.read`). A warm build process (generator/warm.py) reads it ahead: 1.4 s at
    100,000 decisions, and then only the lines added since (`_parse_again`)."""
    return _parsed(_lines(path))


def _parsed(lines: list[str]) -> Read | str:
    texts = [text for text in lines if text.strip()]
    try:  # every line at once, a fraction of the time of a call per line
        data = json.loads(f"[{','.join(texts)}]")
        if len(data) == len(texts):
            entries = tuple(map(_publication, data))
            return entries, frozenset(texts), _histories(entries)
    except (ValueError, KeyError, TypeError):
        pass
    found = []
    for number, text in enumerate(lines, 1):  # to tell which line is wrong
        if not text.strip():
            continue
        try:
            found.append(_publication(json.loads(text)))
        except (ValueError, KeyError, TypeError) as exc:
            return (f"{LEDGER_FILE}:{number}: not a ledger line ({exc}); restore the file "
                    "from git: it is written by `gongshi publish` only")
    return tuple(found), frozenset(texts), _histories(found)


def _parse_again(path: Path, before: tuple[Read | str, dict[str, Publication] | None] | None
                 ) -> tuple[Read | str, dict[str, Publication] | None]:
    """`_parse` of the ledger file, given what it gave for an earlier version of the file
    (`statefile.Update`): only the lines added since are parsed, and only the histories of
    their records sorted again, a twentieth of the time. The mark, its own: the entry of
    each line seen."""
    lines = _lines(path)
    texts = [text for text in lines if text.strip()]
    read, known = before if before is not None else (None, None)
    if not isinstance(read, tuple) or known is None:
        read = _parsed(lines)
        return read, dict(zip(texts, read[0], strict=True)) if isinstance(read, tuple) else None
    added = [text for text in texts if text not in known]
    try:
        parsed = {text: _publication(json.loads(text)) for text in added}
    except (ValueError, KeyError, TypeError):
        return _parsed(lines), None  # it tells which line is wrong
    known.update(parsed)
    if len(known) > 2 * len(texts) + 1024:  # many lines gone since
        known = {text: known[text] for text in texts}
    entries = tuple(known[text] for text in texts)
    lines_now = frozenset(texts)
    old_entries, old_lines, old_histories = read
    if len(old_lines) == len(old_entries) and len(lines_now) == len(texts) \
            and len(texts) == len(old_entries) + len(added):
        # Lines added only (each line once, then and now): the others' histories stand.
        histories = dict(old_histories)
        for record, new in _histories(parsed[text] for text in added).items():
            histories[record] = sorted([*old_histories.get(record, ()), *new], key=_order)
    else:
        histories = _histories(entries)
    return (entries, lines_now, histories), known


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def _histories(entries: Iterable[Publication]) -> dict[str, list[Publication]]:
    """`Ledger.histories` of these entries."""
    result: dict[str, list[Publication]] = {}
    for entry in sorted(entries, key=_order):
        result.setdefault(entry.record, []).append(entry)
    return result


def _order(entry: Publication) -> tuple[Any, ...]:
    """The order of `Publication`s (their fields, in turn), five times faster to sort by
    than their comparisons."""
    return (entry.record, entry.version, entry.hash, entry.published, entry.correction,
            entry.fields)


_read = statefile.warmable(_parse, _parse_again)


def _publication(data: Any) -> Publication:
    fields = data.get("fields")
    return Publication(data["record"], int(data["version"]), data["hash"],
                       _day(data["published"]), data.get("correction"),
                       tuple(map(str, fields)) if fields else ())


@functools.lru_cache(maxsize=4096)  # entries share their days
def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def refs(record: Record) -> list[str]:
    """The names a record was published under: its own, then its former ids'."""
    return [record.ref, *(f"{record.kind_name}/{former}" for former in record.former_ids)]


def versions_of(histories: dict[str, list[Publication]], record: Record) -> list[Publication]:
    """A record's published versions, oldest first, including those under a former id."""
    if not record.former_ids:  # most records: one list, and most have one version
        found = histories.get(record.ref, [])
        if len(found) < 2:
            return list(found)
    found = [entry for ref in refs(record) for entry in histories.get(ref, [])]
    return sorted(found, key=lambda e: (e.version, e.published, e.record))


def pending(portal: Portal, ledger: Ledger) -> list[tuple[Record, Publication | None]]:
    """Records whose current content is not yet in the ledger, with their last publication
    (a renamed record's last publication is under its former id)."""
    latest = ledger.latest()
    result = []
    for record in portal.records():
        if not gated(record):
            continue
        earlier = [latest[ref] for ref in refs(record) if ref in latest]
        published = max(earlier, key=lambda e: e.version) if earlier else None
        if published is None or published.hash != content_hash(record):
            result.append((record, published))
    return result
