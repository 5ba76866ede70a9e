"""The browser search index's files in the built demo site (search/index/), read as the
browser reads them, against counts made from the records separately."""

from __future__ import annotations

import dataclasses
import gzip
import itertools
import json
import zlib
from collections import Counter
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml

from generator.build import Project, _checked
from generator.model import Decision, Record
from generator.render.site import Site, build_site_index
from generator.settings import load_settings
from search import browser, browser_cache, browser_records, build_browser_index
from search.browser import CHUNK, FIELDS, Labels, weights, write_browser_index
from search.browser_cache import FILES_FILE, PARTS_FILE
from search.documents import Document, documents
from search.terms import exact, index_terms, normalize, shard
from tests.conftest import DEMO_AS_OF, ROOT

R = TypeVar("R", bound=Record)


def unpack(path: Path) -> object:
    if path.parent.name in ("terms", "tail"):
        return browser.read_term_file(path.read_bytes())
    return json.loads(gzip.decompress(path.read_bytes()))


@pytest.fixture(scope="module")
def index(demo_site: Path) -> dict[str, object]:
    folder = demo_site / "search/index"
    meta = unpack(folder / "meta.json.gz")
    assert isinstance(meta, dict)
    records = [r for n in range(-(-meta["records"] // CHUNK))
               for r in unpack(folder / f"records/{n}.json.gz")]  # type: ignore[attr-defined]
    files = [unpack(folder / f"terms/{n}.json.gz") for n in range(meta["terms"])]
    terms = browser.read_terms(folder)
    return {"meta": meta, "records": records, "terms": terms, "files": files}


def postings(index: dict[str, object], term: str) -> list[int]:
    deltas = index["terms"][term][0]  # type: ignore[index]
    numbers, n = [], 0
    for d in deltas:
        n += d
        numbers.append(n)
    return numbers


def public_decisions(site: Path) -> set[str]:
    """Decision pages that show the decision (not a withdrawal or expiry notice)."""
    return {p.parent.relative_to(site).as_posix() + "/"
            for p in (site / "decisions").glob("2*/*/index.html")
            if 'name="robots" content="noindex' not in p.read_text(encoding="utf-8")}


def test_every_public_decision_is_a_record_and_nothing_else_is(index, demo_site: Path) -> None:  # type: ignore[no-untyped-def]
    urls = [r[0] for r in index["records"] if r[2] == "执法决定"]
    assert len(urls) == len(set(urls))
    assert set(urls) == public_decisions(demo_site)
    assert "decisions/2025/xishan-2025-006/" not in urls  # withdrawn
    for url, *_ in index["records"]:
        assert (demo_site / url / "index.html").is_file(), url
    assert index["meta"]["records"] == len(index["records"])


def test_a_term_file_holds_each_term_where_the_browser_looks(index) -> None:  # type: ignore[no-untyped-def]
    files = index["files"]
    for n, file in enumerate(files):
        assert all(shard(term, len(files)) == n for term in file)
    record = next(r for r in index["records"] if r[1].startswith("东人社监理〔2026〕1号"))
    number = index["records"].index(record)
    assert number in postings(index, exact("东湖市瑞丰建筑劳务有限公司"))
    assert number in postings(index, "瑞丰") and number in postings(index, "t:其他")


def test_filters_count_what_the_records_say(index) -> None:  # type: ignore[no-untyped-def]
    years: dict[str, int] = {}
    for path in (ROOT / "content/decisions").glob("*/*.yml"):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        url = f"decisions/{record['decision_date'].year}/{record['id']}/"
        if url in {r[0] for r in index["records"]}:
            year = str(record["decision_date"].year)
            years[year] = years.get(year, 0) + 1
    filters = {f["name"]: f for f in index["meta"]["filters"]}
    assert {v: c for v, _, c in filters["年份"]["values"]} == years
    for name, spec in filters.items():
        for value, _, count in spec["values"]:
            assert len(postings(index, f"{spec['key']}:{value}")) == count, (name, value)


def test_records_are_numbered_oldest_first(index) -> None:  # type: ignore[no-untyped-def]
    # search-core.js counts down, so a reader sees the newest first; a new decision takes
    # the next number and leaves the others' as they were
    undated = sum(1 for r in index["records"] if not r[4])
    dates = [r[4] for r in index["records"]][undated:]
    assert all(dates) and dates == sorted(dates) and undated


def doc(ref: str, title: str, text: str, date: str = "2026-01-02") -> Document:
    return Document(ref=ref, kind="decisions", title=title, url=f"{ref}/", text=text,
                    codes=title, body="b", region="990100", year=2026, type="行政处罚",
                    date=date, status="公示中")


def test_a_records_weights_depend_on_it_alone_and_bytes_repeat(tmp_path: Path) -> None:
    one = doc("decisions/a", "东人社监罚〔2026〕1号 东湖市拓新有限公司", "拖欠工资")
    other = doc("decisions/b", "西人社监罚〔2026〕2号 西山市宏远有限公司", "加班", "2026-03-01")
    assert weights(one) == weights(one)
    labels = Labels(bodies={"b": "东湖市人社局"}, regions={"990100": "东湖市"},
                    synonyms=(("工资", "劳动报酬"),))
    write_browser_index([one, other], labels, tmp_path / "x")
    write_browser_index([other, one], labels, tmp_path / "y")
    first = {p.relative_to(tmp_path / "x"): p.read_bytes() for p in (tmp_path / "x").rglob("*.gz")}
    second = {p.relative_to(tmp_path / "y"): p.read_bytes() for p in (tmp_path / "y").rglob("*.gz")}
    assert first == second  # the order records come in does not matter
    assert "报酬" in weights(one, labels.synonyms) and "报酬" not in weights(one)


def test_hostile_text_stays_data(tmp_path: Path) -> None:
    hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)> =cmd|calc \u202e\x00'
    write_browser_index([doc("decisions/h", hostile, hostile)],
                        Labels(bodies={}, regions={}), tmp_path)
    records = unpack(tmp_path / "search/index/records/0.json.gz")
    assert records[0][1] == hostile  # type: ignore[index]  # kept as JSON text; search.js sets it as text


def test_the_search_page_offers_every_filter_the_index_has() -> None:
    from generator.render import searchpage
    from search import browser

    assert tuple(name for name, _ in browser.FILTERS) == searchpage.FILTERS


# --- the index is built fast (issue 8), and the same as the plain way -------------------

AWKWARD = ["东湖市拓新人力资源服务有限公司", "东人社监罚〔2026〕1号", "ＡＢＣ１２３号，（甲）：乙；丙！丁？",
           "91990100MA7K3L9Q2K", "张 伟\u3000李四", "𠀀𠀁x", "拖欠 10名 工资", "a", "号", "", "Ⅻ条例",
           "﹝2024﹞15号", "O'Brien 公司", "＜\u0338，\u0301（\u0301", "ｶﾞ①㍻ﬁİ", "豈⼀二", "东东东东",
           "工资工资，工资 ab ab"]
"""Full-width forms, compatibility characters, combining marks after replaced punctuation,
characters outside the BMP, repeats."""


def plain_weights(doc: Document, synonyms: tuple[tuple[str, ...], ...] = ()) -> dict[str, int]:
    """The weights as first written, term by term with `search.terms`; the index computes
    them faster and must give the same."""
    text = normalize(f"{doc.title} {doc.text}")
    extra = " ".join(word for group in synonyms if any(w in text for w in group)
                     for word in group if word not in text)
    fields = [(getattr(doc, name), weight, singles, typical)
              for name, weight, singles, typical in FIELDS]
    score: dict[str, float] = {}
    for value, weight, singles, typical in [*fields, (extra, 0.5, False, 10)]:
        terms = Counter(index_terms(value, singles))
        norm = 1.2 * (0.25 + 0.75 * sum(terms.values()) / typical)
        for term, count in terms.items():
            score[term] = score.get(term, 0.0) + weight * count * 2.2 / (count + norm)
    result = {term: min(63, max(1, round(value * 3))) for term, value in score.items()}
    for code in {doc.title, *doc.codes.split()}:
        term = exact(code)
        if len(term) > 1:
            result[term] = 1
    return result


def test_terms_are_made_as_search_terms_makes_them() -> None:
    for text in AWKWARD:
        assert browser._normalize(text) == normalize(text), text
        assert browser._exact(text) == exact(text), text
        for singles in (False, True):
            assert browser._term_counts(text, singles) == Counter(index_terms(text, singles)), text


def test_weights_are_the_plain_sums() -> None:
    portal, _, ledger = _checked(Project(ROOT), DEMO_AS_OF)
    settings = load_settings(ROOT)
    site = build_site_index(portal, settings, DEMO_AS_OF, ledger)
    synonyms = tuple(tuple(normalize(w) for w in group) for group in settings.search_synonyms)
    awkward = [doc(f"decisions/{n}", text, f"{text} {text} 工资 {AWKWARD[n - 1]}")
               for n, text in enumerate(AWKWARD)]
    for one in [*documents(site), *awkward]:
        for groups in ((), synonyms):
            assert weights(one, groups) == plain_weights(one, groups), one.ref


def test_workers_write_the_bytes_one_process_writes(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    names = ["拓新", "华晟", "明辉", "捷诚", "汇通", "安澜", "顺安"]
    docs = [doc(f"decisions/d{n}", f"东人社监罚〔2026〕{n}号 东湖市{names[n % 7]}有限公司{n}",
                f"拖欠{n % 9}名劳动者工资 {names[n % 5]}", f"2026-0{1 + n % 9}-1{n % 7}")
            for n in range(300)]
    labels = Labels(bodies={"b": "东湖市人社局"}, regions={}, synonyms=(("工资", "劳动报酬"),))
    # Ranges of 32 records, in one group and in 4: a term file has a segment for each range
    # its terms are in, whatever the groups.
    monkeypatch.setattr(browser, "_plan", lambda records: (CHUNK, 1))
    write_browser_index(docs, labels, tmp_path / "one")
    monkeypatch.setattr(browser, "_plan", lambda records: (CHUNK, 4))  # 10 ranges, 4 groups
    write_browser_index(docs, labels, tmp_path / "many")
    one = {p.relative_to(tmp_path / "one"): p.read_bytes() for p in (tmp_path / "one").rglob("*.gz")}
    many = {p.relative_to(tmp_path / "many"): p.read_bytes()
            for p in (tmp_path / "many").rglob("*.gz")}
    assert len(one) == 16 + 16 + 10 + 1 and one == many  # term, tail, record files, meta


def test_term_files_are_found_as_search_terms_finds_them() -> None:
    terms = ["", "a", "东湖", "^91990100ma7k3l9q2k", "𠀀𠀁", "k:decisions", *AWKWARD,
             *(f"{n}" for n in range(3000))]
    assert sorted(browser._places(terms)) == sorted((t, shard(t, browser.MOST_SHARDS))
                                                   for t in terms)


# --- a rebuild reuses each unchanged record's postings (issue 8) -------------------------

def sample(count: int = 120) -> list[Document]:
    names = ["拓新", "华晟", "明辉", "捷诚", "汇通", "安澜", "顺安"]
    return [doc(f"decisions/d{n}", f"东人社监罚〔2026〕{n}号 东湖市{names[n % 7]}有限公司{n}",
                f"拖欠{n % 9}名劳动者工资 {names[n % 5]}", f"2026-0{1 + n % 9}-1{n % 7}")
            for n in range(count)]


SAMPLE_LABELS = Labels(bodies={"b": "东湖市人社局"}, regions={}, synonyms=(("工资", "劳动报酬"),))


def built(docs: list[Document], folder: Path, cache: Path | None) -> dict[Path, bytes]:
    write_browser_index(docs, SAMPLE_LABELS, folder, cache)
    index = folder / "search/index"
    return {p.relative_to(index): p.read_bytes() for p in index.rglob("*.gz")}


def found(files: dict[Path, bytes], term: str) -> list[int]:
    """The records of a term, as the browser reads them."""
    meta = json.loads(gzip.decompress(files[Path("meta.json.gz")]))
    numbers = []
    for folder, count in (("terms", meta["terms"]), ("tail", meta["tail"])):
        if count:  # the tail's, after the other ranges'
            lists = browser.read_term_file(files[Path(f"{folder}/{shard(term, count)}.json.gz")])
            numbers += itertools.accumulate(lists.get(term, [[]])[0])
    return numbers


def test_the_cache_changes_no_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs, cache = sample(), tmp_path / ".gongshi/browser-index.pickle"
    monkeypatch.setattr(browser, "_plan", lambda records: (CHUNK, 1))  # 4 ranges, 1 group
    plain = built(docs, tmp_path / "plain", None)
    assert built(docs, tmp_path / "first", cache) == plain
    assert browser_cache.shard(cache, 0).is_file()
    assert built(docs, tmp_path / "again", cache) == plain
    monkeypatch.setattr(browser, "_plan", lambda records: (CHUNK, 4))  # 4 ranges, 4 groups
    assert built(docs, tmp_path / "many", cache) == plain


def test_a_new_newest_record_changes_only_the_files_it_is_in(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser, "_shards", lambda postings: 1024)  # as at 100,000 records
    docs, cache = sample(), tmp_path / "cache"
    before = built(docs, tmp_path / "before", cache)
    new = doc("decisions/new", "东人社监罚〔2026〕999号 东湖市新星有限公司", "未依法缴纳社会保险费",
              "2026-12-01")
    after = built([*docs, new], tmp_path / "after", cache)
    assert found(after, exact("东湖市新星有限公司")) == [len(docs)]  # the next number
    terms = [*browser.weights(new, SAMPLE_LABELS.synonyms), *browser.filter_terms(new)]
    expected = {Path("meta.json.gz"), Path(f"records/{len(docs) // CHUNK}.json.gz"),
                *(Path(f"terms/{shard(term, 1024)}.json.gz") for term in terms)}
    changed = {path for path, data in after.items() if before.get(path) != data}
    assert changed == expected and len(changed) < len(after) / 10
    assert after == built([*docs, new], tmp_path / "plain", None)  # the same without the cache


def test_a_new_newest_record_changes_only_the_tail_files_of_its_terms(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The last range of records is in the tail files, not the term files: a new record,
    numbered in it, makes no segment of a term file and puts no term file together again;
    of the tail files, only those of its terms are written (issue 8: putting together and
    writing again the 2,021 term files a new decision is in took 4 s of CPU at 100,000
    decisions)."""
    from generator import parallel

    monkeypatch.setattr(parallel, "workers", lambda: 1)  # in this process, to count
    monkeypatch.setattr(browser, "_plan", lambda records: (CHUNK, 2))  # ranges of 32 records
    monkeypatch.setattr(browser, "_shards", lambda postings: 1024)
    docs, cache = sample(), tmp_path / "cache"
    published = write_browser_index(docs, SAMPLE_LABELS, tmp_path / "before", cache)
    made: list[object] = []
    assembled: list[bytes] = []
    real, real_gzip = browser._segments, browser._gzip_segments

    def segments(packed: browser._Packed, shards: int) -> dict[int, browser.Segment]:
        made.append(packed)
        return real(packed, shards)

    def assembling(found: Any) -> bytes:
        assembled.append(data := real_gzip(found))
        return data

    monkeypatch.setattr(browser, "_segments", segments)
    monkeypatch.setattr(browser, "_gzip_segments", assembling)
    new = doc("decisions/new", "东人社监罚〔2026〕999号 东湖市新星有限公司", "未依法缴纳社会保险费",
              "2026-12-01")
    write_browser_index([*docs, new], SAMPLE_LABELS, tmp_path / "after", cache, published)
    terms = [*browser.weights(new, SAMPLE_LABELS.synonyms), *browser.filter_terms(new)]
    assert made == [] and assembled == []
    index = tmp_path / "after/search/index"
    assert list((index / "terms").iterdir()) == []
    meta = json.loads(gzip.decompress((index / "meta.json.gz").read_bytes()))
    assert meta["tail"] == 256
    written = {path.name for path in (index / "tail").iterdir()}
    assert written == {f"{shard(term, 256)}.json.gz" for term in terms}
    assert len(written) < 256 / 4
    assert built([*docs, new], tmp_path / "again", cache) == \
        built([*docs, new], tmp_path / "plain", None)  # the same without the cache


def test_a_range_that_starts_moves_the_last_one_from_the_tail_into_the_term_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Four full ranges, then a record that starts a fifth: the fourth is then in the term
    files, and the new record alone in the tail files; a record deleted moves it back. The
    browser's view of every term is a clean build's each time."""
    monkeypatch.setattr(browser, "_plan", lambda records: (CHUNK, 2))  # ranges of 32 records
    docs, cache = sample(4 * CHUNK), tmp_path / "cache"
    before = built(docs, tmp_path / "before", cache)
    new = doc("decisions/new", "东人社监罚〔2026〕999号 东湖市新星有限公司", "未依法缴纳社会保险费",
              "2026-12-01")
    after = built([*docs, new], tmp_path / "after", cache)
    assert after == built([*docs, new], tmp_path / "plain", None)
    assert found(after, exact("东湖市新星有限公司")) == [4 * CHUNK]
    tail = browser.read_terms(tmp_path / "after/search/index")
    clean = browser.read_terms(tmp_path / "plain/search/index")
    assert tail == clean and len(tail[exact("东湖市新星有限公司")][0]) == 1
    assert json.loads(gzip.decompress(after[Path("meta.json.gz")]))["tail"] > 0
    tails = [name for name in after if name.parts[0] == "tail"]
    assert tails and any(name.parts[0] == "tail" for name in before)
    for name, data in after.items():  # the tail holds the new record's postings alone
        if name.parts[0] == "tail":
            assert all(numbers[0] == 4 * CHUNK and len(numbers) == 1
                       for numbers, *_ in browser.read_term_file(data).values())
    changed_terms = {path for path in after if path.parts[0] == "terms"
                     and after[path] != before.get(path)}
    assert changed_terms  # the fourth range came into the term files
    assert built(docs, tmp_path / "back", cache) == before


def test_segments_join_as_one_gzip_member_with_its_crc() -> None:
    texts = [b"", b'{"a":[[1,2]]}\n', "{\"劳动\":[[3],[5]]}\n".encode(), b"x" * 70000]
    segments = [browser._deflate(text) for text in texts]
    for count in range(len(texts) + 1):
        data = browser._gzip_segments(segments[:count])
        assert gzip.decompress(data) == b"".join(texts[:count])
        assert zlib.decompressobj(31).decompress(data) == b"".join(texts[:count])  # one member


def test_a_term_files_segments_are_compressed_with_the_one_before(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Each segment of a term file refers back to the JSON of the one before (issue 8: the
    segments compressed on their own made the files 68 % larger at 100,000 decisions); a
    changed segment has it and the one after it compressed again, no other."""
    terms = ["劳动", "工资", "社会保险费", "拖欠", "克扣", "监察", "责令改正", "罚款"]

    def text(n: int) -> bytes:
        line = {term: [[n + k, 3 * k + 1]] for k, term in enumerate(terms)}
        return (json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n").encode()

    texts = [text(n) for n in range(12)]
    alone = [browser._deflate(t) for t in texts]
    chained, made = browser._chained([(segment, None) for segment in alone])
    assert sorted(made) == list(range(12))
    data = browser._gzip_segments(chained)
    assert gzip.decompress(data) == b"".join(texts)
    assert zlib.decompressobj(31).decompress(data) == b"".join(texts)  # one member
    assert browser.read_term_file(data) == browser.read_term_file(browser._gzip_segments(alone))
    assert len(data) < 0.8 * len(browser._gzip_segments(alone))
    texts[5] = text(50)
    alone[5] = browser._deflate(texts[5])  # its range made again: nothing kept with it
    kept = [made[n] if n != 5 else None for n in range(12)]
    compressed: list[bytes] = []
    real = browser._deflate

    def deflate(data: bytes, before: bytes = b"") -> browser.Segment:
        compressed.append(data)
        return real(data, before)

    monkeypatch.setattr(browser, "_deflate", deflate)
    again, remade = browser._chained(list(zip(alone, kept, strict=True)))
    assert compressed == [texts[5], texts[6]] and sorted(remade) == [5, 6]
    assert again == browser._chained([(segment, None) for segment in alone])[0]  # as afresh


def test_caches_left_by_two_builds_take_no_term_file_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build killed after it saved the packed ranges, before the files: the files' cache
    is the build before's, and none of its term files may stand for this build's."""
    monkeypatch.setattr(browser, "_plan", lambda records: (CHUNK, 2))
    docs, cache = sample(), tmp_path / "cache"
    files = [browser_cache.shard(cache.with_name(FILES_FILE.name), group) for group in (0, 1)]
    built(docs, tmp_path / "first", cache)
    older = [path.read_bytes() for path in files]
    docs[100] = doc("decisions/d100", docs[100].title, "克扣劳动者工资", docs[100].date)
    built(docs, tmp_path / "second", cache)
    for path, data in zip(files, older, strict=True):
        path.write_bytes(data)
    docs[5] = doc("decisions/d5", docs[5].title, "未签订书面劳动合同", docs[5].date)
    assert built(docs, tmp_path / "third", cache) == built(docs, tmp_path / "plain", None)


def test_a_changed_record_is_found_by_its_new_text_only(tmp_path: Path) -> None:
    docs, cache = sample(), tmp_path / "cache"
    before = built(docs, tmp_path / "before", cache)
    number = [d.ref for d in browser._ordered(docs)].index("decisions/d7")
    assert number in found(before, "拖欠")
    docs[7] = doc("decisions/d7", docs[7].title, "克扣劳动者工资", docs[7].date)
    after = built(docs, tmp_path / "after", cache)
    assert number in found(after, "克扣") and number not in found(after, "拖欠")
    assert after == built(docs, tmp_path / "plain", None)
    party = exact("东湖市捷诚有限公司3")
    assert party in cached_terms(cache)
    del docs[3]  # deleted, or withdrawn: its party's name leaves the cache too
    built(docs, tmp_path / "deleted", cache)
    assert len(shelved(cache)) == len(docs)
    assert party not in cached_terms(cache)


def shelved(cache: Path) -> dict[bytes, object]:
    """What the shards of a cache hold."""
    found: dict[bytes, object] = {}
    for path in cache.parent.glob(f"{cache.stem}-*{cache.suffix}"):
        found.update(browser_cache.load(path, browser_cache.code_version()))
    return found


def cached_terms(cache: Path) -> set[str]:
    return {term for terms, _ in shelved(cache).values() if terms  # type: ignore[misc]
            for term in terms.split("\n")}


def test_a_changed_record_packs_its_range_again_and_no_other(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser, "_plan", lambda records: (CHUNK, 2))  # ranges of 32 records
    docs, cache = sample(), tmp_path / "cache"
    parts = cache.with_name(PARTS_FILE.name)
    built(docs, tmp_path / "before", cache)
    before = shelved(parts)
    files = {path: path.read_bytes() for path in tmp_path.iterdir() if path.is_file()}
    assert len(before) == 4
    number = 40  # in the second range: the last is in the tail files
    changed = [d.ref for d in docs].index(browser._ordered(docs)[number].ref)
    docs[changed] = doc(docs[changed].ref, docs[changed].title, "克扣劳动者工资",
                        docs[changed].date)
    after = built(docs, tmp_path / "after", cache)
    assert number in found(after, "克扣")
    packed = shelved(parts)
    assert len(packed.keys() - before.keys()) == 1 and len(packed.keys() & before.keys()) == 3
    # Only the shards of its range are written again (issue 8: the caches of 100,000
    # decisions, pickled whole, took seconds), and that of the range after it, whose
    # segments the term files compress with its segments as their dictionary.
    range_of = number // CHUNK
    rewritten = {path.name for path in tmp_path.iterdir()
                 if path.is_file() and files.get(path) != path.read_bytes()}
    assert rewritten == {f"cache-{range_of}", f"browser-parts-{range_of}.pickle",
                         f"browser-parts-{range_of + 1}.pickle",
                         "browser-parts.pickle", "browser-files-0.pickle",
                         "browser-files-1.pickle"}  # and the order, and the term files' keys
    assert after == built(docs, tmp_path / "plain", None)


def test_a_damaged_or_foreign_cache_is_ignored_and_replaced(tmp_path: Path) -> None:
    docs, cache = sample(40), tmp_path / "cache"
    plain = built(docs, tmp_path / "plain", None)
    built(docs, tmp_path / "first", cache)
    version = browser_cache.code_version()
    parts = cache.with_name(PARTS_FILE.name)
    files = browser_cache.shard(cache.with_name(FILES_FILE.name), 0)
    packed = browser_cache.shard(parts, 0)  # one range
    for path in (browser_cache.shard(cache, 0), packed, parts, files):
        whole = path.read_bytes()
        kept = browser_cache.load(path, version)
        assert kept
        flipped = bytearray(whole)
        flipped[len(whole) // 2] ^= 1
        browser_cache.save(tmp_path / "foreign", b"other code", kept)  # made otherwise
        foreign = (tmp_path / "foreign").read_bytes()
        for damaged in (bytes(flipped), whole[:-40], b"", b"\x80\x05garbage", foreign):
            path.write_bytes(damaged)
            if path.name == "cache-0":  # read only where a range is packed again
                packed.unlink()
            assert built(docs, tmp_path / "again", cache) == plain
            assert browser_cache.load(path, version).keys() == kept.keys()  # and replaced


def test_the_cache_keeps_only_terms_the_index_publishes(tmp_path: Path) -> None:
    docs, cache = sample(40), tmp_path / "cache"
    files = built(docs, tmp_path / "x", cache)
    published = {term for path, data in files.items() if path.parts[0] == "terms"
                 for term in browser.read_term_file(data)}
    kept = cached_terms(cache)
    assert kept and kept <= published
    assert "劳动者".encode() not in browser_cache.shard(cache, 0).read_bytes()  # pairs only


def test_a_records_weights_depend_only_on_the_fields_its_cache_key_has() -> None:
    for one in sample(20):
        other = dataclasses.replace(one, ref="bodies/x", kind="bodies", url="x/", body="c d",
                                    region="1", year=1999, type="t", date="", power="p", status="s")
        assert weights(other, SAMPLE_LABELS.synonyms) == weights(one, SAMPLE_LABELS.synonyms)
        assert browser._key(other, b"") == browser._key(one, b"")
        for name, _, _, _ in browser.FIELDS:
            changed = dataclasses.replace(one, **{name: getattr(one, name) + "x"})
            assert browser._key(changed, b"") != browser._key(one, b"")


def test_common_terms_of_files_left_as_they_were_are_counted_as_afresh(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild gathers the postings of the changed term files only; the counts of the
    others' terms come from the last build. Fewer records lower the share that makes a term
    common, and a term in a file left as it was must then be common as in a clean build."""
    import datetime as dt

    monkeypatch.setattr(browser, "COMMON_MIN", 20)
    monkeypatch.setattr(browser, "_plan", lambda records: (CHUNK, 2))  # ranges of 32 records
    monkeypatch.setattr(browser, "_shards", lambda postings: 1024)
    day = dt.date(2026, 1, 1)
    docs = [doc(f"decisions/d{n}", f"东人社监罚〔2026〕{n}号", "欠薪" if n < 30 else "违法",
                (day + dt.timedelta(days=n)).isoformat()) for n in range(120)]
    cache = tmp_path / "cache"

    def common(files: dict[Path, bytes]) -> dict[str, int]:
        """The common terms of the text (those of the titles are common too)."""
        meta = json.loads(gzip.decompress(files[Path("meta.json.gz")]))
        return {term: count for term, count in meta["common"].items() if term in ("欠薪", "违法")}

    many = built(docs, tmp_path / "many", cache)
    assert common(many) == {"违法": 90}  # 欠薪 in 30 records: fewer than 30 % of them
    fewer = built(docs[:80], tmp_path / "fewer", cache)  # the newest 40 gone
    assert fewer == built(docs[:80], tmp_path / "plain-fewer", None)
    assert common(fewer) == {"违法": 50, "欠薪": 30}  # now more than 30 %
    unchanged = Path(f"terms/{shard('欠薪', 1024)}.json.gz")
    assert fewer[unchanged] == many[unchanged]  # its file was left as it was
    again = built(docs, tmp_path / "again", cache)
    assert again == many and common(again) == {"违法": 90}


def test_record_files_kept_with_their_range_follow_what_they_show(tmp_path: Path) -> None:
    """A range's record files are kept with its postings: a body's new name, a record's
    new page or date (none of which its postings depend on) makes them again."""
    docs, cache = sample(), tmp_path / "cache"
    built(docs, tmp_path / "first", cache)
    renamed = dataclasses.replace(SAMPLE_LABELS, bodies={"b": "东湖市人力资源和社会保障局"})
    moved = [dataclasses.replace(docs[0], url="decisions/elsewhere/"), *docs[1:]]
    for labels, changed in ((renamed, docs), (SAMPLE_LABELS, moved)):
        write_browser_index(changed, labels, tmp_path / "kept", cache)
        write_browser_index(changed, labels, tmp_path / "plain", None)
        index = [folder / "search/index" for folder in (tmp_path / "kept", tmp_path / "plain")]
        assert {p.relative_to(index[0]): p.read_bytes() for p in index[0].rglob("*.gz")} == \
            {p.relative_to(index[1]): p.read_bytes() for p in index[1].rglob("*.gz")}


def documents_made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The refs of the decisions whose search document is made from now on."""
    made: list[str] = []
    real = browser_records.decision_document

    def making(site: Site, decision: Decision) -> Document:
        made.append(decision.ref)
        return real(site, decision)

    monkeypatch.setattr(browser_records, "decision_document", making)
    return made


def demo_index(site: Site, folder: Path, state: Path) -> dict[Path, bytes]:
    build_browser_index(site, folder, None, state)
    index = folder / "search/index"
    return {p.relative_to(index): p.read_bytes() for p in index.rglob("*.gz")}


def renamed(record: R, name_field: str) -> R:
    """`record` with another name, as if its file had been edited."""
    copy = record.model_copy(update={name_field: getattr(record, name_field) + "新"})
    copy.read_as(b"edited " + (record.file_digest or b""))
    return copy


def test_decisions_kept_between_builds_change_no_byte(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A decision is made again when a record it shows changed, and only then (issue 8:
    making 100,000 decisions' documents took 2 s of a one-decision rebuild)."""
    portal, _, ledger = _checked(Project(ROOT), DEMO_AS_OF)
    settings = load_settings(ROOT)
    site = build_site_index(portal, settings, DEMO_AS_OF, ledger)
    state = tmp_path / "state"
    first = demo_index(site, tmp_path / "first", state)
    made = documents_made(monkeypatch)
    assert demo_index(site, tmp_path / "again", state) == first and made == []

    decision = site.decisions[0]
    body, officer = portal.bodies[decision.body], portal.officers[decision.officers[0]]
    portal.bodies[body.id] = renamed(body, "name")
    portal.officers[officer.id] = renamed(officer, "name")
    site = build_site_index(portal, settings, DEMO_AS_OF, ledger)
    after = demo_index(site, tmp_path / "after", state)
    made_again = set(made)
    assert after != first
    assert after == demo_index(site, tmp_path / "clean", tmp_path / "clean-state")
    assert made_again == {d.ref for d in site.decisions
                          if d.body == body.id or officer.id in d.officers}

    # The index's caches lost, the decisions kept cut are made whole to be weighed again.
    for kept in (browser_cache.CACHE_FILE, PARTS_FILE, FILES_FILE):
        browser_cache.remove_shards(state / kept, 0)
        (state / kept).unlink(missing_ok=True)
    made.clear()
    assert demo_index(site, tmp_path / "lost", state) == after
    assert len(made) == len(site.decisions)


def test_a_changed_record_makes_again_only_the_segments_of_its_range(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A changed record's range alone has its segments made again; the term files read as a
    clean build's, weights and all, when a term weighs 1 in one range and more in another."""
    from generator import parallel

    monkeypatch.setattr(parallel, "workers", lambda: 1)  # in this process, to count
    monkeypatch.setattr(browser, "_plan", lambda records: (CHUNK, 2))  # ranges of 32 records
    monkeypatch.setattr(browser, "_shards", lambda postings: 16)  # many terms in each file
    monkeypatch.setattr(browser, "COMMON_MIN", 10)
    made: list[object] = []
    real = browser._segments

    def segments(packed: browser._Packed, shards: int) -> dict[int, browser.Segment]:
        made.append(packed)
        return real(packed, shards)

    monkeypatch.setattr(browser, "_segments", segments)
    docs, cache = sample(), tmp_path / "cache"
    # In a long text a term weighs 1: its postings have no weights, until another has.
    docs.append(doc("decisions/long", "东人社监罚〔2026〕998号 东湖市长文有限公司",
                    "罕见词 " + " ".join(f"填充{n}" for n in range(2000)), "2026-01-01"))
    before = built(docs, tmp_path / "before", cache)
    assert found(before, "罕见") and len(browser.read_term_file(
        before[Path(f"terms/{shard('罕见', 16)}.json.gz")])["罕见"]) == 1
    new = doc("decisions/new", "东人社监罚〔2026〕999号 东湖市新星有限公司",
              "未依法缴纳社会保险费 拖欠工资 罕见词", "2026-12-01")
    docs.append(new)
    assert built(docs, tmp_path / "new", cache) == built(docs, tmp_path / "clean", None)
    # A changed record: terms gone (拖欠), terms new (克扣), weights changed. In the first
    # range: the last is in the tail files, and makes no segment.
    changed = [d.ref for d in docs].index(browser._ordered(docs)[5].ref)
    docs[changed] = doc(docs[changed].ref, docs[changed].title, "拖 克扣劳动者工资 工资 工资",
                        docs[changed].date)
    made.clear()
    after = built(docs, tmp_path / "after", cache)
    assert len(made) == 2  # its range's, for each group
    assert found(after, "克扣") == [5]
    assert after == built(docs, tmp_path / "plain", None)
    meta = json.loads(gzip.decompress(after[Path("meta.json.gz")]))
    assert meta["common"]  # counted from the files spliced and the others
    del docs[3]  # numbers shift: every later term's postings change
    assert built(docs, tmp_path / "deleted", cache) == built(docs, tmp_path / "plain2", None)


def test_a_project_whose_search_code_reads_another_layout_is_refused(tmp_path: Path) -> None:
    from generator.render.errors import RenderError

    browser.check_client(tmp_path)  # no copy of its own
    (tmp_path / browser.CLIENT).parent.mkdir(parents=True)
    (tmp_path / browser.CLIENT).write_text((ROOT / browser.CLIENT).read_text(encoding="utf-8"),
                                           encoding="utf-8")
    browser.check_client(tmp_path)
    (tmp_path / browser.CLIENT).write_text("export const INDEX_FORMAT = 1;", encoding="utf-8")
    with pytest.raises(RenderError, match=r"search-core\.js"):
        browser.check_client(tmp_path)
