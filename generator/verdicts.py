"""The check stage, in proportion to the change: each decision's verdict is kept between
builds (issue 8).

Checking every rule, the publication gate and the timeliness of 100,000 decisions took 13 s
of CPU on every build, though a rebuild mostly follows a change of one decision. What the
rules find in a decision depends only on the decision and on the records it cites: bodies,
officers, powers, laws, procedures and benchmarks, "the world", a few thousand records that
rarely change (`rules.Rule`). So each decision's `Verdict` is kept in
.gongshi/verdicts-*.pickle under the decision file's digest, in files versioned by a digest
of the world and of the code: after a change of decisions, only those are judged again;
after a change of the world or of Gongshi, all of them.

A verdict also holds what the gate and the timeliness checks need of the decision (its
content hash, when it is due): on every build they compare it with the ledger and the as-of
date, a few steps per decision. What looks across decisions or reads the ledger, the
corrections or the appeals (former ids, appeals, corrections, records gone from content/)
runs on every build too: together a fraction of a second at 100,000 decisions.

In a warm build process (generator/warm.py) even the pass over every decision's kept
verdict is left out: the process assembles them while it waits for a change (`assemble`),
and its next check brings them up to date by the decisions whose files changed since
(generator/render/kept.py `changed_since`), when nothing else did.

The problems are those of a full check (`full`), in the same order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import chinese_calendar

from generator import gate, statefile, timeliness
from generator.ledger import Ledger, content_hash
from generator.memo import MEMO, Key
from generator.model import Decision
from generator.parallel import run_all, workers
from generator.portal import Portal
from generator.problems import Problem
from generator.rules import RULES
from generator.timeliness import Due

VERDICTS_FILE = Path(".gongshi") / "verdicts.pickle"
WORLD_FILE = Path(".gongshi") / "world-problems.pickle"
SHARDS = 16
"""One new decision rewrites one file of sixteen (`statefile.Kept`)."""

WORLD = ("bodies", "officers", "laws", "powers", "procedures", "benchmarks")
"""The record types a decision's verdict is judged from, besides the decision itself."""

Verdict = tuple[tuple[tuple[Problem, ...], ...], str, Due, bool]
"""What one decision file gives in one world, whatever the ledger and the as-of date: its
problems under each rule of `RULES` (() when it has none), its content hash, when it is due
(`timeliness.Due`), and whether it has former ids (the ledger may know it under several).
A plain tuple: 100,000 named ones took 0.6 s to unpickle, plain ones 0.1 s."""

WorldProblems = tuple[tuple[Problem, ...], ...]
"""The problems of each rule's `world` part."""


def judge(decision: Decision, portal: Portal) -> Verdict:
    problems = tuple(tuple(rule.decision(decision, portal)) for rule in RULES)
    return (problems if any(problems) else (), content_hash(decision),
            timeliness.due(decision), bool(decision.former_ids))


def full(portal: Portal, ledger: Ledger | None, as_of: dt.date) -> list[Problem]:
    """Every problem of the rules, the publication gate and the timeliness checks (the last
    two only with a ledger), nothing kept."""
    problems = [problem for rule in RULES for problem in rule.check(portal, as_of)]
    if ledger is not None:
        problems += gate.check(portal, ledger)
        problems += timeliness.check(portal, ledger, as_of)
    return problems


def check(portal: Portal, ledger: Ledger | None, as_of: dt.date, root: Path | None,
          parallel_from: int = 2000) -> list[Problem]:
    """The problems of `full`, judging again only the decisions whose verdict in this world
    the last check under `root` did not keep (without `root`, all of them), and keeping
    theirs for the next. From `parallel_from` decisions to judge, on two cores."""
    world = _world(portal)
    kept_at = root if world is not None else None
    kept: statefile.Kept[Verdict] = statefile.Kept(
        kept_at / VERDICTS_FILE if kept_at is not None else None, world, SHARDS)
    warm = _warm(portal, world, kept, parallel_from)
    flagged, hashes, dues = (list(warm.flagged.values()), warm.hashes, warm.dues) \
        if warm is not None else _assembled(portal, kept, parallel_from)
    found = _rules(portal, as_of, _world_problems(portal, world, kept_at), flagged)
    if ledger is not None:
        found += gate.check(portal, ledger, hashes)
        found += timeliness.check(portal, ledger, as_of, dues)
    return found


def _assembled(portal: Portal, kept: statefile.Kept[Verdict], parallel_from: int,
               ) -> tuple[list[tuple[tuple[Problem, ...], ...]], dict[str, str | None],
                          dict[str, Due | None]]:
    """The problems of each decision that has any, and each one's content hash and due
    (`Assembled`), in the portal's order: from the verdicts `kept`, the others judged
    again and kept."""
    # One pass over the decisions, a few steps each: at 100,000 decisions, each step more
    # costs a hundredth of a second or more.
    flagged: list[tuple[int, tuple[tuple[Problem, ...], ...]]] = []
    hashes: dict[str, str | None] = {}
    dues: dict[str, Due | None] = {}
    missing: list[tuple[int, Decision]] = []
    for index, decision in enumerate(portal.decisions.values()):
        ref = decision.ref
        verdict = _usable(kept.get(decision.file_digest), decision)
        if verdict is None:
            missing.append((index, decision))
            hashes[ref] = dues[ref] = None  # for now: in the portal's order
            continue
        problems, digest, due, renamed = verdict
        if problems:
            flagged.append((index, problems))
        hashes[ref], dues[ref] = (None, None) if renamed else (digest, due)
    if missing:
        judged = _judged([decision for _, decision in missing], portal, parallel_from)
        for (index, decision), verdict in zip(missing, judged, strict=True):
            kept.put(decision.file_digest, verdict)
            problems, digest, due, renamed = verdict
            if problems:
                flagged.append((index, problems))
            if not renamed:
                hashes[decision.ref], dues[decision.ref] = digest, due
        flagged.sort(key=lambda item: item[0])
    if missing or len(kept.used) != len(kept.known):
        kept.save()
    return [problems for _, problems in flagged], hashes, dues


def _usable(verdict: Verdict | None, decision: Decision) -> Verdict | None:
    """A kept verdict, unless its problems name another file (the decision's file moved as
    it was: it is judged again)."""
    return None if verdict is not None and verdict[0] and _file(verdict) != decision.origin.path \
        else verdict


@dataclasses.dataclass
class Assembled:
    """What `check` takes of the verdicts of every decision of a portal, in its order:
    the problems of each decision that has any, and each one's content hash and when it
    is due (None where the gate and the timeliness checks look for themselves); in a
    `world`, as of a load of a warm process (`token`, generator/render/kept.py)."""

    world: bytes
    token: object
    flagged: dict[str, tuple[tuple[Problem, ...], ...]]
    hashes: dict[str, str | None]
    dues: dict[str, Due | None]


ASSEMBLED: list[Assembled] = []
"""In a warm build process: the verdicts of its records assembled (`assemble`), for its
builds' checks to bring up to date by the decisions changed since (`_warm`): one pass over
100,000 decisions to assemble them took a second of CPU of every rebuild."""


def assemble(portal: Portal, root: Path, token: object,
             changed_since: Callable[[object], set[str] | None]) -> None:
    """Bring `ASSEMBLED` up to date with `portal`, the records of a warm process as of the
    load `token` (`KeptSite.changed_since` tells which decisions changed since another),
    from the verdicts its last check kept in `root`; or assemble them afresh. Nothing is
    kept when a verdict is missing (the check was stopped): the next check judges them."""
    world = _world(portal)
    if world is None:
        ASSEMBLED.clear()
        return
    kept: statefile.Kept[Verdict] = statefile.Kept(root / VERDICTS_FILE, world, SHARDS)
    found = ASSEMBLED[0] if ASSEMBLED and ASSEMBLED[0].world == world else None
    since = changed_since(found.token) if found is not None else None
    if found is None or since is None:
        found = Assembled(world, token, {}, {}, {})
        since = set(portal.decisions)
        found.hashes = dict.fromkeys(f"decisions/{name}" for name in portal.decisions)
    ASSEMBLED.clear()
    if _brought_up(found, portal, since, kept, None):
        found.token = token
        ASSEMBLED.append(found)


def _warm(portal: Portal, world: bytes | None, kept: statefile.Kept[Verdict],
          parallel_from: int) -> Assembled | None:
    """In a warm build: what the warm process assembled, brought up to date by the
    decisions changed since (judged again where the verdicts kept lack them), when it is
    of this world; None otherwise."""
    from generator.render.kept import KEPT

    found = ASSEMBLED[0] if ASSEMBLED and world is not None else None
    # Only for the warm process's records (not those `gongshi publish` read in a test).
    if found is None or found.world != world or not KEPT or KEPT[0].portal is not portal:
        return None
    since = KEPT[0].changed_since(found.token)
    if since is None:
        return None
    kept.keep_known()
    return found if _brought_up(found, portal, since, kept, parallel_from) else None


def _brought_up(found: Assembled, portal: Portal, since: Collection[str],
                kept: statefile.Kept[Verdict], parallel_from: int | None) -> bool:
    """Bring `found` up to date with the decisions `since` (by id), in place: their
    verdicts from `kept`, or judged again (and kept, with `parallel_from`; without, False
    when one is missing)."""
    decisions = portal.decisions
    hashes, dues, flagged = found.hashes, found.dues, found.flagged
    missing, judged = [], {}
    for name in since:
        decision = decisions.get(name)
        if decision is not None:
            verdict = _usable(kept.get(decision.file_digest), decision)
            if verdict is None:
                missing.append(decision)
            else:
                judged[name] = verdict
    if missing:
        if parallel_from is None:
            return False
        for decision, verdict in zip(missing, _judged(missing, portal, parallel_from),
                                     strict=True):
            kept.put(decision.file_digest, verdict)
            judged[decision.id] = verdict
        kept.save()
    added = ordered = False
    for name in since:
        ref = f"decisions/{name}"
        verdict = judged.get(name)
        if verdict is None:  # gone
            hashes.pop(ref, None)
            dues.pop(ref, None)
            flagged.pop(ref, None)
            continue
        problems, digest, due, renamed = verdict
        added = added or ref not in hashes
        hashes[ref], dues[ref] = (None, None) if renamed else (digest, due)
        if problems:
            ordered = ordered or ref not in flagged
            flagged[ref] = problems
        else:
            flagged.pop(ref, None)
    if added:  # a new decision is where the portal has it (made by C loops: 0.3 s in one)
        refs = ["decisions/" + name for name in decisions]
        found.hashes = dict(zip(refs, map(hashes.__getitem__, refs), strict=True))
        found.dues = dict(zip(refs, map(dues.get, refs), strict=True))
    if (added or ordered) and len(flagged) > 1:
        at = {name: n for n, name in enumerate(decisions)}
        found.flagged = dict(sorted(flagged.items(), key=lambda item: at[item[0][10:]]))
    return True


def _world_problems(portal: Portal, world: bytes | None, root: Path | None) -> WorldProblems:
    """Each rule's problems of the world, as the last check under `root` kept them when the
    world is the same (they took a fifth of a second at 100,000 decisions)."""
    path = root / WORLD_FILE if root is not None else None
    if path is not None:
        known = statefile.load_versioned(path, world)
        if isinstance(known, tuple) and len(known) == len(RULES):
            return known
    problems = tuple(tuple(rule.world(portal)) for rule in RULES)
    if path is not None:
        statefile.dump(path, problems, version=world)
    return problems


def _file(verdict: Verdict) -> str:
    return next(problem.file for problems in verdict[0] for problem in problems)


def _rules(portal: Portal, as_of: dt.date, world: WorldProblems,
           flagged: Sequence[tuple[tuple[Problem, ...], ...]]) -> list[Problem]:
    """The rules' problems, in the order of `Rule.check`."""
    problems: list[Problem] = []
    for index, rule in enumerate(RULES):
        problems += rule.before(portal, as_of)
        problems += world[index]
        for found in flagged:
            problems += found[index]
        problems += rule.after(portal, as_of)
    return problems


def _judged(decisions: list[Decision], portal: Portal,
            parallel_from: int) -> Iterator[Verdict]:
    """The decisions' verdicts, in their order: on both cores when there are many. What the
    workers computed for the memo comes back with them (generator/memo.py)."""
    if len(decisions) < max(parallel_from, 1):
        yield from (judge(decision, portal) for decision in decisions)
        return
    count = workers()
    size = -(-len(decisions) // count)
    tasks = [partial(_judge_all, decisions[start:start + size], portal)
             for start in range(0, len(decisions), size)]
    for verdicts, computed in run_all(tasks):
        MEMO.add(computed)
        yield from verdicts


def _judge_all(decisions: Iterable[Decision],
               portal: Portal) -> tuple[list[Verdict], dict[Key, Any]]:
    return [judge(decision, portal) for decision in decisions], MEMO.taken()


def _world(portal: Portal) -> bytes | None:
    """A digest of the code and of the records a decision is judged from; None when one of
    them was not read from a file (made in a test), so that nothing is kept."""
    parts = [_code_version()]
    for kind_name in WORLD:
        for record_id, record in portal.table(kind_name).items():
            digest = record.file_digest
            if digest is None:
                return None
            parts += [f"{kind_name}/{record_id}".encode(), digest]
    # A reference to a record that failed to load is reported with its file, not again.
    parts += [ref.encode() for ref in sorted(portal.broken)
              if ref.partition("/")[0] in WORLD]
    return hashlib.blake2b(b"\0".join(parts), digest_size=16).digest()


def _code_version() -> bytes:
    """The code that judges: the generator's modules (not its templates) and the calendar
    of official holidays that deadlines are counted with."""
    here = Path(__file__).parent
    files = sorted([*here.glob("*.py"), *(here / "rules").glob("*.py")])
    return statefile.code_digest(files) + str(chinese_calendar.__version__).encode()
