"""开放数据: every public record as JSON and CSV, with its JSON Schema, and the 行政处罚
decisions in the 双公示 exchange layout.

Only what the site shows is exported, as the site shows it: decisions that are public (not
withdrawn, not past 公示截止期), a natural person masked (张某), approved corrections only
(a withdrawn decision keeps only its withdrawal; an expired one has none). Files:

    data/<type>.json        {"type", "label", "count", "schema", "items": [...]}
    data/<type>.csv         UTF-8 with BOM, one row per record, Chinese headers
    data/decisions-<year>.json / .csv     the decisions made in a year (the same, with "year")
    data/<type>/<id>.json   one record at a stable URL
    data/schema/<type>.schema.json
    data/shuanggongshi-xzcf-<year>.json / .csv   a year's 行政处罚 in the 双公示 field layout

Each item is {"url", "published", "version", "record"}: `record` validates against the
schema. CSV cells that a spreadsheet would read as a formula (= + - @) are prefixed with '.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter
from typing import Any, get_args

from pydantic import BaseModel

from generator.model import BY_FOLDER, Appeal, Correction, Decision, Record
from generator.portal import Portal
from generator.reference import SCHEMA_URL
from generator.render import decisions, history
from generator.render.citations import article_label
from generator.render.docs import DocPage, Made, StaticFile
from generator.render.itemcache import CACHE_FILE, Encoded, ItemCache, Penalty
from generator.render.jsontext import listed, pretty_json, pretty_json_parts, unlisted
from generator.render.reuse import Reuse, record_digest
from generator.render.site import Publicity, Site
from generator.render.templates import Templates
from generator.render.text import party_name, party_representative, scrub_party
from generator.render.urls import Link, Linker, page_url, record_src

INDEX_SRC = "data/index.md"
TYPES = ("bodies", "officers", "laws", "powers", "procedures", "benchmarks", "decisions",
         "corrections", "appeals", "pages")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XZCF = "shuanggongshi-xzcf"

SHUANGGONGSHI_COLUMNS: tuple[tuple[str, str], ...] = (
    ("行政相对人名称", "当事人名称；自然人显示为“张某”"),
    ("行政相对人类别", "法人及非法人组织 / 自然人 / 个体工商户"),
    ("行政相对人代码_1（统一社会信用代码）", "当事人的统一社会信用代码"),
    ("行政相对人代码_2（工商注册号）", "不公开，留空"),
    ("行政相对人代码_3（组织机构代码）", "不公开，留空"),
    ("行政相对人代码_4（税务登记号）", "不公开，留空"),
    ("行政相对人代码_5（事业单位证书号）", "不公开，留空"),
    ("行政相对人代码_6（社会组织登记证号）", "不公开，留空"),
    ("法定代表人", "法定代表人（负责人）；个体工商户经营者显示为“张某”"),
    ("法定代表人证件类型", "不公开个人证件，留空"),
    ("法定代表人证件号码", "不公开个人证件，留空"),
    ("证件类型", "不公开个人证件，留空"),
    ("证件号码", "不公开个人证件，留空"),
    ("行政处罚决定书文号", "决定书文号"),
    ("违法行为类型", "所用职权事项的名称"),
    ("违法事实", "违法事实"),
    ("处罚依据", "作出决定依据的条款"),
    ("处罚类别", "处理类别，多项以“；”分隔"),
    ("处罚内容", "决定内容"),
    ("罚款金额（万元）", "罚款金额，单位万元"),
    ("没收违法所得、没收非法财物的金额（万元）", "没收违法所得，单位万元"),
    ("暂扣或吊销证照名称及编号", "处罚类别含暂扣或吊销时的许可证编号"),
    ("处罚决定日期", "决定日期（YYYY-MM-DD）"),
    ("处罚有效期", "本平台不记录，留空"),
    ("公示截止期", "公示截止期（YYYY-MM-DD）"),
    ("处罚机关", "作出决定的执法主体"),
    ("处罚机关统一社会信用代码", "执法主体的统一社会信用代码"),
    ("数据来源单位", "作出决定的执法主体"),
    ("数据来源单位统一社会信用代码", "执法主体的统一社会信用代码"),
    ("备注", "备注"),
)
"""The 双公示 行政处罚 columns in their exchange order, with where each value comes from."""


# --- what is public -------------------------------------------------------------------------


def public_records(site: Site, folder: str) -> list[Record]:
    """The records of one type that the site shows, in id order."""
    portal = site.portal
    if folder == "decisions":
        return sorted(site.decisions, key=lambda d: d.id)
    if folder == "corrections":
        return [c for c in sorted(portal.corrections.values(), key=lambda c: c.id)
                if _correction_public(site, c)]
    if folder == "appeals":
        public = decisions.in_order(site)[0]  # by ref: made once for the build
        return [a for a in sorted(portal.appeals.values(), key=lambda a: a.id)
                if f"decisions/{a.decision}" in public]
    return sorted(portal.table(folder).values(), key=lambda r: r.id)


def _correction_public(site: Site, correction: Correction) -> bool:
    if correction.review is None or correction.review.outcome != "批准":
        return False
    decision = site.portal.decisions.get(correction.record.removeprefix("decisions/")) \
        if correction.record.startswith("decisions/") else None
    if decision is None:
        return True
    publicity = site.publicity(decision)
    if publicity is Publicity.WITHDRAWN:
        return correction.kind == "撤回"
    return publicity is Publicity.PUBLIC


def public_view(record: Record, portal: Portal | None = None) -> dict[str, Any]:
    """The record as published: a natural person masked wherever the page masks it (an
    appeal's note masks its decision's party, which needs the `portal`)."""
    data: dict[str, Any] = record.model_dump(mode="json")
    if isinstance(record, Appeal):
        decision = portal.decisions.get(record.decision) if portal is not None else None
        if decision is None:
            raise ValueError(f"{record.ref}: its decision is needed to mask the party")
        data["note"] = scrub_party(record.note, decision.party)
    if isinstance(record, Decision):
        party = record.party
        data["party"]["name"] = party_name(party)
        data["party"]["legal_representative"] = party_representative(party)
        data["facts"] = scrub_party(record.facts, party)
        data["note"] = scrub_party(record.note, party)
        data["outcome"]["content"] = scrub_party(record.outcome.content, party)
        if record.discretion is not None:
            data["discretion"]["reason"] = scrub_party(record.discretion.reason, party)
        if record.legal_review is not None:
            data["legal_review"]["opinion"] = scrub_party(record.legal_review.opinion, party)
    return data


def item(site: Site, record: Record) -> dict[str, Any]:
    versions = history.version_list(site, record)
    first = versions[0].date if versions else None
    has_page = record.has_page
    return {
        "url": site.settings.base_url + page_url(record_src(record)) if has_page else None,
        "published": first.isoformat() if first else None,
        "version": versions[-1].number if versions else 1,
        "record": public_view(record, site.portal),
    }


# --- CSV ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    path: tuple[str, ...]
    header: str
    description: str


def columns(model: type[Record]) -> list[Column]:
    """One column per scalar field, nested objects flattened (party.name); lists of objects
    stay one cell of JSON."""
    result: list[Column] = []
    seen: set[str] = set()
    for path, description in _leaves(model, ()):
        header = history.field_title(model, ".".join(path))
        if header in seen:
            header = f"{header}（{'.'.join(path)}）"
        seen.add(header)
        result.append(Column(path, header, description))
    return [Column(("url",), "网址", "本条记录在平台上的页面"),
            Column(("published",), "首次公示日期", "首次公示日期（YYYY-MM-DD）"),
            Column(("version",), "版本", "当前版本号（每次更正加一）"),
            *[Column(("record", *c.path), c.header, c.description) for c in result]]


def _leaves(model: type[BaseModel], prefix: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    for name, info in model.model_fields.items():
        nested = [a for a in (info.annotation, *get_args(info.annotation))
                  if isinstance(a, type) and issubclass(a, BaseModel)]
        if nested:
            yield from _leaves(nested[0], (*prefix, name))
        else:
            yield (*prefix, name), info.description or name


def cell(value: Any) -> str:
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "是" if value else "否"
    elif isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        text = "；".join(str(v) for v in value)
    elif isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    """UTF-8 with BOM (Excel opens it as Chinese), CRLF line ends, every cell quoted as needed."""
    return csv_joined(header, [csv_line(row) for row in rows])


def csv_joined(header: list[str], lines: list[str]) -> str:
    """`csv_text` of rows given as their `csv_line`s."""
    return "".join(csv_parts(header, lines))


def csv_parts(header: list[str], lines: list[str]) -> list[str]:
    """`csv_joined` in parts, not joined (`StaticFile.parts`)."""
    return ["\ufeff" + csv_line(header), *lines]


_LINE = io.StringIO()
_WRITER = csv.writer(_LINE, lineterminator="\r\n")


def csv_line(cells: list[str]) -> str:
    """One row of `csv_text`, with its line end."""
    _LINE.seek(0)
    _LINE.truncate()
    _WRITER.writerow(cells)
    return _LINE.getvalue()


# --- 双公示 ---------------------------------------------------------------------------------


def _wan(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    text = format(amount / Decimal(10000), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def shuanggongshi_row(site: Site, decision: Decision) -> dict[str, str]:
    portal = site.portal
    party = decision.party
    body = portal.bodies.get(decision.body)
    power = portal.powers.get(decision.power)
    outcome = decision.outcome
    licence = outcome.licence_number if any(
        "吊销" in c or "暂扣" in c for c in outcome.categories) else ""
    values = [
        party_name(party), party.kind, party.uscc or "", "", "", "", "", "",
        party_representative(party), "", "", "", "",
        decision.document_number, power.name if power else decision.power,
        scrub_party(decision.facts, party),
        "；".join(article_label(portal, ref) for ref in decision.articles_applied),
        "；".join(outcome.categories), scrub_party(outcome.content, party),
        _wan(outcome.fine_amount), _wan(outcome.confiscated_amount), licence,
        decision.decision_date.isoformat(), "", decision.publicity_end.isoformat(),
        body.name if body else decision.body, body.uscc if body else "",
        body.name if body else decision.body, body.uscc if body else "",
        scrub_party(decision.note, party),
    ]
    return dict(zip((name for name, _ in SHUANGGONGSHI_COLUMNS), values, strict=True))


# --- files and the data page --------------------------------------------------------------


def _json(data: Any) -> str:
    return pretty_json(data) + "\n"


def schema_text(model: type[Record]) -> str:
    schema = model.model_json_schema()
    schema["$schema"] = SCHEMA_URL
    schema["title"] = f"{model.label} ({model.kind_name})"
    return _json(schema)


@dataclass(frozen=True)
class FileRow:
    name: Link
    what: str
    count: int
    formats: list[Link]


@dataclass(frozen=True)
class FieldTable:
    anchor: str
    title: str
    columns: list[Column]


@dataclass(frozen=True)
class DataPage:
    title: str
    files: list[FileRow]
    tables: list[FieldTable]
    shuanggongshi: list[tuple[str, str]]
    feeds: Link


def _encoded(site: Site, reuse: Reuse | None, cache: ItemCache, record: Record,
             cols: list[Column]) -> tuple[bytes | None, Encoded]:
    """The record's item encoded, from the cache when its key is there, and its key: the
    files of the record and of what its item shows (an appeal's decision masks its note; a
    decision's 双公示 row names its body and power), and its versions."""
    key = None
    if reuse is not None and isinstance(record, Decision) \
            and (planned := decisions.item_inputs(site, record.ref)) is not None:
        # What the decision's page shows of it holds most of what its item shows (its
        # record, versions and corrections): two digests already made, with its body's and
        # power's, not a key of its own (100,000 of them took 2.4 s of CPU).
        portal = site.portal
        key = reuse.key([*planned,
                         record_digest(portal.digests, portal.bodies.get(record.body), record.body),
                         record_digest(portal.digests, portal.powers.get(record.power),
                                       record.power)], record.kind_name)
        cached = cache.get(key)
        if cached is not None:
            return key, cached
    elif reuse is not None:
        portal = site.portal
        digests = portal.digests
        shown: list[Record | None] = [record]
        names = [record.id]
        if isinstance(record, Appeal):
            shown.append(portal.decisions.get(record.decision))
            names.append(record.decision)
        if isinstance(record, Decision):
            shown += [portal.bodies.get(record.body), portal.powers.get(record.power)]
            names += [record.body, record.power]
        versions = history.version_list(site, record)
        key = reuse.key([record_digest(digests, r, name) for r, name in zip(shown, names,
                                                                              strict=True)],
                        record.kind_name, versions[0].date if versions else None,
                        versions[-1].number if versions else 1)
        cached = cache.get(key)
        if cached is not None:
            return key, cached
    data = item(site, record)
    penalty = None
    if isinstance(record, Decision) and record.type == "行政处罚":
        row = shuanggongshi_row(site, record)
        penalty = Penalty(listed(pretty_json(row)),
                          csv_line([cell(row[name]) for name, _ in SHUANGGONGSHI_COLUMNS]))
    encoded = Encoded(listed(pretty_json(data)), csv_line([cell(_get(data, c.path)) for c in cols]),
                      penalty)
    cache.put(key, encoded)
    return key, encoded


YEARS = "open data years"
"""The name, in the site's manifest, of how many public decisions each year's files held."""
OLD_SHARDS = 16
"""Files the items were kept in by older code (opendata-0.pickle …), removed when met."""


YEAR_SHARDS = 16
"""Files a year's decisions' items are kept in: a new decision's item is not worth writing
78 MB again, nor the warm build process reading them again (the year 2026 of the
100,000-decision benchmark); a sixteenth of it, about a tenth of a second each."""


def _cache(site: Site, reuse: Reuse | None, group: str) -> ItemCache:
    """The kept items of one type, or of one year's decisions (`YEAR_SHARDS`). Under the
    build's base digest: after a change of code or configuration, items kept are not read,
    since no key of theirs can match."""
    path = site.portal.root.parent / CACHE_FILE.with_name(f"opendata-{group}.pickle") \
        if reuse is not None else None
    return ItemCache(path, reuse.base if reuse is not None else None,
                     YEAR_SHARDS if group.startswith("decisions-") else 1)


def _changed_types(site: Site, reuse: Reuse | None) -> set[str] | None:
    """The types whose files may not be the published ones (besides the decisions, which go
    by year), when known: those of a changed record, of a record whose correction changed,
    and the appeals and corrections of a decision whose item was made again."""
    touched = decisions.records_touched(reuse)
    remade = decisions.items_remade(site, reuse)
    if touched is None or remade is None:
        return None
    types = {ref.partition("/")[0] for ref in touched}
    appeals = decisions.appeals_by_decision(site)
    corrections = site.corrections_by_record
    for ref in remade:
        if ref.removeprefix("decisions/") in appeals:
            types.add("appeals")
        if ref in corrections:
            types.add("corrections")
    return types


def _type_files(site: Site, reuse: Reuse | None, folder: str, records: list[Record],
                cols: list[Column], changed: set[str] | None) -> Iterator[Made]:
    """A type's list files and its records' own files."""
    srcs = [f"data/{folder}.json", f"data/{folder}.csv",
            *(f"data/{folder}/{record.id}.json" for record in records)]
    if changed is not None and folder not in changed and reuse is not None \
            and (kept := reuse.left_as_published(srcs, page=False)) is not None:
        yield kept
        return
    model = BY_FOLDER[folder]
    cache = _cache(site, reuse, folder)
    encoded = [_encoded(site, reuse, cache, record, cols) for record in records]
    yield StaticFile(srcs[0], "", parts=[*pretty_json_parts({
        "type": folder, "label": model.label, "count": len(records),
        "schema": f"schema/{folder}.schema.json"}, "items", [e.listed for _, e in encoded]), "\n"])
    yield StaticFile(srcs[1], "", parts=csv_parts([c.header for c in cols],
                                                  [e.line for _, e in encoded]))
    yield from _record_files(reuse, srcs[2:], encoded)
    cache.save()


def _record_files(reuse: Reuse | None, srcs: list[str],
                  encoded: list[tuple[bytes | None, Encoded]]) -> Iterator[Made]:
    for src, (key, item_text) in zip(srcs, encoded, strict=True):
        kept = reuse.kept(src, key, page=False) if reuse is not None else None
        yield kept if kept is not None else StaticFile(src, unlisted(item_text.listed) + "\n",
                                                       key=key)


def year_src(folder: str, year: int, suffix: str) -> str:
    """A year's list file of decisions (`decisions`) or of 双公示 rows (`XZCF`)."""
    return f"data/{folder}-{year}.{suffix}"


def _year_files(site: Site, reuse: Reuse | None, year: int, records: list[Decision],
                cols: list[Column], remade: frozenset[str] | None) -> Iterator[Made]:
    """One year's decisions in the decisions' list files and the 双公示 files, and their own
    files. A year none of whose decisions was made again (`decisions.plan`), with as many
    as the published files held, is as published: its files are not made, nor read."""
    model = BY_FOLDER["decisions"]
    lists = [year_src("decisions", year, "json"), year_src("decisions", year, "csv"),
             year_src(XZCF, year, "json"), year_src(XZCF, year, "csv")]
    own = [f"data/decisions/{record.id}.json" for record in records]
    same_count = reuse is not None and reuse.found(YEARS, str(year), str(len(records)).encode())
    if same_count and remade is not None and all(r.id not in remade for r in records) \
            and reuse is not None \
            and (kept := reuse.left_as_published([*lists, *own], page=False)) is not None:
        yield kept
        return
    cache = _cache(site, reuse, f"decisions-{year}")
    encoded = []
    for record, src in zip(records, own, strict=True):
        # A decision not made again has the item its own file was made with.
        key = reuse.previous.get(src) if reuse is not None and remade is not None \
            and record.id not in remade else None
        cached = cache.get(key)
        encoded.append((key, cached) if cached is not None
                       else _encoded(site, reuse, cache, record, cols))
    yield StaticFile(lists[0], "", parts=[*pretty_json_parts({
        "type": "decisions", "label": model.label, "year": year, "count": len(records),
        "schema": "schema/decisions.schema.json"}, "items", [e.listed for _, e in encoded]),
        "\n"])
    yield StaticFile(lists[1], "", parts=csv_parts([c.header for c in cols],
                                                   [e.line for _, e in encoded]))
    penalties = [e.penalty for _, e in encoded if e.penalty is not None]
    yield StaticFile(lists[2], "", parts=[*pretty_json_parts({
        "layout": "双公示 行政处罚", "year": year, "count": len(penalties)}, "items",
        [penalty.listed for penalty in penalties]), "\n"])
    yield StaticFile(lists[3], "", parts=csv_parts([name for name, _ in SHUANGGONGSHI_COLUMNS],
                                                   [penalty.line for penalty in penalties]))
    yield from _record_files(reuse, own, encoded)
    cache.save()


def pages(site: Site, linker: Linker, templates: Templates,
          reuse: Reuse | None = None) -> Iterator[Made]:
    """The data files, each given as soon as it is made, so that the writer writes it and
    lets it go (at 100,000 decisions they held 2 GB at once as a list), then the data page.

    With `reuse`, the files of a type none of whose records changed, and of a year none of
    whose decisions did, are left as published without being made: one new decision
    changes its year's files only (the decisions of every year took 230 MB in one file
    each, written again for every change)."""
    here = linker.at(INDEX_SRC)
    files: list[FileRow] = []
    tables: list[FieldTable] = []

    def href(path: str, text: str) -> Link:
        return Link(text, path.removeprefix("data/"))

    if reuse is not None:
        for shard in range(OLD_SHARDS):
            (site.portal.root.parent / CACHE_FILE.with_name(f"opendata-{shard}.pickle")) \
                .unlink(missing_ok=True)
    changed = _changed_types(site, reuse)
    remade = decisions.items_remade_ids(site, reuse) if changed is not None else None
    years = {year: sorted(found, key=attrgetter("id"))
             for year, found in site.decisions_by_year.items() if found}
    penalties: list[FileRow] = []
    for folder in TYPES:
        model = BY_FOLDER[folder]
        cols = columns(model)
        yield StaticFile(f"data/schema/{folder}.schema.json", schema_text(model))
        schema = href(f"data/schema/{folder}.schema.json", "JSON Schema")
        tables.append(FieldTable(f"fields-{folder}", f"{model.label}（{folder}.csv）", cols))
        if folder != "decisions":
            records = public_records(site, folder)
            yield from _type_files(site, reuse, folder, records, cols, changed)
            files.append(FileRow(Link(model.label), f"全部公开的{model.label}", len(records), [
                href(f"data/{folder}.json", "JSON"), href(f"data/{folder}.csv", "CSV"), schema]))
            continue
        for year in sorted(years, reverse=True):
            yield from _year_files(site, reuse, year, years[year], cols, remade)
            files.append(FileRow(Link(f"{model.label}（{year}年）"),
                                 f"{year}年作出、公开的{model.label}", len(years[year]), [
                href(year_src(folder, year, "json"), "JSON"),
                href(year_src(folder, year, "csv"), "CSV"), schema]))
            penalties.append(FileRow(
                Link(f"行政处罚（双公示格式，{year}年）"),
                f"{year}年作出、公示中的行政处罚决定，按“双公示”行政处罚数据项排列",
                sum(1 for decision in years[year] if decision.type == "行政处罚"),
                [href(year_src(XZCF, year, "json"), "JSON"), href(year_src(XZCF, year, "csv"), "CSV")]))
    files += penalties
    figures = site.statistics()
    files.append(FileRow(Link("年度执法数据"), "各年度、各执法主体和全部执法主体的执法数据，每行一项指标；"
                         "每年一个文件的按主体排列", len(figures.years) * (len(figures.bodies) + 1),
                         [Link("CSV", "../statistics/statistics.csv"),
                          here.to("statistics/index.md", "各年度页面")]))
    if site.settings.evaluation is not None:
        scored = sum(len(site.evaluations(year)) for year in figures.years)
        files.append(FileRow(Link("评议考核得分"), "各年度各执法主体的评议考核各项得分、总分和扣分的决定",
                             scored, [Link("CSV", "../evaluation/evaluation.csv"),
                                      here.to("evaluation/index.md", "评分标准")]))
    context = DataPage("开放数据", files, tables, list(SHUANGGONGSHI_COLUMNS),
                       here.to("feeds/index.md", "订阅"))
    yield DocPage(INDEX_SRC, context.title, (templates.render("data.html.j2", context),))
