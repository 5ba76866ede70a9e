"""Ways to browse decisions besides by year: by body, region, type and outcome.

Each facet value gets a paginated list (no page over PER_PAGE decisions) at a stable,
readable URL: decisions/body/<body id>/, decisions/region/<region code>/,
decisions/type/<slug>/, decisions/outcome/<slug>/ (page 2 at .../page-2/).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from generator.model import Body, Decision
from generator.render.site import Site

TYPE_SLUGS = {
    "行政许可": "xuke", "行政处罚": "chufa", "行政强制": "qiangzhi", "行政征收": "zhengshou",
    "行政给付": "geifu", "行政检查": "jiancha", "行政确认": "queren", "行政奖励": "jiangli",
    "行政裁决": "caijue", "其他": "qita",
}
OUTCOME_SLUGS = {
    "警告": "jinggao", "通报批评": "tongbao-piping", "罚款": "fakuan",
    "没收违法所得": "moshou-weifa-suode", "没收非法财物": "moshou-feifa-caiwu",
    "暂扣许可证件": "zankou-xuke", "降低资质等级": "jiangdi-zizhi",
    "吊销许可证件": "diaoxiao-xuke", "限制开展生产经营活动": "xianzhi-jingying",
    "责令停产停业": "tingchan-tingye", "责令关闭": "zeling-guanbi", "限制从业": "xianzhi-congye",
    "责令改正": "zeling-gaizheng", "责令限期改正": "xianqi-gaizheng", "责令停工": "zeling-tinggong",
    "责令支付劳动报酬": "zhifu-laodong-baochou", "责令支付加班费": "zhifu-jiabanfei",
    "加付赔偿金": "jiafu-peichangjin", "准予许可": "zhunyu-xuke", "不予许可": "buyu-xuke",
    "不予行政处罚": "buyu-chufa", "不予处罚": "buyu-chufa-2", "未发现违法": "weifaxian-weifa",
    "先行登记保存": "xianxing-dengji-baocun", "申请人民法院强制执行": "shenqing-qiangzhi-zhixing",
}


def slug(text: str, known: dict[str, str]) -> str:
    """A stable ASCII URL segment; a category we have no word for gets its code points."""
    return known.get(text) or "c-" + "-".join(f"{ord(char):x}" for char in text)


def region_scope(code: str) -> str:
    """The prefix of the region codes a region contains: 990000 -> 99, 990100 -> 9901."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


@dataclass(frozen=True)
class Facet:
    """One way of grouping decisions: its folder, its name, and how a decision is filed."""

    folder: str
    label: str
    keys: Callable[[Site, Decision], list[str]]
    title: Callable[[Site, str], str]


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet (a body, a region …) with its decisions, latest first."""

    facet: Facet
    key: str
    title: str
    decisions: list[Decision]

    @property
    def folder(self) -> str:
        return f"decisions/{self.facet.folder}/{self.key}"


def _body_keys(site: Site, decision: Decision) -> list[str]:
    return [decision.body]


def _region_keys(site: Site, decision: Decision) -> list[str]:
    body = site.portal.bodies.get(decision.body)
    if body is None:
        return []
    # A decision of a county body is also one of its city and its province.
    return [region.region_code for region in _regions(site)
            if body.region_code.startswith(region_scope(region.region_code))]


def _regions(site: Site) -> list[Body]:
    """One body per region code (the first in tree order), standing for its region."""
    seen: dict[str, Body] = {}
    for body_id in site.body_order():
        body = site.portal.bodies.get(body_id)
        if body is not None:
            seen.setdefault(body.region_code, body)
    return list(seen.values())


def _region_title(site: Site, code: str) -> str:
    names = {b.region_code: b.region_name for b in site.portal.bodies.values()}
    return f"{names.get(code, code)}（{code}）"


def _body_title(site: Site, key: str) -> str:
    body = site.portal.bodies.get(key)
    return body.name if body else key


FACETS = (
    Facet("body", "按执法主体", _body_keys, _body_title),
    Facet("region", "按行政区划", _region_keys, _region_title),
    Facet("type", "按决定类别", lambda site, d: [TYPE_SLUGS.get(d.type, slug(d.type, {}))],
          lambda site, key: next((t for t, s in TYPE_SLUGS.items() if s == key), key)),
    Facet("outcome", "按处理结果",
          lambda site, d: [slug(c, OUTCOME_SLUGS) for c in dict.fromkeys(d.outcome.categories)],
          lambda site, key: key),
    # Reached from each officer's page, not from the section page (thousands of officers).
    Facet("officer", "按承办执法人员", lambda site, d: list(dict.fromkeys(d.officers)),
          lambda site, key: site.portal.officers[key].name if key in site.portal.officers
          else key),
)
LISTED_ON_SECTION_PAGE = ("body", "region", "type", "outcome")


def facet_values(site: Site) -> list[FacetValue]:
    """Every facet value with at least one public decision, in a stable order."""
    result: list[FacetValue] = []
    for facet in FACETS:
        grouped: dict[str, list[Decision]] = defaultdict(list)
        titles: dict[str, str] = {}
        for decision in site.decisions:  # latest first already
            for key in facet.keys(site, decision):
                grouped[key].append(decision)
                if facet.folder == "outcome":
                    titles[key] = next(c for c in decision.outcome.categories
                                       if slug(c, OUTCOME_SLUGS) == key)
        for key in _ordered(site, facet, grouped):
            title = titles.get(key) or facet.title(site, key)
            result.append(FacetValue(facet, key, title, grouped[key]))
    return result


def _ordered(site: Site, facet: Facet, grouped: dict[str, list[Decision]]) -> list[str]:
    if facet.folder == "body":
        return [b for b in site.body_order() if b in grouped]
    if facet.folder == "region":
        return [r.region_code for r in _regions(site) if r.region_code in grouped]
    if facet.folder == "officer":
        return sorted(grouped)
    if facet.folder == "type":
        order = list(TYPE_SLUGS.values())
        return sorted(grouped, key=lambda k: (order.index(k) if k in order else len(order), k))
    return sorted(grouped, key=lambda k: (-len(grouped[k]), k))


def body_decisions_src(body_id: str) -> str:
    """The first page of a body's decisions (for links from the body page)."""
    return f"decisions/body/{body_id}/index.md"


def officer_decisions_src(officer_id: str) -> str:
    """The first page of the decisions an officer signed (for links from the officer page)."""
    return f"decisions/officer/{officer_id}/index.md"
