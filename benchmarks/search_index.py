"""Benchmark: the browser search index (Pagefind) and the staff index (whoosh) for N synthetic
decisions, and what a reader's browser downloads for a first and a second query.

    .venv/bin/python benchmarks/search_index.py --decisions 100000 [--skip-whoosh] [--out DIR]

Reports wall time and peak memory of each index build, as ratios against a baseline measured
in the same run (writing the records' small HTML files, which every index build also does),
the index size on disk, and, in headless Chromium (/usr/bin/chromium), the bytes fetched and
the time until results for a first query (an exact party name) and a second one (a topic).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search.browser import record_page
from search.documents import Document

CITIES = ["东湖", "西山", "南江", "青山", "石门", "北辰", "临川", "安平"]
WORDS = ["拓新", "华晟", "明辉", "捷诚", "汇通", "安澜", "顺安", "晨曦", "宏远", "金桥", "翠屏",
         "永泰", "丰泽", "泓澄", "沐阳", "祥瑞", "康达", "兴业", "源通", "万象", "致远", "卓泰"]
TRADES = ["建筑劳务", "人力资源服务", "电子科技", "食品", "商贸", "机械配件", "纺织", "物业服务"]
FACTS = ["拖欠{n}名劳动者工资共计{m}元", "安排劳动者{n}名每月加班超过36小时",
         "未依法为{n}名劳动者缴纳社会保险费", "使用童工{n}名", "未按规定订立书面劳动合同{n}份"]
TYPES = ["行政处罚", "行政检查", "行政强制", "行政许可", "其他"]


def synthetic(count: int, seed: int = 7) -> list[Document]:
    rng = random.Random(seed)
    docs = []
    for i in range(count):
        city = rng.choice(CITIES)
        name = f"{city}市{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.choice(TRADES)}有限公司{i}"
        year = 2021 + i % 5
        number = f"{city[0]}人社监罚〔{year}〕{i % 9000 + 1}号"
        facts = rng.choice(FACTS).format(n=rng.randint(2, 90), m=rng.randint(3, 900) * 1000)
        body = f"body-{i % 1000}"
        docs.append(Document(
            ref=f"decisions/d{i}", kind="decisions", title=f"{number} {name}",
            url=f"decisions/{year}/d{i}/", text=f"{number} {name} 经查，当事人{facts}。"
            "依据《劳动保障监察条例》作出处理，责令改正。", codes=f"{number} {name}",
            body=body, region=f"99{i % 90:02d}00", year=year, type=rng.choice(TYPES),
            date=f"{year}-0{1 + i % 9}-1{i % 10}", status="公示中"))
    return docs


def child_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def self_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def write_pages(docs: list[Document], folder: Path) -> None:
    names = {f"body-{i}": f"第{i}执法主体" for i in range(1000)}
    for doc in docs:
        path = folder / doc.url / "index.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(record_page(doc, names, {}), encoding="utf-8")


PAGE = """<!doctype html><meta charset="utf-8"><title>bench</title>
<script type="module">
const pagefind = await import("./pagefind/pagefind.js");
await pagefind.options({ basePath: "/pagefind/" });
pagefind.init();
window.run = async (q) => {
  const t = performance.now();
  const s = await pagefind.search(q);
  const data = await Promise.all(s.results.slice(0, 20).map(r => r.data()));
  return { ms: performance.now() - t, count: s.results.length, first: data[0] && data[0].meta.title };
};
window.ready = true;
</script>"""


def browser_queries(site: Path, queries: list[str]) -> list[tuple[str, int, float, int, str]]:
    from playwright.sync_api import sync_playwright

    (site / "bench.html").write_text(PAGE, encoding="utf-8")
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/bench.html"
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update"])
        page = browser.new_page()
        fetched: list[int] = []
        page.on("requestfinished", lambda r: fetched.append(r.sizes()["responseBodySize"]))
        page.goto(url)
        page.wait_for_function("window.ready === true")
        fetched.clear()
        for query in queries:
            before = sum(fetched)
            result = page.evaluate("q => window.run(q)", query)
            page.wait_for_timeout(200)
            rows.append((query, sum(fetched) - before, result["ms"], result["count"],
                         result["first"] or ""))
        browser.close()
    server.shutdown()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=10_000)
    parser.add_argument("--skip-whoosh", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    work = args.out or Path(tempfile.mkdtemp(prefix="gongshi-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    docs = synthetic(args.decisions)
    print(f"{len(docs)} synthetic decisions in {work}")

    pages = work / "pages"
    shutil.rmtree(pages, ignore_errors=True)
    start = time.perf_counter()
    write_pages(docs, pages)
    baseline = time.perf_counter() - start
    print(f"baseline: writing the records' HTML files: {baseline:.1f} s")

    site = work / "site"
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir()
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(pages), "--output-path",
                    str(site / "pagefind"), "--force-language", "zh"], check=True,
                   capture_output=True)
    took = time.perf_counter() - start
    print(f"pagefind index: {took:.1f} s ({took / baseline:.1f}× baseline), peak "
          f"{child_peak_mb():.0f} MB, {size_mb(site / 'pagefind'):.1f} MB on disk, "
          f"{sum(1 for _ in (site / 'pagefind').rglob('*'))} files")

    if not args.skip_whoosh:
        from search.engine import SearchIndex

        start = time.perf_counter()
        SearchIndex.build(work / "whoosh", docs)
        took = time.perf_counter() - start
        print(f"whoosh index: {took:.1f} s ({took / baseline:.1f}× baseline), process peak "
              f"{self_peak_mb():.0f} MB, {size_mb(work / 'whoosh'):.1f} MB on disk")

    target = docs[len(docs) // 2]
    party = target.title.split(" ", 1)[1]
    for query, fetched, ms, count, first in browser_queries(site, [party, "拖欠工资", "加班"]):
        print(f"query {query!r}: {fetched / 1000:.0f} KB fetched, {ms:.0f} ms, {count} results, "
              f"first: {first}")


if __name__ == "__main__":
    main()
