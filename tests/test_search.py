"""The staff-side search (whoosh + jieba, behind search.SearchIndex) on the demo's public
records, through the API and through `gongshi search`, as staff type queries: Chinese
without spaces, a part of a name, a 文书号, a certificate number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import search
from generator.build import Project, _checked
from generator.cli import main
from generator.render.site import build_site_index
from generator.settings import load_settings
from tests.conftest import DEMO_AS_OF, ROOT


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> search.SearchIndex:
    portal, report, ledger = _checked(Project(ROOT), DEMO_AS_OF)
    assert not report.failed()
    site = build_site_index(portal, load_settings(ROOT), DEMO_AS_OF, ledger)
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


def test_gongshi_build_builds_the_index(demo_site: Path) -> None:
    built = search.open_index(ROOT)  # demo_site ran `build` on the demo project
    assert built is not None and first(built, "拓新") == "decisions/donghu-2026-002"


def test_the_search_api_answers_json(demo_site: Path) -> None:
    from generator.preview import api_search

    status, answer = api_search(ROOT, "q=%E6%8B%93%E6%96%B0&type=decisions&year=2026")
    assert status == 200 and answer["results"][0]["ref"] == "decisions/donghu-2026-002"  # type: ignore[index]
    status, answer = api_search(ROOT, "q=%E6%8B%93%E6%96%B0&year=2025")
    assert status == 200 and answer["count"] == 0
    assert api_search(ROOT, "q=")[0] == 400
    assert api_search(ROOT, "q=x&year=abc")[0] == 400


def test_the_search_api_over_http(demo_site: Path) -> None:
    import http.server
    import threading
    import urllib.error
    import urllib.parse
    import urllib.request

    from generator.preview import _handler, _State

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(demo_site, _State(), ROOT))
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
