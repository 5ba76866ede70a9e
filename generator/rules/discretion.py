"""Rule 6, 裁量基准: where the power has a benchmark, the decision states the level applied
and its fine lies inside that level's range."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from generator.model import Benchmark, BenchmarkLevel, Decision
from generator.portal import Portal
from generator.problems import Problem
from generator.rules._finding import error

CODE = "R6-discretion"


def allowed_range(level: BenchmarkLevel, decision: Decision) -> tuple[Decimal, Decimal] | str:
    """The fine range in 元 for this decision at this level, or why it cannot be computed."""
    fine = level.fine
    if fine is None:
        return (Decimal(0), Decimal(0))
    if fine.unit == "元":
        return (fine.min, fine.max)
    if fine.unit == "元/人":
        persons = decision.outcome.affected_persons
        if persons is None:
            return "the range is per affected worker: add `outcome.affected_persons`"
        return (fine.min * persons, fine.max * persons)
    base = decision.outcome.base_amount
    if base is None:
        return "the range is a multiple of a sum: add `outcome.base_amount` (e.g. 欠缴数额)"
    return (fine.min * base, fine.max * base)


def decision(decision: Decision, portal: Portal) -> Iterator[Problem]:
    power = portal.powers.get(decision.power)
    if power is None or power.benchmark is None:
        return
    benchmark = portal.benchmarks.get(power.benchmark)
    if benchmark is not None:
        yield from _within(decision, benchmark)


def _within(decision: Decision, benchmark: Benchmark) -> Iterator[Problem]:
    if decision.discretion is None:
        yield error(decision, ("power",), CODE,
                    f"the power has a discretion benchmark ({benchmark.name}) but the decision "
                    "does not state the level applied",
                    "add `discretion: {level: …, reason: …}` with one of: "
                    + " / ".join(level.level for level in benchmark.levels))
        return
    chosen = decision.discretion.level
    level = next((lv for lv in benchmark.levels if lv.level == chosen), None)
    if level is None:
        yield error(decision, ("discretion", "level"), CODE,
                    f"the benchmark {benchmark.id} has no level {chosen}",
                    "use one of: " + " / ".join(lv.level for lv in benchmark.levels))
        return
    amount = decision.outcome.fine_amount
    if amount is None:
        return
    bounds = allowed_range(level, decision)
    if isinstance(bounds, str):
        yield error(decision, ("outcome", "fine_amount"), CODE,
                    f"cannot check the fine against level {chosen}", bounds)
        return
    low, high = bounds
    if not low <= amount <= high:
        yield error(decision, ("outcome", "fine_amount"), CODE,
                    f"the fine {amount:,} 元 lies outside level {chosen} of {benchmark.id}: "
                    f"{low:,}–{high:,} 元",
                    "correct the amount, or choose (and justify) the level whose range it fits")
