"""Benchmark: warm rebuilds, as `gongshi serve` makes them (generator/warm.py; issue 8).

    .venv/bin/python benchmarks/warm.py PROJECT

Run by benchmarks/build.py on a project it built. One process builds the site, then makes
the staff workflow's changes one at a time (with `gongshi correct`, `review` and `publish`
in processes of their own, as staff would) and rebuilds after each, keeping the records and
the build state between builds. For each build it prints one line, `WARM {json}`: how long
the build took until its child had published the site, how long the parent then took to
read what the build wrote (before it can start the next), and the build's stages.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml

from benchmarks.build import AS_OF, added, corrected
from generator import stages
from generator.build import Project, build
from generator.portal import Portal
from generator.problems import Report
from generator.warm import WarmBuilds


def main(project: Path) -> None:
    as_of = dt.date.fromisoformat(AS_OF)
    builds = WarmBuilds(Project(project), as_of)
    with tempfile.TemporaryDirectory() as scratch:
        told = Path(scratch) / "stages.json"

        def work(portal: Portal, report: Report) -> bool:
            build(Project(project), as_of, loaded=(portal, report))
            told.write_text(json.dumps({t.name: t.seconds for t in stages.taken()}))
            return True

        def timed(name: str, changed: list[Path] | None = None) -> None:
            """One build, told which content files changed, as `gongshi serve` is."""
            started = time.perf_counter()
            if not builds.build(work, changed):
                raise SystemExit(f"the warm build after {name} failed")
            seconds = time.perf_counter() - started
            started = time.perf_counter()
            builds.refresh()
            refresh = time.perf_counter() - started
            print("WARM " + json.dumps({"name": name, "seconds": seconds, "refresh": refresh,
                                        "stages": json.loads(told.read_text())}), flush=True)

        timed("first")
        timed("unchanged", [])
        decisions = sorted((project / "content" / "decisions").rglob("*.yml"))
        decision = decisions[len(decisions) // 3]
        data = yaml.safe_load(decision.read_text(encoding="utf-8"))
        corrected(project, f"decisions/{data['id']}", decision, "facts: ", "facts: 经再次复查，")
        timed("one decision changed", [decision, *_corrections(project, data["id"])])
        added(project, "d-added-2", "二")
        timed("one decision added", [decisions[-1].with_name("d-added-2.yml")])
        body = sorted((project / "content" / "bodies").glob("*.yml"))[2]
        name = yaml.safe_load(body.read_text(encoding="utf-8"))["name"]
        corrected(project, f"bodies/{body.stem}", body, f"name: {name}", f"name: {name}（更名）")
        timed("one body renamed", [body, *_corrections(project, body.stem)])
        timed("unchanged, every file looked at")


def _corrections(project: Path, record_id: str) -> list[Path]:
    """The record's corrections: `gongshi correct` wrote the last, `review` changed it."""
    return sorted((project / "content" / "corrections").glob(f"{record_id}-c*.yml"))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
