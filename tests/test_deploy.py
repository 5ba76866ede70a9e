"""How a rebuild puts the site in place (generator/deploy.py): it changes only the files
whose bytes change, in place or by swapping in a new folder, gives the same site as a clean
build either way, and a build killed while deploying is finished by the next one."""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
import time
from pathlib import Path

import pytest
import yaml

from generator import deploy
from generator.build import Project, build
from generator.render import reuse
from tests.conftest import DEMO_AS_OF
from tests.minisite import edit
from tests.repo import add_decision, init_repo, publish_correction


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file()}


def _stats(site: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and modification time: a file written again gets new ones."""
    return {p.relative_to(site).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(site.rglob("*")) if p.is_file()}


def _clean_build(project: Path, tmp_path: Path) -> dict[str, bytes]:
    copy = tmp_path / "clean"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".gongshi", "site", ".git"))
    build(Project(copy), DEMO_AS_OF, site_dir=copy / "site")
    return _files(copy / "site")


@pytest.fixture
def repo(good: Path) -> Path:
    project = init_repo(good, "2025-06-12", site=True)
    build(Project(project), DEMO_AS_OF)
    return project


@pytest.mark.parametrize("share", [1.0, 0.0], ids=["in place", "new folder"])
def test_a_rebuild_rewrites_only_the_files_that_change(repo: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       share: float) -> None:
    monkeypatch.setattr(deploy, "IN_PLACE_UP_TO", share)
    site = repo / "site"
    before, stats_before, folder = _files(site), _stats(site), site.stat().st_ino
    add_decision(repo)
    build(Project(repo), DEMO_AS_OF)
    after, stats_after = _files(site), _stats(site)
    assert after == _clean_build(repo, tmp_path)
    changed = {name for name in after if before.get(name) != after[name]}
    assert {"decisions/2025/d9/index.html", "decisions/2025/index.html", "sitemap.xml",
            "data/decisions-2025.csv"} <= changed
    untouched = set(after) - changed
    assert "decisions/2025/d1/index.html" not in untouched  # d9 is among its related
    assert {"bodies/agent/index.html", "data/decisions/d1.json", "laws/index.html",
            "assets/stylesheets/gongshi.css", "data/officers.json"} <= untouched
    assert {name for name in untouched if stats_after[name] != stats_before[name]} == set()
    assert (site.stat().st_ino == folder) == (share == 1.0)
    assert [p.name for p in repo.iterdir() if p.name.startswith(".site")] == []


def test_the_manifest_names_every_file_of_the_site_with_its_key(repo: Path) -> None:
    # Each maker names the files it wrote (the deploy no longer walks the site for them):
    # a file left out would never be replaced or deleted by a later build.
    for change in (lambda: None, lambda: add_decision(repo)):  # unchanged; one more decision
        change()
        build(Project(repo), DEMO_AS_OF)
        site = (repo / "site").resolve()
        manifest = reuse.Manifest.read(repo, site)
        assert manifest is not None
        files = _files(site)
        assert set(manifest.keys) == set(files)
        assert all(key == reuse.bytes_key(files[name]) for name, key in manifest.keys.items()
                   if key.startswith(b"b"))


def test_a_rebuild_without_changes_writes_nothing(repo: Path) -> None:
    site = repo / "site"
    stats = _stats(site)
    build(Project(repo), DEMO_AS_OF)
    assert _stats(site) == stats
    # What the next build reuses: the browser index's postings and open data's items.
    assert list((repo / ".gongshi").glob("browser-index-*.pickle"))
    assert list((repo / ".gongshi").glob("opendata-*.pickle"))


def _counting(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[str]:
    """The sources of the pages `module.name` renders from now on."""
    rendered: list[str] = []
    real = getattr(module, name)

    def counting(*args: object, **kwargs: object) -> object:
        page = real(*args, **kwargs)
        rendered.append(page.src)
        return page

    monkeypatch.setattr(module, name, counting)
    return rendered


def test_record_pages_are_not_rendered_again_when_nothing_they_show_changed(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import parallel
    from generator.render import decisions, officers

    monkeypatch.setattr(parallel, "workers", lambda: 1)  # pages made in this process
    decision_pages = _counting(monkeypatch, decisions, "decision_page")
    officer_pages = _counting(monkeypatch, officers, "officer_page")
    build(Project(repo), DEMO_AS_OF)
    assert decision_pages == [] and officer_pages == []
    add_decision(repo)
    build(Project(repo), DEMO_AS_OF)
    # The new one, and the decisions that list it among their related decisions; the
    # officers who signed it.
    assert "decisions/2025/d9.md" in decision_pages and len(decision_pages) < len(list(
        (repo / "content/decisions").rglob("*.yml")))
    signed = set(yaml.safe_load((repo / "content/decisions/2025/d9.yml").read_text(
        encoding="utf-8"))["officers"])
    assert {src.removeprefix("officers/").removesuffix(".md") for src in officer_pages} == signed


def _related(project: Path, day: dt.date) -> dict[str, list[str]]:
    """Each decision's 相关决定, by ref."""
    from generator.build import check
    from generator.ledger import Ledger
    from generator.render.site import build_site_index
    from generator.settings import load_settings

    portal, _ = check(Project(project), day)
    return build_site_index(portal, load_settings(project), day, Ledger.read(project)).related()


def test_a_rebuild_makes_only_the_decision_pages_and_lists_whose_inputs_changed(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild renders no decision page and keys no list whose inputs did not change
    (render/decisions.py `plan`, render/decision_lists.py `_as_published`): a page's key
    costs tens of microseconds, and rendering it more."""
    from generator import parallel
    from generator.render import bodies, decision_lists, decisions
    from generator.render.decision_lists import DecisionList

    monkeypatch.setattr(parallel, "workers", lambda: 1)  # pages made in this process
    rendered = _counting(monkeypatch, decisions, "decision_page")
    lists: list[str] = []
    real_list_key = decision_lists._page_key

    def counting_lists(site: object, reuse: object, decision_list: DecisionList,
                       *args: object) -> object:
        lists.append(decision_list.folder)
        return real_list_key(site, reuse, decision_list, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(decision_lists, "_page_key", counting_lists)
    body_pages = _counting(monkeypatch, bodies, "body_page")
    # Before d2's 公示期 ends (2026-07-01), so that its lists are there too.
    day = dt.date(2026, 6, 29)
    build(Project(repo), day)
    rendered.clear()
    lists.clear()
    body_pages.clear()
    build(Project(repo), day)
    assert rendered == [] and lists == [] and body_pages == []
    add_decision(repo)
    build(Project(repo), day)
    # The new one, and those that now list it among their related decisions; not the rest.
    listing = {ref.removeprefix("decisions/") for ref, others in _related(repo, day).items()
               if "decisions/d9" in others}
    decisions_count = len(list((repo / "content/decisions").rglob("*.yml")))
    made = {src.rpartition("/")[2].removesuffix(".md") for src in rendered}
    assert "d9" in made and listing <= made and len(made) < decisions_count
    # The lists d9 is in, not d2's (its body, type and officers are not d9's).
    assert {"decisions/2025", "decisions/body/city"} <= set(lists)
    assert (repo / "site/decisions/body/agent/index.html").exists()
    assert not {"decisions/body/agent", "decisions/officer/sun"} & set(lists)
    assert body_pages == ["bodies/city.md"]  # its figures and latest decisions; not agent's
    rendered.clear()
    lists.clear()
    body_pages.clear()
    build(Project(repo), day + dt.timedelta(days=1))  # a new day: the same pages
    assert rendered == [] and lists == [] and body_pages == []


def test_a_rebuild_renders_the_figures_and_scores_of_the_changed_year_only(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each year's statistics and evaluation pages are keyed by what they show: a new
    decision of 2025 renders 2025's again, no other year's (issue 8)."""
    from generator import parallel
    from generator.render.templates import Templates

    monkeypatch.setattr(parallel, "workers", lambda: 1)  # pages made in this process
    yearly = ("statistics_year.html.j2", "evaluation_year.html.j2", "evaluation_details.html.j2")
    rendered: list[str] = []
    real = Templates.render

    def noting(self: Templates, name: str, page: object) -> str:
        if name in yearly:
            rendered.append(f"{name} {page.title}")  # type: ignore[attr-defined]
        return real(self, name, page)

    monkeypatch.setattr(Templates, "render", noting)
    day = dt.date(2026, 6, 29)
    build(Project(repo), day)
    rendered.clear()
    build(Project(repo), day)
    assert rendered == []
    add_decision(repo)  # d9, of 2025
    build(Project(repo), day)
    assert {name.split()[0] for name in rendered} >= set(yearly[:2])
    assert all("2025年" in name for name in rendered), rendered
    assert (repo / "site/statistics/2026/index.html").is_file()  # a year not made again


def test_one_process_at_a_time_empties_the_trash(tmp_path: Path) -> None:
    """One started while another is at work leaves the trash to it (here the test holds
    the lock); the one at work empties it, what was moved in meanwhile included."""
    import fcntl

    trash = tmp_path / deploy.TRASH
    (trash / "old-site" / "decisions").mkdir(parents=True)
    (trash / "old-site" / "decisions" / "index.html").write_text("旧", encoding="utf-8")
    with open(trash.with_name(deploy.TRASH_LOCK), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        deploy._delete_later(trash)
        time.sleep(1)
        assert (trash / "old-site" / "decisions" / "index.html").exists()
    deploy._delete_later(trash)
    deadline = time.monotonic() + 60
    while any(trash.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(trash.iterdir())


def test_a_changed_template_renders_every_page_again(repo: Path) -> None:
    template = repo / "site_config/templates/decision.html.j2"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "决定书文号", "决定书文号（模板已改）"), encoding="utf-8")
    build(Project(repo), DEMO_AS_OF)
    for page in (repo / "site/decisions").glob("20*/*/index.html"):
        if "gs-badge-public" in page.read_text(encoding="utf-8"):
            assert "模板已改" in page.read_text(encoding="utf-8"), page


def test_a_replaced_site_is_deleted_after_the_build(repo: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A site made anew (here: a changed template) is swapped in, and the old one is left to
    a process that deletes it after the build (72 s at 100,000 decisions)."""
    later: list[Path] = []
    monkeypatch.setattr(deploy, "_delete_later", later.append)
    template = repo / "site_config/templates/decision.html.j2"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "决定书文号", "决定书文号（模板已改）"), encoding="utf-8")
    build(Project(repo), DEMO_AS_OF)
    assert "模板已改" in (repo / "site/decisions/2025/d1/index.html").read_text(encoding="utf-8")
    trash = repo / deploy.TRASH
    assert later == [trash]
    assert [p.name for p in repo.iterdir() if p.name.startswith(".site")] == []
    (old,) = trash.iterdir()
    assert "模板已改" not in (old / "decisions/2025/d1/index.html").read_text(encoding="utf-8")
    monkeypatch.undo()
    deploy._delete_later(trash)  # the build has returned; the deletion goes on meanwhile
    deadline = time.monotonic() + 60
    while any(trash.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(trash.iterdir()) == []


def test_a_site_changed_by_other_means_is_built_afresh(repo: Path, tmp_path: Path) -> None:
    site = repo / "site"
    (site / "decisions/2025/d1/index.html").unlink()
    (site / "stray.html").write_text("not ours", encoding="utf-8")
    build(Project(repo), DEMO_AS_OF)
    assert _files(site) == _clean_build(repo, tmp_path)


def test_a_build_killed_while_deploying_is_finished_by_the_next(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deploy, "IN_PLACE_UP_TO", 1.0)
    site = repo / "site"
    before = _files(site)
    add_decision(repo)
    finish = deploy._finish

    def killed(project_root: Path, journal: object) -> None:
        raise KeyboardInterrupt  # as if killed between the journal and the moves

    monkeypatch.setattr(deploy, "_finish", killed)
    with pytest.raises(KeyboardInterrupt):
        build(Project(repo), DEMO_AS_OF)
    assert _files(site) == before, "nothing is moved before the journal says what"
    assert (repo / deploy.JOURNAL_FILE).is_file()
    monkeypatch.setattr(deploy, "_finish", finish)
    deploy.recover(repo)
    assert _files(site) == _clean_build(repo, tmp_path)
    assert not (repo / deploy.JOURNAL_FILE).exists()
    assert [p.name for p in repo.iterdir() if p.name.startswith(".site")] == []
    assert reuse.Manifest.read(repo, site.resolve()) is not None


def test_builds_take_turns(repo: Path) -> None:
    """A build started while another holds the project's lock waits for it."""
    import fcntl
    import subprocess
    import sys

    stats = _stats(repo / "site")
    add_decision(repo)
    with (repo / deploy.LOCK_FILE).open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        second = subprocess.Popen(
            [sys.executable, "-c", "from generator.cli import main; main()", "build", "--project", str(repo),
             "--as-of", DEMO_AS_OF.isoformat()], stderr=subprocess.PIPE, text=True)
        with pytest.raises(subprocess.TimeoutExpired):
            second.wait(timeout=5)
        assert _stats(repo / "site") == stats
        fcntl.flock(held, fcntl.LOCK_UN)
    _, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert (repo / "site/decisions/2025/d9/index.html").is_file()


def test_feeds_are_made_again_only_when_their_entries_change(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import parallel
    from generator.render import feeds

    monkeypatch.setattr(parallel, "workers", lambda: 1)
    made: list[str] = []
    real = feeds.Feeds._links

    def counting(self: feeds.Feeds, generator: object, feed: feeds.Feed, self_src: str) -> None:
        made.append(self_src)
        real(self, generator, feed, self_src)  # type: ignore[arg-type]

    monkeypatch.setattr(feeds.Feeds, "_links", counting)
    build(Project(repo), DEMO_AS_OF)
    assert made == []
    add_decision(repo)
    build(Project(repo), DEMO_AS_OF)
    assert {"feeds/decisions/rss.xml", "feeds/decisions/atom.xml",
            "feeds/body/city/atom.xml"} <= set(made)
    assert "feeds/laws/atom.xml" not in made and "feeds/corrections/rss.xml" not in made


def test_open_data_encodes_again_only_the_records_that_changed(
        repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from generator import parallel

    monkeypatch.setattr(parallel, "workers", lambda: 1)
    encoded = _counting_items(monkeypatch)
    build(Project(repo), DEMO_AS_OF)
    assert encoded == []
    add_decision(repo)
    build(Project(repo), DEMO_AS_OF)
    assert encoded == ["decisions/d9"]
    assert _files(repo / "site") == _clean_build(repo, tmp_path)
    # An officer the decisions name: their pages change, not their items.
    encoded.clear()
    edit(repo, "content/officers/li.yml", "name: 李二", "name: 李贰")
    publish_correction(repo, "officers/li")
    build(Project(repo), DEMO_AS_OF)
    assert sorted(encoded) == ["corrections/li-c1", "officers/li"]
    assert _files(repo / "site") == _clean_build(repo, tmp_path / "officer")
    for kept in (repo / ".gongshi").glob("opendata-*.pickle"):
        kept.write_bytes(b"damaged")
    build(Project(repo), DEMO_AS_OF)
    assert _files(repo / "site") == _clean_build(repo, tmp_path / "again")


def _counting_items(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The refs of the records whose open-data item is made from now on."""
    from generator.model import Record
    from generator.render import opendata
    from generator.render.site import Site

    made: list[str] = []
    real = opendata.item

    def counting(site: Site, record: Record) -> dict[str, object]:
        made.append(record.ref)
        return real(site, record)

    monkeypatch.setattr(opendata, "item", counting)
    return made


def test_in_place_a_file_may_become_a_folder_and_a_folder_a_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deploy, "IN_PLACE_UP_TO", 1.0)
    project, target, staging = tmp_path / "project", tmp_path / "site", tmp_path / "new"
    for folder in (project, target / "b", staging / "a"):
        folder.mkdir(parents=True)
    (target / "a").write_text("a file", encoding="utf-8")
    (target / "b" / "x.html").write_text("in a folder", encoding="utf-8")
    (target / "kept.html").write_text("kept", encoding="utf-8")
    (staging / "a" / "index.html").write_text("now a folder", encoding="utf-8")
    (staging / "b").write_text("now a file", encoding="utf-8")
    keys = {name: reuse.bytes_key(name.encode()) for name in ("a", "b/x.html", "kept.html")}
    previous = reuse.Manifest(str(target), reuse.identity(target), keys)
    deploy.publish(project, staging, target, {"kept.html": keys["kept.html"]}, previous)
    assert _files(target) == {"a/index.html": b"now a folder", "b": b"now a file",
                              "kept.html": b"kept"}
    manifest = reuse.Manifest.read(project, target)
    assert manifest is not None and set(manifest.keys) == {"a/index.html", "b", "kept.html"}


def test_a_site_on_another_file_system_is_built(repo: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """mkdocs builds in the project's .gongshi/; with `--site` on another disk its pages
    cannot be renamed into the site, and are copied (here the kernel's refusal is
    simulated for every rename out of .gongshi/)."""
    rename = os.replace
    refused: list[str] = []

    def across_devices(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        if "/.gongshi/" in str(source) and "/.gongshi/" not in str(target):
            refused.append(str(source))
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV), str(source))
        rename(source, target)

    monkeypatch.setattr(os, "replace", across_devices)
    elsewhere = tmp_path / "elsewhere" / "site"
    build(Project(repo), DEMO_AS_OF, site_dir=elsewhere)
    assert refused  # the simulation was met
    assert _files(elsewhere) == _files(repo / "site")
    assert not any((repo / ".gongshi").glob("render-*"))  # nothing left behind


def test_a_killed_build_leaves_the_manifest_a_clean_build_makes_in_part_files(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With every dict and set of the manifest in part files (as at 100,000 decisions), a
    build killed between its journal and the moves is finished by the next with the
    manifest a clean build makes, and a rebuild writes no part file anew."""
    from generator import statefile
    from generator.changes import STATE
    from generator.render import decisions

    monkeypatch.setattr(statefile, "BIG", 1)
    monkeypatch.setattr(deploy, "IN_PLACE_UP_TO", 1.0)
    site = repo / "site"
    build(Project(repo), DEMO_AS_OF)  # the manifest in part files
    parts = repo / reuse.PARTS
    written = {path.name: path.stat().st_ino for path in parts.iterdir()}
    assert written
    build(Project(repo), DEMO_AS_OF)
    assert {path.name: path.stat().st_ino for path in parts.iterdir()} == written

    add_decision(repo)
    finish = deploy._finish

    def killed(project_root: Path, journal: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(deploy, "_finish", killed)
    with pytest.raises(KeyboardInterrupt):
        build(Project(repo), DEMO_AS_OF)
    monkeypatch.setattr(deploy, "_finish", finish)
    build(Project(repo), DEMO_AS_OF)  # recovers first, then builds: nothing changed
    assert not (repo / deploy.JOURNAL_FILE).exists()
    assert _files(site) == _clean_build(repo, tmp_path)
    kept = reuse.Manifest.read(repo, site.resolve())
    clean = reuse.Manifest.read(tmp_path / "clean", (tmp_path / "clean" / "site").resolve())
    assert kept is not None and clean is not None
    # Input keys hold the project's path (its configuration's): only the files' own
    # bytes, and what records the pages are made from, compare across projects.
    assert kept.keys.keys() == clean.keys.keys() and kept.inputs.keys() == clean.inputs.keys()
    assert {rel: key for rel, key in kept.keys.items() if key.startswith(b"b")} == \
        {rel: key for rel, key in clean.keys.items() if key.startswith(b"b")}
    for kind in (STATE, decisions.INPUTS, decisions.ITEMS):
        assert kept.inputs[kind] == clean.inputs[kind]
    named = set(statefile.files(kept.stored.keys)) | set(statefile.files(kept.stored.inputs)) \
        if kept.stored else set()
    assert {path.name for path in parts.iterdir()} == named
