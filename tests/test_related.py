"""相关决定 on decision pages: the demo site as built, and the locality of search/related.py.

What a list may hold is worked out here from the records (a decision is public when no
approved 撤回 names it and its 公示截止期 has not passed), not with the renderer's code.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import random
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag

from generator.loader import load
from generator.model import Decision
from search import related as related_module
from search.related import MAX_RELATED, WINDOW, related_decisions
from tests.conftest import DEMO_AS_OF, ROOT

WITHDRAWN = "xishan-2025-006"


@cache
def _decisions() -> dict[str, Decision]:
    portal, _ = load(ROOT / "content")
    return dict(portal.decisions)


@cache
def _public() -> dict[str, Decision]:
    portal, _ = load(ROOT / "content")
    withdrawn = {c.record.removeprefix("decisions/") for c in portal.corrections.values()
                 if c.kind == "撤回" and c.review is not None and c.review.outcome == "批准"}
    return {d.id: d for d in portal.decisions.values()
            if d.id not in withdrawn and d.publicity_end >= DEMO_AS_OF}


def _peers(decision: Decision) -> set[str]:
    """The public decisions a list may name: same power, or, for a decision alone in its
    power, same body and type (the demo's groups are all within one window)."""
    public = _public().values()
    same_power = {d.id for d in public if d.power == decision.power} - {decision.id}
    if same_power:
        return same_power
    return {d.id for d in public if d.body == decision.body and d.type == decision.type} \
        - {decision.id}


def _page(site: Path, decision: Decision) -> Path:
    return site / "decisions" / str(decision.decision_date.year) / decision.id / "index.html"


@cache
def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _section(site: Path, decision: Decision) -> Tag | None:
    heading = _soup(_page(site, decision)).find("h2", string="相关决定")
    return heading.parent if isinstance(heading, Tag) else None


def _listed(site: Path, decision: Decision) -> list[tuple[str, Tag]]:
    """The ids the section links to, each with its link; each link must reach a page."""
    section = _section(site, decision)
    if section is None:
        return []
    here = _page(site, decision).parent.relative_to(site).as_posix()
    listed = []
    for link in section.find_all("a"):
        target = posixpath.normpath(posixpath.join(here, str(link["href"])))
        assert (site / target / "index.html").is_file(), f"{decision.id}: {link['href']}"
        assert target.startswith("decisions/20"), target
        listed.append((target.rsplit("/", 1)[-1], link))
    return listed


def test_each_public_decision_lists_decisions_of_its_power(demo_site: Path) -> None:
    checked = 0
    for decision in _public().values():
        listed = [target for target, _ in _listed(demo_site, decision)]
        peers = _peers(decision)
        assert len(listed) == min(MAX_RELATED, len(peers)), decision.id
        assert set(listed) <= peers and len(set(listed)) == len(listed), decision.id
        if any(_decisions()[t].power == decision.power for t in listed):
            checked += 1
    overtime = [d for d in _public().values() if d.power == "cf-overtime"]
    assert len(overtime) > MAX_RELATED + 1  # so the lists of this power are cut at five
    assert checked > 40


def test_a_decision_alone_in_its_power_lists_its_body_s_decisions_of_its_type(
        demo_site: Path) -> None:
    alone = [d for d in _public().values()
             if not any(p.power == d.power and p.id != d.id for p in _public().values())]
    with_list = [d for d in alone if _listed(demo_site, d)]
    assert with_list and len(with_list) < len(alone)  # one has no peer at all: no section
    for decision in with_list:
        for target, _ in _listed(demo_site, decision):
            other = _public()[target]
            assert (other.body, other.type) == (decision.body, decision.type)


def test_no_list_names_itself_or_a_withdrawn_or_expired_decision(demo_site: Path) -> None:
    hidden = set(_decisions()) - set(_public())
    assert WITHDRAWN in hidden
    assert any(_decisions()[i].publicity_end < DEMO_AS_OF for i in hidden)
    # they have public peers, whose lists would name them if they could
    assert _peers(_decisions()[WITHDRAWN])
    assert any(_peers(_decisions()[i]) for i in hidden - {WITHDRAWN})
    for decision in _decisions().values():
        listed = {target for target, _ in _listed(demo_site, decision)}
        assert decision.id not in listed
        assert not listed & hidden, f"{decision.id} lists {listed & hidden}"
        if decision.id in hidden:
            assert _section(demo_site, decision) is None


def test_a_link_names_the_document_and_the_party_as_its_page_shows_them(
        demo_site: Path) -> None:
    natural = 0
    for decision in _public().values():
        for target, link in _listed(demo_site, decision):
            other = _public()[target]
            shown = _soup(_page(demo_site, other)).find("th", string="当事人")
            assert isinstance(shown, Tag)
            party = shown.find_next_sibling("td").get_text(strip=True)
            assert link.get_text() == f"{other.document_number} {party}"
            item = link.parent.get_text()
            body = _soup(_page(demo_site, other)).find("th", string="执法主体")
            assert body.find_next_sibling("td").get_text(strip=True) in item
            assert f"{other.decision_date.year}年{other.decision_date.month}月" \
                   f"{other.decision_date.day}日" in item
            if other.party.kind == "自然人":
                natural += 1
                assert other.party.name not in item
    assert natural > 0


def test_the_section_does_not_print_and_its_heading_id_is_unique(demo_site: Path) -> None:
    css = (ROOT / "site_config/overrides/assets/stylesheets/gongshi.css").read_text()
    # in a print block, after whole rules: a selector list with .gs-noprint, display: none
    assert re.search(r"@media print\s*{(?:[^{}]*{[^{}]*})*[^{}]*\.gs-noprint\b[^{}]*"
                     r"{\s*display:\s*none", css)
    pages = 0
    for decision in _public().values():
        section = _section(demo_site, decision)
        if section is None:
            continue
        pages += 1
        assert "gs-noprint" in section["class"]
        heading = section.find("h2")
        assert heading is not None and heading["id"]
        assert len(_soup(_page(demo_site, decision)).find_all(id=heading["id"])) == 1
    assert pages > 40


# --- search/related.py without a site ---------------------------------------------------


def _group(size: int) -> list[Decision]:
    """`size` decisions of a power of their own, a day apart, whose facts repeat every
    five decisions (so each has twins in its window)."""
    models = sorted(_public().values(), key=lambda d: d.id)[:5]
    start = dt.date(2024, 1, 1)
    return [models[0].model_copy(update={
        "id": f"zz-2024-{i:03d}", "power": "zz-synthetic", "facts": models[i % 5].facts,
        "outcome": models[i % 5].outcome, "decision_date": start + dt.timedelta(days=i)})
        for i in range(size)]


def test_adding_a_decision_changes_only_its_neighbours_lists() -> None:
    group = _group(3 * WINDOW)
    before = related_decisions([*_public().values(), *group])
    # the first decision's twin, dated long after the whole group
    late = group[0].model_copy(update={"id": "zz-2025-001",
                                       "decision_date": dt.date(2025, 6, 1)})
    after = related_decisions([*_public().values(), *group, late])
    changed = {ref for ref in before.keys() | after.keys() if before.get(ref) != after.get(ref)}
    neighbours = {d.ref for d in group[-WINDOW:]}
    assert changed - {late.ref} <= neighbours
    assert changed & neighbours  # the neighbours do see it
    assert late.ref not in after[group[0].ref]  # its twin is out of its window
    assert all(after[d.ref] == before[d.ref] for d in _public().values() if d.ref in before)


def test_twins_come_first_and_the_order_of_the_input_does_not_matter() -> None:
    group = _group(3 * WINDOW)
    decisions = [*_public().values(), *group]
    lists = related_decisions(decisions)
    # identical facts first; among them the nearer date, then the id (15 before 45)
    assert lists[group[30].ref] == [group[i].ref for i in (25, 35, 20, 40, 15)]
    shuffled = decisions[:]
    random.Random(6).shuffle(shuffled)
    assert related_decisions(shuffled) == lists


def _count_lists(monkeypatch: pytest.MonkeyPatch, listed: list[str]) -> None:
    """Note in `listed` the refs whose lists are made by comparing decisions of a power."""
    within_power = related_module._within_power

    def counted(*args: Any) -> list[tuple[str, list[str]]]:
        lists = list(within_power(*args))
        listed.extend(ref for ref, _ in lists)
        return lists

    monkeypatch.setattr(related_module, "_within_power", counted)


def test_a_power_whose_decision_files_are_unchanged_is_not_compared_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "related.pickle"
    decisions = sorted(_public().values(), key=lambda d: d.id)
    powers = Counter(d.power for d in decisions)
    edited = next(d for d in decisions if powers[d.power] > 1)
    changed = edited.model_copy(update={"facts": edited.facts + "另查明，该单位已于当月补缴。"})
    changed.read_as(b"\x01" * 16)  # as the loader marks a record read from an edited file
    now = [changed if d is edited else d for d in decisions]
    expected_before, expected_after = related_decisions(decisions), related_decisions(now)

    listed: list[str] = []
    _count_lists(monkeypatch, listed)
    assert related_decisions(decisions, cache) == expected_before  # first run: all compared
    assert len(listed) == sum(n for n in powers.values() if n > 1)
    listed.clear()
    assert related_decisions(decisions, cache) == expected_before
    assert listed == []
    assert related_decisions(now, cache) == expected_after
    # the demo's powers are smaller than a window: the whole power, and no other
    assert sorted(listed) == sorted(d.ref for d in decisions if d.power == edited.power)


def _files(decisions: list[Decision], seed: int) -> list[Decision]:
    """The decisions as read from files: each with a digest of its own."""
    for n, decision in enumerate(decisions):
        decision.read_as(bytes([seed, n % 256, n // 256]) * 5 + b"\0")
    return decisions


def test_a_changed_power_compares_again_only_the_decisions_near_a_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A decision's list depends on its WINDOW neighbours alone: after a decision is added,
    edited or removed in a large power, only the lists within WINDOW of it are made again,
    and all lists are those of a run without the cache."""
    cache = tmp_path / "related.pickle"
    group = _files(_group(8 * WINDOW), 1)
    related_decisions(group, cache)
    listed: list[str] = []
    _count_lists(monkeypatch, listed)
    middle = 4 * WINDOW
    edited = group[middle].model_copy(update={"facts": group[middle].facts + "另查明，已补缴。"})
    edited.read_as(b"\x02" * 16)
    late = _files([group[0].model_copy(update={"id": "zz-2030-001",
                                              "decision_date": dt.date(2030, 1, 1)})], 3)[0]
    steps = [("edited", [*group[:middle], edited, *group[middle + 1:]], middle),
             ("added last", [*group[:middle], edited, *group[middle + 1:], late], len(group)),
             ("removed", [*group[:10], *group[11:middle], edited, *group[middle + 1:], late], 10)]
    for name, decisions, at in steps:
        expected = related_decisions(decisions)  # without the cache
        listed.clear()
        assert related_decisions(decisions, cache) == expected, name
        ordered = sorted(decisions, key=lambda d: (d.decision_date, d.id))
        near = {d.ref for d in ordered[max(0, at - WINDOW):at + WINDOW + 1]}
        assert set(listed) <= near and len(listed) <= 2 * WINDOW + 2, name
        assert ordered[at - 1].ref in listed, name


def test_the_lists_kept_are_written_again_only_for_the_power_that_changed(
        tmp_path: Path) -> None:
    """The lists are kept in a file per share of the powers: a run with nothing changed
    writes none, and a change writes only the file of its power, which gives the next run
    the lists a run without the cache gives."""
    cache = tmp_path / "related.pickle"
    decisions = _files(sorted(_public().values(), key=lambda d: d.id), 3)
    powers = Counter(d.power for d in decisions)
    assert sum(1 for n in powers.values() if n > 1) > 1  # else there is no other file
    related_decisions(decisions, cache)

    def stamps() -> dict[str, tuple[int, int]]:
        return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns)
                for p in tmp_path.glob("related*.pickle")}

    first = stamps()
    assert len(first) > 1
    related_decisions(decisions, cache)
    assert stamps() == first
    edited = next(d for d in decisions if powers[d.power] > 1)
    changed = edited.model_copy(update={"facts": edited.facts + "另查明，该单位已于当月补缴。"})
    changed.read_as(b"\x05" * 16)
    now = [changed if d is edited else d for d in decisions]
    assert related_decisions(now, cache) == related_decisions(now)
    after = stamps()
    assert len([name for name in first if after.get(name) != first[name]]) == 1
    assert related_decisions(now, cache) == related_decisions(now)


def test_the_kept_lists_follow_decisions_entering_and_leaving_as_a_fresh_run_makes_them(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A warm process's lists (`KeptRelated`), brought up to date as decisions enter and
    leave, are those `related_decisions` makes of the same decisions: in powers larger than
    several windows, with decisions that are or become alone in their power, and with
    several changes at once. Only the lists near a change are made again."""
    from search.related import KeptRelated

    rng = random.Random(8)
    # Facts of a few characters each from a small set: every neighbour scores differently,
    # so a list made from one neighbour too few is another list.
    alphabet = "欠发工资劳动"

    def facts() -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(4, 12)))

    big = [d.model_copy(update={"facts": facts()}) for d in _group(6 * WINDOW)]
    other = [d.model_copy(update={"id": f"zy-2024-{i:03d}", "power": "zy-synthetic",
                                  "facts": facts(),
                                  "decision_date": d.decision_date + dt.timedelta(days=i % 3)})
             for i, d in enumerate(_group(3 * WINDOW))]
    current = {d.ref: d for d in [*_public().values(), *big, *other]}
    bodies = sorted({d.body for d in current.values()})
    types = sorted({d.type for d in current.values()})
    kept = KeptRelated(current.values())
    assert kept.lists() == related_decisions(current.values())
    listed: list[str] = []
    _count_lists(monkeypatch, listed)
    serial = iter(range(1000))

    def new_decision() -> Decision:
        model = rng.choice(list(current.values()))
        # Powers of their own, and a few that hold one decision or two at a time.
        power = rng.choice(["zz-synthetic", "zy-synthetic", model.power, f"zx-{next(serial)}",
                            f"zv-{rng.randrange(4)}"])
        return model.model_copy(update={
            "id": f"zw-{next(serial):04d}", "power": power, "facts": facts(),
            "body": rng.choice(bodies), "type": rng.choice(types),
            "decision_date": dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(200))})

    for step in range(40):
        listed.clear()
        for _ in range(rng.choice([1, 1, 2, 5])):
            what = rng.random()
            if what < 0.4 or len(current) < 50:
                decision = new_decision()
                current[decision.ref] = decision
                kept.enter(decision)
            else:
                old = current.pop(rng.choice(sorted(current)))
                kept.forget(old)
                if what < 0.7:  # changed: its facts, date or power
                    new = old.model_copy(update={
                        "facts": rng.choice([old.facts, facts()]),
                        "decision_date": old.decision_date + dt.timedelta(days=rng.randrange(-5, 6)),
                        "power": rng.choice([old.power, "zz-synthetic", f"zx-{next(serial)}",
                                             f"zv-{rng.randrange(4)}"])})
                    current[new.ref] = new
                    kept.enter(new)
        assert kept.lists() == related_decisions(current.values()), step
        assert len(listed) <= 5 * (4 * WINDOW + 1)  # the lists near the changes only
