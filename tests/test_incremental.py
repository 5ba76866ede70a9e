"""A rebuild after staff change or add one decision gives, byte for byte, the site a clean
build of the same tree gives (issue 8): every page, list, feed, search chunk and open-data
file that includes the decision is as fresh as on a first build, though the rebuild reuses
what the earlier build left in .gongshi/ (parsed records, the render folder)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import posixpath
import shutil
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from generator.build import Project, build
from tests.conftest import DEMO_AS_OF, ROOT
from tests.minisite import edit
from tests.repo import add_decision, commit, init_repo, publish_correction, run

D1 = "content/decisions/2025/d1.yml"


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file()}


def _clean_build(project: Path, tmp_path: Path, name: str) -> dict[str, bytes]:
    """The same tree built afresh, with nothing left from an earlier build."""
    copy = tmp_path / name
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".gongshi", "site", ".git"))
    build(Project(copy), DEMO_AS_OF, site_dir=copy / "site")
    return _files(copy / "site")


def _stats(site: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and modification time: a file written again gets new ones."""
    return {p.relative_to(site).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(site.rglob("*")) if p.is_file()}


def _holding(files: dict[str, bytes], text: str) -> set[str]:
    """The files that hold `text` (search chunks unpacked)."""
    def plain(name: str, data: bytes) -> bytes:
        return gzip.decompress(data) if name.endswith(".json.gz") else data
    return {name for name, data in files.items() if text.encode() in plain(name, data)}


@pytest.fixture
def repo(good: Path) -> Path:
    project = init_repo(good, "2025-06-12", site=True)
    build(Project(project), DEMO_AS_OF)
    assert (project / ".gongshi").is_dir()
    return project


def test_one_decision_changed_equals_a_clean_build(repo: Path, tmp_path: Path) -> None:
    project = str(repo)
    edit(repo, D1, "facts: 经查，", "facts: 经复查核实，")
    code, _, err = run("correct", "decisions/d1", "--reason", "事实表述更正。", "--requested-by",
                       "wang", "--date", "2026-01-05", "--project", project)
    assert code == 0, err
    code, _, err = run("review", "approve", "d1-c1", "--reviewer", "chen", "--note", "同意。",
                       "--date", "2026-01-06", "--project", project)
    assert code == 0, err
    code, _, err = run("publish", "--project", project, "--date", "2026-01-07")
    assert code == 0, err
    commit(repo, "correct d1")
    build(Project(repo), DEMO_AS_OF)
    rebuilt = _files(repo / "site")
    assert rebuilt == _clean_build(repo, tmp_path, "clean")
    # Where the change shows: its page, the lists, feeds, search chunks and open data.
    holding = _holding(rebuilt, "经复查核实")
    assert {"decisions/2025/d1/index.html", "data/decisions-2025.json", "data/decisions-2025.csv",
            "data/decisions/d1.json"} <= holding
    assert any(name.startswith("search/index/") for name in holding)
    assert any(name.startswith("feeds/decisions/") for name in _holding(rebuilt, "事实表述更正"))
    assert not _holding(rebuilt, "经查，该单位安排劳动者12名") - {"data/corrections.json"}


def test_one_decision_added_equals_a_clean_build(repo: Path, tmp_path: Path) -> None:
    kept = sorted((repo / ".gongshi").glob("opendata-decisions-2025-*.pickle"))
    before = {path: path.read_bytes() for path in kept}
    add_decision(repo)
    build(Project(repo), DEMO_AS_OF)
    rebuilt = _files(repo / "site")
    assert rebuilt == _clean_build(repo, tmp_path, "clean")
    # Of the year's kept open data items, only the file that holds the new one is written.
    after = sorted((repo / ".gongshi").glob("opendata-decisions-2025-*.pickle"))
    assert before  # kept in files of their own (YEAR_SHARDS)
    assert sum(1 for path in after if before.get(path) != path.read_bytes()) == 1
    holding = _holding(rebuilt, "远航物流")
    assert "decisions/2025/d9/index.html" in holding
    assert {"index.html", "decisions/2025/index.html", "decisions/body/city/index.html",
            "decisions/type/chufa/index.html", "bodies/city/index.html", "officers/wang/index.html",
            "data/decisions-2025.json", "data/decisions-2025.csv", "data/decisions/d9.json",
            "feeds/decisions/atom.xml", "feeds/body/city/rss.xml",
            "decisions/2025/d1/index.html"} <= holding  # d1: among its related decisions
    assert any(name.startswith("feeds/decisions/") for name in holding)
    assert any(name.startswith("search/index/") for name in holding)


def test_a_decision_of_another_year_leaves_the_open_data_of_its_years(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Open data keeps each year's decisions in files of their own: a new decision of 2024
    makes that year's files, and leaves 2025's as they were (not even made again)."""
    from generator.render import opendata
    log = tmp_path / "encoded.txt"  # written by the worker that makes open data
    encode, cache = opendata._encoded, opendata._cache

    def note(line: str) -> None:
        with log.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    def encoded(site: object, reuse: object, kept: object, record: Any, cols: object) -> Any:
        note(record.ref)
        return encode(site, reuse, kept, record, cols)  # type: ignore[arg-type]

    def opened(site: object, reuse: object, group: str) -> Any:
        note(f"opendata-{group}")
        return cache(site, reuse, group)  # type: ignore[arg-type]
    site = repo / "site"
    text = (repo / "content/decisions/2025/d1.yml").read_text(encoding="utf-8")
    (repo / "content/decisions/2024").mkdir()
    (repo / "content/decisions/2024/d8.yml").write_text(
        text.replace("id: d1", "id: d8").replace("〔2025〕1号", "〔2024〕8号")
        .replace("启航建筑劳务", "远航物流").replace("2025-06-", "2024-06-"), encoding="utf-8")
    code, _, err = run("publish", "--project", str(repo), "--date", "2025-06-23")
    assert code == 0, err
    commit(repo, "add d8")
    before = _stats(site)
    monkeypatch.setattr(opendata, "_encoded", encoded)
    monkeypatch.setattr(opendata, "_cache", opened)
    build(Project(repo), DEMO_AS_OF)
    monkeypatch.undo()
    # Neither 2025's items nor any other type's were read, nor made.
    assert log.read_text(encoding="utf-8").split() == ["opendata-decisions-2024", "decisions/d8"]
    after = _files(site)
    assert after == _clean_build(repo, tmp_path, "clean")
    stats = _stats(site)
    kept = ["data/decisions-2025.json", "data/decisions-2025.csv",
            "data/shuanggongshi-xzcf-2025.json", "data/shuanggongshi-xzcf-2025.csv",
            "data/decisions/d1.json"]
    assert [stats[name] for name in kept] == [before[name] for name in kept]
    assert "data/decisions-2024.json" not in before
    items = json.loads(after["data/decisions-2024.json"])["items"]
    assert [item["record"]["id"] for item in items] == ["d8"]
    data = BeautifulSoup(after["data/index.html"], "html.parser").get_text()
    assert "执法决定（2024年）" in data and "执法决定（2025年）" in data


def test_a_new_decision_makes_again_only_its_officers_pages(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """d9 is signed by wang and li: their pages list it. No other officer's page, and no
    register of a body's officers, is made again (nor keyed); the site is a clean build's."""
    from generator.render import lookup, officers
    log = tmp_path / "made.txt"  # written by the worker that makes the officers' pages
    key, registers, text = officers._page_key, officers.register_pages, lookup.data_text

    def note(line: str) -> None:
        with log.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    def page_key(site: Any, linker: Any, reuse: Any, officer: Any, signed: Any) -> Any:
        note(officer.ref)
        return key(site, linker, reuse, officer, signed)

    def register_pages(site: Any, linker: Any, templates: Any, body_id: str) -> Any:
        note(f"register {body_id}")
        return registers(site, linker, templates, body_id)

    def data_text(site: Any) -> str:
        note("certificates")
        return text(site)

    add_decision(repo)
    monkeypatch.setattr(officers, "_page_key", page_key)
    monkeypatch.setattr(officers, "register_pages", register_pages)
    monkeypatch.setattr(lookup, "data_text", data_text)
    build(Project(repo), DEMO_AS_OF)
    monkeypatch.undo()
    # Nor the certificate lookup's data.
    assert sorted(log.read_text(encoding="utf-8").split()) == ["officers/li", "officers/wang"]
    assert _files(repo / "site") == _clean_build(repo, tmp_path, "clean")


def test_a_new_decision_keys_only_the_list_pages_whose_decisions_or_place_changed(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One decision per list page: a new latest decision changes a list's first page and
    the pages next to where the one it pushes out goes; the list's oldest pages keep their
    decisions and place, and are neither made nor keyed."""
    from generator.render import decision_lists
    text = (repo / D1).read_text(encoding="utf-8")
    for n in (1, 2, 3):  # older decisions, on the list's oldest pages
        (repo / D1).with_name(f"e{n}.yml").write_text(
            text.replace("id: d1", f"id: e{n}").replace("〔2025〕1号", f"〔2025〕7{n}号")
            .replace("启航建筑劳务", f"远航物流{n}").replace("2025-06-10", f"2025-06-0{n + 6}")
            .replace("2028-06-10", f"2028-06-0{n + 6}"), encoding="utf-8")
    code, _, err = run("publish", "--project", str(repo), "--date", "2025-06-11")
    assert code == 0, err
    commit(repo, "older decisions")
    monkeypatch.setattr(decision_lists, "PER_PAGE", 1)
    build(Project(repo), DEMO_AS_OF)
    log = tmp_path / "keyed.txt"  # written by the worker that makes the lists
    key = decision_lists._page_key

    def page_key(site: Any, reuse: Any, decision_list: Any, part: Any, *place: Any) -> Any:
        with log.open("a", encoding="utf-8") as handle:
            handle.write(decision_list.src(part.number) + "\n")
        return key(site, reuse, decision_list, part, *place)

    add_decision(repo)
    monkeypatch.setattr(decision_lists, "_page_key", page_key)
    build(Project(repo), DEMO_AS_OF)
    keyed = set(log.read_text(encoding="utf-8").split())
    # The first page now shows d9; d1 goes to a new page 4, next to page 3.
    assert {"decisions/2025/index.md", "decisions/2025/page-4.md",
            "decisions/2025/page-3.md"} <= keyed
    assert {"decisions/2025/page-1.md", "decisions/2025/page-2.md"}.isdisjoint(keyed)
    assert _files(repo / "site") == _clean_build(repo, tmp_path, "clean")


def _corrected(repo: Path, ref: str, path: str, old: str, new: str,
               *withdraw: str) -> None:
    """Staff's way of changing a published record: edit it (unless it is withdrawn), file a
    更正 or 撤回, have it approved, publish."""
    if old:
        edit(repo, path, old, new)
    publish_correction(repo, ref, *withdraw)
    commit(repo, f"correct {ref}")


CHANGES = {
    # A body's name shows on its decisions' pages, their lists, feeds and open data.
    "body renamed": ("bodies/city", "content/bodies/city.yml",
                     "name: 东湖市人力资源和社会保障局", "name: 东湖市人力资源社会保障局", ()),
    # An officer's name shows on the pages of the decisions they made.
    "officer renamed": ("officers/li", "content/officers/li.yml", "name: 李二", "name: 李贰", ()),
    # A withdrawn decision keeps only a notice, and leaves every list and its neighbours' 相关决定.
    "decision withdrawn": ("decisions/d1", "", "", "",
                           ("--withdraw", "--cause", "撤销", "--event-date", "2026-01-04")),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_a_rebuild_after_a_change_equals_a_clean_build(repo: Path, tmp_path: Path,
                                                        change: str) -> None:
    ref, path, old, new, withdraw = CHANGES[change]
    before = _files(repo / "site")
    _corrected(repo, ref, path, old, new, *withdraw)
    build(Project(repo), DEMO_AS_OF)
    rebuilt = _files(repo / "site")
    assert rebuilt != before
    assert rebuilt == _clean_build(repo, tmp_path, "clean")


APPEAL = """id: d1-fy
decision: d1
kind: 行政复议
organ: 东湖市人民政府
filed_on: 2025-07-01
result: 维持
concluded_on: 2025-08-26
document_number: 东政复决字〔2025〕31号
note: 复议机关决定维持。
"""


def test_an_appeal_moved_to_another_decision_leaves_the_first_one_s_page(
        repo: Path, tmp_path: Path) -> None:
    """An appeal filed against the wrong decision, corrected to name the right one: the page
    of the decision it leaves changes too, though only the appeal's file changed."""
    add_decision(repo)
    (repo / "content/appeals").mkdir(exist_ok=True)
    (repo / "content/appeals/d1-fy.yml").write_text(APPEAL, encoding="utf-8")
    code, _, err = run("publish", "--project", str(repo), "--date", "2025-09-01")
    assert code == 0, err
    commit(repo, "add an appeal")
    build(Project(repo), DEMO_AS_OF)
    assert "东政复决字〔2025〕31号" in (repo / "site/decisions/2025/d1/index.html").read_text("utf-8")
    _corrected(repo, "appeals/d1-fy", "content/appeals/d1-fy.yml", "decision: d1", "decision: d9")
    build(Project(repo), DEMO_AS_OF)
    rebuilt = _files(repo / "site")
    assert "东政复决字〔2025〕31号" not in rebuilt["decisions/2025/d1/index.html"].decode()
    assert "东政复决字〔2025〕31号" in rebuilt["decisions/2025/d9/index.html"].decode()
    assert rebuilt == _clean_build(repo, tmp_path, "clean")


def test_a_rebuild_keeps_the_decision_inputs_a_clean_build_makes(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What each decision page is made from is taken from the last build for the decisions
    nothing changed for (render/decisions.py `plan`): after a new decision, only it and the
    decisions whose 相关决定 it joins are digested again, and every digest is a clean
    build's."""
    from generator.render import decisions
    from generator.render.reuse import Manifest

    found: list[set[str] | None] = []
    real = decisions._changed

    def noting(*args: object) -> set[str] | None:
        changed = real(*args)  # type: ignore[arg-type]
        found.append(changed)
        return changed

    monkeypatch.setattr(decisions, "_changed", noting)
    add_decision(repo)
    build(Project(repo), DEMO_AS_OF)
    clean = tmp_path / "clean"
    assert _files(repo / "site") == _clean_build(repo, tmp_path, "clean")
    assert found[0] is not None and "decisions/d9" in found[0]
    assert found[0] < {"decisions/d1", "decisions/d2", "decisions/d9"}
    assert found[1] is None  # the clean build: nothing kept
    kept, fresh = (Manifest.read(root, (root / "site").resolve()) for root in (repo, clean))
    assert kept is not None and fresh is not None
    for kind in (decisions.INPUTS, decisions.ITEMS):
        assert kept.inputs[kind] == fresh.inputs[kind]


def _feeds_made_afresh(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Noted from now on: each time the feeds are made from every decision (its limit)."""
    from generator.render import feeds

    made: list[int] = []
    real = feeds.Feeds._every_decision

    def counting(self: feeds.Feeds, limit: int) -> object:
        made.append(limit)
        return real(self, limit)

    monkeypatch.setattr(feeds.Feeds, "_every_decision", counting)
    return made


def test_feeds_take_the_last_build_s_entries_while_they_tell_the_newest(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Feeds of one entry each (`feed_entries: 1`), so that every feed with more decisions
    keeps fewer than it has. A new latest decision joins the kept entries; withdrawing it
    takes away a feed's only kept entry, and then the feeds are made from every decision
    again. Either way, the feeds are a clean build's."""
    edit(repo, "site_config/portal.yml", "feed_entries: 50", "feed_entries: 1")
    commit(repo, "one entry per feed")
    build(Project(repo), DEMO_AS_OF)
    made = _feeds_made_afresh(monkeypatch)
    add_decision(repo)
    build(Project(repo), DEMO_AS_OF)
    assert made == []
    rebuilt = _files(repo / "site")
    assert "远航物流" in rebuilt["feeds/decisions/atom.xml"].decode()
    assert rebuilt == _clean_build(repo, tmp_path, "clean")
    made.clear()  # by the clean build
    # Its withdrawal, newer, takes its place.
    _corrected(repo, "decisions/d9", "", "", "", "--withdraw", "--cause", "撤销",
               "--event-date", "2026-01-04")
    build(Project(repo), DEMO_AS_OF)
    assert made == []
    rebuilt = _files(repo / "site")
    assert "撤回" in rebuilt["feeds/decisions/atom.xml"].decode()
    assert rebuilt == _clean_build(repo, tmp_path, "clean2")


def test_feeds_whose_entries_did_not_change_are_not_even_keyed(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new decision changes the feeds it goes to; every other feed's entries are the last
    build's, and its files are left as published without a key (issue 8: keying hundreds
    of feeds took 0.7 s at 100,000 decisions). Corrections and laws are keyed each time."""
    from generator.render import reuse as reuse_module
    before = _files(repo / "site")
    log = tmp_path / "keyed.txt"  # written by the worker that makes the feeds
    real = reuse_module.Reuse.key

    def key(self: reuse_module.Reuse, digests: Any, *shown: Any) -> bytes | None:
        if not digests and shown:  # a feed's: keyed by its name and entries
            with log.open("a", encoding="utf-8") as handle:
                handle.write(f"{shown[0]}\n")
        return real(self, digests, *shown)

    monkeypatch.setattr(reuse_module.Reuse, "key", key)
    add_decision(repo)
    build(Project(repo), DEMO_AS_OF)
    monkeypatch.undo()
    after = _files(repo / "site")
    feeds = {name.removeprefix("feeds/").removesuffix("/atom.xml")
             for name in after if name.startswith("feeds/") and name.endswith("/atom.xml")}
    changed = {feed for feed in feeds if before.get(f"feeds/{feed}/atom.xml")
               != after[f"feeds/{feed}/atom.xml"]}
    keyed = set(log.read_text(encoding="utf-8").split()) & feeds
    assert {"decisions", "body/city"} <= changed < feeds
    assert keyed == changed | {"corrections", "laws"}
    assert after == _clean_build(repo, tmp_path, "clean")


def test_feeds_are_made_again_when_their_newest_entry_leaves(
        good: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a project without a ledger an entry is dated by its decision: the newest decision
    redated before another leaves a one-entry feed, and the decision that takes its place
    was not kept. The feeds are then made from every decision again, as a clean build's."""
    shutil.copytree(ROOT / "site_config", good / "site_config")
    shutil.copy(ROOT / "mkdocs.yml", good / "mkdocs.yml")
    edit(good, "site_config/portal.yml", "feed_entries: 50", "feed_entries: 1")
    day = dt.date(2026, 6, 30)  # d2 (2025-07-01), the newest, still public
    build(Project(good), day)
    assert "〔2025〕2号" in (good / "site/feeds/decisions/atom.xml").read_text("utf-8")
    made = _feeds_made_afresh(monkeypatch)
    edit(good, "content/decisions/2025/d2.yml", "decision_date: 2025-07-01",
         "decision_date: 2025-06-08")
    build(Project(good), day)
    assert made == [1]
    rebuilt = _files(good / "site")
    assert "〔2025〕1号" in rebuilt["feeds/decisions/atom.xml"].decode()
    copy = tmp_path / "clean"
    shutil.copytree(good, copy, ignore=shutil.ignore_patterns(".gongshi", "site"))
    build(Project(copy), day)
    assert rebuilt == _files(copy / "site")


def test_a_rebuild_on_a_later_day_equals_a_clean_build(good: Path, tmp_path: Path) -> None:
    """d2's 公示期 ends on 2026-07-01: built before, it is public; rebuilt after, its page is
    a stub, it leaves the lists, and every page that linked it changes with it."""
    project = init_repo(good, "2025-07-02", site=True)
    build(Project(project), dt.date(2026, 6, 30))
    assert "经检查，当事人" in (project / "site/decisions/2025/d2/index.html").read_text(encoding="utf-8")
    build(Project(project), DEMO_AS_OF)
    rebuilt = _files(project / "site")
    assert "经检查，当事人" not in rebuilt["decisions/2025/d2/index.html"].decode()
    assert rebuilt == _clean_build(project, tmp_path, "clean")


def test_a_renamed_body_renders_again_only_the_decision_pages_that_show_its_name(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its decisions' pages, and those listing one of them among their 相关决定 (which name
    its body); not every decision page, as when all pages shared one digest of the bodies."""
    from generator import parallel
    from generator.build import check
    from generator.ledger import Ledger
    from generator.render import decisions
    from generator.render.site import build_site_index
    from generator.settings import load_settings

    monkeypatch.setattr(parallel, "workers", lambda: 1)  # pages made in this process
    rendered: list[str] = []
    real = decisions.decision_page

    def counting(*args: object, **kwargs: object) -> object:
        page = real(*args, **kwargs)  # type: ignore[arg-type]
        rendered.append(page.src.rpartition("/")[2].removesuffix(".md"))
        return page

    monkeypatch.setattr(decisions, "decision_page", counting)
    ref, path, old, new, _ = CHANGES["body renamed"]
    _corrected(repo, ref, path, old, new)
    build(Project(repo), DEMO_AS_OF)
    portal, _ = check(Project(repo), DEMO_AS_OF)
    related = build_site_index(portal, load_settings(repo), DEMO_AS_OF,
                               Ledger.read(repo)).related()
    own = {d.id for d in portal.decisions.values() if d.body == "city"}
    near = {ref.removeprefix("decisions/") for ref, others in related.items()
            if any(other.removeprefix("decisions/") in own for other in others)}
    assert own and set(rendered) == own | near
    assert set(portal.decisions) - set(rendered)  # another body's decisions stay as they are


def test_a_rebuild_writes_only_the_search_index_files_that_changed(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The index names and keys its files for the deploy: one the published site has with
    the same bytes is not written (issue 8: 12,000 files at 100,000 decisions)."""
    log = tmp_path / "written.txt"  # by the process that makes the index, beside the pages
    real = Path.write_bytes

    def noting(path: Path, data: bytes) -> int:  # type: ignore[override]
        if "/search/index/" in path.as_posix():
            with log.open("a", encoding="utf-8") as handle:
                handle.write(path.as_posix().split("/search/index/")[1] + "\n")
        return real(path, data)

    def written() -> list[str]:
        return sorted(log.read_text(encoding="utf-8").split()) if log.exists() else []

    monkeypatch.setattr(Path, "write_bytes", noting)
    build(Project(repo), DEMO_AS_OF)
    assert written() == []
    before = _files(repo / "site")
    add_decision(repo)
    build(Project(repo), DEMO_AS_OF)
    after = _files(repo / "site")
    changed = {name.removeprefix("search/index/") for name, data in after.items()
               if name.startswith("search/index/") and before.get(name) != data}
    assert changed and written() == sorted(changed)


def test_power_pages_are_made_again_only_when_what_they_show_changed(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new decision shows on no power's page: none is made again. A renamed body holds
    both powers: both are, and the site is a clean build's."""
    from generator import parallel
    from generator.render import powers

    monkeypatch.setattr(parallel, "workers", lambda: 1)  # pages made in this process
    made: list[str] = []
    real = powers.power_page

    def counting(*args: Any, **kwargs: Any) -> Any:
        page = real(*args, **kwargs)
        made.append(page.src)
        return page

    monkeypatch.setattr(powers, "power_page", counting)
    add_decision(repo)
    build(Project(repo), DEMO_AS_OF)
    assert made == []
    ref, path, old, new, _ = CHANGES["body renamed"]
    _corrected(repo, ref, path, old, new)
    build(Project(repo), DEMO_AS_OF)
    assert sorted(made) == ["powers/inspect.md", "powers/overtime.md"]
    monkeypatch.undo()
    assert _files(repo / "site") == _clean_build(repo, tmp_path, "clean")


def test_nav_pages_left_as_published_keep_the_nav_s_links(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A nav page is filled into its own shell (generator/render/shell.py), so one left as
    published is right as it is: mkdocs' run for the other pages (whose nav names it) writes
    nothing over it, and every link of the nav still leads to a page."""
    from generator.render import shell
    from generator.render.docs import DocPage
    from generator.render.reuse import Reused
    from generator.render.urls import page_url

    real = shell.Writer.write

    def leaving(self: shell.Writer, outputs: Any) -> shell.Part:
        def swapped() -> Any:
            for output in outputs:
                key = self.previous.get(page_url(getattr(output, "src", "")) + "index.html")
                if isinstance(output, DocPage) and output.src in self.in_nav and key:
                    yield Reused(output.src, key, output.noindex)
                else:
                    yield output
        return real(self, swapped())

    monkeypatch.setattr(shell.Writer, "write", leaving)
    before = _stats(repo / "site")
    build(Project(repo), DEMO_AS_OF)
    after = _files(repo / "site")
    assert after == _clean_build(repo, tmp_path, "clean")
    nav = {name for name in after if name.count("/") <= 1 and name.endswith("index.html")}
    assert {"index.html", "powers/index.html", "decisions/index.html"} <= nav
    assert all(_stats(repo / "site")[name] == before[name] for name in nav)
    for name in ("index.html", "powers/index.html", "about/index.html"):
        page = BeautifulSoup(after[name], "html.parser")
        links = [a["href"] for a in page.select("a.md-nav__link[href], a.md-tabs__link[href]")]
        assert len(links) > 10
        for href in links:
            folder = name.rpartition("/")[0]
            target = posixpath.normpath(posixpath.join(folder, href.split("#")[0]))
            assert target in after or posixpath.join(target, "index.html").removeprefix(
                "./") in after, href


def test_a_rebuild_starts_the_parts_that_took_longest_last_time_first(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The last build's time for each part of the rendering is kept with its manifest; a
    rebuild hands those times to the workers, which start the longest parts first (a long
    part started last kept a core idle at the end of a rebuild)."""
    import generator.render as render
    from generator.render.reuse import Manifest

    took = Manifest.read(repo, (repo / "site").resolve()).inputs[render.TASK_SECONDS]  # type: ignore[union-attr]
    assert {"home", "bodies", "opendata", "feeds", "statistics", "decisions 0"} <= took.keys()
    assert all(isinstance(seconds, float) and seconds >= 0 for seconds in took.values())
    handed: list[list[float] | None] = []
    real = render.run_all

    def noting(tasks: Any, costs: list[float] | None = None) -> Any:
        if len(tasks) == len(took):  # the pages' tasks, not another's
            handed.append(costs)
        return real(tasks, costs)

    monkeypatch.setattr(render, "run_all", noting)
    add_decision(repo)
    build(Project(repo), DEMO_AS_OF)
    assert handed and handed[0] is not None
    assert sorted(handed[0]) == sorted(took.values())
    order = list(took)  # the names in the tasks' order, as kept
    assert handed[0] == [took[name] for name in order]
    after = Manifest.read(repo, (repo / "site").resolve()).inputs[render.TASK_SECONDS]  # type: ignore[union-attr]
    assert after.keys() == took.keys() and after != took  # this build's own times


def test_the_order_of_the_parts_does_not_change_the_site(repo: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Whichever part starts first, the rebuild is byte for byte the clean build."""
    import generator.render as render

    monkeypatch.setattr(render, "_costs", lambda reuse, names: [float(-n) for n, _ in
                                                                 enumerate(names)])
    add_decision(repo)
    build(Project(repo), DEMO_AS_OF)
    monkeypatch.undo()
    assert _files(repo / "site") == _clean_build(repo, tmp_path, "clean")
