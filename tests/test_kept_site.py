"""The site index kept by a warm build process (generator/render/kept.py): brought up to
date by the decisions each load changed and by the ledger's new lines, it is what
`build_site_index` and `Site.timings` make of the same records; after any other change it
is not used."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.ledger import Ledger
from generator.loader import Warm, load
from generator.model import Decision
from generator.portal import Portal
from generator.render.decisions import in_order
from generator.render.facets import facet_values
from generator.render.history import record_pages
from generator.render.kept import KeptSite
from generator.render.site import Site, build_site_index
from generator.settings import load_settings
from search.related import related_decisions
from tests.conftest import DEMO_AS_OF
from tests.minisite import edit
from tests.repo import add_decision, init_repo, run


@pytest.fixture
def repo(good: Path) -> Path:
    return init_repo(good, "2025-06-12", site=True)


class _Warm:
    """Records loaded as a warm build process holds them, with the site index it keeps."""

    def __init__(self, repo: Path) -> None:
        self.repo, self.files = repo, Warm()
        self.portal = self.load(None)
        self.kept = KeptSite(self.portal, load_settings(repo), DEMO_AS_OF, Ledger.read(repo))

    def load(self, changed: list[Path] | None) -> Portal:
        portal, _ = load(self.repo / "content", None, self.files, changed)
        return portal

    def site(self, *changed: str) -> Site | None:
        """The kept index after a load told of the files `changed`."""
        portal = self.load([self.repo / name for name in changed])
        assert portal is self.portal
        self.kept.note(self.files.changes)
        return self.kept.site(portal, load_settings(self.repo), DEMO_AS_OF, Ledger.read(self.repo))


def _fresh(portal: Portal, repo: Path) -> Site:
    site = build_site_index(portal, load_settings(repo), DEMO_AS_OF, Ledger.read(repo))
    site.timings()
    return site


def _ids(decisions: list[object]) -> list[int]:
    return [id(decision) for decision in decisions]


def _same(kept: Site | None, fresh: Site) -> None:
    assert kept is not None
    assert _ids(kept.decisions) == _ids(fresh.decisions)  # the same records, in order
    assert {body: _ids(found) for body, found in kept.decisions_by_body.items()} == \
        {body: _ids(found) for body, found in fresh.decisions_by_body.items()}
    assert {year: _ids(found) for year, found in kept.decisions_by_year.items()} == \
        {year: _ids(found) for year, found in fresh.decisions_by_year.items()}
    assert kept.decision_years == fresh.decision_years
    assert kept.histories == fresh.histories and kept.recorded == fresh.recorded
    assert kept.ledger.lines == fresh.ledger.lines
    for name in ("root_bodies", "child_bodies", "officers_by_body", "powers_by_body",
                 "corrections_by_record"):
        assert getattr(kept, name) == getattr(fresh, name), name
    timings, expected = kept.memo["timings"], fresh.memo["timings"]
    assert [(id(t.decision), *t[1:]) for t in timings] == \
        [(id(t.decision), *t[1:]) for t in expected]
    assert kept.memo["timings kept"] == fresh.memo["timings kept"]
    (public, by_id), (fresh_public, fresh_by_id) = in_order(kept), in_order(fresh)
    assert {ref: id(found) for ref, found in public.items()} == \
        {ref: id(found) for ref, found in fresh_public.items()}
    assert _ids(by_id) == _ids(fresh_by_id)
    assert {src: id(record) for src, record in record_pages(kept).items()} == \
        {src: id(record) for src, record in record_pages(fresh).items()}
    assert [(v.facet.folder, v.key, v.title, _ids(v.decisions)) for v in facet_values(kept)] \
        == [(v.facet.folder, v.key, v.title, _ids(v.decisions)) for v in facet_values(fresh)]
    assert kept.timings() is timings  # the build takes them as they are
    assert kept.related() == related_decisions(fresh.decisions)


def test_the_kept_index_follows_decisions_added_changed_and_removed(repo: Path) -> None:
    warm = _Warm(repo)
    _same(warm.kept.site(warm.portal, load_settings(repo), DEMO_AS_OF, Ledger.read(repo)),
          _fresh(warm.portal, repo))
    add_decision(repo)  # a new file, and its version in the ledger
    _same(warm.site("content/decisions/2025/d9.yml"), _fresh(warm.portal, repo))
    assert "d9" in {d.id for d in warm.portal.decisions.values()}
    # Read before it is published, then published with nothing else changed: its timing
    # follows the ledger alone.
    d2 = (repo / "content/decisions/2025/d2.yml").read_text(encoding="utf-8")
    (repo / "content/decisions/2025/d8.yml").write_text(
        d2.replace("id: d2", "id: d8").replace("〔2025〕2号", "〔2025〕8号")
        .replace("publicity_end: 2026-07-01", "publicity_end: 2029-07-01"), encoding="utf-8")
    _same(warm.site("content/decisions/2025/d8.yml"), _fresh(warm.portal, repo))
    assert warm.kept.kept["d8"][0] is None  # not published yet
    code, _, err = run("publish", "--project", str(repo), "--date", "2025-07-03")
    assert code == 0, err
    _same(warm.site(), _fresh(warm.portal, repo))
    assert warm.kept.kept["d8"][0] is not None
    # Later than every other: first in the lists, and its timing among the others'.
    edit(repo, "content/decisions/2025/d1.yml", "decision_date: 2025-06-10",
         "decision_date: 2025-08-10")
    _same(warm.site("content/decisions/2025/d1.yml"), _fresh(warm.portal, repo))
    # Its 公示期 over: out of the public lists, still counted in the years and timings.
    edit(repo, "content/decisions/2025/d9.yml", "publicity_end: 2028-06-20",
         "publicity_end: 2026-01-01")
    _same(warm.site("content/decisions/2025/d9.yml"), _fresh(warm.portal, repo))
    # Another result and other officers: lists made and lists gone.
    edit(repo, "content/decisions/2025/d1.yml", "categories: [警告, 罚款]", "categories: [责令改正]")
    edit(repo, "content/decisions/2025/d1.yml", "officers: [wang, li]", "officers: [sun, zhou]")
    _same(warm.site("content/decisions/2025/d1.yml"), _fresh(warm.portal, repo))
    # Another body's, then gone altogether.
    edit(repo, "content/decisions/2025/d1.yml", "body: city", "body: agent")
    _same(warm.site("content/decisions/2025/d1.yml"), _fresh(warm.portal, repo))
    (repo / "content/decisions/2025/d1.yml").unlink()
    _same(warm.site("content/decisions/2025/d1.yml"), _fresh(warm.portal, repo))
    assert "d1" not in warm.portal.decisions


def test_the_kept_index_is_not_used_after_a_change_to_another_record(repo: Path) -> None:
    warm = _Warm(repo)
    edit(repo, "content/bodies/agent.yml", "name: ", "name: 新")
    assert warm.site("content/bodies/agent.yml") is None
    edit(repo, "content/decisions/2025/d2.yml", "张小明", "张大明")
    assert warm.site("content/decisions/2025/d2.yml") is None  # nor after that


def test_the_kept_index_is_not_used_for_another_day_or_when_the_portal_was_made_again(
        repo: Path) -> None:
    warm = _Warm(repo)
    ledger, settings = Ledger.read(repo), load_settings(repo)
    assert warm.kept.site(warm.portal, settings, DEMO_AS_OF.replace(day=28), ledger) is None
    warm.files.reset()  # as after another branch was checked out: made again whole
    portal = warm.load(None)
    assert portal is not warm.portal and warm.files.changes is None
    warm.kept.note(warm.files.changes)
    assert warm.kept.site(warm.portal, settings, DEMO_AS_OF, ledger) is None


def test_the_browser_index_of_a_kept_index_makes_only_the_decisions_changed_since(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The browser index's kept decisions are marked with the load they were made from: a
    warm build takes every decision but those whose files changed since as kept, without
    checking them (search/browser_records.py `_since`), and its index is a clean build's."""
    from search import browser_records, build_browser_index
    from tests.test_browser_index import documents_made

    made = documents_made(monkeypatch)
    checked: list[str] = []  # the decisions whose inputs were looked at
    real_inputs = browser_records._Digests.inputs

    def looking(digests: object, decision: Decision) -> object:
        checked.append(decision.ref)
        return real_inputs(digests, decision)  # type: ignore[arg-type]

    monkeypatch.setattr(browser_records._Digests, "inputs", looking)
    others: list[str] = []  # each making of the other records' documents
    real_others = browser_records.other_documents

    def making_others(site: Site) -> object:
        others.append("made")
        return real_others(site)

    monkeypatch.setattr(browser_records, "other_documents", making_others)
    warm, state, runs = _Warm(repo), tmp_path / "state", iter(range(100))

    def index(site: Site | None) -> dict[Path, bytes]:
        assert site is not None
        made.clear()
        checked.clear()
        others.clear()
        folder = tmp_path / str(next(runs))
        build_browser_index(site, folder, None, state)
        mine = list(made), list(checked), list(others)
        clean = tmp_path / f"clean-{folder.name}"
        build_browser_index(_fresh(warm.portal, repo), clean, None, clean / "state")
        made[:], checked[:], others[:] = mine
        files = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*.gz")}
        assert files == {p.relative_to(clean): p.read_bytes() for p in clean.rglob("*.gz")
                         if "state" not in p.parts}
        return files

    site = warm.kept.site(warm.portal, load_settings(repo), DEMO_AS_OF, Ledger.read(repo))
    first = index(site)
    assert site is not None and made == [d.ref for d in site.decisions]  # nothing kept yet
    assert others == ["made"]
    assert index(warm.site()) == first and made == checked == others == []  # nothing changed
    add_decision(repo)
    assert index(warm.site("content/decisions/2025/d9.yml")) != first
    assert made == checked == ["decisions/d9"]  # the others not even looked at
    assert others == []  # only a decision changed: the other records' documents as kept
    edit(repo, "content/decisions/2025/d1.yml", "categories: [警告, 罚款]", "categories: [责令改正]")
    edit(repo, "content/decisions/2025/d9.yml", "publicity_end: 2028-06-20",
         "publicity_end: 2026-01-01")  # no longer public: out of the index
    index(warm.site("content/decisions/2025/d1.yml", "content/decisions/2025/d9.yml"))
    assert made == checked == ["decisions/d1"]
    edit(repo, "content/decisions/2025/d9.yml", "publicity_end: 2026-01-01",
         "publicity_end: 2028-06-20")
    (repo / "content/decisions/2025/d1.yml").unlink()
    index(warm.site("content/decisions/2025/d1.yml", "content/decisions/2025/d9.yml"))
    assert made == checked == ["decisions/d9"]
    # Made by a build the kept index does not know of: every decision checked again, and
    # those whose inputs are the same taken as kept.
    build_browser_index(_fresh(warm.portal, repo), tmp_path / "cold", None, state)
    site = warm.site()
    index(site)
    assert site is not None and made == [] and checked == [d.ref for d in site.decisions]
    assert others == ["made"]


def test_a_kept_index_tells_what_changed_since_a_load_it_remembers(repo: Path) -> None:
    warm = _Warm(repo)
    born = warm.kept.token
    assert warm.kept.changed_since(born) == set()
    add_decision(repo)
    warm.site("content/decisions/2025/d9.yml")
    after = warm.kept.token
    edit(repo, "content/decisions/2025/d2.yml", "张小明", "张大明")
    warm.site("content/decisions/2025/d2.yml")
    assert warm.kept.changed_since(born) == {"d9", "d2"}
    assert warm.kept.changed_since(after) == {"d2"}
    assert warm.kept.changed_since(None) is None and warm.kept.changed_since((0, 0)) is None
    edit(repo, "content/bodies/agent.yml", "name: ", "name: 新")
    warm.site("content/bodies/agent.yml")
    assert warm.kept.changed_since(after) is None  # a body changed since: not only decisions
