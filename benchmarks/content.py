"""Synthetic but valid content of any size, for build benchmarks (issue 8).

    .venv/bin/python benchmarks/content.py --decisions 100000 --out /tmp/gongshi-100k

Writes a whole project (content/, site_config/, mkdocs.yml and ledger.jsonl) that
`gongshi check --as-of 2026-11-27` passes with no error and no warning, in the proportions of
the issue's scale (100,000 decisions, 10,000 officers, 1,000 bodies): one body per hundred
decisions (at least three), ten officers per body, every body holding every power.

The demo content is the template. Laws, procedures, benchmarks and pages are copied as they
are; powers too, with every synthetic body as a holder; bodies are clones of the demo's
行政机关 under new names and codes; each decision is a clone of a demo decision (its power,
outcome, discretion and articles, so fines stay inside the benchmark ranges) made by another
body and party on a working day of 2022 to 2026 on which its articles were in force. One
decision in fifty is appealed (a fifth of those revoked, then withdrawn) and one in a hundred
has its party's name corrected (更正), so every record type and version history is there.
Decisions keep their model's publicity period (mostly three years), so as of 2026-11-27 most
of those of 2022 and 2023 have expired and show as stubs, as they would on a real site.

Every record is in the ledger: version 1 within 5 working days of its decision (other
records on 2021-01-04), a correction or withdrawal as the next version. The hashes are
computed from the records as built, never by reloading the tree, which would cost more than
generating it; tests/test_benchmark_content.py checks that the loaded tree hashes the same.

The same (decisions, seed) gives the same bytes: one seeded random source, used in a fixed
order, and dates from the records, never the clock.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, fields
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from stdnum.cn import ric, uscc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.articles import Citation
from generator.ledger import LEDGER_FILE, Ledger, Publication, content_hash
from generator.loader import load
from generator.model import (
    Appeal,
    Body,
    Correction,
    Decision,
    Holder,
    LegalReview,
    Officer,
    Party,
    Record,
    Review,
)
from generator.portal import Portal
from generator.rules.basis import not_in_force
from generator.timeliness import deadline, is_workday

try:
    from yaml import CSafeDumper as YamlDumper  # libyaml's emitter, much faster
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeDumper as YamlDumper  # type: ignore[assignment]


class _Dumper(YamlDumper):
    """Writes equal dates twice rather than as a YAML anchor and alias (&id001, *id001)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 27)
"""The as-of date the demo is built with (tests/conftest.py): every date written is on or
before it, so nothing is published in the future."""
FIRST_DECISION = dt.date(2022, 1, 1)
LAST_DECISION = dt.date(2026, 11, 20)
"""Five working days before AS_OF: the latest decision is still published by then."""
PUBLISHED_BEFORE = dt.date(2021, 1, 4)
"""When the records other than decisions, appeals and corrections were published."""
COPIED = ("laws", "procedures", "benchmarks", "pages")
"""Record folders copied from the demo byte for byte."""
DECISIONS_PER_BODY = 100
OFFICERS_PER_BODY = 10
APPEAL_EVERY = 50
CORRECTION_EVERY = 100
APPEAL_RESULTS = ("撤销", "维持", "驳回", "维持", "驳回")
"""Appeals take these results in turn: one in five finds the decision wrong (纠错)."""
APPEAL_NOTES = {
    ("行政复议", "维持"): "复议机关认为原决定认定事实清楚、证据确凿、适用依据正确、程序合法、"
                          "内容适当，决定维持。",
    ("行政复议", "驳回"): "复议机关认为申请人的复议请求不成立，决定驳回。",
    ("行政复议", "撤销"): "复议机关认为原决定主要证据不足，决定撤销。",
    ("行政诉讼", "驳回"): "一审判决驳回原告的诉讼请求。",
    ("行政诉讼", "撤销"): "一审判决撤销被诉行政处罚决定。",
}

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余"
            "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙"
            "史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞建国志宏文斌海波宁琳"
         "晨旭东雪梅晓峰浩然佳怡子轩雨欣思远俊凯")
WORDS = ("拓新", "华晟", "明辉", "捷诚", "汇通", "安澜", "顺安", "晨曦", "宏远", "金桥", "翠屏", "永泰",
         "丰泽", "泓澄", "沐阳", "祥瑞", "康达", "兴业", "源通", "万象", "致远", "卓泰", "嘉禾", "鼎盛",
         "恒信", "瑞丰", "联创", "新程", "博远", "融通", "益民", "锦程")
TRADES = ("商贸", "建筑工程", "餐饮管理", "物业服务", "电子科技", "服装", "物流", "劳务服务", "食品",
          "机械制造", "装饰工程", "信息技术")
SHOPS = ("餐馆", "服装加工厂", "便利店", "五金店", "汽车修理部", "快餐店", "理发店", "装修队")


@dataclass(frozen=True)
class Summary:
    """What `generate` wrote: the records of each type, and how long it took."""

    bodies: int
    officers: int
    laws: int
    powers: int
    procedures: int
    benchmarks: int
    decisions: int
    corrections: int
    appeals: int
    pages: int
    ledger_entries: int
    seconds: float

    def __str__(self) -> str:
        counts = ", ".join(f"{f.name.replace('_', ' ')} {getattr(self, f.name):,}"
                           for f in fields(self) if f.name != "seconds")
        return f"{counts} in {self.seconds:.1f} s"


def generate(target: Path, decisions: int, seed: int = 1) -> Summary:
    """Write a complete, valid project with `decisions` decisions into `target`, which must
    not exist or be empty."""
    start = time.perf_counter()
    if decisions < 1:
        raise ValueError("generate at least one decision")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise FileExistsError(f"{target} is not an empty folder")
    demo, report = load(ROOT / "content")
    if report.failed():
        raise RuntimeError("the demo content has errors; run `gongshi check` first")
    rng = random.Random(seed)
    out = _Output(target)
    for folder in COPIED:
        shutil.copytree(ROOT / "content" / folder, target / "content" / folder)
        for record in demo.table(folder).values():
            out.publish(record, PUBLISHED_BEFORE)
    shutil.copytree(ROOT / "site_config", target / "site_config",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    bodies = _bodies(demo, max(3, decisions // DECISIONS_PER_BODY), rng)
    for body in bodies:
        out.write(body, PUBLISHED_BEFORE)
    staff: dict[str, list[str]] = {}  # each body's officers: its reviewer, then case officers
    for number, body in enumerate(bodies):
        for officer in _officers(body, number * OFFICERS_PER_BODY, rng):
            out.write(officer, PUBLISHED_BEFORE)
            staff.setdefault(body.id, []).append(officer.id)
    for power in sorted(demo.powers.values(), key=lambda p: p.id):
        holders = [Holder(body=body.id) for body in bodies]
        out.write(power.model_copy(update={"holders": holders}), PUBLISHED_BEFORE)
    _Cases(demo, bodies, staff, rng, out).write(decisions)
    Ledger(target / LEDGER_FILE, out.entries).write()
    return Summary(**out.counts(), ledger_entries=len(out.entries),
                   seconds=time.perf_counter() - start)


# --- writing records and their publications ----------------------------------------------


class _Output:
    """Writes records as YAML under content/ and collects the ledger's lines."""

    def __init__(self, target: Path) -> None:
        self.content = target / "content"
        self.entries: list[Publication] = []
        self.folders: set[Path] = set()

    def write(self, record: Record, published: dt.date) -> None:
        self.save(record)
        self.publish(record, published)

    def save(self, record: Record) -> None:
        folder = self.content / record.kind_name
        if isinstance(record, Decision):
            folder /= str(record.decision_date.year)
        if folder not in self.folders:
            folder.mkdir(parents=True, exist_ok=True)
            self.folders.add(folder)
        text = yaml.dump(_plain(record.model_dump(mode="python", exclude_defaults=True)),
                         Dumper=_Dumper, allow_unicode=True, sort_keys=False)
        (folder / f"{record.id}.yml").write_text(text, encoding="utf-8")

    def publish(self, record: Record, published: dt.date, version: int = 1,
                correction: str | None = None, changed: tuple[str, ...] = (),
                digest: str | None = None) -> None:
        self.entries.append(Publication(record.ref, version, digest or content_hash(record),
                                        published, correction, changed))

    def counts(self) -> dict[str, int]:
        """Records of each type: each has exactly one version 1 in the ledger."""
        counts = {name: 0 for name in ("bodies", "officers", "laws", "powers", "procedures",
                                       "benchmarks", "decisions", "corrections", "appeals",
                                       "pages")}
        for entry in self.entries:
            if entry.version == 1:
                counts[entry.record.partition("/")[0]] += 1
        return counts


def _plain(value: Any) -> Any:
    """A record's data as YAML writes it: amounts as numbers (whole) or text, like staff do."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    return value


# --- bodies and officers -----------------------------------------------------------------


def _bodies(demo: Portal, count: int, rng: random.Random) -> list[Body]:
    """`count` bodies: a provincial department `b0001` over district bureaus, each a clone of
    a demo 行政机关 (its units and posts) with its own name, region and codes."""
    templates = sorted((b for b in demo.bodies.values() if b.kind == "行政机关"),
                       key=lambda b: (b.parent is not None, b.id))
    province, districts = templates[0], templates[1:]
    result = []
    for number in range(1, count + 1):
        if number == 1:
            template, region_code, region_name = province, "990000", "示例省"
            name, short_name, host = "示例省人力资源和社会保障厅", "示例省人社厅", "rst.sheng"
        else:
            index = number - 2  # 99 districts to a city: 99CCDD
            template = districts[index % len(districts)]
            region_code = f"99{index // 99 + 1:02d}{index % 99 + 1:02d}"
            region_name = f"示例市第{number - 1}区"
            name, short_name = f"{region_name}人力资源和社会保障局", f"{region_name}人社局"
            host = f"rsj.q{number - 1}"
        address = f"{region_name}人民路{number}号"
        phone = f"0999-{60000000 + number}"
        website = f"https://{host}.example.gov.cn"
        values = {"电话": phone, "信函": f"{address}，邮编 {template.postcode}",
                  "电子邮箱": f"jiandu@{host}.example.gov.cn", "网站": website, "现场": address}
        supervision = [channel.model_copy(update={"value": values[channel.channel]})
                       for channel in template.supervision]
        result.append(template.model_copy(update={
            "id": f"b{number:04d}", "former_ids": [], "name": name, "short_name": short_name,
            "parent": None if number == 1 else "b0001", "region_code": region_code,
            "region_name": region_name, "uscc": _uscc("11" + region_code, rng),
            "head": _person(rng), "address": address, "phone": phone, "website": website,
            "supervision": supervision,
            "description": f"{region_name}人民政府工作部门，负责{region_name}劳动保障监察、"
                           "劳务派遣经营许可和人力资源市场监督管理。（基准测试用合成数据）",
        }))
    return result


def _officers(body: Body, before: int, rng: random.Random) -> Iterator[Officer]:
    """Ten officers of `body`: the first is its legal reviewer (法制审核人员), who also reviews
    corrections (公示审核人员); the others are case officers."""
    for index in range(OFFICERS_PER_BODY):
        first = index == 0
        yield Officer(
            id=f"o{before + index + 1:06d}", name=_person(rng), body=body.id,
            unit="fagui" if first else "jiancha",
            post="fazhi-shenhe" if first else ("jianchayuan", "anjian-shenli")[index % 2],
            certificate_number=f"{body.region_code}2020{index + 1:04d}",
            issuer="示例省人民政府", field="劳动保障监察", region=body.region_name,
            valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2030, 12, 31), status="有效",
            roles=["执法人员", "法制审核人员", "公示审核人员"] if first else ["执法人员"])


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


def _uscc(head: str, rng: random.Random) -> str:
    """A 统一社会信用代码 starting with `head` (registration kind and region), check digit
    included; never one that would also read as a 居民身份证号 (rule 10 would flag it)."""
    while True:
        base = head + "".join(rng.choices(USCC_ALPHABET, k=17 - len(head)))
        code = base + uscc.calc_check_digit(base)
        if not ric.is_valid(code):
            return code


# --- decisions, appeals and corrections --------------------------------------------------

_DATE_TEXT = re.compile(r"(20\d\d)年(\d{1,2})月(?:(\d{1,2})日)?")
_YEAR_TEXT = re.compile(r"〔(20\d\d)〕")
_NUMBER = re.compile(r"^(?:.*?人社|.*?劳监支)?(.+)〔\d{4}〕\d+号$")


class _Cases:
    """Clones the demo's decisions onto the synthetic bodies, with their appeals and
    corrections, and writes each as it is made (only the ledger stays in memory)."""

    def __init__(self, demo: Portal, bodies: list[Body], staff: dict[str, list[str]],
                 rng: random.Random,
                 out: _Output) -> None:
        self.rng = rng
        self.out = out
        self.bodies = bodies
        self.by_id = {body.id: body for body in bodies}
        self.staff = staff
        self.models = sorted(demo.decisions.values(), key=lambda d: d.id)
        self.cited = {model.id: [demo.laws[law] for law in sorted({
            Citation.parse(ref).law for ref in (*model.articles_applied, *model.articles_violated)})]
            for model in self.models}
        self.in_force: dict[dt.date, list[Decision]] = {}
        self.numbers: dict[tuple[str, int, str], int] = {}
        self.appeals = 0

    def write(self, count: int) -> None:
        days = [day for day in _days(FIRST_DECISION, LAST_DECISION) if is_workday(day)]
        dates = sorted(self.rng.choice(days) for _ in range(count))
        want_appeal = want_correction = False
        for index, day in enumerate(dates):
            want_appeal |= index % APPEAL_EVERY == APPEAL_EVERY // 5
            want_correction |= index % CORRECTION_EVERY == CORRECTION_EVERY * 3 // 10
            decision = self._decision(f"d{index + 1:07d}", day)
            self.out.save(decision)
            published = deadline(day, self.rng.randint(1, 5))
            if (want_appeal and decision.type == "行政处罚"
                    and day <= AS_OF - dt.timedelta(days=200)):
                want_appeal = False
                self.out.publish(decision, published)
                self._appeal(decision)
            elif (want_correction and decision.party.kind == "法人及非法人组织"
                  and day <= AS_OF - dt.timedelta(days=60)):
                want_correction = False
                self._correction(decision, published)
            else:
                self.out.publish(decision, published)

    def _models(self, day: dt.date) -> list[Decision]:
        """The demo decisions whose articles were all in force on `day` (rule 4)."""
        found = self.in_force.get(day)
        if found is None:
            found = [model for model in self.models
                     if not any(not_in_force(law, day) for law in self.cited[model.id])]
            if not found:
                raise RuntimeError(f"no demo decision cites only articles in force on {day}")
            self.in_force[day] = found
        return found

    def _decision(self, decision_id: str, day: dt.date) -> Decision:
        model = self.rng.choice(self._models(day))
        body = self.rng.choice(self.bodies)
        reviewer, *case_officers = self.staff[body.id]
        shift = day - model.decision_date
        years = day.year - model.decision_date.year
        party = self._party(model.party, body)

        def moved(text: str) -> str:
            text = _shift_text(text, shift, years)
            if party.kind == "自然人":  # the demo never names a natural person outside party.name
                return text
            return text.replace(model.party.name, party.name)

        kind = _kind(model.document_number)
        number = self.numbers.get((body.id, day.year, kind), 0) + 1
        self.numbers[(body.id, day.year, kind)] = number
        short = "示" if body.id == "b0001" else f"示{int(body.id[1:]) - 1}区"
        outcome = model.outcome
        licence = outcome.licence_number
        if licence:
            licence = re.sub(r"（.*?）", f"（{short}）", licence, count=1)
            licence = re.sub(r"〔\d{4}〕第\d+号", f"〔{day.year}〕第{number:03d}号", licence)
        review = model.legal_review
        discretion = model.discretion
        decision = model.model_copy(update={
            "id": decision_id, "former_ids": [],
            "document_number": f"{short}人社{kind}〔{day.year}〕{number}号",
            "body": body.id, "party": party, "facts": moved(model.facts),
            "discretion": discretion and discretion.model_copy(
                update={"reason": moved(discretion.reason)}),
            "outcome": outcome.model_copy(update={
                "content": moved(outcome.content), "licence_number": licence,
                "licence_valid_to": outcome.licence_valid_to and outcome.licence_valid_to + shift}),
            "decision_date": day, "officers": self.rng.sample(case_officers, 2),
            "legal_review": review and LegalReview(reviewer=reviewer, date=day, passed=True,
                                                   opinion=moved(review.opinion)),
            "publicity_end": model.publicity_end + shift,
            # Notes about the demo's entrusted body would be untrue of a synthetic bureau.
            "note": "" if "委托" in model.note else moved(model.note),
            "steps": [],
        })
        return self._unnamed(decision)

    def _party(self, model: Party, body: Body) -> Party:
        rng = self.rng
        if model.kind == "自然人":
            return model.model_copy(update={"name": _person(rng)})
        if model.kind == "个体工商户":
            return model.model_copy(update={
                "name": f"{body.region_name}{rng.choice(WORDS)}{rng.choice(SHOPS)}",
                "uscc": _uscc("92" + body.region_code, rng),
                "legal_representative": _person(rng)})
        return model.model_copy(update={
            "name": f"{body.region_name}{rng.choice(WORDS)}{rng.choice(WORDS)}"
                    f"{rng.choice(TRADES)}有限公司",
            "uscc": _uscc("91" + body.region_code, rng),
            "legal_representative": _person(rng) if model.legal_representative else ""})

    def _unnamed(self, decision: Decision) -> Decision:
        """The decision with other names where a natural person's full name, shown only
        masked (张某), happens to appear in another field (rule 10)."""
        party = decision.party
        if party.kind == "法人及非法人组织":
            return decision
        while True:
            people = [party.name] if party.kind == "自然人" else []
            if party.kind in {"自然人", "个体工商户"} and party.legal_representative:
                people.append(party.legal_representative)
            others = decision.model_copy(update={"party": party.model_copy(
                update={"name": "", "legal_representative": ""})}).model_dump_json()
            if not any(name in others for name in people):
                return decision.model_copy(update={"party": party})
            update = {"legal_representative": _person(self.rng)} if party.legal_representative \
                else {}
            if party.kind == "自然人":
                update["name"] = _person(self.rng)
            party = party.model_copy(update=update)

    def _appeal(self, decision: Decision) -> None:
        """An appeal against `decision`; a result finding it wrong is followed, the next day,
        by the decision's withdrawal (撤回)."""
        rng = self.rng
        lawsuit = self.appeals % 2 == 1
        kind = "行政诉讼" if lawsuit else "行政复议"
        result = APPEAL_RESULTS[self.appeals % len(APPEAL_RESULTS)]
        if lawsuit and result == "维持":
            result = "驳回"  # courts no longer uphold (维持): they dismiss the claim
        self.appeals += 1
        body = self.by_id[decision.body] if lawsuit else None
        filed = decision.decision_date + dt.timedelta(days=rng.randint(20, 50))
        concluded = filed + dt.timedelta(days=rng.randint(30, 90))
        organ = ("示例市人民政府" if body is None
                 else "示例市中级人民法院" if body.parent is None else f"{body.region_name}人民法院")
        appeal = Appeal(
            id=f"{decision.id}-{'ss' if lawsuit else 'fy'}", decision=decision.id,
            kind=kind, organ=organ, filed_on=filed,
            result=result, concluded_on=concluded,
            document_number=(f"（{filed.year}）示{int(decision.body[1:]):04d}行初字第{self.appeals}号"
                             if lawsuit else f"示政复决字〔{concluded.year}〕{self.appeals}号"),
            note=APPEAL_NOTES[kind, result])
        self.out.write(appeal, deadline(concluded, 1))
        if appeal.reversing:
            self._withdrawal(decision, appeal)

    def _withdrawal(self, decision: Decision, appeal: Appeal) -> None:
        reviewer, requester = self.staff[decision.body][0], decision.officers[0]
        day = appeal.concluded_on
        assert day is not None
        approved = day + dt.timedelta(days=1)
        withdrawal = Correction(
            id=f"{decision.id}-c1", record=decision.ref, kind="撤回", cause="撤销",
            event_date=day,
            reason=f"{appeal.organ}于{_chinese(day)}"
                   + ("判决撤销本决定。" if appeal.kind == "行政诉讼" else "作出行政复议决定，撤销本决定。"),
            requested_by=requester, requested_on=approved,
            review=Review(reviewer=reviewer, date=approved, outcome="批准",
                          note=f"已核对{appeal.document_number}，同意撤回。",
                          approved_hash=content_hash(decision)))
        self.out.write(withdrawal, approved)
        self.out.publish(decision, approved, version=2, correction=withdrawal.id)

    def _correction(self, decision: Decision, published: dt.date) -> None:
        """Version 1 of `decision` was published with a mistyped party name; an approved
        correction (更正) then published the record as written."""
        mistyped = decision.model_copy(update={"party": decision.party.model_copy(
            update={"name": decision.party.name.replace("有限公司", "公司")})})
        self.out.publish(decision, published, digest=content_hash(mistyped))
        requested = published + dt.timedelta(days=self.rng.randint(3, 30))
        approved = requested + dt.timedelta(days=1)
        correction = Correction(
            id=f"{decision.id}-c1", record=decision.ref, kind="更正",
            reason="当事人名称录入有误，已按营业执照更正。", requested_by=decision.officers[0],
            requested_on=requested,
            review=Review(reviewer=self.staff[decision.body][0], date=approved,
                          outcome="批准", note="经核对营业执照，同意更正。",
                          approved_hash=content_hash(decision)))
        self.out.write(correction, approved)
        self.out.publish(decision, approved, version=2, correction=correction.id,
                         changed=("party.name",))


def _kind(document_number: str) -> str:
    """The kind of document a 文号 names (监罚, 派许, …), without the issuer's abbreviation."""
    match = _NUMBER.match(document_number)
    return match.group(1) if match else "监"


def _shift_text(text: str, shift: dt.timedelta, years: int) -> str:
    """Dates written in a text (2025年3月5日, 2025年3月, 〔2025〕) moved with the decision."""
    if not text or not shift:
        return text

    def moved(match: re.Match[str]) -> str:
        try:
            day = dt.date(int(match[1]), int(match[2]), int(match[3] or 1)) + shift
        except ValueError:
            return match[0]
        return f"{day.year}年{day.month}月" + (f"{day.day}日" if match[3] else "")

    text = _DATE_TEXT.sub(moved, text)
    return _YEAR_TEXT.sub(lambda match: f"〔{int(match[1]) + years}〕", text)


def _chinese(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


# --- command line ------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, required=True, help="how many decisions")
    parser.add_argument("--out", type=Path, required=True,
                        help="the project folder to write (must not exist or be empty)")
    parser.add_argument("--seed", type=int, default=1, help="the random seed (default 1)")
    args = parser.parse_args()
    try:
        summary = generate(args.out, args.decisions, args.seed)
    except (FileExistsError, ValueError) as exc:
        parser.error(str(exc))
    files = [path for path in args.out.rglob("*") if path.is_file()]
    size = sum(path.stat().st_size for path in files)
    print(summary)
    print(f"{len(files):,} files, {size / 1e6:,.1f} MB in {args.out}")


if __name__ == "__main__":
    main()
