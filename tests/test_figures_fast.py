"""The site index and the facets, made in one pass each for speed (issue 8), are what the
plain definitions give: DOMAIN.md's publicity, latest first, and each facet's `keys`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from generator.changes import Changes
from generator.ledger import Ledger
from generator.loader import load
from generator.model import Decision
from generator.portal import Portal
from generator.render.facets import FACETS, OUTCOME_SLUGS, Filing, _facet_values, _ordered, slug
from generator.render.site import Publicity, Site, build_site_index
from generator.settings import load_settings
from generator.timeliness import publications
from tests.conftest import DEMO_AS_OF, ROOT


def _demo() -> tuple[Portal, Ledger]:
    portal, _ = load(ROOT / "content")
    return portal, Ledger.read(ROOT)


def _site(as_of: dt.date = DEMO_AS_OF) -> Site:
    portal, ledger = _demo()
    return build_site_index(portal, load_settings(ROOT), as_of, ledger)


def test_site_index_lists_the_public_decisions_latest_first() -> None:
    for as_of in (DEMO_AS_OF, dt.date(2031, 1, 1), dt.date(2024, 1, 1)):
        site = _site(as_of)
        expected = [d for d in sorted(site.portal.decisions.values(),
                                      key=lambda d: (-d.decision_date.toordinal(), d.id))
                    if site.publicity(d) is Publicity.PUBLIC]
        assert [d.id for d in site.decisions] == [d.id for d in expected]
    # The demo has a withdrawn decision, and decisions of the same day.
    site = _site()
    assert any(site.publicity(d) is Publicity.WITHDRAWN for d in site.portal.decisions.values())
    dates = [d.decision_date for d in site.decisions]
    assert len(set(dates)) < len(dates)


def test_facet_values_are_filed_as_the_facets_keys_file_them() -> None:
    site = _site()
    # A category named twice, one with no slug of its own, an officer named twice.
    first = site.decisions[0]
    outcome = first.outcome.model_copy(update={"categories": ["训诫", "罚款", "训诫", "警告"]})
    site.decisions[0] = first.model_copy(update={
        "outcome": outcome, "officers": [*first.officers, first.officers[0]]})
    filing = Filing.of(site)
    expected = []
    for facet in FACETS:
        grouped: dict[str, list[Decision]] = defaultdict(list)
        titles: dict[str, str] = {}
        for decision in site.decisions:
            for key in facet.keys(filing, decision):
                grouped[key].append(decision)
            if facet.folder == "outcome":
                for category in decision.outcome.categories:
                    titles.setdefault(slug(category, OUTCOME_SLUGS), category)
        for key in _ordered(site, facet, grouped):
            expected.append((facet.folder, key, titles.get(key) or facet.title(filing, key),
                             [d.id for d in grouped[key]]))
    found = [(v.facet.folder, v.key, v.title, [d.id for d in v.decisions])
             for v in _facet_values(site)]
    assert found == expected
    assert {folder for folder, *_ in found} == {facet.folder for facet in FACETS}


def test_timings_taken_from_the_last_build_are_those_counted_afresh() -> None:
    portal, ledger = _demo()
    kept: dict[str, tuple[dt.date | None, int, dt.date, int | None]] = {}
    full = publications(portal, ledger, None, Changes(None), kept)
    assert [t.decision.id for t in full] == sorted(portal.decisions)
    assert any(t.late for t in full)
    name = sorted(portal.decisions)[1]
    patched = publications(portal, ledger, dict(kept), Changes(frozenset({f"decisions/{name}"})))
    assert patched == full
    assert [t.late for t in patched] == [t.late for t in full]



def test_each_officers_decisions_are_those_the_officer_signed_latest_first() -> None:
    """An officer's page lists what the facet 按承办执法人员 filed (made once per build)."""
    from generator.render.officers import signed_by

    site = _site()
    first = site.decisions[0]  # an officer named twice signs it once
    site.decisions[0] = first.model_copy(update={"officers": [*first.officers, first.officers[0]]})
    expected: dict[str, list[str]] = defaultdict(list)
    for decision in site.decisions:
        for officer in set(decision.officers):
            expected[officer].append(decision.id)
    signed = signed_by(site)
    assert {officer: [d.id for d in found] for officer, found in signed.items()} == expected
    assert len(signed) > 3


def test_the_lists_of_some_decisions_are_those_that_hold_them() -> None:
    """A list none of whose decisions was made again is left as published: the lists that
    hold any of them are found from the decisions, not by asking every list."""
    from generator.render.decision_lists import lists, lists_of

    site = _site()
    everything = lists(site)
    public = [d.id for d in site.decisions]
    for chosen in ([], public[:1], public[3:6], [*public[-2:], "not-a-decision"], public):
        ids = frozenset(chosen)
        expected = {found.folder for found in everything
                    if any(d.id in ids for d in found.decisions)}
        assert lists_of(site, ids) == expected
    assert len(lists_of(site, frozenset(public[:1]))) >= 5  # its year, body, region, type …
