"""An independent count of the demo's yearly figures, straight from the YAML and the ledger.

It shares no code with generator/: it reads the files with yaml.safe_load, counts working
days with chinese_calendar itself, and computes each figure the simplest way, so a test that
compares it with the site, the CSV or the report checks every figure twice, two ways.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import chinese_calendar
import yaml

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 27)
COLUMNS = {"行政许可": {"行政许可"}, "行政处罚": {"行政处罚"}, "行政强制": {"行政强制"},
           "行政征收": {"行政征收"}, "行政征用": set(), "行政检查": {"行政检查"},
           "其他": {"行政给付", "行政确认", "行政奖励", "行政裁决", "其他"}}
REVERSING = {"撤销", "部分撤销", "变更", "确认违法", "确认无效"}


def _load(folder: str) -> list[dict[str, Any]]:
    return [yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in sorted((ROOT / "content" / folder).rglob("*.yml"))]


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


@dataclass
class Demo:
    decisions: list[dict[str, Any]]
    powers: list[dict[str, Any]]
    bodies: list[dict[str, Any]]
    corrections: list[dict[str, Any]]
    appeals: list[dict[str, Any]]
    ledger: list[dict[str, Any]]

    @classmethod
    def read(cls) -> Demo:
        lines = (ROOT / "ledger.jsonl").read_text(encoding="utf-8").splitlines()
        return cls(_load("decisions"), _load("powers"), _load("bodies"), _load("corrections"),
                   _load("appeals"), [json.loads(line) for line in lines if line.strip()])

    def body_names(self) -> dict[str, str]:
        return {b["id"]: b["name"] for b in self.bodies}

    def held(self, body: str) -> set[str]:
        categories = {p["category"] for p in self.powers
                      if any(h["body"] == body for h in p["holders"])}
        for b in self.bodies:
            if b["id"] == body and b.get("entrustment"):
                categories |= {p["category"] for p in self.powers
                               if p["id"] in b["entrustment"]["powers"]}
        return categories

    def first_published(self, decision_id: str) -> dt.date | None:
        dates = [_date(e["published"]) for e in self.ledger
                 if e["record"] == f"decisions/{decision_id}" and e["version"] == 1]
        return dates[0] if dates else None

    def withdrawn(self) -> set[str]:
        """Decisions withdrawn by an approved 撤回: their outcome and amounts are not counted."""
        return {c["record"].removeprefix("decisions/") for c in self.corrections
                if c["kind"] == "撤回" and self.took_effect(c) is not None}

    def took_effect(self, correction: dict[str, Any]) -> dt.date | None:
        review = correction.get("review")
        if not review or review["outcome"] != "批准":
            return None
        for entry in self.ledger:
            if entry.get("correction") == correction["id"]:
                return _date(entry["published"])
        return _date(review["date"])


def working_days_after(start: dt.date, end: dt.date) -> int:
    return sum(1 for n in range(1, (end - start).days + 1)
               if chinese_calendar.is_workday(start + dt.timedelta(days=n)))


def late(decision: dict[str, Any], published: dt.date) -> bool:
    limit = 7 if decision["type"] in ("行政许可", "行政处罚") else 20
    return working_days_after(_date(decision["decision_date"]), published) > limit


def _money(value: Decimal) -> str:
    value = value.normalize()
    return f"{value:f}" if value == value.to_integral() else str(value)


def expected_row(demo: Demo, year: int, body: str | None) -> dict[str, str]:
    """Every figure of one body's year (body None: all bodies), keyed by the CSV's headers."""
    mine = [d for d in demo.decisions if _date(d["decision_date"]).year == year
            and (body is None or d["body"] == body)]
    held = (demo.held(body) if body is not None
            else {p["category"] for p in demo.powers})
    row: dict[str, str] = {}
    for column, types in COLUMNS.items():
        count = sum(1 for d in mine if d["type"] in types)
        row[column] = str(count) if count or held & types else "无此职权"
    row["执法决定合计"] = str(len(mine))
    withdrawn = demo.withdrawn()
    standing = [d for d in mine if d["id"] not in withdrawn]
    fines = [Decimal(str(d["outcome"]["fine_amount"])) for d in standing
             if d["outcome"].get("fine_amount")]
    row["罚款件数"] = str(len(fines))
    row["罚款总额（元）"] = _money(sum(fines, Decimal(0)))
    row["罚款中位数（元）"] = _money(statistics.median(fines)) if fines else "—"
    row["没收违法所得（元）"] = _money(sum((Decimal(str(d["outcome"].get("confiscated_amount") or 0))
                                       for d in standing), Decimal(0)))
    major = [d for d in mine if d.get("major")]
    row["重大执法决定"] = str(len(major))
    row["经法制审核"] = str(sum(1 for d in major if (d.get("legal_review") or {}).get("passed")))
    ids = {d["id"]: d for d in demo.decisions}
    changes: Counter[str] = Counter()
    for c in demo.corrections:
        target = ids.get(c["record"].removeprefix("decisions/"))
        effective = demo.took_effect(c)
        if (c["record"].startswith("decisions/") and target and effective
                and effective.year == year and (body is None or target["body"] == body)):
            changes[c["kind"]] += 1
    row["更正"], row["撤回"] = str(changes["更正"]), str(changes["撤回"])
    published = [(d, demo.first_published(d["id"])) for d in mine]
    published = [(d, p) for d, p in published if p is not None]
    on_time = sum(1 for d, p in published if p is not None and not late(d, p))
    row["已公示"] = str(len(published))
    row["按时公示"] = str(on_time)
    row["逾期公示"] = str(len(published) - on_time)
    row["按时公示率"] = f"{on_time * 100 / len(published):.1f}%" if published else "—"
    mine_ids = {d["id"] for d in mine}
    cases = [a for a in demo.appeals if a["decision"] in mine_ids]
    row["行政复议"] = str(sum(1 for a in cases if a["kind"] == "行政复议"))
    row["行政诉讼"] = str(sum(1 for a in cases if a["kind"] == "行政诉讼"))
    row["被纠错"] = str(len({a["decision"] for a in cases if a["result"] in REVERSING}))
    return row


def expected_outcomes(demo: Demo, year: int) -> dict[str, int]:
    counts: Counter[str] = Counter()
    withdrawn = demo.withdrawn()
    for d in demo.decisions:
        if _date(d["decision_date"]).year == year and d["id"] not in withdrawn:
            counts.update(set(d["outcome"]["categories"]))
    return dict(counts)


# --- the evaluation (评议考核), counted the same independent way ------------------------------

ANCHOR = re.compile(r"^(.+?)之日起")


def _articles(refs: list[str]) -> set[tuple[str, str]]:
    """(law id, 第X条) of each citation, 款 and 项 dropped."""
    return {(ref.split("#")[0], ref.split("#")[1].split("条")[0] + "条") for ref in refs}


def failing(demo: Demo, year: int) -> dict[tuple[str, str], set[str]]:
    """(body id, item key) -> ids of the year's decisions that fail that item."""
    officers = {o["id"]: o for o in _load("officers")}
    laws = {law["id"]: law for law in _load("laws")}
    powers = {p["id"]: p for p in demo.powers}
    procedures = {p["id"]: p for p in _load("procedures")}
    bodies = {b["id"]: b for b in demo.bodies}
    result: dict[tuple[str, str], set[str]] = {}

    def fail(decision: dict[str, Any], item: str) -> None:
        result.setdefault((decision["body"], item), set()).add(decision["id"])

    for d in demo.decisions:
        day = _date(d["decision_date"])
        if day.year != year:
            continue
        valid = [o for o in (officers.get(i) for i in d["officers"]) if o and o["body"] == d["body"]
                 and _date(o["valid_from"]) <= day <= _date(o["valid_to"])
                 and (o["status"] == "有效" or (o.get("status_since") and _date(o["status_since"]) > day))]
        if len(valid) < 2 or len(valid) < len(d["officers"]):
            fail(d, "qualification")
        power = powers[d["power"]]
        body = bodies[d["body"]]
        entrusted = body.get("entrustment")
        if (not any(h["body"] == d["body"] for h in power["holders"])
                or (entrusted and power["id"] not in entrusted["powers"])):
            fail(d, "authority")
        cited = [*d.get("articles_violated", []), *d["articles_applied"]]
        out_of_force = any(
            day < _date(laws[ref.split("#")[0]]["effective"])
            or (laws[ref.split("#")[0]].get("repealed")
                and day >= _date(laws[ref.split("#")[0]]["repealed"]))
            for ref in cited)
        if out_of_force or not _articles(d["articles_applied"]) & _articles(power["basis"]):
            fail(d, "basis")
        if d.get("major"):
            review = d.get("legal_review") or {}
            if (not review.get("passed") or _date(review["date"]) > day
                    or review["reviewer"] in d["officers"]
                    or "法制审核人员" not in officers[review["reviewer"]].get("roles", [])):
                fail(d, "review")
        outcome, party = d["outcome"], d["party"]
        if ((party["kind"] != "自然人" and not party.get("uscc"))
                or ("罚款" in outcome["categories"] and outcome.get("fine_amount") is None)
                or ("没收违法所得" in outcome["categories"] and outcome.get("confiscated_amount") is None)
                or (d["type"] == "行政处罚" and power.get("benchmark") and not d.get("discretion"))
                or ("准予许可" in outcome["categories"]
                    and not (outcome.get("licence_number") and outcome.get("licence_valid_to")))):
            fail(d, "completeness")
        published = demo.first_published(d["id"])
        if published is not None and late(d, published):
            fail(d, "timeliness")
        for c in demo.corrections:
            effective = demo.took_effect(c)
            if (c["record"] == f"decisions/{d['id']}" and c["kind"] == "撤回" and effective
                    and (effective - _date(c["event_date"])).days > 3):
                fail(d, "timeliness")
        if any(a["decision"] == d["id"] and a["result"] in REVERSING for a in demo.appeals):
            fail(d, "litigation")
        if d.get("steps") and power.get("procedure"):
            steps = procedures[power["procedure"]]["steps"]
            done = {s["step"]: _date(s["date"]) for s in d["steps"]}
            ordered = [done[s["id"]] for s in steps if s["id"] in done]
            names = {s["name"]: s["id"] for s in steps}
            over = False
            for step in steps:
                match = ANCHOR.match(step.get("time_limit", ""))
                start = names.get(match.group(1)) if match else None
                if step["id"] in done and start in done and step.get("time_limit_days"):
                    used = (working_days_after(done[start], done[step["id"]])
                            if "工作日" in step["time_limit"] else (done[step["id"]] - done[start]).days)
                    over = over or used > step["time_limit_days"]
            if over or ordered != sorted(ordered):
                fail(d, "procedure")
    return result


def expected_scores(demo: Demo, year: int) -> dict[str, int]:
    """Each body's total for the year (bodies with decisions only), from evaluation.yml."""
    standard = yaml.safe_load((ROOT / "site_config" / "evaluation.yml").read_text(encoding="utf-8"))
    failures = failing(demo, year)
    scores = {}
    for body in sorted({d["body"] for d in demo.decisions if _date(d["decision_date"]).year == year}):
        scores[body] = 100 - sum(min(item["points"], item["deduction"]
                                     * len(failures.get((body, item["key"]), set())))
                                 for item in standard["items"])
    return scores
