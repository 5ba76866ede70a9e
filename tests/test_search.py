"""The staff-side search (whoosh + jieba, behind search.SearchIndex) on the demo's public
records, through the API and through `gongshi search`, as staff type queries: Chinese
without spaces, a part of a name, a 文书号, a certificate number."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import search
from generator.build import Project, _checked
from generator.cli import main
from generator.render.site import Site, build_site_index
from generator.settings import load_settings
from search import engine
from search.documents import Document, documents
from search.engine import SearchIndex
from tests.conftest import DEMO_AS_OF, ROOT


@pytest.fixture(scope="module")
def site() -> Site:
    portal, report, ledger = _checked(Project(ROOT), DEMO_AS_OF)
    assert not report.failed()
    return build_site_index(portal, load_settings(ROOT), DEMO_AS_OF, ledger)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, site: Site) -> search.SearchIndex:
    return search.build_index(tmp_path_factory.mktemp("search"), site)


def first(index: search.SearchIndex, text: str, **filters: object) -> str:
    hits = index.search(text, search.Filters(**filters))  # type: ignore[arg-type]
    assert hits, text
    return hits[0].ref


@pytest.mark.parametrize(("query", "expected"), [
    ("东湖市拓新人力资源服务有限公司", "decisions/donghu-2026-002"),  # a party, whole
    ("拓新", "decisions/donghu-2026-002"),  # a part jieba cuts across (东湖/市拓/新)
    ("东人社监罚〔2026〕1号", "decisions/donghu-2026-002"),  # a 文书号
    ("王磊", "officers/dh-wang-lei"),  # an officer's name
    ("99010020220007", "officers/dh-wang-lei"),  # a certificate number
    ("劳动保障监察条例", "laws/labour-inspection-regulation"),  # a law's name
])
def test_the_right_record_comes_first(index: search.SearchIndex, query: str,
                                      expected: str) -> None:
    assert first(index, query) == expected


def test_a_topic_finds_the_public_decisions_about_it(index: search.SearchIndex) -> None:
    portal, _, _ = _checked(Project(ROOT), DEMO_AS_OF)
    withdrawn = {"decisions/xishan-2025-006"}
    about = {d.ref for d in portal.decisions.values() if "加班" in d.facts
             and d.publicity_end >= DEMO_AS_OF and d.ref not in withdrawn}
    assert about
    hits = index.search("加班", search.Filters(kind="decisions"), limit=100)
    assert about <= {h.ref for h in hits}


def test_withdrawn_and_expired_decisions_cannot_be_found(index: search.SearchIndex) -> None:
    portal, _, _ = _checked(Project(ROOT), DEMO_AS_OF)
    gone = [portal.decisions["xishan-2025-006"],
            *(d for d in portal.decisions.values() if d.publicity_end < DEMO_AS_OF)]
    for decision in gone:
        refs = [h.ref for h in index.search(decision.document_number)]
        assert decision.ref not in refs, decision.ref


def test_filters_narrow_the_results(index: search.SearchIndex) -> None:
    everything = index.search("有限公司", limit=200)
    in_2025 = index.search("有限公司", search.Filters(kind="decisions", year=2025), limit=200)
    donghu = index.search("有限公司", search.Filters(body="donghu-rsj"), limit=200)
    penalties = index.search("有限公司", search.Filters(kind="decisions", type="行政处罚"),
                             limit=200)
    assert len(everything) > len(in_2025) > 0
    assert all(h.year == 2025 and h.kind == "decisions" for h in in_2025)
    assert donghu and all("donghu-rsj" in h.body.split() for h in donghu)
    assert penalties and all(h.type == "行政处罚" for h in penalties)
    assert len(penalties) < len([h for h in everything if h.kind == "decisions"])


def test_related_decisions_are_other_decisions(index: search.SearchIndex) -> None:
    related = index.related("decisions/donghu-2026-002")
    assert related and all(h.kind == "decisions" and h.ref != "decisions/donghu-2026-002"
                           for h in related)
    assert index.related("decisions/no-such-decision") == []


def test_gongshi_search_for_staff(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["search", "拓新", "--project", str(ROOT), "--as-of",
                                  DEMO_AS_OF.isoformat(), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    hits = json.loads(result.stdout)
    assert hits[0]["ref"] == "decisions/donghu-2026-002"
    assert hits[0]["url"] == "decisions/2026/donghu-2026-002/"
    result = runner.invoke(main, ["search", "王磊", "--project", str(ROOT), "--type", "执法人员"])
    assert result.exit_code == 0 and "执法人员" in result.stdout and "officers/dh-wang-lei/" in \
        result.stdout
    result = runner.invoke(main, ["search", "王磊", "--project", str(ROOT), "--type", "飞机"])
    assert result.exit_code == 2 and "--type" in result.stderr
    result = runner.invoke(main, ["search", "不存在的内容甲乙丙", "--project", str(ROOT)])
    assert result.exit_code == 1 and "Nothing found" in result.stderr


def _demo_copy(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    for folder in ("content", "site_config"):
        shutil.copytree(ROOT / folder, project / folder)
    for name in ("mkdocs.yml", "ledger.jsonl"):
        shutil.copy(ROOT / name, project / name)
    return project


def test_the_first_search_after_a_build_brings_the_index_up_to_date(tmp_path: Path) -> None:
    """A build leaves the staff index alone (building it whole costs more than the site at
    100,000 decisions); the first search after each build brings it up to date, once."""
    from generator.build import build

    project = _demo_copy(tmp_path)
    runner = CliRunner()

    def search_for(text: str) -> Any:
        return runner.invoke(main, ["search", text, "--project", str(project), "--format",
                                    "json"])

    build(Project(project), DEMO_AS_OF, site_dir=tmp_path / "site")
    assert search.current_index(project) is None
    result = search_for("拓新")
    assert result.exit_code == 0 and "up to date" in result.stderr
    assert json.loads(result.stdout)[0]["ref"] == "decisions/donghu-2026-002"
    assert search.current_index(project) is not None
    result = search_for("拓新")
    assert result.exit_code == 0 and "up to date" not in result.stderr
    # Another build: the index is brought up to date again by the next search (the index's
    # own tests show that an update finds what changed).
    build(Project(project), DEMO_AS_OF, site_dir=tmp_path / "site")
    assert search.current_index(project) is None
    result = search_for("拓新")
    assert result.exit_code == 0 and "up to date" in result.stderr
    assert search.current_index(project) is not None
    # With --search-index, the build does it at once.
    result = runner.invoke(main, ["build", "--project", str(project), "--as-of",
                                  DEMO_AS_OF.isoformat(), "--site", str(tmp_path / "site"),
                                  "--search-index"])
    assert result.exit_code == 0, result.stderr
    assert search.current_index(project) is not None


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A copy of the demo as `gongshi serve --api` builds it: with the staff index."""
    from generator.build import build
    from generator.preview import api_search

    folder = tmp_path_factory.mktemp("served")
    project = _demo_copy(folder)
    assert api_search(project, "q=x")[0] == 503  # no index yet
    build(Project(project), DEMO_AS_OF, site_dir=folder / "site", staff_index=True)
    return project, folder / "site"


def test_the_search_api_answers_json(served: tuple[Path, Path]) -> None:
    from generator.preview import api_search

    project, _ = served
    status, answer = api_search(project, "q=%E6%8B%93%E6%96%B0&type=decisions&year=2026")
    assert status == 200 and answer["results"][0]["ref"] == "decisions/donghu-2026-002"  # type: ignore[index]
    status, answer = api_search(project, "q=%E6%8B%93%E6%96%B0&year=2025")
    assert status == 200 and answer["count"] == 0
    assert api_search(project, "q=")[0] == 400
    assert api_search(project, "q=x&year=abc")[0] == 400


def test_the_search_api_over_http(served: tuple[Path, Path]) -> None:
    import http.server
    import threading
    import urllib.error
    import urllib.parse
    import urllib.request

    from generator.preview import _handler, _State

    project, site = served
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(site, _State(), project))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with urllib.request.urlopen(f"{base}/api/search?q={urllib.parse.quote('王磊')}") as reply:
            assert reply.headers["Content-Type"] == "application/json; charset=utf-8"
            answer = json.loads(reply.read())
        assert answer["results"][0]["ref"] == "officers/dh-wang-lei"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base}/api/search")
        assert refused.value.code == 400
    finally:
        server.shutdown()


# --- building the index: incremental, never half-written --------------------------------

EQUAL_QUERIES = ["东湖市拓新人力资源服务有限公司", "拓新", "东人社监罚〔2026〕1号", "王磊", "99010020220007",
                 "劳动保障监察条例", "加班", "拖欠工资", "有限公司", "东湖", "社会保险", "罚款", "张"]


@pytest.fixture(scope="module")
def demo_documents(site: Site) -> list[Document]:
    return list(documents(site))


@pytest.fixture
def demo_index(tmp_path: Path, index: search.SearchIndex) -> Path:
    """A copy of the demo's index (built from `demo_documents`), to change."""
    return Path(shutil.copytree(index.folder, tmp_path / "index"))


def files(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file of an index folder with its size and modification time."""
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()}


def refs(index: search.SearchIndex, text: str) -> list[str]:
    return [h.ref for h in index.search(text, limit=500)]


def changed(doc: Document, text: str) -> Document:
    return dataclasses.replace(doc, text=text)


def test_a_changed_document_is_found_by_its_new_text_only(
        demo_index: Path, demo_documents: list[Document]) -> None:
    target = "decisions/donghu-2026-002"
    docs = [changed(d, d.text + " 鸿鹄之志") if d.ref == target else d for d in demo_documents]
    built = SearchIndex.build(demo_index, docs)
    assert refs(built, "鸿鹄之志") == [target]
    docs = [changed(d, d.text.replace("鸿鹄之志", "骐骥一跃")) for d in docs]
    rebuilt = SearchIndex.build(demo_index, docs)
    assert rebuilt.changes == engine.Changes(fresh=False, updated=1)
    assert refs(rebuilt, "骐骥一跃") == [target]
    assert refs(rebuilt, "鸿鹄之志") == []
    assert refs(rebuilt, "东湖市拓新人力资源服务有限公司")[0] == target  # found once, not twice
    assert refs(rebuilt, "东湖市拓新人力资源服务有限公司").count(target) == 1


def test_a_removed_document_disappears(demo_index: Path,
                                       demo_documents: list[Document]) -> None:
    gone = "decisions/donghu-2026-002"
    rebuilt = SearchIndex.build(demo_index, [d for d in demo_documents if d.ref != gone])
    assert rebuilt.changes == engine.Changes(fresh=False, removed=1)
    assert gone not in refs(rebuilt, "拓新") + refs(rebuilt, "东人社监罚〔2026〕1号")
    assert rebuilt.related(gone) == []
    added = SearchIndex.build(demo_index, demo_documents)
    assert added.changes == engine.Changes(fresh=False, added=1)
    assert refs(added, "拓新")[0] == gone


def test_an_unchanged_rebuild_writes_nothing(demo_index: Path,
                                             demo_documents: list[Document]) -> None:
    before = files(demo_index)
    rebuilt = SearchIndex.build(demo_index, reversed(demo_documents))
    assert rebuilt.changes.unchanged
    assert files(demo_index) == before
    assert [p.name for p in demo_index.parent.iterdir()] == ["index"]  # and no staging


def test_another_format_is_built_again_whole(demo_index: Path,
                                             demo_documents: list[Document],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    before = files(demo_index)
    monkeypatch.setattr(engine, "FORMAT", engine.FORMAT + 1)
    assert not SearchIndex.exists(demo_index)
    rebuilt = SearchIndex.build(demo_index, demo_documents)
    assert rebuilt.changes == engine.Changes(fresh=True, added=len(demo_documents))
    after = files(demo_index)
    assert not before.keys() & after.keys()  # not one file of the old index is left
    assert refs(rebuilt, "拓新")[0] == "decisions/donghu-2026-002"


def test_changes_to_a_quarter_of_the_index_write_it_whole(
        demo_index: Path, demo_documents: list[Document]) -> None:
    docs = [changed(d, d.text + " 鸿鹄之志") if i % 3 == 0 else d
            for i, d in enumerate(demo_documents)]
    rebuilt = SearchIndex.build(demo_index, docs)
    assert rebuilt.changes == engine.Changes(fresh=True, added=len(docs))
    assert set(refs(rebuilt, "鸿鹄之志")) == {d.ref for d in docs[::3]}


def test_an_unreadable_index_is_built_again(demo_index: Path,
                                            demo_documents: list[Document]) -> None:
    for toc in demo_index.glob("*.toc"):
        toc.write_bytes(b"not a table of contents")
    rebuilt = SearchIndex.build(demo_index, demo_documents)
    assert rebuilt.changes.fresh and refs(rebuilt, "拓新")[0] == "decisions/donghu-2026-002"


def test_a_failed_build_leaves_the_previous_index(demo_index: Path,
                                                  demo_documents: list[Document],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    folder = demo_index
    docs = [changed(d, d.text + " 鸿鹄之志") if d.kind == "decisions" and i % 4 == 0 else d
            for i, d in enumerate(demo_documents)]
    fields, calls = engine._fields, []

    def failing(doc: Document, checksum: bytes) -> dict[str, object]:
        calls.append(doc.ref)
        if len(calls) == 3:
            raise KeyboardInterrupt  # as when someone stops the build
        return fields(doc, checksum)

    monkeypatch.setattr(engine, "_fields", failing)
    with pytest.raises(KeyboardInterrupt):  # an update, failing in the middle
        SearchIndex.build(folder, docs)
    monkeypatch.setattr(engine, "FORMAT", engine.FORMAT + 1)
    calls.clear()
    with pytest.raises(KeyboardInterrupt):  # a fresh build, failing in the middle
        SearchIndex.build(folder, docs)
    monkeypatch.undo()

    assert [p.name for p in folder.parent.iterdir()] == ["index"]  # no staging left
    previous = SearchIndex(folder)
    assert refs(previous, "鸿鹄之志") == []
    assert refs(previous, "拓新")[0] == "decisions/donghu-2026-002"
    rebuilt = SearchIndex.build(folder, docs)  # and the write lock was let go
    edited = {d.ref for d in docs if "鸿鹄之志" in d.text}
    assert rebuilt.changes == engine.Changes(fresh=False, updated=len(edited))
    assert set(refs(rebuilt, "鸿鹄之志")) == edited


def test_an_incremental_index_answers_as_a_fresh_one(
        tmp_path: Path, demo_index: Path, demo_documents: list[Document]) -> None:
    decisions = [d for d in demo_documents if d.kind == "decisions"]
    gone = {decisions[3].ref, decisions[10].ref}
    edited = {decisions[0].ref, decisions[20].ref, decisions[30].ref}
    docs = [changed(d, d.text + " 拖欠工资 加班") if d.ref in edited else d
            for d in demo_documents if d.ref not in gone]
    docs.append(dataclasses.replace(decisions[5], ref="decisions/new", text="新决定 拖欠工资 东湖"))
    incremental = SearchIndex.build(demo_index, docs)
    assert incremental.changes == engine.Changes(fresh=False, added=1, updated=3, removed=2)
    fresh = SearchIndex.build(tmp_path / "fresh", docs)
    assert_same_answers(incremental, fresh)


def test_a_segment_a_quarter_deleted_is_merged(tmp_path: Path, demo_index: Path,
                                               demo_documents: list[Document],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Once merged, deleted documents no longer count in term statistics: scores are a fresh
    build's within 2% (whoosh keeps a document's field length in one byte, so a merged
    segment's total lengths are near, not equal). Unmerged, they were up to 28% off."""
    monkeypatch.setattr(engine, "SMALL_SEGMENT", 10)  # the demo's one segment is not small
    decisions = [d.ref for d in demo_documents if d.kind == "decisions"]
    fewer = [d for d in demo_documents if d.ref not in decisions[:30]]
    assert SearchIndex.build(demo_index, fewer).changes.removed == 30  # 20% of the segment
    fewest = [d for d in demo_documents if d.ref not in decisions[:40]]
    incremental = SearchIndex.build(demo_index, fewest)  # 26%
    assert incremental.changes == engine.Changes(fresh=False, removed=10)
    fresh = SearchIndex.build(tmp_path / "fresh", fewest)
    for text in EQUAL_QUERIES:
        got = {h.ref: h.score for h in incremental.search(text, limit=500)}
        want = {h.ref: h.score for h in fresh.search(text, limit=500)}
        assert got == pytest.approx(want, rel=0.02), text


def test_a_fresh_index_in_many_segments_answers_as_one(
        tmp_path: Path, index: search.SearchIndex, demo_documents: list[Document],
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(list(index.folder.glob("*.seg"))) == 1
    pools: list[object] = []

    class Pool(ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pools.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(engine, "ProcessPoolExecutor", Pool)
    # Other tests leave idle server threads behind; `gongshi build` has none.
    monkeypatch.setattr(engine.threading, "active_count", lambda: 1)
    monkeypatch.setattr(engine, "SEGMENT_CHARS", 8_000)
    many = SearchIndex.build(tmp_path / "many", demo_documents)
    assert len(list((tmp_path / "many").glob("*.seg"))) >= 4
    assert pools or (os.cpu_count() or 1) == 1  # written by worker processes
    assert_same_answers(many, index)


def test_an_update_leaves_the_other_segments_alone(
        tmp_path: Path, demo_documents: list[Document],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "SEGMENT_CHARS", 2_000)
    monkeypatch.setattr(engine, "SMALL_SEGMENT", 2)  # none of the fresh build's is small
    SearchIndex.build(tmp_path / "index", demo_documents)
    segments = {p.name for p in (tmp_path / "index").glob("*.seg")}
    assert len(segments) >= 10
    target = "decisions/donghu-2026-002"
    for text in ["鸿鹄之志", "骐骥一跃", "鲲鹏展翅"]:  # three updates in a row
        docs = [changed(d, f"{d.text} {text}") if d.ref == target else d
                for d in demo_documents]
        assert SearchIndex.build(tmp_path / "index", docs).changes.updated == 1
    after = {p.name for p in (tmp_path / "index").glob("*.seg")}
    assert segments < after and len(after - segments) == 1
    assert refs(SearchIndex(tmp_path / "index"), "鲲鹏展翅") == [target]


def assert_same_answers(index: search.SearchIndex, expected: search.SearchIndex) -> None:
    """The same records for every query, the same first one for an exact query, and scores
    close: whoosh still counts a replaced or removed document in its term statistics until
    its segment is merged, which moves scores a little (and the order of near ties)."""
    for text in EQUAL_QUERIES:
        got = {h.ref: h.score for h in index.search(text, limit=500)}
        want = {h.ref: h.score for h in expected.search(text, limit=500)}
        assert got.keys() == want.keys(), text
        assert all(got[ref] == pytest.approx(want[ref], rel=0.05) for ref in want), text
    for text, first_ref in [("拓新", "decisions/donghu-2026-002"), ("王磊", "officers/dh-wang-lei"),
                            ("劳动保障监察条例", "laws/labour-inspection-regulation")]:
        assert index.search(text)[0].ref == expected.search(text)[0].ref == first_ref
    filtered = search.Filters(kind="decisions", year=2025)
    assert {h.ref for h in index.search("有限公司", filtered, limit=500)} == \
        {h.ref for h in expected.search("有限公司", filtered, limit=500)}


def test_jieba_reads_each_text_once(tmp_path: Path, demo_documents: list[Document],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    cut = engine.jieba.cut_for_search
    seen: list[str] = []

    def counting(text: str) -> object:
        seen.append(text)
        return cut(text)

    monkeypatch.setattr(engine.jieba, "cut_for_search", counting)
    built = SearchIndex.build(tmp_path / "index", demo_documents)
    assert sorted(seen) == sorted([d.title for d in demo_documents] +
                                  [d.text for d in demo_documents])
    seen.clear()
    assert built.related("decisions/donghu-2026-002")
    assert seen == []  # related decisions read the stored words
