"""Each decision as the browser index takes it, kept between builds (issue 8).

Making a search document for each of 100,000 decisions (masking the party, joining the
names of its body, power and officers), and the digests the index keys it by, took 2.5 s of
a rebuild that adds one decision. A decision's document is made from its own file, the
files of the body, power and officers it names, and of its corrections, and from its status
(公示中 / 已更正); the keys are made from the document. So the index keeps, for each
decision, the digests of those files (`Record.file_digest`) and its status (`_Digests`),
with what it took from the document: its keys and a document cut to what its record file
shows (`Indexed.cut`). A decision whose inputs are the same is taken as kept; the others
are made again. The check is made every build, against the files' digests the loader
computed anyway, rather than trusted to a list of what changed (`generator.changes`, which
does not say whose document shows a renamed body).

In a warm build process (generator/warm.py), whose kept site index knows the decisions
whose files each load changed and that nothing else changed since (generator/render/kept.py
`changed_since`), the shards are marked with the load they were made from (`MADE_AT`): the
next build there takes every other decision as kept without looking at it, and makes those
alone (checking 100,000 decisions' inputs took 2 s of CPU of each rebuild).

The other records (bodies, officers, powers, laws: about 11,000 at 100,000 decisions) are
made every build, but in a warm build process after a load that changed decisions only:
there they are kept in `RECORDS_FILE` beside its mark (`OTHERS`), and taken as they are
(making them took 0.8 s of CPU of each rebuild, most of it the laws' texts).

Kept in `SHARDS` files by a hash of the decision's ref, so a new decision rewrites one of
them; under a version that holds the code (all of Gongshi's, as the documents are made by
the renderer's helpers) and the synonyms, which the keys hold.
"""

from __future__ import annotations

import dataclasses
import functools
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator import statefile
from generator.model import Decision
from generator.render.kept import KEPT_SITE
from search import browser_cache
from search.browser import EXCERPT, Indexed, Synonyms, indexed, salt
from search.documents import Document, decision_document, other_documents

if TYPE_CHECKING:
    from generator.render.kept import KeptSite
    from generator.render.site import Site

RECORDS_FILE = Path(".gongshi") / "browser-records.pickle"
SHARDS = 64

Inputs = tuple[Any, ...]
"""What a decision's document is made from (`_Digests.inputs`)."""
Kept = tuple[Inputs, Indexed]
"""A decision as kept: its inputs, and it as the index takes it, its document cut."""
MADE_AT = "made at"
"""In `RECORDS_FILE` itself: the load of a warm process (generator/render/kept.py
`Token`) whose records the shards were made from, or None."""
OTHERS = "others"
"""In `RECORDS_FILE` of a warm build: the other records as the index took them (`records`)."""


@functools.cache
def _code() -> bytes:
    here = Path(__file__).resolve().parent
    return statefile.code_digest(sorted(path for package in (here, here.parent / "generator")
                                        for path in package.rglob("*.py")))


class _Digests:
    """The file digests of the records decisions show, by id, taken once for all of them."""

    def __init__(self, site: Site) -> None:
        portal = site.portal
        self.bodies = {id_: body.file_digest for id_, body in portal.bodies.items()}
        self.powers = {id_: power.file_digest for id_, power in portal.powers.items()}
        self.officers = {id_: officer.file_digest for id_, officer in portal.officers.items()}
        self.corrections = site.corrections_by_record
        self.as_of = site.as_of

    def inputs(self, decision: Decision) -> Inputs | None:
        """What `decision`'s document is made from (its status follows from its
        corrections and whether its publicity ended); None when a record it is made from
        was not read from a file (a test's, or one changed in memory), or is missing: it is
        then made every time."""
        officers = tuple(map(self.officers.get, decision.officers))
        corrections = self.corrections.get(decision.ref)
        inputs = (decision.file_digest, self.bodies.get(decision.body, b""),
                  self.powers.get(decision.power, b""), officers,
                  tuple(c.file_digest for c in corrections) if corrections else (),
                  decision.publicity_end < self.as_of)
        if inputs[0] is None or inputs[1] is None or inputs[2] is None or None in officers \
                or (corrections and None in inputs[4]):
            return None
        return inputs


Found = tuple[list[Indexed], list[dict[str, Kept]], list[bool]]
"""The public decisions as the index takes them, the shards to keep, and which changed."""


def _checked(site: Site, kept: list[dict[str, Kept]], digests: _Digests,
             made_with: bytes) -> Found:
    """Each public decision as kept, where its inputs are those kept with it, else made."""
    keep: list[dict[str, Kept]] = [{} for _ in range(SHARDS)]
    changed = [False] * SHARDS
    result = []
    for decision in site.decisions:
        ref = decision.ref
        n = _shard(ref)
        inputs = digests.inputs(decision)
        found = kept[n].get(ref)
        if found is not None and inputs is not None and found[0] == inputs:
            result.append(found[1])
            keep[n][ref] = found
            continue
        record = _made(site, decision, made_with)
        result.append(record)
        if inputs is not None:
            keep[n][ref] = (inputs, _cut(record))
        changed[n] = True
    return result, keep, changed


def _since(site: Site, kept: list[dict[str, Kept]], since: set[str], digests: _Digests,
           made_with: bytes) -> Found | None:
    """The same, in a warm build process that knows which decisions changed since the kept
    shards were made (`since`, by id; nothing else a document shows did): the others are
    taken as kept, without looking at them (checking the inputs of 100,000 decisions took
    2 s of CPU). None when what is kept is not all the public decisions."""
    from generator.render.decisions import in_order

    public = in_order(site)[0]
    keep = list(kept)
    changed = [False] * SHARDS
    refs = [f"decisions/{name}" for name in sorted(since)]
    for ref in refs:
        n = _shard(ref)
        if not changed[n]:
            keep[n], changed[n] = dict(kept[n]), True
        keep[n].pop(ref, None)
    result = [entry[1] for shard in keep for entry in shard.values()]
    for ref in refs:
        decision = public.get(ref)
        if decision is None:
            continue
        record = _made(site, decision, made_with)
        result.append(record)
        inputs = digests.inputs(decision)
        if inputs is None:  # not kept: the next build checks them all
            return None
        keep[_shard(ref)][ref] = (inputs, _cut(record))
    if len(result) != len(public):
        return None
    return result, keep, changed


def _made(site: Site, decision: Decision, made_with: bytes) -> Indexed:
    return indexed(decision_document(site, decision), made_with)


def _cut(record: Indexed) -> Indexed:
    """As kept: the document cut to what its record file shows."""
    return Indexed(dataclasses.replace(record.doc, text=record.doc.text[:EXCERPT], codes=""),
                   record.key, record.row, cut=True)


def _shard(ref: str) -> int:
    return zlib.crc32(ref.encode("utf-8", "surrogatepass")) % SHARDS


def records(site: Site, synonyms: Synonyms,
            path: Path | None) -> tuple[list[Indexed], Callable[[Document], Document]]:
    """Every searchable public record (`search.documents.documents`), indexed with the
    salt of `synonyms` (normalized); the decisions kept in the cache at `path` (shards of
    `RECORDS_FILE`) whose inputs are the same are taken from it, cut. Returns them, and how
    to make a cut one whole."""
    made_with = salt(synonyms)[1]
    version = browser_cache.digest(_code() + made_with)
    kept: list[dict[str, Kept]] = [
        browser_cache.load(browser_cache.shard(path, n), version) if path is not None else {}
        for n in range(SHARDS)]
    digests = _Digests(site)
    warm: KeptSite | None = site.memo.get(KEPT_SITE)
    # Read in any case, so that a warm process holds it for its next build.
    marked = browser_cache.load(path, version) if path is not None else {}
    made_at = marked.get(MADE_AT)
    since = warm.changed_since(made_at) if warm is not None and path is not None else None
    found = _since(site, kept, since, digests, made_with) if since is not None else None
    if found is None:
        found = _checked(site, kept, digests, made_with)
    result, keep, changed = found
    others = marked.get(OTHERS) if since is not None else None
    if not isinstance(others, list):
        others = [indexed(doc, made_with) for doc in other_documents(site)]
    result += others
    if path is not None:
        for n in range(SHARDS):
            if changed[n] or len(keep[n]) != len(kept[n]):
                browser_cache.save(browser_cache.shard(path, n), version, keep[n])
        made_now = warm.token if warm is not None else None
        if made_now != made_at or not path.is_file():  # a cold build's None, again: kept
            browser_cache.save(path, version, {MADE_AT: made_now} if made_now is None
                               else {MADE_AT: made_now, OTHERS: others})

    def whole(doc: Document) -> Document:
        return decision_document(site, site.portal.decisions[doc.ref.partition("/")[2]])

    return result, whole
