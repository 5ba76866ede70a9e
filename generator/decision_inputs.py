"""A digest of what a group of decisions is judged from, for figures kept between builds.

The yearly statistics and the evaluations (评议考核) count each body's decisions of a year.
Both keep what they counted (issue 8: seconds at 100,000 decisions) under a digest of the
group's decision files, their publication (date, and whether late), and the files of their
appeals and corrections with the day each correction took effect. The digest is made in a
few steps in C per decision: at 100,000 decisions, one step in Python more for each costs a
tenth of a second.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterable, Mapping
from itertools import repeat

from generator.ledger import Publication
from generator.model import Decision
from generator.portal import Portal
from generator.timeliness import Timing, took_effect


def digest(*parts: bytes) -> bytes:
    return hashlib.blake2b(b"\0".join(parts), digest_size=16).digest()


class DecisionInputs:
    """What groups of decisions are judged from, besides records many decisions share."""

    def __init__(self, portal: Portal, timings: Mapping[str, Timing],
                 recorded: dict[str, Publication]) -> None:
        """`timings` by decision id; `recorded`: `Ledger.by_correction()`."""
        self.digests = portal.digests
        self.timings = timings
        self.others: dict[str, list[str]] = {}
        """Each decision's appeals and corrections, by ref; a correction with the day it
        took effect."""
        for appeal in portal.appeals.values():
            self.others.setdefault(appeal.decision, []).append(appeal.ref)
        for correction in portal.corrections.values():
            if correction.record.startswith("decisions/"):
                effective = took_effect(correction, recorded)
                self.others.setdefault(correction.record.removeprefix("decisions/"), []).append(
                    f"{correction.ref} {effective}")
        for refs in self.others.values():
            refs.sort()

    def published(self, name: str, missing: int = -1) -> int:
        """When the decision was published, and whether late: its day's ordinal, doubled,
        plus one when late; -1 while not published, `missing` without a timing. Asked of the
        decisions judged only (a dict of all took a quarter of a second at 100,000)."""
        timing = self.timings.get(name)
        if timing is None:
            return missing
        return timing.published.toordinal() * 2 + timing.late \
            if timing.published is not None else -1

    def unpublished(self, decisions: Iterable[Decision]) -> bool:
        """Whether any of the decisions is not recorded as published."""
        return any(self.published(decision.id) < 0 for decision in decisions)

    def of(self, decisions: list[Decision]) -> bytes | None:
        """A digest of the decisions' files, publication, appeals and corrections; None when
        one of the files is not known (a record made in a test)."""
        names = [decision.id for decision in decisions]
        files = list(map(self.digests.get, [decision.ref for decision in decisions]))
        others = [entry for name in names if name in self.others for entry in self.others[name]]
        theirs = list(map(self.digests.get, [entry.partition(" ")[0] for entry in others]))
        if not all(files) or not all(theirs):
            return None
        published = array("q", map(self.published, names, repeat(-2)))
        return digest(b"".join(files), b"".join(theirs),  # type: ignore[arg-type]
                      published.tobytes(), "\n".join(others).encode())
