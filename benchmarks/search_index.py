"""Benchmark: the browser search index (search/browser.py) for N synthetic decisions, what a
reader's browser downloads and waits for on the real search page, and, for comparison, Pagefind
and the staff index (whoosh) over the same records.

    .venv/bin/python benchmarks/search_index.py --decisions 100000 [--pagefind] [--whoosh]
        [--out DIR]
    .venv/bin/python benchmarks/search_index.py --decisions 10000 --only-whoosh

`--only-whoosh` measures only the staff index: built whole, rebuilt with nothing changed,
rebuilt with one decision changed, and (for comparison) copying it.

Each index is built in its own process, so its peak memory is its own. Times are also given as
ratios against a baseline measured in the same run: writing every record as a small HTML file
(what Pagefind needs as input). In headless Chromium (/usr/bin/chromium), the real search.js
runs on a copy of the search page: for a first query (an exact party name, loaded with the page)
and the next ones (typed and submitted), it reports the bytes fetched after the page itself and
the time from submitting to results shown.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import html
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.browser import Labels, write_browser_index  # noqa: E402
from search.documents import KINDS, Document  # noqa: E402

CITIES = ["东湖", "西山", "南江", "青山", "石门", "北辰", "临川", "安平"]
WORDS = ["拓新", "华晟", "明辉", "捷诚", "汇通", "安澜", "顺安", "晨曦", "宏远", "金桥", "翠屏",
         "永泰", "丰泽", "泓澄", "沐阳", "祥瑞", "康达", "兴业", "源通", "万象", "致远", "卓泰"]
TRADES = ["建筑劳务", "人力资源服务", "电子科技", "食品", "商贸", "机械配件", "纺织", "物业服务"]
FACTS = ["拖欠{n}名劳动者工资共计{m}元", "安排劳动者{n}名每月加班超过36小时",
         "未依法为{n}名劳动者缴纳社会保险费", "使用童工{n}名", "未按规定订立书面劳动合同{n}份"]
TYPES = ["行政处罚", "行政检查", "行政强制", "行政许可", "其他"]
BODIES = 1000
PORT = 8731


def synthetic(count: int, seed: int = 7) -> list[Document]:
    rng = random.Random(seed)
    docs = []
    for i in range(count):
        city = rng.choice(CITIES)
        name = f"{city}市{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.choice(TRADES)}有限公司{i}"
        year = 2021 + i % 5
        number = f"{city[0]}人社监罚〔{year}〕{i % 9000 + 1}号"
        facts = rng.choice(FACTS).format(n=rng.randint(2, 90), m=rng.randint(3, 900) * 1000)
        body = f"body-{i % BODIES}"
        docs.append(Document(
            ref=f"decisions/d{i}", kind="decisions", title=f"{number} {name}",
            url=f"decisions/{year}/d{i}/", text=f"{number} {name} 经查，当事人{facts}。"
            "依据《劳动保障监察条例》作出处理，责令改正。", codes=f"{number} {name}",
            body=body, region=f"99{i % 90:02d}00", year=year, type=rng.choice(TYPES),
            date=f"{year}-0{1 + i % 9}-1{i % 10}", status="公示中"))
    return docs


LABELS = Labels(bodies={f"body-{i}": f"第{i}执法主体" for i in range(BODIES)},
                regions={f"99{i:02d}00": f"第{i}区" for i in range(90)})

PAGEFIND_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{title}</title></head><body><main data-pagefind-body>
<h1 data-pagefind-meta="title">{title}</h1><div data-pagefind-ignore>{hidden}</div>
<p>{codes}</p><p>{text}</p></main></body></html>
"""


def pagefind_page(doc: Document) -> str:
    """A record as Pagefind indexed it before it was replaced: searchable text, filters, meta."""
    filters = [("类型", KINDS[doc.kind]), ("执法主体", LABELS.bodies[doc.body]),
               ("行政区划", LABELS.regions[doc.region]), ("年份", str(doc.year)),
               ("决定类别", doc.type), ("状态", doc.status)]
    hidden = "".join(f'<span data-pagefind-filter="{n}">{html.escape(v)}</span>'
                     for n, v in filters)
    return PAGEFIND_PAGE.format(title=html.escape(doc.title), hidden=hidden,
                                codes=html.escape(doc.codes), text=html.escape(doc.text))


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def count_files(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file())


def stage(name: str, count: int, work: Path) -> None:
    """One measured step, run in a child process: prints `seconds peak_mb`."""
    docs = synthetic(count)
    start = time.perf_counter()
    if name == "pages":
        for doc in docs:
            path = work / "pages" / doc.url / "index.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(pagefind_page(doc), encoding="utf-8")
    elif name == "ours":
        write_browser_index(docs, LABELS, work / "site")
    elif name == "pagefind":
        subprocess.run([sys.executable, "-m", "pagefind", "--site", str(work / "pages"),
                        "--output-path", str(work / "pagefind-site/pagefind"),
                        "--force-language", "zh"], check=True, capture_output=True)
    elif name == "whoosh":
        from search.engine import SearchIndex

        SearchIndex.build(work / "whoosh", docs)
    took = time.perf_counter() - start
    peak = max(resource.getrusage(who).ru_maxrss
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
    print(f"{took} {peak}")


def measure(name: str, count: int, work: Path) -> tuple[float, float]:
    out = subprocess.run([sys.executable, __file__, "--stage", name, "--decisions", str(count),
                          "--out", str(work)], check=True, capture_output=True, text=True)
    took, peak = out.stdout.split()
    return float(took), float(peak)


def whoosh_stage(name: str, count: int, work: Path) -> None:
    """One step of --only-whoosh, in a child process: prints `seconds cpu_seconds peak_mb`."""
    from search.engine import SearchIndex

    docs = synthetic(count)
    if name == "whoosh-one-changed":
        one = docs[len(docs) // 2]
        docs[len(docs) // 2] = dataclasses.replace(one, text=f"{one.text} 复查{time.time_ns()}")
    start, cpu = time.perf_counter(), cpu_seconds()
    if name == "whoosh-copied":
        shutil.copytree(work / "whoosh", work / "whoosh-copy")
        shutil.rmtree(work / "whoosh-copy")
    else:
        SearchIndex.build(work / "whoosh", docs)
    took, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    peak = max(resource.getrusage(who).ru_maxrss
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
    print(f"{took} {cpu} {peak}")


def cpu_seconds() -> float:
    """User and system time of this process and its finished children (the machine may be
    shared: CPU time moves less than wall time when it is)."""
    return sum(usage.ru_utime + usage.ru_stime for usage in
               (resource.getrusage(resource.RUSAGE_SELF),
                resource.getrusage(resource.RUSAGE_CHILDREN)))


def measure_whoosh(count: int, work: Path) -> None:
    shutil.rmtree(work / "whoosh", ignore_errors=True)
    print(f"{count} synthetic decisions in {work}")
    for name, what in [("whoosh-fresh", "built whole"), ("whoosh-unchanged", "rebuilt, unchanged"),
                       ("whoosh-one-changed", "rebuilt, one decision changed"),
                       ("whoosh-copied", "copied and removed (not done by a build)")]:
        out = subprocess.run([sys.executable, __file__, "--stage", name, "--decisions",
                              str(count), "--out", str(work)], check=True, capture_output=True,
                             text=True)
        took, cpu, peak = map(float, out.stdout.split())
        print(f"whoosh index {what}: {took:.2f} s ({cpu:.2f} s CPU), peak {peak:.0f} MB "
              f"(the largest process)")
    print(f"whoosh index: {size_mb(work / 'whoosh'):.1f} MB on disk in "
          f"{count_files(work / 'whoosh')} files")


def search_page(site: Path) -> None:
    """The real search page's markup and scripts, as gongshi build makes them."""
    scripts = ROOT / "site_config/overrides/assets/javascripts"
    target = site / "assets/javascripts"
    target.mkdir(parents=True, exist_ok=True)
    for name in ("search.js", "search-core.js"):
        shutil.copy(scripts / name, target / name)
    selects = "".join(f'<label>{n} <select data-filter="{n}"><option value="">全部</option>'
                      "</select></label>" for n in ("类型", "执法主体", "行政区划", "年份", "决定类别",
                                                    "状态"))
    (site / "search").mkdir(exist_ok=True)
    (site / "search/index.html").write_text(f"""<!doctype html><html lang="zh-CN"><head>
<meta charset="utf-8"><title>搜索</title></head><body>
<div data-search-index="index/" data-site-root="../">
<form id="gs-search-form"><input id="gs-search-q" name="q" type="search">
<button type="submit">搜索</button>{selects}</form>
<p id="gs-search-status"></p><ol id="gs-search-results"></ol>
<button id="gs-search-more" hidden></button></div>
<link rel="modulepreload" href="../assets/javascripts/search-core.js">
<script type="module" src="../assets/javascripts/search.js"></script></body></html>""",
                                            encoding="utf-8")


SERVER = """
import functools, http.server, sys
class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: no new connection per file, as a web server
    disable_nagle_algorithm = True  # headers and body leave at once, as from a web server
    def log_message(self, *args): pass
handler = functools.partial(Handler, directory=sys.argv[1])
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), handler).serve_forever()
"""

WATCH = """
window.__done = null;
new MutationObserver(() => {
  const s = document.getElementById("gs-search-status");
  if (window.__done === null && s && /^(找到|没有|以下)/.test(s.textContent)) {
    window.__done = performance.now();
  }
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


WAITED = """(since) => {
  // How long, since `since`, at least one file was on its way: the network's share.
  const spans = performance.getEntriesByType("resource").filter((e) => e.startTime >= since)
    .map((e) => [e.startTime, e.responseEnd]).sort((a, b) => a[0] - b[0]);
  let total = 0, end = since;
  for (const [s, e] of spans) { if (e > end) { total += e - Math.max(s, end); end = e; } }
  return total;
}"""


def browser_queries(site: Path, first: str,
                    others: list[str]) -> list[tuple[str, int, float, float, str]]:
    """(query, bytes fetched, ms to results, of which ms waiting for files, status line) for
    a first query (with the page) and then each of `others` typed into the box and submitted."""
    from urllib.parse import quote

    from playwright.sync_api import sync_playwright

    # The server runs in its own process, so that it never waits for this one's (GIL).
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(site), str(PORT)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{PORT}/search/"
    for _ in range(100):
        try:
            urllib.request.urlopen(base, timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update"])
        page = browser.new_page()
        page.add_init_script(WATCH)
        fetched: list[tuple[str, int]] = []
        page.on("requestfinished", lambda r: fetched.append((r.url, r.sizes()["responseBodySize"])))
        page.goto(base + "?q=" + quote(first))
        page.wait_for_function("window.__done !== null", timeout=120_000)
        page.wait_for_timeout(300)
        start = page.evaluate("performance.timing.responseEnd - performance.timing.navigationStart")
        rows.append((first, sum(size for url, size in fetched if url.split("?")[0] != base),
                     page.evaluate("window.__done") - start, page.evaluate(WAITED, start),
                     page.inner_text("#gs-search-status")))
        for query in others:
            fetched.clear()
            # Set the box without an input event (whose 250 ms debounce would run it twice).
            start = page.evaluate("""(q) => { document.getElementById("gs-search-q").value = q;
                window.__done = null; const t = performance.now();
                document.getElementById("gs-search-form").requestSubmit(); return t; }""", query)
            page.wait_for_function("window.__done !== null", timeout=120_000)
            page.wait_for_timeout(300)
            rows.append((query, sum(size for _, size in fetched),
                         page.evaluate("window.__done") - start, page.evaluate(WAITED, start),
                         page.inner_text("#gs-search-status")))
        browser.close()
    server.terminate()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=10_000)
    parser.add_argument("--pagefind", action="store_true", help="also build a Pagefind index")
    parser.add_argument("--whoosh", action="store_true", help="also build the staff index")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--queries-only", action="store_true",
                        help="only the browser queries, on the index already in --out")
    parser.add_argument("--only-whoosh", action="store_true",
                        help="only the staff index: whole, unchanged and one-change rebuilds")
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    args = parser.parse_args()
    work = args.out or Path(tempfile.mkdtemp(prefix="gongshi-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.stage and args.stage.startswith("whoosh-"):
        whoosh_stage(args.stage, args.decisions, work)
        return
    if args.stage:
        stage(args.stage, args.decisions, work)
        return
    if args.only_whoosh:
        measure_whoosh(args.decisions, work)
        return
    print(f"{args.decisions} synthetic decisions in {work}")
    if not args.queries_only:
        build_indexes(args, work)
    search_page(work / "site")
    docs = synthetic(args.decisions)
    party = docs[len(docs) // 2].title.split(" ", 1)[1]
    number = docs[len(docs) // 3].title.split(" ", 1)[0]
    queries = browser_queries(work / "site", party, ["拖欠工资", "加班", number, "童工"])
    for query, fetched, ms, waited, line in queries:
        print(f"query {query!r}: {fetched / 1000:.0f} KB fetched, {ms:.0f} ms to results "
              f"({waited:.0f} ms of it waiting for files); {line}")


def build_indexes(args: argparse.Namespace, work: Path) -> None:
    for folder in ("pages", "site", "whoosh", "pagefind-site"):
        shutil.rmtree(work / folder, ignore_errors=True)

    baseline, peak = measure("pages", args.decisions, work)
    print(f"baseline, writing each record as a small HTML file: {baseline:.1f} s, {peak:.0f} MB")
    took, peak = measure("ours", args.decisions, work)
    index = work / "site/search/index"
    meta = json.loads(gzip.decompress((index / "meta.json.gz").read_bytes()))
    print(f"browser index: {took:.1f} s ({took / baseline:.2f}× baseline), peak {peak:.0f} MB, "
          f"{size_mb(index):.1f} MB on disk in {count_files(index)} files "
          f"({meta['terms']} term files, {len(meta['common'])} common terms)")
    if args.pagefind:
        took, peak = measure("pagefind", args.decisions, work)
        print(f"pagefind index: {took:.1f} s ({took / baseline:.2f}× baseline), peak "
              f"{peak:.0f} MB, {size_mb(work / 'pagefind-site'):.1f} MB on disk")
    if args.whoosh:
        took, peak = measure("whoosh", args.decisions, work)
        print(f"whoosh index: {took:.1f} s ({took / baseline:.2f}× baseline), peak {peak:.0f} MB, "
              f"{size_mb(work / 'whoosh'):.1f} MB on disk")


if __name__ == "__main__":
    main()
