"""Warm builds (generator/warm.py): `gongshi serve` keeps the records and the build state in
one process between builds, and builds in a forked child. A warm rebuild reads again only
the record files that changed and no state file its parent holds, and gives the site a
clean build gives."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import loader, statefile
from generator.build import Project, build
from generator.loader import Warm, load
from generator.portal import Portal
from generator.problems import Report
from generator.warm import WarmBuilds, Work
from tests.conftest import DEMO_AS_OF
from tests.minisite import edit
from tests.repo import add_decision, init_repo
from tests.test_incremental import _clean_build, _files

D1 = "content/decisions/2025/d1.yml"


@pytest.fixture(autouse=True)
def _nothing_held() -> Iterator[None]:
    yield
    statefile.HELD.values = {}


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
    builds = WarmBuilds(Project(repo))
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
    last build."""
    builds = WarmBuilds(Project(repo))
    assert _build(builds)
    held = {Path(path).name for _, path, _ in statefile.HELD.values}
    assert {"derived.pickle", "site-manifest.pickle", "browser-files.pickle",
            "ledger.jsonl"} <= held
    assert {name for name in held if name.startswith("opendata-")}
    log = tmp_path / "read-from-disk.log"
    for name, reader in list(statefile.HELD.readers.items()):
        def noting(path: Path, *args: object, reader: object = reader) -> object:
            with log.open("a", encoding="utf-8") as out:  # forked processes append here
                out.write(f"{path.name}\n")
            return reader(path, *args)  # type: ignore[operator]
        monkeypatch.setitem(statefile.HELD.readers, name, noting)
    add_decision(repo)  # `gongshi publish` writes the memo meanwhile: it is read again
    unchanged = {Path(path).name for (_, path, _), (stamp, _) in statefile.HELD.values.items()
                 if statefile.signature(path) == stamp}
    assert {"site-manifest.pickle", "browser-files.pickle"} <= unchanged
    assert {name for name in unchanged if name.startswith("opendata-")}
    assert builds.build(_work(repo))
    read = set(log.read_text(encoding="utf-8").split()) if log.exists() else set()
    assert "derived.pickle" in read and not read & unchanged
    assert (repo / "site/decisions/2025/d9/index.html").is_file()


def test_a_failed_warm_build_leaves_the_site_and_the_next_one_builds(repo: Path) -> None:
    builds = WarmBuilds(Project(repo))
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
    assert set(warm.files) == {record.origin.path for record in portal.records()}
