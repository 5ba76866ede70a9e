"""Ways to browse decisions besides by year: by body, region, type, outcome and officer.

Each facet value gets a paginated list (no page over PER_PAGE decisions) at a stable,
readable URL: decisions/body/<body id>/, decisions/region/<region code>/,
decisions/type/<slug>/, decisions/outcome/<slug>/, decisions/officer/<officer id>/
(page 2 at .../page-2/). Filing is linear: each decision is looked at once per facet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from generator.model import Decision
from generator.render.site import Site

TYPE_SLUGS = {
    "行政许可": "xuke", "行政处罚": "chufa", "行政强制": "qiangzhi", "行政征收": "zhengshou",
    "行政给付": "geifu", "行政检查": "jiancha", "行政确认": "queren", "行政奖励": "jiangli",
    "行政裁决": "caijue", "其他": "qita",
}
"""决定类别 -> URL segment. Fixed: a published URL must never change."""

OUTCOME_SLUGS = {
    "警告": "jinggao", "通报批评": "tongbao-piping", "罚款": "fakuan",
    "没收违法所得": "moshou-weifa-suode", "没收非法财物": "moshou-feifa-caiwu",
    "暂扣许可证件": "zankou-xuke", "降低资质等级": "jiangdi-zizhi",
    "吊销许可证件": "diaoxiao-xuke", "限制开展生产经营活动": "xianzhi-jingying",
    "责令停产停业": "tingchan-tingye", "责令关闭": "zeling-guanbi", "限制从业": "xianzhi-congye",
    "责令改正": "zeling-gaizheng", "责令限期改正": "xianqi-gaizheng", "责令停工": "zeling-tinggong",
    "责令支付劳动报酬": "zhifu-laodong-baochou", "责令支付加班费": "zhifu-jiabanfei",
    "加付赔偿金": "jiafu-peichangjin", "准予许可": "zhunyu-xuke", "不予许可": "buyu-xuke",
    "不予行政处罚": "buyu-xingzheng-chufa", "不予处罚": "buyu-chufa",
    "未发现违法": "weifaxian-weifa",
    "先行登记保存": "xianxing-dengji-baocun", "申请人民法院强制执行": "shenqing-qiangzhi-zhixing",
}
"""处理类别 (outcome.categories) -> URL segment. Fixed; add new categories, never rename."""


def slug(text: str, known: dict[str, str]) -> str:
    """A stable ASCII URL segment; a category we have no word for gets its code points
    (`c-` and hex, e.g. 训诫 -> c-8bad-8beb): no hash, so a reader can decode it."""
    return known.get(text) or "c-" + "-".join(f"{ord(char):x}" for char in text)


def region_scope(code: str) -> str:
    """The prefix of the region codes a region contains: 990000 -> 99, 990100 -> 9901."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def region_ancestors(code: str) -> list[str]:
    """A region and the regions above it, province first: 990122 -> 990000, 990100, 990122."""
    return list(dict.fromkeys([code[:2] + "0000", code[:4] + "00", code]))


def region_depth(code: str) -> int:
    """0 for a province (省级), 1 for a city (地级), 2 for a county (县级)."""
    return len(region_scope(code)) // 2 - 1


@dataclass(frozen=True)
class Filing:
    """What filing needs besides the decision, computed once per build, never per decision."""

    site: Site
    region_names: dict[str, str]
    """Each region code that has a body, named as its first body (in tree order) names it."""
    regions_of_body: dict[str, list[str]]
    """For each body id, the regions with a body that it lies in: province, city, county."""

    @classmethod
    def of(cls, site: Site) -> Filing:
        names: dict[str, str] = {}
        for body_id in site.body_order():
            body = site.portal.bodies.get(body_id)
            if body is not None:
                names.setdefault(body.region_code, body.region_name)
        within = {body.id: [code for code in region_ancestors(body.region_code) if code in names]
                  for body in site.portal.bodies.values()}
        return cls(site, names, within)


@dataclass(frozen=True)
class Facet:
    """One way of grouping decisions: its folder, its name, and how a decision is filed."""

    folder: str
    label: str
    keys: Callable[[Filing, Decision], list[str]]
    title: Callable[[Filing, str], str]

    def list_folder(self, key: str) -> str:
        """The folder of the list of the decisions filed under `key`."""
        return f"decisions/{self.folder}/{key}"


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet (a body, a region …) with its decisions, latest first."""

    facet: Facet
    key: str
    title: str
    decisions: list[Decision]

    @property
    def folder(self) -> str:
        return self.facet.list_folder(self.key)

    @property
    def depth(self) -> int:
        """How far down the region tree this value sits (0 for every other facet)."""
        return region_depth(self.key) if self.facet.folder == "region" else 0


def _body_title(filing: Filing, key: str) -> str:
    body = filing.site.portal.bodies.get(key)
    return body.name if body else key


def _region_title(filing: Filing, code: str) -> str:
    return f"{filing.region_names.get(code, code)}（{code}）"


def _type_title(filing: Filing, key: str) -> str:
    return next((name for name, known in TYPE_SLUGS.items() if known == key), key)


def _officer_title(filing: Filing, key: str) -> str:
    officer = filing.site.portal.officers.get(key)
    return officer.name if officer else key


FACETS = (
    Facet("body", "按执法主体", lambda f, d: [d.body], _body_title),
    # A decision of a county body is also one of its city and its province.
    Facet("region", "按行政区划", lambda f, d: f.regions_of_body.get(d.body, []), _region_title),
    Facet("type", "按决定类别", lambda f, d: [slug(d.type, TYPE_SLUGS)], _type_title),
    Facet("outcome", "按处理结果",
          lambda f, d: list(dict.fromkeys(slug(c, OUTCOME_SLUGS) for c in d.outcome.categories)),
          lambda f, key: key),
    # Reached from each officer's page, not from the section page (thousands of officers).
    Facet("officer", "按承办执法人员", lambda f, d: list(dict.fromkeys(d.officers)),
          _officer_title),
)
LISTED_ON_SECTION_PAGE = ("body", "region", "type", "outcome")


def facet_values(site: Site) -> list[FacetValue]:
    """Every facet value with at least one public decision, in a stable order (made once
    per build, before the pages: the list of pages and the lists' pages both need them,
    1.4 s at 100,000 decisions)."""
    if "facet values" not in site.memo:
        site.memo["facet values"] = _facet_values(site)
    values: list[FacetValue] = site.memo["facet values"]
    return values


def _facet_values(site: Site) -> list[FacetValue]:
    filing = Filing.of(site)
    return values_of(site, filing, grouped(site, filing))


Grouped = dict[str, tuple[dict[str, list[Decision]], dict[str, str]]]
"""Each facet's decisions by key (latest first), and the titles found on the way, by
folder (`grouped`)."""


def values_of(site: Site, filing: Filing, grouped: Grouped,
              made: dict[tuple[str, str], FacetValue] | None = None) -> list[FacetValue]:
    """The facet values of the decisions as `grouped`, in order. `made`: values made before
    (by folder and key), taken again where their title and decisions are the same; the
    values made are added to it."""
    result: list[FacetValue] = []
    for facet in FACETS:
        values, titles = grouped[facet.folder]
        for key in _ordered(site, facet, values):
            title = titles.get(key) or facet.title(filing, key)
            value = made.get((facet.folder, key)) if made is not None else None
            if value is None or value.title != title or value.decisions is not values[key]:
                value = FacetValue(facet, key, title, values[key])
                if made is not None:
                    made[(facet.folder, key)] = value
            result.append(value)
    return result


def grouped(site: Site, filing: Filing) -> Grouped:
    """The site's public decisions filed as FACETS' `keys` file them, all in one pass over
    the decisions (one pass per facet, through its `keys`, took three times as long)."""
    by_body: dict[str, list[Decision]] = {}
    by_region: dict[str, list[Decision]] = defaultdict(list)
    by_type: dict[str, list[Decision]] = defaultdict(list)
    by_outcome: dict[str, list[Decision]] = defaultdict(list)
    by_officer: dict[str, list[Decision]] = defaultdict(list)
    outcome_titles: dict[str, str] = {}
    regions = filing.regions_of_body
    type_slugs: dict[str, str] = {}
    outcome_slugs: dict[str, str] = {}
    for decision in site.decisions:  # latest first already
        body = decision.body
        found = by_body.get(body)
        if found is None:
            found = by_body[body] = []
        found.append(decision)
        for code in regions.get(body, ()):
            by_region[code].append(decision)
        kind = type_slugs.get(decision.type)
        if kind is None:
            kind = type_slugs[decision.type] = slug(decision.type, TYPE_SLUGS)
        by_type[kind].append(decision)
        keys: dict[str, None] = {}
        for category in decision.outcome.categories:
            key = outcome_slugs.get(category)
            if key is None:
                key = outcome_slugs[category] = slug(category, OUTCOME_SLUGS)
            keys[key] = None
            outcome_titles.setdefault(key, category)
        for key in keys:
            by_outcome[key].append(decision)
        for officer in dict.fromkeys(decision.officers):
            by_officer[officer].append(decision)
    return {"body": (by_body, {}), "region": (by_region, {}), "type": (by_type, {}),
            "outcome": (by_outcome, outcome_titles), "officer": (by_officer, {})}


def _ordered(site: Site, facet: Facet, grouped: dict[str, list[Decision]]) -> list[str]:
    if facet.folder == "body":
        return [b for b in site.body_order() if b in grouped]
    if facet.folder in ("region", "officer"):
        # Region codes in order: each province, then each of its cities with its counties.
        return sorted(grouped)
    if facet.folder == "type":
        order = list(TYPE_SLUGS.values())
        return sorted(grouped, key=lambda k: (order.index(k) if k in order else len(order), k))
    return sorted(grouped, key=lambda k: (-len(grouped[k]), k))


def body_decisions_src(body_id: str) -> str:
    """The first page of a body's public decisions, for the body page's link to them. The
    page exists only when the body has a public decision (site.decisions_by_body)."""
    return f"decisions/body/{body_id}/index.md"


def officer_decisions_src(officer_id: str) -> str:
    """The first page of the decisions an officer signed (for links from the officer page)."""
    return f"decisions/officer/{officer_id}/index.md"
