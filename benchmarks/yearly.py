"""Benchmark: yearly statistics and evaluation (issue 7) for N synthetic decisions.

    .venv/bin/python benchmarks/yearly.py --decisions 100000

The decisions are copies of the demo's (each keeps its body, power and officers, so the checks
run as on real records), spread over five years, each published 1 to 12 days after it was
made, one in fifty appealed. Reports CPU time (the machine may be shared) for computing the
statistics, the evaluations of every year, and rendering the statistics and evaluation pages
with their CSV; peak memory; and, as a yardstick measured in the same run, the CPU time of a
pure-Python loop of ten million additions, with each stage as a ratio to it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.related import WORDS, yardstick
from generator.ledger import Ledger, Publication
from generator.loader import load
from generator.model import Appeal, Decision
from generator.render import evaluation, statistics
from generator.render.plan import page_sources
from generator.render.site import build_site_index
from generator.render.templates import Templates
from generator.render.urls import HOME, Linker
from generator.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 1, 31)


def synthetic(count: int, seed: int = 11) -> tuple[dict[str, Decision], list[Publication],
                                                   dict[str, Appeal]]:
    rng = random.Random(seed)
    portal, _ = load(ROOT / "content")
    models = sorted(portal.decisions.values(), key=lambda d: d.id)
    decisions, ledger, appeals = {}, [], {}
    for i in range(count):
        model = rng.choice(models)
        shift = dt.timedelta(days=365 * rng.randrange(-4, 1))
        day = model.decision_date + shift
        decision = model.model_copy(update={
            "id": f"d{i:06d}", "decision_date": day,
            "party": model.party.model_copy(update={
                "name": f"{rng.choice(WORDS)}{rng.choice(WORDS)}有限公司{i}"})})
        decisions[decision.id] = decision
        ledger.append(Publication(f"decisions/{decision.id}", 1, "sha256:x",
                                  day + dt.timedelta(days=rng.randint(1, 12))))
        if i % 50 == 0:
            appeals[f"a{i}"] = Appeal(
                id=f"a{i}", decision=decision.id, kind="行政复议", organ="某市人民政府",
                filed_on=day + dt.timedelta(days=30), result=rng.choice(["维持", "撤销"]),
                concluded_on=day + dt.timedelta(days=90))
    return decisions, ledger, appeals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=100_000)
    args = parser.parse_args()
    portal, _ = load(ROOT / "content")
    decisions, entries, appeals = synthetic(args.decisions)
    portal = replace(portal, decisions=decisions, appeals=appeals, corrections={})
    settings = load_settings(ROOT)
    site = build_site_index(portal, settings, AS_OF, Ledger(ROOT / "ledger.jsonl", entries))
    stages = []
    cpu = time.process_time()
    figures = site.statistics()
    stages.append(("statistics, every year and body", time.process_time() - cpu))
    cpu = time.process_time()
    scored = sum(len(site.evaluations(year)) for year in figures.years)
    stages.append((f"evaluations ({scored} body-years)", time.process_time() - cpu))
    cpu = time.process_time()
    linker = Linker(page_sources(site), HOME)
    templates = Templates(ROOT)
    outputs = statistics.pages(site, linker, templates) + evaluation.pages(site, linker, templates)
    stages.append((f"pages and CSV ({len(outputs)} files)", time.process_time() - cpu))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    base = yardstick()
    print(f"{len(decisions):,} decisions over {len(figures.years)} years, "
          f"{len(appeals):,} appeals")
    for name, seconds in stages:
        print(f"  {name}: {seconds:.2f} s CPU ({seconds / base:.2f}× the yardstick)")
    print(f"peak memory {peak:.0f} MB (with the decisions)")
    print(f"yardstick, 10 million additions in a Python loop: {base:.2f} s CPU")


if __name__ == "__main__":
    main()
