"""Warm builds (generator/warm.py): `gongshi serve` keeps the records and the build state in
one process between builds, and builds in a forked child. A warm rebuild reads again only
the record files that changed and no state file its parent holds, and gives the site a
clean build gives."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import loader, stages, statefile
from generator.build import Project, build
from generator.loader import Warm, load
from generator.portal import Portal
from generator.problems import Report
from generator.render import kept
from generator.warm import WarmBuilds, Work
from tests.conftest import DEMO_AS_OF
from tests.minisite import edit
from tests.repo import add_decision, init_repo
from tests.test_incremental import _clean_build, _files

D1 = "content/decisions/2025/d1.yml"


@pytest.fixture(autouse=True)
def _nothing_held() -> Iterator[None]:
    yield
    statefile.HELD.values, statefile.HELD.marks = {}, {}
    kept.KEPT.clear()


@pytest.fixture
def repo(good: Path) -> Path:
    return init_repo(good, "2025-06-12", site=True)


def _work(project: Path) -> Work:
    def work(portal: Portal, report: Report) -> bool:
        build(Project(project), DEMO_AS_OF, loaded=(portal, report))
        return True
    return work


def _build(builds: WarmBuilds) -> bool:
    """A warm build of the site, then what the parent reads before the next."""
    published = builds.build(_work(builds.project.root))
    builds.refresh()
    return published


def test_a_warm_rebuild_reads_only_the_added_file_and_equals_a_clean_build(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builds = WarmBuilds(Project(repo), DEMO_AS_OF)
    assert _build(builds)
    first = _files(repo / "site")
    add_decision(repo)
    read: list[str] = []
    real = loader._read

    def noting(file: loader._File, parsed: object) -> loader._Read:
        read.append(file.rel)
        return real(file, parsed)  # type: ignore[arg-type]

    monkeypatch.setattr(loader, "_read", noting)
    assert _build(builds)
    assert read == ["content/decisions/2025/d9.yml"]
    rebuilt = _files(repo / "site")
    assert rebuilt != first and "decisions/2025/d9/index.html" in rebuilt
    assert rebuilt == _clean_build(repo, tmp_path, "clean")


def test_a_warm_build_reads_no_state_file_its_parent_holds(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The child and its workers take the checks' memo, the manifest, open data's and the
    search index's caches, and the parsed ledger, from the parent, which read them after the
    last builds: also what the build before, which changed nothing, did not read."""
    builds = WarmBuilds(Project(repo), DEMO_AS_OF)
    assert _build(builds)
    assert _build(builds)  # nothing changed: it reads less than a build that has pages to make
    held = {Path(path).name for _, path, _ in statefile.HELD.values}
    assert {"derived.pickle", "site-manifest.pickle", "ledger.jsonl"} <= held
    for cache in ("opendata-", "browser-files-"):
        assert {name for name in held if name.startswith(cache)}, cache
    log = tmp_path / "read-from-disk.log"
    for name, reader in list(statefile.HELD.readers.items()):
        def noting(path: Path, *args: object, reader: object = reader) -> object:
            with log.open("a", encoding="utf-8") as out:  # forked processes append here
                out.write(f"{path.name}\n")
            return reader(path, *args)  # type: ignore[operator]
        monkeypatch.setitem(statefile.HELD.readers, name, noting)
    add_decision(repo)  # `gongshi publish` adds to the memo and the ledger meanwhile
    unchanged = {Path(path).name for (_, path, _), (stamp, _) in statefile.HELD.values.items()
                 if statefile.signature(path) == stamp}
    assert "site-manifest.pickle" in unchanged
    for cache in ("opendata-", "browser-files-"):
        assert {name for name in unchanged if name.startswith(cache)}, cache
    assert not {"derived.pickle", "ledger.jsonl"} & unchanged
    log.unlink(missing_ok=True)  # what `gongshi publish` read, here
    assert builds.build(_work(repo))
    read = set(log.read_text(encoding="utf-8").split()) if log.exists() else set()
    # What was added to those two the parent read before the build, and only that.
    assert not read & {*unchanged, "derived.pickle", "ledger.jsonl"}
    assert (repo / "site/decisions/2025/d9/index.html").is_file()


def test_a_failed_warm_build_leaves_the_site_and_the_next_one_builds(repo: Path) -> None:
    builds = WarmBuilds(Project(repo), DEMO_AS_OF)
    assert _build(builds)
    before = _files(repo / "site")
    edit(repo, D1, "decision_date: 2025-06-10", "decision_date: 2025-13-10")
    assert not _build(builds)
    assert _files(repo / "site") == before
    edit(repo, D1, "decision_date: 2025-13-10", "decision_date: 2025-06-10")
    assert _build(builds)


def test_a_warm_load_reports_every_problem_each_time_and_follows_each_change(good: Path) -> None:
    content = good / "content"
    (content / "decisions/2025/broken.yml").write_text("id: [broken\n", encoding="utf-8")
    warm = Warm()
    portal, report = load(content, None, warm)
    problems = [p for p in report if p.file.endswith("broken.yml")]
    assert problems and "d1" in portal.decisions and "d2" in portal.decisions
    edit(good, D1, "facts: 经查，", "facts: 经复查核实，")
    (content / "decisions/2025/d2.yml").unlink()
    portal, report = load(content, None, warm)
    assert [p for p in report if p.file.endswith("broken.yml")] == problems
    assert "d2" not in portal.decisions
    assert portal.decisions["d1"].facts.startswith("经复查核实")
    assert {record.origin.path for record in portal.records()} <= set(warm.files)


def _loaded(portal: Portal, report: Report) -> tuple[object, ...]:
    """Everything a load gives, in its order."""
    tables = [(kind, list(portal.table(kind).items())) for kind in (
        "bodies", "officers", "laws", "powers", "procedures", "benchmarks", "decisions",
        "corrections", "appeals", "pages")]
    paths = [record.origin.path for record in portal.records()]
    return (tables, paths, list(portal.digests.items()), sorted(portal.broken),
            list(report), report._problems)


def _steps(content: Path) -> Iterator[list[Path]]:
    """Changes to the tree, one at a time, each with the paths a watcher would name."""
    d1, d2 = content / "decisions/2025/d1.yml", content / "decisions/2025/d2.yml"
    text = d1.read_text(encoding="utf-8")
    d1.write_text(text.replace("facts: 经查，", "facts: 经复查，"), encoding="utf-8")
    yield [d1]
    added = content / "decisions/2025/d0.yml"  # before d1 in path order
    added.write_text(text.replace("id: d1", "id: d0").replace("1号", "9号"), encoding="utf-8")
    yield [added]
    last = content / "decisions/2025/d9.yml"
    last.write_text(text.replace("id: d1", "id: d9").replace("1号", "8号"), encoding="utf-8")
    yield [last]
    moved = content / "decisions/2025/d2-moved.yml"  # a move: the file name differs from the id
    d2.rename(moved)
    yield [d2, moved]
    moved.rename(d2)
    yield [moved, d2]
    added.write_text("id: [d0\n", encoding="utf-8")  # malformed
    yield [added]
    added.write_text(text.replace("id: d1", "id: d0").replace("decision_date: 2025-06-10",
                                                             "decision_date: 2025-13-10"))
    yield [added]  # invalid
    added.write_text(text.replace("id: d1", "id: d0").replace("1号", "9号"), encoding="utf-8")
    yield [added]  # fixed
    last.write_text(text.replace("id: d1", "id: d0"), encoding="utf-8")
    yield [last]  # d9.yml now holds d0 too: a duplicate id, after the first
    added.unlink()
    yield [added]  # now d9.yml's d0 is the only one
    added.write_text(text.replace("id: d1", "id: d0").replace("1号", "9号"), encoding="utf-8")
    yield [added]  # and the first again
    last.write_text(text.replace("id: d1", "id: d9").replace("1号", "8号"), encoding="utf-8")
    yield [last]  # an id changed in its file
    d1.write_text(text.replace("id: d1", "id: d1b"), encoding="utf-8")
    yield [d1]
    (content / "decisions/notes.txt").write_text("notes", encoding="utf-8")
    (content / "decisions/2025/.d1.yml.swp").write_text("swap", encoding="utf-8")
    yield [content / "decisions/notes.txt", content / "decisions/2025/.d1.yml.swp"]
    (content / "decisions/notes.txt").unlink()
    yield [content / "decisions/notes.txt"]
    year = content / "decisions/2024"
    year.mkdir()
    (year / "d7.yml").write_text(
        text.replace("id: d1", "id: d7").replace("1号", "7号")
        .replace("decision_date: 2025-06-10", "decision_date: 2024-06-10"), encoding="utf-8")
    (year / "d8.yml").write_text(text.replace("id: d1", "id: d8"), encoding="utf-8")  # 2025
    yield [year]  # a folder moved in: only the folder is named
    (year / "d8.yml").unlink()
    yield [year / "d8.yml"]
    (year / "d7.yml").unlink()
    year.rmdir()
    yield [year]
    page = content / "pages/about.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n更多。\n", encoding="utf-8")
    (content / "bodies/city.yml").unlink()
    yield [page, content / "bodies/city.yml"]


@pytest.mark.parametrize("told", [True, False], ids=["told", "scanned"])
def test_a_warm_load_after_each_change_gives_what_a_cold_load_gives(
        good: Path, told: bool) -> None:
    """Adding, changing, moving and deleting record files, breaking and fixing them, ids
    held twice, files that are no records and folders moved in and out: the warm portal,
    updated in place for the files named (or found by their signatures), is the one a
    cold load makes, in the same order, with the same problems."""
    content = good / "content"
    warm = Warm()
    load(content, None, warm)
    in_place = []
    for number, changed in enumerate(_steps(content)):
        before = warm.portal
        portal, report = load(content, None, warm, changed if told else None)
        assert _loaded(portal, report) == _loaded(*load(content)), f"after change {number}"
        in_place.append(portal is before)
    assert in_place[:8] == [True] * 8  # made again only where an id is held twice


def test_serve_names_the_content_files_that_changed(good: Path) -> None:
    """`gongshi serve` tells the warm load which files changed, from the moment its watch is
    ready (before the first build, so an edit made during it is not lost), hidden ones too
    (the loader skips them), and nothing for a change beside content/."""
    import queue
    import threading

    from generator.preview import Watch

    stop, seen = threading.Event(), queue.Queue()  # type: ignore[var-annotated]
    watch = Watch(Project(good), stop)
    assert watch.ready.wait(timeout=30)
    content = (good / "content").resolve()
    edit(good, D1, "facts: 经查，", "facts: 经复查，")  # at once: no change may be missed
    thread = threading.Thread(target=lambda: [seen.put(c) for c in watch], daemon=True)
    thread.start()
    try:
        assert seen.get(timeout=30) == {str(content / D1.removeprefix("content/"))}
        new = content / "decisions/2025/d9.yml"
        new.write_text("id: d9\n", encoding="utf-8")
        assert str(new) in seen.get(timeout=30)
        (good / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
        assert seen.get(timeout=30) == set()
    finally:
        stop.set()
        thread.join(timeout=10)


def test_a_warm_check_reports_what_a_cold_check_reports_after_each_change(
        repo: Path, tmp_path: Path) -> None:
    """The problems a warm build's checks report, with the ledger and the memo its parent
    brought up to date, are those of `gongshi check` in a new process, in the same order:
    after a publication, an edit of a published decision, lines gone from the ledger and
    added back, a damaged ledger and its repair."""
    import pickle

    from generator.build import _checked, check

    out = tmp_path / "problems.pickle"

    def work(portal: Portal, report: Report) -> bool:
        _, found, _ = _checked(Project(repo), DEMO_AS_OF, loaded=(portal, report))
        out.write_bytes(pickle.dumps([p.describe() for p in found]))
        return True

    def cold() -> list[str]:
        statefile.HELD.log = None
        held, statefile.HELD.values = statefile.HELD.values, {}
        try:
            return [p.describe() for p in check(Project(repo), DEMO_AS_OF)[1]]
        finally:
            statefile.HELD.values = held

    ledger = repo / "ledger.jsonl"
    text = ledger.read_text(encoding="utf-8")

    def changes() -> Iterator[None]:
        add_decision(repo)
        yield
        edit(repo, D1, "facts: 经查，", "facts: 经复查，")
        yield
        kept = ledger.read_text(encoding="utf-8")
        ledger.write_text("".join(line + "\n" for line in kept.splitlines()[1:]),
                          encoding="utf-8")
        yield
        ledger.write_text(kept, encoding="utf-8")
        yield
        ledger.write_text(kept + "{broken\n", encoding="utf-8")
        yield
        ledger.write_text(kept, encoding="utf-8")
        yield

    builds = WarmBuilds(Project(repo), DEMO_AS_OF)
    assert builds.build(work)
    builds.refresh()
    assert pickle.loads(out.read_bytes()) == cold()
    reported = []
    for number, _ in enumerate(changes()):
        builds.build(work, [repo / D1] if number == 1 else None)
        builds.refresh()
        reported.append(pickle.loads(out.read_bytes()))
        assert reported[-1] == cold(), f"after change {number}"
    assert text != ledger.read_text(encoding="utf-8")
    codes = [" ".join(problems) for problems in reported]
    assert "without an approved correction" in codes[1] and "not a ledger line" in codes[4]


def _exited(pid: int) -> bool:
    """Whether the process has exited (a zombie not yet waited for counts as exited)."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return status.rpartition(")")[2].split()[0] in ("Z", "X")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="warm builds fork where they can")
def test_a_warm_build_is_done_once_its_child_published_not_once_it_exited(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The child's exit (letting go of its memory, a quarter of a second at 100,000
    decisions) is not waited for: the build is done when the child says it published."""
    release = tmp_path / "release"
    real_exit = os._exit

    def held_exit(code: int) -> None:  # the child waits for the test before exiting
        for _ in range(300):
            if release.exists():
                break
            time.sleep(0.05)
        real_exit(code)

    monkeypatch.setattr(os, "_exit", held_exit)
    builds = WarmBuilds(Project(repo), DEMO_AS_OF)
    assert builds.build(_work(repo))
    child = builds._exiting
    assert child is not None and not _exited(child) and not release.exists()
    assert (repo / "site/decisions/2025/d1/index.html").is_file()
    release.touch()
    builds.refresh()
    assert builds._exiting is None and not Path(f"/proc/{child}").exists()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="warm builds fork where they can")
def test_a_warm_build_whose_child_dies_before_it_tells_is_not_published(repo: Path) -> None:
    builds = WarmBuilds(Project(repo), DEMO_AS_OF)

    def dying(portal: Portal, report: Report) -> bool:
        os.kill(os.getpid(), signal.SIGKILL)
        return True

    assert builds.build(dying) is False
    assert builds._exiting is None
    assert _build(builds)  # and the next build goes on as usual


@pytest.mark.skipif(not hasattr(os, "fork"), reason="warm builds fork where they can")
def test_a_warm_rebuild_takes_the_site_index_its_parent_kept(
        repo: Path, tmp_path: Path) -> None:
    """The parent keeps the site index and the publication timings between builds
    (generator/render/kept.py): the child of a rebuild after a decision was added and
    published brings them up to date instead of sorting every decision again, and the site
    is the clean build's. Another day's build makes its own."""
    told = tmp_path / "stages.txt"

    def work(portal: Portal, report: Report) -> bool:
        build(Project(repo), DEMO_AS_OF, loaded=(portal, report))
        told.write_text("\n".join(t.name for t in stages.taken()), encoding="utf-8")
        return True

    builds = WarmBuilds(Project(repo), DEMO_AS_OF)
    assert builds.build(work)
    assert "site index" in told.read_text(encoding="utf-8").splitlines()  # none kept yet
    builds.refresh()
    assert kept.KEPT
    add_decision(repo)
    assert builds.build(work, [repo / "content/decisions/2025/d9.yml"])
    builds.refresh()
    names = told.read_text(encoding="utf-8").splitlines()
    assert "site index (kept)" in names and "site index" not in names
    assert _files(repo / "site") == _clean_build(repo, tmp_path, "clean")
    kept.KEPT.clear()
    other = WarmBuilds(Project(repo), DEMO_AS_OF.replace(day=28))  # kept as of the 28th
    assert other.build(work)
    other.refresh()
    assert kept.KEPT and kept.KEPT[0].as_of == DEMO_AS_OF.replace(day=28)
    assert other.build(work, [])
    assert "site index" in told.read_text(encoding="utf-8").splitlines()  # built as of the 27th
