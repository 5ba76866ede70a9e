"""`gongshi build` and `gongshi serve` on the small project: atomic, reproducible, live."""

from __future__ import annotations

import shutil
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from generator.build import Project, build
from generator.cli import main
from tests.conftest import ROOT
from tests.minisite import AS_OF, edit


@pytest.fixture
def project(good: Path) -> Path:
    shutil.copytree(ROOT / "site_config", good / "site_config")
    shutil.copy(ROOT / "mkdocs.yml", good / "mkdocs.yml")
    return good


def files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*"))
            if p.is_file()}


def test_same_inputs_give_the_same_bytes(project: Path, tmp_path: Path) -> None:
    build(Project(project), AS_OF, site_dir=tmp_path / "one")
    build(Project(project), AS_OF, site_dir=tmp_path / "two")
    first, second = files(tmp_path / "one"), files(tmp_path / "two")
    assert "decisions/2025/d1/index.html" in first and "feeds/decisions/atom.xml" in first
    assert "search/index/meta.json.gz" in first
    assert any(name.startswith("search/index/terms/") for name in first)
    assert first == second


def test_a_good_build_replaces_the_old_site_and_leaves_no_debris(project: Path) -> None:
    site = project / "site"
    site.mkdir()
    (site / "stale.html").write_text("old", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--project", str(project), "--as-of", "2026-01-15"])
    assert result.exit_code == 0, result.stderr
    assert not (site / "stale.html").exists() and (site / "index.html").exists()
    assert [p.name for p in project.iterdir() if p.name.startswith(".site")] == []
    assert oct(site.stat().st_mode & 0o777) == "0o755"


def test_a_render_failure_keeps_the_previous_site(project: Path) -> None:
    site = project / "site"
    site.mkdir()
    (site / "index.html").write_text("previous", encoding="utf-8")
    (project / "mkdocs.yml").write_text("theme: {name: no-such-theme}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--project", str(project), "--as-of", "2026-01-15"])
    assert result.exit_code == 1 and "Nothing was published" in result.stderr
    assert files(site) == {"index.html": b"previous"}
    assert [p.name for p in project.iterdir() if p.name.startswith(".site")] == []


def test_the_theme_run_is_kept_until_what_it_reads_changes(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """mkdocs makes the shells and the theme's assets again only when what it reads changed:
    a rebuild copies the kept run, and gives the bytes a fresh project's build gives."""
    from generator.render import mkdocs_build

    runs: list[Path] = []
    start = mkdocs_build.MkdocsRun.__init__

    def counted(self: mkdocs_build.MkdocsRun, config_path: Path, *args: object) -> None:
        runs.append(config_path)
        start(self, config_path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(mkdocs_build.MkdocsRun, "__init__", counted)
    fresh = tmp_path / "fresh"
    shutil.copytree(project, fresh)
    build(Project(project), AS_OF)
    assert len(runs) == 1
    for root in (project, fresh):
        edit(root, "content/decisions/2025/d1.yml", "每月加班", "每月延长工作时间")
    build(Project(project), AS_OF)
    assert len(runs) == 1
    build(Project(fresh), AS_OF)
    assert len(runs) == 2
    assert files(project / "site") == files(fresh / "site")
    # A change to the theme's overrides is published by the next build.
    css = Path("assets/stylesheets/gongshi.css")
    with (project / "site_config" / "overrides" / css).open("a", encoding="utf-8") as out:
        out.write("\n/* 新样式 */\n")
    build(Project(project), AS_OF)
    assert len(runs) == 3
    assert (project / "site" / css).read_text(encoding="utf-8").endswith("/* 新样式 */\n")


def test_a_build_that_fails_meanwhile_leaves_no_process_behind(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The related decisions, the evaluations and the search index are made in forked
    processes while the build goes on: when it fails, they end with it."""
    import os

    from generator import parallel
    from generator.render.site import Site

    def fails(self: Site) -> None:
        raise RuntimeError("统计失败")

    def children() -> set[str]:
        """This process's children, running or unreaped (other tests' servers among them)."""
        return {pid for task in Path(f"/proc/{os.getpid()}/task").iterdir()
                for pid in (task / "children").read_text().split()}

    monkeypatch.setattr(parallel, "workers", lambda: 2)
    monkeypatch.setattr(Site, "statistics", fails)
    site = project / "site"
    site.mkdir()
    (site / "index.html").write_text("previous", encoding="utf-8")
    before = children()
    with pytest.raises(RuntimeError, match="统计失败"):
        build(Project(project), AS_OF)
    assert children() <= before
    assert files(site) == {"index.html": b"previous"}


def test_content_the_checks_fail_is_reported_before_any_page_is_made(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The checks run beside the render's first part: when they fail, no page is made, the
    report holds the problem, and the previous site stays."""
    from generator import parallel
    from generator.problems import ContentError
    from generator.render import home

    made = tmp_path / "made"
    home_page = home.home_page

    def noted(*args: object) -> object:
        made.touch()  # a file: the pages are made in forked workers
        return home_page(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel, "workers", lambda: 2)
    monkeypatch.setattr(home, "home_page", noted)
    build(Project(project), AS_OF)
    assert made.exists()
    made.unlink()
    before = files(project / "site")
    edit(project, "content/decisions/2025/d1.yml", "fine_amount: 3600", "fine_amount: 99999")
    with pytest.raises(ContentError) as failed:
        build(Project(project), AS_OF)
    assert [p.code for p in failed.value.report if p.severity == "error"] == ["R6-discretion"]
    assert not made.exists()
    assert files(project / "site") == before
    assert [p.name for p in project.iterdir() if p.name.startswith(".site")] == []


def test_a_render_that_fails_on_content_the_checks_fail_reports_their_problems(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Content the checks fail may break the render before they are done: the user gets the
    checks' problems, not the render's error."""
    from generator import parallel
    from generator.problems import ContentError
    from generator.render.site import Site

    def fails(self: Site) -> None:
        raise KeyError("no such fine")

    monkeypatch.setattr(parallel, "workers", lambda: 2)
    monkeypatch.setattr(Site, "statistics", fails)
    edit(project, "content/decisions/2025/d1.yml", "fine_amount: 3600", "fine_amount: 99999")
    with pytest.raises(ContentError) as failed:
        build(Project(project), AS_OF)
    assert "R6-discretion" in {p.code for p in failed.value.report}
    assert not (project / "site").exists()


@pytest.mark.parametrize("entry", ["build", "check"])
def test_a_load_that_fails_gives_the_objects_back_to_the_collector(
        project: Path, monkeypatch: pytest.MonkeyPatch, entry: str) -> None:
    """The records are frozen while a run holds them (`parallel.freeze`): a run whose load
    fails does not leave every object out of the collector's sight (each freeze is
    counted, and the last thaw gives them back)."""
    from generator import build as pipeline
    from generator import parallel

    def fails(*args: object) -> None:
        raise OSError("读取失败")

    monkeypatch.setattr(pipeline, "load", fails)
    with pytest.raises(OSError, match="读取失败"):
        getattr(pipeline, entry)(Project(project), AS_OF)
    assert parallel._holding == 0


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode("utf-8"))


def test_serve_rebuilds_and_reloads_when_content_changes(project: Path) -> None:
    from generator.preview import RELOAD_PATH, serve

    stop = threading.Event()
    console = Console(file=open(project / "serve.log", "w", encoding="utf-8"))  # noqa: SIM115
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    thread = threading.Thread(
        target=serve, args=(Project(project), AS_OF, port, console, stop), daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                page = _get(base + "/decisions/2025/d1/")
                break
            except OSError:
                assert time.monotonic() < deadline, "the preview server did not start"
                time.sleep(0.2)
        assert "每月加班" in page and RELOAD_PATH in page
        assert _get(base + RELOAD_PATH) == "0"
        edit(project, "content/decisions/2025/d1.yml", "每月加班", "每月延长工作时间")
        while _get(base + RELOAD_PATH) == "0":
            assert time.monotonic() < deadline + 60, "no rebuild after a content change"
            time.sleep(0.3)
        assert "每月延长工作时间" in _get(base + "/decisions/2025/d1/")
        # Publishing changes only the ledger, beside content/: the site shows it too.
        result = CliRunner().invoke(main, ["publish", "--project", str(project),
                                           "--date", "2025-06-12"])
        assert result.exit_code == 0, result.stderr
        while _get(base + RELOAD_PATH) == "1":
            assert time.monotonic() < deadline + 120, "no rebuild after publishing"
            time.sleep(0.3)
        assert "公示日期</th><td>2025年6月12日" in _get(base + "/decisions/2025/d1/")
    finally:
        stop.set()
        thread.join(timeout=10)
        console.file.close()


def test_filled_pages_are_the_pages_mkdocs_renders(demo_site: Path, tmp_path: Path) -> None:
    """Pages filled into the theme's shells (generator/render/shell.py) are byte for byte the
    pages mkdocs renders itself: the whole demo site, built both ways."""
    import datetime as dt

    from generator.build import _checked
    from generator.render import build_site
    from generator.settings import load_settings

    as_of = dt.date(2026, 11, 27)
    portal, _, ledger = _checked(Project(ROOT), as_of)
    site = tmp_path / "site"
    site.mkdir()
    build_site(portal, load_settings(ROOT), as_of, ROOT, site, ledger, fill=False)
    by_mkdocs = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    # The demo site also has the browser search index (search/index/), written after render.
    filled = {p.relative_to(demo_site): p.read_bytes() for p in demo_site.rglob("*")
              if p.is_file() and p.relative_to(demo_site).parts[:2] != ("search", "index")}
    assert set(filled) == set(by_mkdocs)
    assert sorted(str(p) for p in filled if filled[p] != by_mkdocs[p]) == []
    assert sum(1 for p in filled if p.name == "index.html") > 250


def test_checks_on_two_cores_report_the_same_problems(monkeypatch: pytest.MonkeyPatch) -> None:
    """Large portals are checked in two processes; the report is the same, in order."""
    from generator import build as pipeline
    from tests.conftest import DEMO_AS_OF

    serial = list(pipeline.check(pipeline.Project(ROOT), DEMO_AS_OF)[1])
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 0)
    parallel = list(pipeline.check(pipeline.Project(ROOT), DEMO_AS_OF)[1])
    assert parallel == serial and len(serial) == 4  # the demo's four late publications


def test_build_timings_name_each_stage_with_its_seconds(project: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--project", str(project), "--as-of",
                                       AS_OF.isoformat(), "--timings"])
    assert result.exit_code == 0, result.stderr
    lines = {line.strip().rsplit(None, 2)[0]: line for line in result.stderr.splitlines()
             if line.rstrip().endswith(" s")}
    for name in ("load", "check", "render", "pages", "browser search index", "deploy"):
        assert name in lines, result.stderr
    assert lines["pages"].startswith("  "), "render's parts are shown under it"
    assert (project / "site" / "index.html").is_file()
