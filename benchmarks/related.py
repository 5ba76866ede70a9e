"""Benchmark: related decisions (search/related.py) for N synthetic public decisions.

    .venv/bin/python benchmarks/related.py --decisions 100000

The decisions are copies of the demo's, spread over five years, eight cities' bodies and the
demo's powers, with the party and the figures in the facts changed, so that the facts are as
long and as alike as real ones. Reports CPU time (the machine may be shared), wall time, peak
memory and how many decisions got a list; and, as a yardstick measured in the same run, the
CPU time of a pure-Python loop of ten million additions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.loader import load
from generator.model import Decision
from search.related import related_decisions

ROOT = Path(__file__).resolve().parent.parent
WORDS = ["拓新", "华晟", "明辉", "捷诚", "汇通", "安澜", "顺安", "晨曦", "宏远", "金桥", "翠屏",
         "永泰", "丰泽", "泓澄", "沐阳", "祥瑞", "康达", "兴业", "源通", "万象", "致远", "卓泰"]
BODIES = [f"body-{i}" for i in range(100)]
_NUMBER = re.compile(r"\d+")


def synthetic(count: int, seed: int = 7) -> list[Decision]:
    rng = random.Random(seed)
    portal, _ = load(ROOT / "content")
    models = sorted(portal.decisions.values(), key=lambda d: d.id)
    start = dt.date(2021, 1, 1)
    decisions = []
    for i in range(count):
        model = rng.choice(models)
        party = model.party.model_copy(update={
            "name": f"{rng.choice(WORDS)}{rng.choice(WORDS)}有限公司{i}"})
        facts = _NUMBER.sub(lambda _: str(rng.randint(2, 90000)),
                            model.facts.replace(model.party.name, party.name))
        decisions.append(model.model_copy(update={
            "id": f"d{i:06d}", "body": rng.choice(BODIES), "party": party, "facts": facts,
            "decision_date": start + dt.timedelta(days=rng.randrange(5 * 365))}))
    return decisions


def yardstick() -> float:
    started = time.process_time()
    total = 0
    for n in range(10_000_000):
        total += n
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=100_000)
    args = parser.parse_args()
    decisions = synthetic(args.decisions)
    cpu, wall = time.process_time(), time.perf_counter()
    lists = related_decisions(decisions)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(decisions):,} decisions, {len(lists):,} with related decisions: "
          f"{cpu:.2f} s CPU, {wall:.2f} s wall; peak memory {peak:.0f} MB (with the decisions)")
    print(f"yardstick, 10 million additions in a Python loop: {yardstick():.2f} s CPU")


if __name__ == "__main__":
    main()
