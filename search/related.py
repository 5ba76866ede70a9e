"""相关决定 (related decisions): for each public decision, up to five other public decisions
like it (same power, similar facts), listed on its page.

Local by design, so that it scales linearly and an incremental build can tell which pages a
new decision changes: a decision is compared only with its neighbours in date order among
the public decisions of its power (职权), the WINDOW before it and the WINDOW after it. Adding
a decision changes no list but those of its neighbours. There is no comparison of all pairs
and no search engine: 100,000 decisions make about two million comparisons of small sets.

A decision whose power no other public decision uses is compared instead with the WINDOW
before and after it among its body's decisions of the same type (决定类别); with none, it has
no list.

The score, in per mille so that equal scores are exactly equal: the Jaccard similarity of the
facts' sets of Chinese character pairs, plus a bonus for a shared outcome category (处理类别)
and one for the same body. Ties go to the nearer date, then to the id.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from generator import statefile
from generator.model import Decision
from generator.render import text as text_module
from generator.render.site import by_date
from generator.render.text import scrub_party

if TYPE_CHECKING:
    from generator.render.site import Site

MAX_RELATED = 5
WINDOW = 20
"""Decisions compared on each side, in date order."""
OUTCOME_BONUS = 100
BODY_BONUS = 50

# Pairs of Chinese characters (CJK Unified Ideographs and Extension A) found by the regex
# engine, not by a Python loop: this is most of the cost at 100,000 decisions. A run ABCDE
# gives AB CD from the run's start, then BC DE from the character after it.
_CHINESE = "[\u3400-\u4dbf\u4e00-\u9fff]"
_PAIR_FROM_START = re.compile(f"{_CHINESE}{{2}}")
_PAIR_FROM_SECOND = re.compile(f"(?<={_CHINESE}){_CHINESE}{{2}}")

CACHE_FILE = Path(".gongshi") / "related.pickle"
"""Each power's lists from the last build, with the files they were made from (`Kept`), in
SHARDS files by power: one new decision writes again only its power's file (the one file of
all the lists was 0.2 s to write at 100,000 decisions, after any change)."""
SHARDS = 16

Ranked = tuple[int, int, str]
"""A candidate as it sorts, best first: (-score, days apart, ref)."""


@dataclass(frozen=True, slots=True)
class _Case:
    """What the comparison needs of one decision."""

    ref: str
    body: str
    day: int
    pairs: frozenset[str]
    outcomes: frozenset[str]
    power: str
    type: str


def related(site: Site) -> dict[str, list[str]]:
    """Each public decision's ref -> the refs of up to MAX_RELATED related public decisions,
    most alike first; a decision with none is left out."""
    return related_decisions(site.decisions, site.portal.root.parent / CACHE_FILE)


def related_decisions(decisions: Iterable[Decision],
                      cache: Path | None = None) -> dict[str, list[str]]:
    """The same for any decisions, which must all be public: `Site.decisions` holds no
    withdrawn or expired decision, so none can ever be listed.

    With `cache` (a file), each power's lists are kept from the last run with the files of its
    decisions in order. A power whose decisions are the same files is not compared again;
    in one whose decisions changed, only the decisions within WINDOW of a change are: a
    decision's list depends on its WINDOW neighbours alone (issue 8: comparing a whole power
    again, for one new decision in it, was a second of CPU at 100,000 decisions)."""
    ordered = by_date(decisions)
    by_power = _groups(ordered, attrgetter("power"))
    kept: statefile.Kept[Kept] = statefile.Kept(cache, None, SHARDS)
    # The code that makes the lists: this module, and the masking of names in the facts.
    code = statefile.code_digest([Path(__file__), Path(text_module.__file__ or "")])
    result: dict[str, list[str]] = {}
    for group in by_power:
        if len(group) > 1:
            # A power with a decision not read from a file (made in a test) is not kept.
            marks: Marks | None = [(d.ref, d.file_digest) for d in group] \
                if all(d.file_digest for d in group) else None
            key = hashlib.blake2b(code + group[0].power.encode(), digest_size=16).digest() \
                if marks is not None else None
            before = kept.get(key)
            lists = _power_lists(group, marks, before)
            if before is None or lists is not before[1]:  # else kept as it is, unwritten
                kept.put(key, (marks or [], lists))
            result.update(lists)
    kept.save()
    alone = {group[0].id for group in by_power if len(group) == 1}
    for group in _groups(ordered, attrgetter("body", "type")):
        made: dict[int, _Case] = {}  # a neighbour of several lone decisions is made once
        for position, decision in enumerate(group):
            if decision.id in alone:
                for i in (position, *_near(position, len(group))):
                    if i not in made:
                        made[i] = _case(group[i])
                result[decision.ref] = _lone(made.__getitem__, position, len(group))
    return {ref: refs for ref, refs in sorted(result.items()) if refs}


def _near(position: int, size: int) -> list[int]:
    """The positions within WINDOW of `position` in a group of `size`, but it."""
    return [*range(max(0, position - WINDOW), position),
            *range(position + 1, min(size, position + 1 + WINDOW))]


def _lone(case_at: Callable[[int], _Case], position: int, size: int) -> list[str]:
    """The list of a decision alone in its power, at `position` among its body's decisions
    of its type (`size` of them, each case found by `case_at`)."""
    case = case_at(position)
    return _best([_ranked(case, case_at(i)) for i in _near(position, size)])


Lists = list[tuple[str, list[str]]]
"""A power's lists: each decision's ref with its related refs, in date order."""
Marks = list[tuple[str, bytes | None]]
"""A power's decisions in date order: each one's ref and the digest of its file."""
Kept = tuple[Marks, Lists]
"""A power's lists as kept, with the decisions they were made from."""


def _power_lists(group: list[Decision], marks: Marks | None, before: Kept | None) -> Lists:
    """The lists of one power's decisions (in date order). Those `before` holds are taken
    where the decision's WINDOW neighbours on both sides are the same files as then: all but
    the lists of the decisions near where `marks` and the last run's differ (from the first
    difference to the last)."""
    if marks is None or before is None:
        return list(_within_power([_case(d) for d in group]))
    old_marks, old_lists = before
    if old_marks == marks:
        return old_lists
    size, same = len(marks), min(len(marks), len(old_marks))
    first = next((n for n in range(same) if marks[n] != old_marks[n]), same)
    tail = 0  # how many are the same at the end, after `first` in both
    while tail < same - first and marks[-1 - tail] == old_marks[-1 - tail]:
        tail += 1
    lo, hi = max(0, first - WINDOW), min(size, size - tail + WINDOW)
    start = max(0, lo - WINDOW)
    cases = [_case(d) for d in group[start:min(size, hi + WINDOW)]]
    shift = len(old_marks) - size  # where a list after the changes was in the last run's
    return [*old_lists[:lo], *_within_power(cases, lo - start, hi - start),
            *old_lists[hi + shift:]]


def character_pairs(text: str) -> frozenset[str]:
    """Every two adjacent Chinese characters of the text (digits and punctuation split runs)."""
    return frozenset(_PAIR_FROM_START.findall(text) + _PAIR_FROM_SECOND.findall(text))


def _case(decision: Decision) -> _Case:
    # The facts as published: a natural person's name is masked first, so that two decisions
    # about the same person are not ranked as alike because of the name the site hides.
    return _Case(decision.ref, decision.body, decision.decision_date.toordinal(),
                 character_pairs(scrub_party(decision.facts, decision.party)),
                 frozenset(decision.outcome.categories), decision.power, decision.type)


def _groups(decisions: list[Decision], key: Callable[[Decision], Hashable]) -> list[list[Decision]]:
    """The decisions grouped by a key, each group in the order given."""
    groups: dict[Hashable, list[Decision]] = defaultdict(list)
    for decision in decisions:
        groups[key(decision)].append(decision)
    return list(groups.values())


def _within_power(group: list[_Case], lo: int = 0,
                  hi: int | None = None) -> Iterator[tuple[str, list[str]]]:
    """Each case of one power from `lo` to before `hi` (the end), in date order, with its
    related refs; `group` holds the cases up to WINDOW beyond those on both sides. A pair is
    scored once, by the earlier case, which hands the score on to the later one."""
    handed_on: dict[int, list[Ranked]] = defaultdict(list)
    for position in range(max(0, lo - WINDOW), len(group) if hi is None else hi):
        case = group[position]
        found = handed_on.pop(position, [])
        for later, other in enumerate(group[position + 1 : position + 1 + WINDOW], position + 1):
            score = -_score(case, other)
            days = other.day - case.day
            found.append((score, days, other.ref))
            handed_on[later].append((score, days, case.ref))
        if position >= lo:
            yield case.ref, _best(found)


def _ranked(case: _Case, other: _Case) -> Ranked:
    return -_score(case, other), abs(other.day - case.day), other.ref


def _score(a: _Case, b: _Case) -> int:
    shared = len(a.pairs & b.pairs)
    score = shared * 1000 // (len(a.pairs) + len(b.pairs) - shared) if shared else 0
    if not a.outcomes.isdisjoint(b.outcomes):
        score += OUTCOME_BONUS
    if a.body == b.body:
        score += BODY_BONUS
    return score


def _best(found: list[Ranked]) -> list[str]:
    return [ref for _, _, ref in sorted(found)[:MAX_RELATED]]


_ORDER = attrgetter("day", "ref")
"""Where a case sorts in a group: by date, then by id (`by_date`), as the ref is the id's."""


class KeptRelated:
    """The 相关决定 of a warm build process's public decisions (generator/render/kept.py),
    brought up to date in place as decisions enter or leave them: only the lists within
    WINDOW of where one did are made again (a second of CPU of each rebuild, in another
    process, and the lists of 100,000 decisions sent back, were spent on the lists of the
    few decisions near a change). `lists` equals `related_decisions` of the same decisions
    (tests/test_kept_site.py)."""

    def __init__(self, decisions: Iterable[Decision]) -> None:
        self.powers: dict[str, list[_Case]] = defaultdict(list)
        """Each power's public decisions, in date order."""
        self.kinds: dict[tuple[str, str], list[_Case]] = defaultdict(list)
        """Each body's public decisions of each type, in date order."""
        for decision in by_date(decisions):
            case = _case(decision)
            self.powers[case.power].append(case)
            self.kinds[case.body, case.type].append(case)
        self.result: dict[str, list[str]] = {}
        self.near: dict[str, set[tuple[int, str]]] = {}
        """The decisions (by `_ORDER`) of each power whose lists are to be made again."""
        self.kinds_near: set[tuple[str, str]] = set()
        """The body's decisions of a type whose lone decisions' lists are to be made again."""
        for cases in self.powers.values():
            if len(cases) > 1:
                self._made(_within_power(cases))
        self.kinds_near.update(self.kinds)
        self.lists()

    def enter(self, decision: Decision) -> None:
        case = _case(decision)
        cases = self.powers[case.power]
        at = bisect.bisect_left(cases, _ORDER(case), key=_ORDER)
        cases.insert(at, case)
        self.near.setdefault(case.power, set()).update(
            map(_ORDER, cases[max(0, at - WINDOW):at + WINDOW + 1]))
        kind = self.kinds[case.body, case.type]
        kind.insert(bisect.bisect_left(kind, _ORDER(case), key=_ORDER), case)
        self.kinds_near.add((case.body, case.type))

    def forget(self, decision: Decision) -> None:
        place = (decision.decision_date.toordinal(), decision.ref)
        cases = self.powers[decision.power]
        at = bisect.bisect_left(cases, place, key=_ORDER)
        assert cases[at].ref == decision.ref, "only a decision that entered leaves"
        del cases[at]
        self.result.pop(decision.ref, None)
        self.near.setdefault(decision.power, set()).update(
            map(_ORDER, cases[max(0, at - WINDOW):at + WINDOW]))
        kind = self.kinds[decision.body, decision.type]
        del kind[bisect.bisect_left(kind, place, key=_ORDER)]
        self.kinds_near.add((decision.body, decision.type))

    def lists(self) -> dict[str, list[str]]:
        """Each public decision's ref -> its related refs (`related_decisions`), the lists
        near a decision that entered or left made again. Not a copy."""
        for power, places in self.near.items():
            cases = self.powers[power]
            if len(cases) == 1:  # alone now: its list is made from its body's (below)
                self.kinds_near.add((cases[0].body, cases[0].type))
                continue
            found = sorted(bisect.bisect_left(cases, place, key=_ORDER) for place in places)
            at = [n for n in found if n < len(cases) and _ORDER(cases[n]) in places]
            while at:
                lo = hi = at.pop(0)
                while at and at[0] <= hi + 2 * WINDOW:
                    hi = at.pop(0)
                start = max(0, lo - WINDOW)
                self._made(_within_power(cases[start:hi + 1 + WINDOW], lo - start,
                                         hi + 1 - start))
        self.near.clear()
        for kind in self.kinds_near:
            cases = self.kinds[kind]
            for position, case in enumerate(cases):
                if len(self.powers[case.power]) == 1:
                    self._made([(case.ref, _lone(cases.__getitem__, position, len(cases)))])
        self.kinds_near.clear()
        return self.result

    def _made(self, lists: Iterable[tuple[str, list[str]]]) -> None:
        for ref, refs in lists:
            if refs:
                self.result[ref] = refs
            else:
                self.result.pop(ref, None)
