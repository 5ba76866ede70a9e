"""Benchmark: whole builds at 1,000, 10,000 and 100,000 decisions (issue 8).

    .venv/bin/python benchmarks/build.py --decisions 1000 10000 [--out DIR] [--skip-stock]

For each N it generates a valid project (benchmarks/content.py), then measures, each in its
own process (wall time and peak memory of that process and the processes it ran):

- the full build (`gongshi build` into an empty folder) and a rebuild with nothing changed;
- the staff workflow's rebuilds: one decision changed (a reviewed correction), one decision
  added, one body renamed (a reviewed correction; its decisions' pages change);
- the same three changes again, rebuilt warm as `gongshi serve` rebuilds (benchmarks/warm.py:
  one process keeps the records and the build state between builds);
- the baseline, in the same run: the same records written as plain Markdown pages, one per
  record with its fields as a table, built by mkdocs with a stock mkdocs-material
  configuration (theme material, default plugins, so the built-in search too). Record pages
  are left out of the nav, as Gongshi leaves them: with them in it, every page carries the
  whole nav and the build grows with the square of the pages.

It prints a table and our time over the baseline's. Site size and file count are of the
full build's output.

A project left by an earlier run in `--out` is moved aside and deleted only once every build
is measured. On ext4 without a journal (these machines), each new file and folder costs the
more, for a while, the more files were deleted shortly before: the allocator passes over each
recently freed inode, and deleting the last run's 300,000 files just before the full build
gave it up to twice the system time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.content import generate

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-27"
PUBLISHED = "2026-11-27"


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    """The peak resident memory of the largest process (the kernel's count, exact)."""
    total_mb: float
    """The peak of the processes' memory added up (proportional set size, so pages that
    forked workers share count once), sampled twice a second."""
    stages: dict[str, float] = field(default_factory=dict)
    """`gongshi build --timings`: seconds by stage, where the time of a build went."""


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo += [int(child) for child in handle.read().split()]
        except OSError:
            continue
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


SAMPLE_EVERY = 5.0
"""Seconds between two samples of the memory of all the build's processes. Reading a
process's PSS (smaps_rollup) walks its page tables under its memory lock, which its
copy-on-write faults then wait for: sampled every 0.5 s, a full build at 100,000 decisions
(five large processes at once) took 254 s instead of 179 s."""


def measure(command: list[str], cwd: Path | None = None, printed: str | None = None) -> Run:
    """Run a command; its wall time, the peak memory of it and its children, and the stages
    it printed (all it printed is also written to the file `printed`)."""
    # What the setup wrote and deleted (100,000 records generated, the last run's site) is
    # flushed first: on ext4, a build right after paid for it (a third of its system time).
    os.sync()
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        # Both streams to a file (a pipe read only at the end could fill and stall the build);
        # gongshi prints its timings with its messages, on stderr.
        process = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)
        peak_total = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(SAMPLE_EVERY):
                peak_total[0] = max(peak_total[0], sum(map(_pss_kb, _tree(process.pid))))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        done.set()
        sampler.join()
        seconds = time.perf_counter() - started
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
        if printed is not None:
            Path(printed).write_text(text, encoding="utf-8")
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{text[-3000:]}")
    stages = {match[1].strip(): float(match[2]) for match in _STAGE.finditer(text)}
    return Run(seconds, usage.ru_maxrss / 1024, peak_total[0] / 1024, stages)


_STAGE = re.compile(r"^ *(\S[^\n]*?) +(\d+\.\d+) s$", re.MULTILINE)
SHOWN_STAGES = {"read changed files": "read (warm)", "load": "load", "check": "check",
                "shared figures": "shared",
                "page shells (mkdocs)": "shells", "pages": "pages",
                "browser search index": "search", "nav pages (mkdocs)": "nav",
                "deploy": "deploy"}


GONGSHI = str(Path(sys.executable).with_name("gongshi"))


def gongshi(project: Path, *args: str) -> None:
    result = subprocess.run([GONGSHI, *args, "--project", str(project)], capture_output=True,
                            text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"gongshi {' '.join(args)} failed:\n{result.stderr[-3000:]}")


def build(project: Path) -> Run:
    return measure([GONGSHI, "build", "--project", str(project), "--as-of", AS_OF, "--timings"])


def size(folder: Path) -> tuple[float, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6, len(files)


def _officers(project: Path, body: str) -> list[str]:
    found = []
    for path in sorted((project / "content" / "officers").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data["body"] == body:
            found.append(data["id"])
    return found


def corrected(project: Path, ref: str, path: Path, old: str, new: str) -> None:
    """Change a published record the staff's way: edit, file a 更正, approve it, publish.
    A body's first officer has the 公示审核人员 role (benchmarks/content.py)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    data = yaml.safe_load(text)
    body = data.get("body") or data["id"]
    officers = _officers(project, body)
    gongshi(project, "correct", ref, "--reason", "基准测试：更正一处文字", "--requested-by",
            officers[1], "--date", PUBLISHED)
    correction = sorted((project / "content" / "corrections").glob(f"{data['id']}-c*.yml"))[-1]
    gongshi(project, "review", "approve", correction.stem, "--reviewer", officers[0], "--note",
            "基准测试：同意", "--date", PUBLISHED)
    gongshi(project, "publish", "--date", PUBLISHED)


def added(project: Path, new_id: str = "d-added-1", suffix: str = "一") -> None:
    """A new decision: a copy of the last one under a new id and document number, published."""
    source = sorted((project / "content" / "decisions").rglob("*.yml"))[-1]
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["id"] = new_id
    data["document_number"] = data["document_number"].replace("号", f"号之{suffix}")
    target = source.with_name(f"{new_id}.yml")
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    gongshi(project, "publish", "--date", PUBLISHED)


@dataclass(frozen=True)
class Warm:
    """Warm rebuilds (benchmarks/warm.py): each build's seconds until the site was published,
    and the seconds its process then took to read what the build wrote."""

    builds: list[dict[str, object]]
    process: Run
    """The warm process and its children, from start to end (`peak_mb`, `total_mb`)."""


def warm(project: Path) -> Warm:
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as log:
        process = measure([sys.executable, str(ROOT / "benchmarks" / "warm.py"), str(project)],
                          printed=log.name)
        lines = Path(log.name).read_text(encoding="utf-8").splitlines()
    return Warm([json.loads(line[5:]) for line in lines if line.startswith("WARM ")], process)


def stock_project(project: Path, target: Path) -> int:
    """The project's records as plain Markdown pages for a stock mkdocs-material build."""
    docs = target / "docs"
    pages = 0
    for path in sorted((project / "content").rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        folder = docs / path.parent.relative_to(project / "content")
        folder.mkdir(parents=True, exist_ok=True)
        rows = "\n".join(f"| {key} | {_flat(value)} |" for key, value in data.items())
        title = data.get("document_number") or data.get("name") or data.get("title") or data["id"]
        (folder / f"{path.stem}.md").write_text(
            f"# {title}\n\n| 字段 | 内容 |\n|---|---|\n{rows}\n", encoding="utf-8")
        pages += 1
    (docs / "index.md").write_text("# 执法公示\n\n全部记录。\n", encoding="utf-8")
    (target / "mkdocs.yml").write_text(
        "site_name: 执法公示\ntheme:\n  name: material\n  language: zh\n"
        "nav:\n  - index.md\nnot_in_nav: |\n  /**\n", encoding="utf-8")
    return pages


def _flat(value: object) -> str:
    text = value if isinstance(value, str) else yaml.safe_dump(value, allow_unicode=True)
    return " ".join(str(text).split()).replace("|", "\\|")


def _aside(folder: Path, trash: list[Path]) -> None:
    """Move an earlier run's folder out of the way, to be deleted after the measuring."""
    if folder.exists():
        moved = folder.with_name(f".old-{folder.name}-{time.time_ns()}")
        folder.rename(moved)
        trash.append(moved)


def bench(count: int, work: Path, stock: bool, trash: list[Path]) -> dict[str, object]:
    project = work / f"n{count}"
    _aside(project, trash)
    summary = generate(project, count)
    result: dict[str, object] = {"decisions": count, "generated": summary}
    result["full"] = build(project)
    result["size"] = size(project / "site")
    result["unchanged"] = build(project)
    decision = sorted((project / "content" / "decisions").rglob("*.yml"))[count // 2]
    data = yaml.safe_load(decision.read_text(encoding="utf-8"))
    corrected(project, f"decisions/{data['id']}", decision, "facts: ", "facts: 经复查，")
    result["one decision changed"] = build(project)
    added(project)
    result["one decision added"] = build(project)
    body = sorted((project / "content" / "bodies").glob("*.yml"))[1]
    name = yaml.safe_load(body.read_text(encoding="utf-8"))["name"]
    corrected(project, f"bodies/{body.stem}", body, f"name: {name}", f"name: {name}（更名）")
    result["one body renamed"] = build(project)
    result["warm"] = warm(project)
    if stock:
        base = work / f"stock{count}"
        _aside(base, trash)
        base.mkdir()
        result["stock pages"] = stock_project(project, base)
        result["stock"] = measure([sys.executable, "-m", "mkdocs", "build", "-q", "-f",
                                   str(base / "mkdocs.yml"), "-d", str(base / "site")])
    return result


def _stage_line(taken: dict[str, float]) -> str:
    """The seconds of the stages a build took, under its line."""
    return " " * 26 + ", ".join(f"{short} {taken[stage]:.1f}"
                                for stage, short in SHOWN_STAGES.items() if stage in taken)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--out", type=Path, default=None, help="keep the projects here")
    parser.add_argument("--skip-stock", action="store_true", help="no baseline build")
    args = parser.parse_args()
    work = args.out or Path(tempfile.mkdtemp(prefix="gongshi-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"{dt.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, projects in {work}")
    trash = sorted(work.glob(".old-*"))  # left by a run that was stopped
    try:
        for count in args.decisions:
            _report(count, bench(count, work, not args.skip_stock, trash))
    finally:
        for folder in trash:
            shutil.rmtree(folder, ignore_errors=True)


def _report(count: int, result: dict[str, object]) -> None:
    megabytes, files = result["size"]  # type: ignore[misc]
    print(f"\n{count:,} decisions ({result['generated']}); site {megabytes:.0f} MB in "
          f"{files:,} files")
    for name in ("full", "unchanged", "one decision changed", "one decision added",
                 "one body renamed", "stock"):
        run = result.get(name)
        if isinstance(run, Run):
            print(f"  {name:22} {run.seconds:8.1f} s  peak {run.peak_mb:6.0f} MB "
                  f"(largest process), {run.total_mb:6.0f} MB (all processes)")
            if run.stages:
                print(_stage_line(run.stages))
    warm_runs = result["warm"]
    assert isinstance(warm_runs, Warm)
    print(f"  warm (gongshi serve): peak {warm_runs.process.peak_mb:.0f} MB (largest "
          f"process), {warm_runs.process.total_mb:.0f} MB (all processes)")
    for run in warm_runs.builds:
        taken = run["stages"]
        assert isinstance(taken, dict)
        print(f"  {run['name']:22} {run['seconds']:8.1f} s, then {run['refresh']:.1f} s "
              "reading what it wrote")
        print(_stage_line(taken))
    stock_run, full = result.get("stock"), result["full"]
    if isinstance(stock_run, Run) and isinstance(full, Run):
        print(f"  stock mkdocs-material ({result['stock pages']:,} pages) over ours: "
              f"{stock_run.seconds / full.seconds:.2f}×")


if __name__ == "__main__":
    main()
