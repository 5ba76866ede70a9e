"""What changed in the records since the build that made the published site (issue 8).

A rebuild after one new decision should work on that decision and what shows it, not on all
100,000. It starts by telling what changed: the records whose file is new, changed or gone,
and the records whose publication changed in the ledger. That is a comparison of two dicts
and two sets of lines, a few hundredths of a second at 100,000 decisions, against the state
the published site's build kept in its manifest (`State`).

Figures made from many records are then taken from the last build for what did not change
(render/decisions.py `plan`). When the state is not known (a first build, a site made by
other means, another version of Gongshi's code), every record counts as changed, and the
build works as if nothing were kept.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import statefile
from generator.ledger import Ledger
from generator.portal import Portal

STATE = "records"
"""The name, in the site's manifest, of the state a build leaves for the next (`State`)."""


def _code() -> bytes:
    """Gongshi's code: values kept by other code are not taken for this code's."""
    here = Path(__file__).resolve().parent
    return statefile.code_digest(sorted(path for package in (here, here.parent / "search")
                                        for path in package.rglob("*.py")))


@dataclass(frozen=True)
class State:
    """What a build was made from, as the next build compares it."""

    code: bytes
    as_of: dt.date
    digests: Mapping[str, bytes]
    """Each record's file digest, by `folder/id` (`Portal.digests`)."""
    ledger: frozenset[str]
    """The ledger's lines."""

    @classmethod
    def of(cls, portal: Portal, ledger: Ledger, as_of: dt.date) -> State | None:
        """The state of this build; None when the ledger was not read from its file."""
        if ledger.lines is None:
            return None
        return cls(_code(), as_of, dict(portal.digests), ledger.lines)


@dataclass(frozen=True)
class Changes:
    """The records (by `folder/id`) that changed since the published site was built, and the
    as-of date it was built for. `refs` None: not known, every record counts as changed."""

    refs: frozenset[str] | None
    as_of: dt.date | None = None
    """The published site's as-of date."""

    @property
    def known(self) -> bool:
        return self.refs is not None

    def any_of(self, refs: Collection[str]) -> bool:
        """Whether any of `refs` changed."""
        return self.refs is None or not self.refs.isdisjoint(refs)


EVERYTHING = Changes(None)


def since(before: Any, now: State | None) -> Changes:
    """What changed from the state `before` (a manifest's, of any type: written by any
    version of Gongshi) to `now`."""
    if now is None or not isinstance(before, State) or before.code != now.code:
        return EVERYTHING
    old, new = before.digests, now.digests
    refs = {ref for ref, _ in new.items() ^ old.items()}
    for line in before.ledger ^ now.ledger:
        try:
            refs.add(str(json.loads(line)["record"]))
        except (ValueError, KeyError, TypeError):
            return EVERYTHING
    return Changes(frozenset(refs), before.as_of)


WHOSE = "appeals and corrections"
"""The name, in the site's manifest, of the record each appeal and correction is about
(`whose`)."""


def whose(portal: Portal) -> dict[str, str]:
    """The record each appeal and correction is about (by ref), by its ref."""
    about = {appeal.ref: f"decisions/{appeal.decision}" for appeal in portal.appeals.values()}
    about.update((correction.ref, correction.record) for correction in portal.corrections.values())
    return about


def touched(changes: Changes, now: Mapping[str, str], before: Any) -> frozenset[str] | None:
    """The records (by ref) that changed, and those a changed appeal or correction is about,
    now and in the last build (`before`: its manifest's `whose`, of any type): their pages
    tell of it, and it may have moved, or be gone. None when not known."""
    if changes.refs is None or not isinstance(before, Mapping):
        return None
    return frozenset(changes.refs).union(
        about for ref in changes.refs for about in (now.get(ref), before.get(ref))
        if about is not None)
