"""RSS 2.0 and Atom feeds (feedgen): new decisions, per body, region and type, corrections and
withdrawals, and changes to the legal bases.

Every entry is one published version of a record, so its id is a tag URI made of the portal's
host, that version's publication date and `folder/id/vN`: the same on every build and machine.
Dates come from the ledger (or the approval of a correction not yet recorded, or the decision
date in a project without a ledger), never from the clock. A correction is a new entry about
the corrected record; a withdrawn decision keeps only its withdrawal entry; an expired decision
has none. Each feed carries the newest `feed_entries` entries; the open data has them all.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from operator import itemgetter
from typing import Any
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator

from generator.changes import WHOSE
from generator.model import BY_FOLDER, Decision, LegalBasis, Record
from generator.render import history
from generator.render.docs import DocPage, Made, StaticFile
from generator.render.facets import TYPE_SLUGS, Filing, slug
from generator.render.reuse import Reuse
from generator.render.site import Publicity, Site
from generator.render.templates import Templates
from generator.render.text import chinese_date, party_name, scrub_party
from generator.render.urls import Link, Linker, asset_href, page_url, record_src, section_src

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")
INDEX_SRC = "feeds/index.md"


@dataclass(frozen=True)
class Item:
    """One feed entry."""

    tag: str
    title: str
    link: str
    date: dt.date
    summary: str
    category: str

    def values(self) -> tuple[str, str, str, dt.date, str, str]:
        """Its fields, for a feed's key (dataclasses.astuple deep-copies each: 1.6 s of CPU
        for the feeds of 100,000 decisions)."""
        return (self.tag, self.title, self.link, self.date, self.summary, self.category)


@dataclass
class Feed:
    key: str
    """`decisions`, `body/donghu-rsj`, `region/990100`, `type/chufa`, `corrections`, `laws`."""
    title: str
    description: str
    page_src: str
    """The page this feed follows (its `alternate` link)."""
    items: list[Item] = field(default_factory=list)

    @property
    def rss_src(self) -> str:
        return f"feeds/{self.key}/rss.xml"

    @property
    def atom_src(self) -> str:
        return f"feeds/{self.key}/atom.xml"


@dataclass(frozen=True)
class FeedLink:
    """A feed as a page links it: in <head> for autodiscovery and in the 订阅 line."""

    title: str
    rss: str
    atom: str


_Entry = tuple[int, str, Any, Any]
"""A decision's entry before it is made: minus its day's ordinal, its tag, the decision and
the version it tells of (latest first, then by tag, as a feed orders its entries); or, as
the last build kept it, made already: the ordinal, the tag, the decision's ref and None."""


def _order(entry: _Entry) -> tuple[int, str]:
    return entry[0], entry[1]


def _ref(entry: _Entry) -> str:
    found = entry[2]
    return found.ref if isinstance(found, Decision) else str(found)


STATE = "feeds"
"""The name, in the site's manifest, of what the feeds of the published site were made of
(`_Kept`)."""
_PAGED = tuple(name for name, model in BY_FOLDER.items() if model.has_page and model is not Decision)
"""The tables of the records besides decisions whose corrections have entries (those with a
page of their own)."""


@dataclass(frozen=True)
class _Kept:
    """A build's decision entries, for the next (issue 8: at 100,000 decisions, making them
    all took 3 s of a one-decision rebuild)."""

    declared: tuple[object, ...]
    """The feeds and what their entries are made with (address, number kept, ledger)."""
    tops: dict[str, list[_Entry]]
    """Each feed's newest decision entries: as `_Entry`, the decision by its ref."""
    truncated: dict[str, bool]
    """Whether a feed had more decision entries than it kept (or may have)."""
    items: dict[str, Item]
    """Every entry made, by tag."""


def _dirty(site: Site, reuse: Reuse | None) -> set[str] | None:
    """The decisions (by ref) whose entries may have changed since the published site was
    built: changed, or with a changed correction. None when other records changed (a body's
    name is in its decisions' entries), or the as-of date (which ends 公示期)."""
    if reuse is None or reuse.changes.refs is None or reuse.changes.as_of != site.as_of:
        return None
    before = reuse.previous_inputs.get(WHOSE)
    if not isinstance(before, dict):
        return None
    dirty = set()
    for ref in reuse.changes.refs:
        kind, _, name = ref.partition("/")
        if kind == "decisions" and name in site.portal.decisions:
            dirty.add(ref)
        elif kind == "decisions":  # gone, or versions under a former id
            return None
        elif kind == "corrections":
            correction = site.portal.corrections.get(name)
            dirty.update(whose for whose in (before.get(ref), correction and correction.record)
                         if whose)
        elif kind != "appeals":
            return None
    return dirty


class Feeds:
    """Every feed of the site, computed once per build."""

    def __init__(self, site: Site, linker: Linker, reuse: Reuse | None = None) -> None:
        """With `reuse`, the decision entries of the published site's feeds are taken from
        its manifest where no record they are made from changed."""
        self.site = site
        self.base = site.settings.base_url
        self.host = urlsplit(self.base).hostname or "localhost"
        self.filing = Filing.of(site)
        self.by_key: dict[str, Feed] = {}
        self._signatures: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {}
        self._last: tuple[str, tuple[str, ...]] = ("\0", ())
        self.as_before: set[str] = set()
        """The feeds whose entries are the objects the last build's were made of (with the
        same feeds declared): under the same code and configuration, as published."""
        self._declare(linker)
        self._fill(reuse)

    # --- which feeds exist ----------------------------------------------------------------

    def _declare(self, linker: Linker) -> None:
        site = self.site
        decisions_src = section_src(Decision)

        def page_or(src: str, fallback: str) -> str:
            return src if linker.exists(src) else fallback

        self._add("decisions", "全部执法决定", "新公示的执法决定，以及对它们的更正和撤回。",
                  decisions_src)
        self._add("corrections", "更正与撤回", "每一条经审核批准的更正和撤回，说明更正了什么或撤回的理由。",
                  "corrections/index.md")
        self._add("laws", "执法依据的立改废释", "执法依据的制定、修改、废止和解释。",
                  section_src(LegalBasis))
        for body_id in site.body_order():
            body = site.portal.bodies[body_id]
            self._add(f"body/{body_id}", f"{body.name}的执法决定",
                      f"{body.name}新公示的执法决定及其更正和撤回。", record_src(body))
        for code, name in sorted(self.filing.region_names.items()):
            self._add(f"region/{code}", f"{name}（{code}）的执法决定",
                      f"{name}行政区域内（含下级）各执法主体的执法决定及其更正和撤回。",
                      page_or(f"decisions/region/{code}/index.md", decisions_src))
        for category, key in TYPE_SLUGS.items():
            self._add(f"type/{key}", f"{category}决定", f"新公示的{category}决定及其更正和撤回。",
                      page_or(f"decisions/type/{key}/index.md", decisions_src))

    def _add(self, key: str, title: str, description: str, page_src: str) -> None:
        self.by_key[key] = Feed(key, title, description, page_src)

    def decision_keys(self, decision: Decision) -> list[str]:
        """The feeds a decision's entries go to."""
        return self._decision_keys(decision.body, decision.type)

    def _decision_keys(self, body: str, kind: str) -> list[str]:
        keys = ["decisions", f"body/{body}", f"type/{slug(kind, TYPE_SLUGS)}"]
        keys += [f"region/{code}" for code in self.filing.regions_of_body.get(body, [])]
        return [key for key in keys if key in self.by_key]

    # --- entries --------------------------------------------------------------------------

    def _fill(self, reuse: Reuse | None) -> None:
        site = self.site
        limit = site.settings.feed_entries
        declared = (self.base, self.host, limit, bool(site.ledger.entries),
                    tuple((f.key, f.title, f.description, f.page_src) for f in self.by_key.values()))
        kept = reuse.previous_inputs.get(STATE) if reuse is not None else None
        dirty = _dirty(site, reuse) if isinstance(kept, _Kept) and kept.declared == declared \
            else None
        fresh = self._updated(kept, dirty, limit) if isinstance(kept, _Kept) and dirty is not None \
            else None
        if fresh is None:
            dirty = None
            fresh = self._every_decision(limit)
        tops, truncated = fresh
        kept_tops = kept.tops if isinstance(kept, _Kept) and dirty is not None else {}
        made: dict[str, Item] = {}
        for key, top in tops.items():
            feed = self.by_key[key]
            if top is kept_tops.get(key):  # as the last build made it
                assert isinstance(kept, _Kept)
                if key not in ("corrections", "laws"):  # which get other entries too
                    self.as_before.add(key)  # (kept only for the same as-of date: `_dirty`)
                feed.items.extend(map(kept.items.__getitem__, map(itemgetter(1), top)))
                made.update(zip(map(itemgetter(1), top), feed.items, strict=True))
                continue
            for entry in top:
                tag = entry[1]
                item = made.get(tag)
                if item is None:
                    item = made[tag] = (self._decision_item(entry[2], entry[3])
                                        if isinstance(entry[2], Decision)
                                        else kept.items[tag])  # type: ignore[union-attr]
                feed.items.append(item)
        # A version with a correction is made by a correction of the record (under its id or
        # a former one): the versions of only those records are looked at (all 11,000 took
        # 0.3 s at 100,000 decisions).
        corrected = {correction.record for correction in site.portal.corrections.values()}
        for kind_name in _PAGED:  # decisions' corrections are among their entries
            for record in site.portal.table(kind_name).values():
                if record.ref not in corrected and not any(
                        f"{kind_name}/{former}" in corrected for former in record.former_ids):
                    continue
                for version in history.version_list(site, record):
                    if version.correction is not None:
                        self.by_key["corrections"].items.append(self._record_item(record, version))
        for law in sorted(site.portal.laws.values(), key=lambda b: b.id):
            self.by_key["laws"].items.extend(self._law_items(law))
        for key in ("corrections", "laws"):  # the others hold decision entries only, in order
            if key in self.by_key:
                self.by_key[key].items.sort(key=lambda item: (-item.date.toordinal(), item.tag))
        for feed in self.by_key.values():
            del feed.items[limit:]
        if reuse is not None:
            # Kept without the records: each entry's decision by its ref.
            reuse.inputs[STATE] = _Kept(
                declared, {key: top if top is kept_tops.get(key)
                           else [(entry[0], entry[1], _ref(entry), None) for entry in top]
                           for key, top in tops.items()}, truncated, made)

    def _every_decision(self, limit: int) -> tuple[dict[str, list[_Entry]], dict[str, bool]]:
        """Each decision feed's newest `limit` entries (of decisions only), and whether it has
        more."""
        # Each decision's entries, as what they are sorted by: at 100,000 decisions, making
        # every entry's title and summary, to keep the latest fifty of each feed, took 1 s.
        pending: dict[str, list[_Entry]] = {key: [] for key in self.by_key if key != "laws"}
        for decision in sorted(self.site.portal.decisions.values(), key=lambda d: d.id):
            for keys, entry in self._entries(decision):
                for key in keys:
                    pending[key].append(entry)
        return ({key: heapq.nsmallest(limit, entries, key=_order)
                 for key, entries in pending.items()},
                {key: len(entries) > limit for key, entries in pending.items()})

    def _entries(self, decision: Decision) -> Iterator[tuple[list[str], _Entry]]:
        """The decision's entries, each with the feeds it goes to."""
        site = self.site
        publicity = site.publicity(decision)
        if publicity is Publicity.EXPIRED:
            return
        versions = history.version_list(site, decision)
        if not versions and not site.ledger.entries:
            # A project without a ledger: the decision date stands in for publication.
            versions = [history.Version(1, None, "首次公示", None, ())]
        # With a ledger, a decision not yet recorded by `gongshi publish` has no entry
        # yet: its publication date, part of the entry's id, is not known.
        keys = self.decision_keys(decision)
        for version in versions:
            if publicity is Publicity.WITHDRAWN and version.kind != "撤回":
                continue  # its content left the site: only the withdrawal is told
            day = version.date or decision.decision_date
            entry = (-day.toordinal(), self._tag(day, f"{decision.ref}/v{version.number}"),
                     decision, version)
            yield ([*keys, "corrections"] if version.correction is not None else keys), entry

    def _updated(self, kept: _Kept, dirty: set[str],
                 limit: int) -> tuple[dict[str, list[_Entry]], dict[str, bool]] | None:
        """The last build's entries (`kept`), with those of the `dirty` decisions made
        again; None where that cannot tell a feed's newest entries: one lost an entry among
        its newest, and had more than it kept."""
        fresh: dict[str, list[_Entry]] = {}
        for ref in sorted(dirty):
            decision = self.site.portal.decisions.get(ref.removeprefix("decisions/"))
            if decision is not None:
                for keys, entry in self._entries(decision):
                    for key in keys:
                        fresh.setdefault(key, []).append(entry)
        tops: dict[str, list[_Entry]] = {}
        truncated: dict[str, bool] = {}
        for key in self.by_key:
            if key == "laws":
                continue
            before = kept.tops.get(key, [])
            if not fresh.get(key) and all(entry[2] not in dirty for entry in before):
                tops[key], truncated[key] = before, kept.truncated.get(key, False)
                continue
            entries = [entry for entry in before if entry[2] not in dirty] + fresh.get(key, [])
            top = heapq.nsmallest(limit, entries, key=_order)
            # An entry beyond the kept ones is older than the oldest kept: the newest are
            # known if none is missing, or none older than that is taken.
            if kept.truncated.get(key, False) and before and (
                    len(top) < limit or _order(top[-1]) > _order(before[-1])):
                return None
            tops[key], truncated[key] = top, kept.truncated.get(key, False) or len(entries) > limit
        return tops, truncated

    def _tag(self, day: dt.date, specific: str) -> str:
        return f"tag:{self.host},{day.isoformat()}:{specific}"

    def _url(self, src: str, anchor: str = "") -> str:
        return self.base + page_url(src) + (f"#{anchor}" if anchor else "")

    def _decision_item(self, decision: Decision, version: history.Version) -> Item:
        day = version.date or decision.decision_date
        link = self._url(record_src(decision))
        tag = self._tag(day, f"{decision.ref}/v{version.number}")
        correction = version.correction
        if correction is None:
            body = self.site.portal.bodies.get(decision.body)
            summary = (f"{body.name if body else decision.body}对{party_name(decision.party)}作出"
                       f"{decision.type}决定（{chinese_date(decision.decision_date)}）："
                       f"{scrub_party(decision.outcome.content, decision.party)}")
            return Item(tag, f"{decision.document_number} {party_name(decision.party)}", link,
                        day, summary, decision.type)
        if correction.kind == "撤回":
            return Item(tag, f"撤回：{decision.document_number}", link, day,
                        f"本决定已于{chinese_date(day)}撤回（{correction.cause or '其他'}），其内容"
                        f"不再公示。理由：{correction.reason}", "撤回")
        return Item(tag, f"更正：{decision.document_number}", link + "#versions", day,
                    self._correction_summary(decision, version), "更正")

    def _record_item(self, record: Record, version: history.Version) -> Item:
        assert version.correction is not None
        day = version.date or version.correction.requested_on
        label = str(getattr(record, "name", "") or getattr(record, "title", "") or record.ref)
        return Item(self._tag(day, f"{record.ref}/v{version.number}"),
                    f"{version.kind}：{record.label} {label}",
                    self._url(record_src(record), "versions"), day,
                    self._correction_summary(record, version), version.kind)

    @staticmethod
    def _correction_summary(record: Record, version: history.Version) -> str:
        assert version.correction is not None
        fields = history.fields_text(type(record), version.fields)
        return version.correction.reason + (f"（变更事项：{fields}）" if fields else "")

    def _law_items(self, law: LegalBasis) -> Iterable[Item]:
        kinds = {"立": "制定", "改": "修改", "废": "废止", "释": "解释"}
        for number, event in enumerate(law.history, 1):
            yield Item(self._tag(event.date, f"{law.ref}/history/{number}"),
                       f"{kinds.get(event.kind, event.kind)}：{law.title}",
                       self._url(record_src(law), "history"), event.date,
                       f"{chinese_date(event.date)}{kinds.get(event.kind, event.kind)}。{event.note}",
                       kinds.get(event.kind, event.kind))

    # --- output ---------------------------------------------------------------------------

    def files(self, reuse: Reuse | None = None) -> Iterator[Made]:
        """Each feed's RSS and Atom files; with `reuse`, a feed whose entries are those the
        published files were made from is not made again."""
        same = self.as_before if reuse is not None and reuse.same_base() else set()
        for feed in self.by_key.values():
            # Its entries as the last build made them: no key to make (hundreds of feeds
            # of fifty entries each took 0.7 s of CPU at 100,000 decisions).
            published = reuse.all_as_published([feed.rss_src, feed.atom_src], page=False) \
                if feed.key in same and reuse is not None else None
            if published is not None:
                yield from published
                continue
            key = reuse.key([], feed.key, feed.title, feed.description, feed.page_src,
                            [item.values() for item in feed.items],
                            None if feed.items else self.site.as_of) if reuse else None
            generator = None  # one for both files, its entries made once (issue 8)
            for src, make in ((feed.rss_src, FeedGenerator.rss_str),
                              (feed.atom_src, FeedGenerator.atom_str)):
                kept = reuse.kept(src, key, page=False) if reuse is not None else None
                if kept is not None:
                    yield kept
                    continue
                if generator is None:
                    generator = self._generator(feed)
                self._links(generator, feed, src)
                text = make(generator, pretty=True)
                yield StaticFile(src, text.decode("utf-8"), key=key)

    def _links(self, generator: FeedGenerator, feed: Feed, self_src: str) -> None:
        """The feed's links, from the file `self_src`."""
        # feedgen's RSS <link> is the last link given: the self link first, then the page.
        generator.link(href=self.base + self_src, rel="self", replace=True)
        generator.link(href=self._url(feed.page_src), rel="alternate")

    def _generator(self, feed: Feed) -> FeedGenerator:
        site = self.site
        newest = feed.items[0].date if feed.items else site.as_of
        stamp = dt.datetime.combine(newest, dt.time(), CHINA)
        generator = FeedGenerator()
        generator.id(self.base + feed.atom_src)
        generator.title(f"{feed.title} - {site.settings.short_name}")
        generator.subtitle(feed.description)
        generator.description(feed.description)
        generator.language("zh-CN")
        generator.author({"name": site.settings.authority})
        generator.generator("Gongshi")
        generator.updated(stamp)
        generator.lastBuildDate(stamp)
        for item in feed.items:
            entry = generator.add_entry(order="append")
            when = dt.datetime.combine(item.date, dt.time(), CHINA)
            entry.id(item.tag)
            entry.guid(item.tag, permalink=False)
            entry.title(item.title)
            entry.link(href=item.link)
            entry.summary(item.summary)
            entry.published(when)
            entry.updated(when)
            entry.category(term=item.category)
        return generator

    # --- links from pages -----------------------------------------------------------------

    def keys_for(self, src: str) -> tuple[str, ...]:
        """The feeds a page links: the ones about what it shows first, then the general ones.
        A page asks twice in a row (for its key, then for its links): the last answer is kept."""
        last_src, last_keys = self._last
        if src == last_src:
            return last_keys
        keys = [*self._keys_for(src), "decisions", "corrections"]
        found = tuple(key for key in dict.fromkeys(keys) if key in self.by_key)
        self._last = (src, found)
        return found

    def signature(self, src: str) -> tuple[tuple[str, str], ...]:
        """What the page's feed links and 订阅 line are made from (besides where it is);
        the same few tuples for 100,000 decision pages, each made once."""
        return self._signature(self.keys_for(src))

    def decisions_signature(self, body: str, kind: str) -> tuple[tuple[str, str], ...]:
        """The `signature` of the pages of a body's decisions of one type (决定类别)."""
        keys = [*self._decision_keys(body, kind)[1:], "decisions", "corrections"]
        return self._signature(tuple(key for key in dict.fromkeys(keys) if key in self.by_key))

    def _signature(self, keys: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        found = self._signatures.get(keys)
        if found is None:
            found = self._signatures[keys] = tuple((key, self.by_key[key].title) for key in keys)
        return found

    def link(self, here: str, feed: Feed) -> FeedLink:
        return FeedLink(feed.title, asset_href(here, feed.rss_src), asset_href(here, feed.atom_src))

    def _keys_for(self, src: str) -> list[str]:
        parts = src.split("/")
        portal = self.site.portal
        if parts[0] == "decisions" and len(parts) >= 3 and parts[1] in ("body", "region", "type"):
            return [f"{parts[1]}/{parts[2]}"]
        if parts[0] == "decisions" and len(parts) == 3 and parts[1].isdigit():
            decision = portal.decisions.get(parts[2].removesuffix(".md"))
            return self.decision_keys(decision)[1:] if decision else []
        if parts[0] == "bodies" and len(parts) == 2:
            return [f"body/{parts[1].removesuffix('.md')}"]
        if parts[0] == "officers" and len(parts) == 2:
            officer = portal.officers.get(parts[1].removesuffix(".md"))
            return [f"body/{officer.body}"] if officer else []
        if parts[0] == "laws" or src == "index.md":
            return ["laws"]
        return []


@dataclass(frozen=True)
class FeedRow:
    title: str
    description: str
    page: Link
    rss: str
    atom: str


@dataclass(frozen=True)
class FeedsPage:
    title: str
    limit: int
    groups: list[tuple[str, list[FeedRow]]]
    data: Link


@dataclass(frozen=True)
class FeedsLine:
    feeds: list[FeedLink]
    all: Link


def with_feeds(feeds: Feeds, linker: Linker, templates: Templates,
               pages: Iterable[Made]) -> Iterator[Made]:
    """Every page with its feeds: in its front matter (<head> autodiscovery) and a 订阅 line.
    The links, and so the line, depend only on which feeds a page has and on where it is:
    outside feeds/, on its top folder and depth. Pages alike share one rendering."""
    lines: dict[tuple[tuple[str, ...], tuple[str, int]], tuple[tuple[FeedLink, ...], str]] = {}
    for page in pages:
        if isinstance(page, DocPage):
            keys = feeds.keys_for(page.src)
            start = page_url(page.src).rstrip("/")
            top = start.partition("/")[0]
            where = (top, start.count("/")) if top != "feeds" else (start, -1)
            if (keys, where) not in lines:
                links = [feeds.link(page.src, feeds.by_key[key]) for key in keys]
                line = templates.render("feeds_line.html.j2", FeedsLine(
                    links, linker.at(page.src).to(INDEX_SRC, "全部订阅")))
                lines[keys, where] = (tuple(links), line)
            links_here, line = lines[keys, where]
            page = replace(page, blocks=(*page.blocks, line), feeds=links_here)
        yield page


def pages(feeds: Feeds, linker: Linker, templates: Templates,
          reuse: Reuse | None = None) -> list[Made]:
    here = linker.at(INDEX_SRC)

    def row(feed: Feed) -> FeedRow:
        return FeedRow(feed.title, feed.description, here.to(feed.page_src, "页面"),
                       asset_href(INDEX_SRC, feed.rss_src), asset_href(INDEX_SRC, feed.atom_src))

    groups: dict[str, list[FeedRow]] = {}
    names = {"body": "按执法主体", "region": "按行政区划", "type": "按决定类别"}
    for feed in feeds.by_key.values():
        group = names.get(feed.key.split("/")[0], "综合")
        groups.setdefault(group, []).append(row(feed))
    context = FeedsPage("订阅（RSS / Atom）", feeds.site.settings.feed_entries,
                        list(groups.items()), here.to("data/index.md", "开放数据"))
    return [DocPage(INDEX_SRC, context.title, (templates.render("feeds.html.j2", context),)),
            *feeds.files(reuse)]
