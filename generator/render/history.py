"""Version history (DOMAIN.md rule 11): on every record page, and the list of all corrections.

Every record page ends with 版本记录: when it was first published, then each correction with
its date, its change note (the reason shown to the public) and the fields it changed, and a
withdrawal with its date and reason. The dates come from the publication ledger; a correction
approved but not yet recorded by `gongshi publish` shows its approval date.

The corrections page (更正与撤回) lists every approved correction and withdrawal, newest first.
Field names are shown in Chinese, from the record model's own field descriptions.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from pydantic import BaseModel

from generator.model import BY_FOLDER, Correction, Record
from generator.render.docs import DocPage, Made, Output
from generator.render.site import Site
from generator.render.templates import Templates
from generator.render.text import chinese_date
from generator.render.urls import Link, Linker, record_src

SRC = "corrections/index.md"
TITLE = "更正与撤回"


@dataclass(frozen=True)
class VersionRow:
    version: int
    date: str
    kind: str
    """首次公示 / 更正 / 撤回."""
    note: str
    fields: str


@dataclass(frozen=True)
class CorrectionRow:
    date: str
    kind: str
    record: Link
    record_type: str
    reason: str
    fields: str


@dataclass(frozen=True)
class CorrectionsPage:
    title: str
    rows: list[CorrectionRow]
    timeliness: Link


def field_title(record_type: type[Record], path: str) -> str:
    """`outcome.fine_amount` -> 决定内容·罚款金额, from the model's field descriptions."""
    model: type[BaseModel] | None = record_type
    names = []
    for part in re.sub(r"\[\d+\]", "", path).split("."):
        info = model.model_fields.get(part) if model is not None else None
        if info is None:
            names.append(part)
            model = None
            continue
        name = _short(info.description or part)
        if not names or names[-1] != name:  # outcome.content: 决定内容, not 决定内容·决定内容
            names.append(name)
        annotation = info.annotation
        nested = [a for a in (annotation, *getattr(annotation, "__args__", ()))
                  if isinstance(a, type) and issubclass(a, BaseModel)]
        model = nested[0] if nested else None
    return "·".join(names)


def _short(description: str) -> str:
    """A field description's name part: 罚款金额（元） -> 罚款金额; 决定书文号，如 … -> 决定书文号."""
    return re.split(r"[（(，,：:；;]| ", description, maxsplit=1)[0] or description


def fields_text(record_type: type[Record], paths: tuple[str, ...]) -> str:
    return "、".join(dict.fromkeys(field_title(record_type, path) for path in paths))


@dataclass(frozen=True)
class Version:
    """One published version of a record: when, how (首次公示 / 更正 / 撤回) and why."""

    number: int
    date: dt.date | None
    """None for version 1 of a project without a ledger."""
    kind: str
    correction: Correction | None
    fields: tuple[str, ...]


def version_list(site: Site, record: Record) -> list[Version]:
    """The record's published versions, oldest first, then any approved but unrecorded ones.
    Feeds and the version history read this same list."""
    result = []
    corrections = site.portal.corrections
    entries = site.versions(record)
    for entry in entries:
        correction = corrections.get(entry.correction) if entry.correction else None
        kind = correction.kind if correction else ("首次公示" if entry.version == 1 else "更正")
        result.append(Version(entry.version, entry.published, kind, correction, entry.fields))
    unrecorded = [c for c in site.corrections_by_record.get(record.ref, [])
                  if c.review is not None and c.review.outcome == "批准"
                  and c.id not in site.recorded]
    if not entries and unrecorded:  # a project without a ledger: no dates for version 1
        result.append(Version(1, None, "首次公示", None, ()))
    number = result[-1].number if result else 0
    for correction in unrecorded:
        number += 1
        result.append(Version(number, site.effective(correction), correction.kind, correction, ()))
    return result


def version_key(site: Site, record: Record) -> tuple[tuple[object, ...], ...]:
    """What the record's version history says, as plain values (a page's key holds it)."""
    return tuple((v.number, v.date, v.kind, v.correction.id if v.correction else "", v.fields)
                 for v in version_list(site, record))


def versions(site: Site, record: Record) -> list[VersionRow]:
    """The version history as the record page shows it."""
    return [VersionRow(v.number, chinese_date(v.date), v.kind,
                       v.correction.reason if v.correction else "",
                       fields_text(type(record), v.fields))
            for v in version_list(site, record)]


def history_block(site: Site, templates: Templates, record: Record) -> str | None:
    rows = versions(site, record)
    if not rows:
        return None
    return _history_html(templates, tuple(rows))


@functools.lru_cache(maxsize=4096)
def _history_html(templates: Templates, rows: tuple[VersionRow, ...]) -> str:
    """The block, rendered once for each history: most records were published once, on one
    of a few hundred days, and so share theirs with thousands of others."""
    return templates.render("history.html.j2", list(rows))


def record_pages(site: Site) -> dict[str, Record]:
    """Every record with a page, by its page's source (once per build)."""
    if "record_pages" not in site.memo:
        site.memo["record_pages"] = {record_src(r): r for r in site.portal.records()
                                     if r.has_page}
    result: dict[str, Record] = site.memo["record_pages"]
    return result


def with_history(site: Site, templates: Templates, pages: Iterable[Made]) -> Iterator[Made]:
    """Every record page with its version history appended."""
    by_src = record_pages(site)
    for page in pages:
        record = by_src.get(page.src) if isinstance(page, DocPage) else None
        block = history_block(site, templates, record) if record is not None else None
        if block is not None and isinstance(page, DocPage):
            page = replace(page, blocks=(*page.blocks, block))
        yield page


def record_label(record: Record | None, ref: str) -> str:
    """How a list of corrections names a record: 文书号, name or title, else its ref."""
    if record is None:
        return ref
    for name in ("document_number", "name", "title"):
        value = getattr(record, name, "")
        if value:
            return str(value)
    return ref


def correction_row(site: Site, linker: Linker, correction: Correction) -> CorrectionRow:
    record = site.portal.lookup(correction.record)
    entry = site.recorded.get(correction.id)
    record_type = type(record) if record is not None else BY_FOLDER.get(
        correction.record.split("/")[0])
    return CorrectionRow(
        date=chinese_date(site.effective(correction)),
        kind=correction.kind,
        record=linker.to_record(record, record_label(record, correction.record)),
        record_type=record_type.label if record_type else "",
        reason=correction.reason,
        fields=fields_text(record_type, entry.fields) if entry and record_type else "",
    )


def pages(site: Site, linker: Linker, templates: Templates) -> list[Output]:
    here = linker.at(SRC)
    context = CorrectionsPage(
        title=TITLE,
        rows=[correction_row(site, here, c) for c in site.approved_corrections()],
        timeliness=here.to("timeliness/index.md", "公示及时性"),
    )
    return [DocPage(SRC, TITLE, (templates.render("corrections.html.j2", context),))]
