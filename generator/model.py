"""The record model: one typed class per record type of DOMAIN.md.

Each record type is declared once, here. The JSON Schema (`gongshi schema`), the format
reference (docs/format.md) and the `gongshi new` skeletons are all generated from these
declarations, so every field carries a one-line description.

Field names are English snake_case; values are Chinese where the law's terms are Chinese.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints

from generator.source import Origin

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*[a-z0-9]$|^[a-z0-9]$", max_length=80),
]
"""A stable id: lower-case letters, digits and hyphens. It becomes the record's URL."""

ArticleRef = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9-]+#第[〇零一二三四五六七八九十百千]+条.*$"),
]
"""A cited article: `<legal-basis id>#第X条`, optionally followed by 款/项 (`#第二十六条第（一）项`)."""

Text = Annotated[str, StringConstraints(min_length=1)]

BodyKind = Literal["行政机关", "法律法规授权组织", "受委托组织"]
OfficerStatus = Literal["有效", "暂扣", "注销", "吊销"]
Role = Literal["执法人员", "法制审核人员", "公示审核人员"]
BasisLevel = Literal["法律", "行政法规", "部门规章", "地方性法规", "地方政府规章", "规范性文件"]
BasisStatus = Literal["现行有效", "已修改", "已废止"]
HistoryKind = Literal["立", "改", "废", "释"]
PowerCategory = Literal[
    "行政许可", "行政处罚", "行政强制", "行政征收", "行政给付",
    "行政检查", "行政确认", "行政奖励", "行政裁决", "其他",
]
PartyKind = Literal["法人及非法人组织", "自然人", "个体工商户"]
DiscretionLevel = Literal["不予处罚", "轻微", "一般", "较重", "严重"]
FineUnit = Literal["元", "元/人", "倍"]
ChannelKind = Literal["电话", "信函", "电子邮箱", "网站", "现场"]
CorrectionKind = Literal["更正", "撤回"]
WithdrawalCause = Literal["变更", "撤销", "确认违法", "确认无效", "公示期满", "其他"]
ReviewOutcome = Literal["批准", "驳回"]
AppealKind = Literal["行政复议", "行政诉讼"]
AppealResult = Literal[
    "审理中", "维持", "驳回", "撤销", "部分撤销", "变更", "确认违法", "确认无效", "责令履行",
    "申请人撤回", "调解", "和解", "终止",
]
REVERSING_RESULTS: frozenset[str] = frozenset({"撤销", "部分撤销", "变更", "确认违法", "确认无效"})
"""Results that find the decision wrong (纠错): it must then be withdrawn (rule 8)."""


class Part(BaseModel):
    """A nested part of a record: unknown fields are errors, as in records."""

    model_config = ConfigDict(extra="forbid", frozen=True)


_UNKNOWN = Origin.unknown()


def _private(model: BaseModel, name: str) -> Any:
    """`getattr(model, name)` for a private attribute, at the cost of a dict lookup."""
    private = model.__pydantic_private__
    return private[name] if private is not None and name in private else getattr(model, name)


class Record(Part):
    """Fields and behaviour common to every record type."""

    kind_name: ClassVar[str] = "record"
    """The folder under content/ and the `gongshi new` argument."""
    label: ClassVar[str] = "记录"
    """The Chinese name shown on the site."""
    has_page: ClassVar[bool] = True
    """Whether the record has a page of its own (corrections and appeals are shown on the
    page of the record they are about)."""
    hashed_when_set: ClassVar[frozenset[str]] = frozenset()
    """Optional fields added after records of this type were first published: they count in
    the content hash (ledger.py) only when set, so adding a field to the format does not
    turn every published record into an unapproved change."""

    id: Slug = Field(description="稳定标识：小写字母、数字和连字符，成为记录的永久网址，发布后不要修改")
    former_ids: list[Slug] = Field(
        default_factory=list,
        description="曾用标识：改过标识时把旧标识列在这里，旧网址会跳转到新网址",
    )

    # Where the record was read from; private, so it never reaches the schema or the output.
    # A plain default, not a factory: pydantic inspects a factory's signature on every record.
    _origin: Origin | None = PrivateAttr(default=None)
    _digest: bytes | None = PrivateAttr(default=None)

    # The private attributes are read from pydantic's dict of them: `self._origin` goes
    # through BaseModel.__getattr__, which costs about 5 µs (a hasattr that raises inside),
    # and a build reads them several times for each of 100,000 records.

    @property
    def origin(self) -> Origin:
        return _private(self, "_origin") or _UNKNOWN

    def at(self, origin: Origin) -> Record:
        self._origin = origin
        return self

    @property
    def file_digest(self) -> bytes | None:
        """A digest of the bytes of the file the record was read from (None when it was not
        read from one): what the record is, for what is kept between builds."""
        digest: bytes | None = _private(self, "_digest")
        return digest

    def read_as(self, digest: bytes | None) -> None:
        self._digest = digest

    def model_copy(self, *, update: Mapping[str, Any] | None = None,
                   deep: bool = False) -> Self:
        """A copy; one with changes is no longer what its file holds."""
        copy = super().model_copy(update=update, deep=deep)
        if update:
            copy.read_as(None)
            copy.__dict__.pop("ref", None)  # perhaps of another id
        return copy

    @functools.cached_property
    def ref(self) -> str:
        """`folder/id`, how corrections and messages name a record (kept: a build asks
        millions of times)."""
        return f"{self.kind_name}/{self.id}"


# --- enforcement body (执法主体) ---------------------------------------------------------


class Post(Part):
    """An enforcement post (执法岗位) inside a unit."""

    id: Slug = Field(description="岗位标识，在本单位内唯一")
    name: Text = Field(description="岗位名称，如 监察员岗")
    duties: str = Field(default="", description="岗位职责")


class Unit(Part):
    """An internal enforcement unit (内设执法机构)."""

    id: Slug = Field(description="机构标识，在本主体内唯一")
    name: Text = Field(description="内设执法机构名称，如 劳动保障监察科")
    duties: str = Field(default="", description="机构职责")
    posts: list[Post] = Field(default_factory=list, description="执法岗位")


class Channel(Part):
    """A supervision or complaint channel (监督方式)."""

    channel: ChannelKind = Field(description="方式：电话 / 信函 / 电子邮箱 / 网站 / 现场")
    value: Text = Field(description="号码、地址、邮箱或网址")
    note: str = Field(default="", description="说明，如 受理时间、受理范围")


class Entrustment(Part):
    """What an entrusted body (受委托组织) may do, and who entrusted it."""

    entrusted_by: Slug = Field(description="委托机关（执法主体标识）")
    document: Text = Field(description="委托书或委托文件文号")
    powers: list[Slug] = Field(min_length=1, description="委托的职权（职权标识），即委托范围")
    valid_from: dt.date = Field(description="委托起始日期")
    valid_to: dt.date | None = Field(default=None, description="委托终止日期，长期有效则省略")


class Body(Record):
    """执法主体: an authority or organisation that enforces the law."""

    kind_name: ClassVar[str] = "bodies"
    label: ClassVar[str] = "执法主体"

    name: Text = Field(description="主体全称")
    short_name: str = Field(default="", description="简称")
    kind: BodyKind = Field(description="主体类别：行政机关 / 法律法规授权组织 / 受委托组织")
    parent: Slug | None = Field(default=None, description="上级主体（执法主体标识），省级机关省略")
    region_code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")] = Field(
        description="行政区划代码，6位数字，加引号"
    )
    region_name: Text = Field(description="行政区划名称，如 东湖市")
    uscc: Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{18}$")] = Field(
        description="统一社会信用代码，18位，含校验位"
    )
    head: Text = Field(description="负责人姓名")
    address: Text = Field(description="办公地址")
    postcode: str = Field(default="", description="邮政编码")
    phone: Text = Field(description="咨询电话（办公电话，不得填写个人手机）")
    office_hours: Text = Field(description="办公时间")
    website: str = Field(default="", description="网站")
    legal_basis: list[ArticleRef] = Field(
        default_factory=list, description="主体资格依据（授权组织写授权的法律法规条款）"
    )
    entrustment: Entrustment | None = Field(
        default=None, description="受委托组织必填：委托机关、委托文件和委托范围"
    )
    supervision: list[Channel] = Field(min_length=1, description="监督投诉方式")
    units: list[Unit] = Field(default_factory=list, description="内设执法机构及执法岗位")
    description: str = Field(default="", description="主体简介（Markdown）")


# --- officer (执法人员) ------------------------------------------------------------------


class Officer(Record):
    """执法人员: a person holding an enforcement certificate. Never personal ID, address or phone."""

    kind_name: ClassVar[str] = "officers"
    label: ClassVar[str] = "执法人员"

    name: Text = Field(description="姓名")
    body: Slug = Field(description="所在执法主体（执法主体标识）")
    unit: Slug | None = Field(default=None, description="所在内设执法机构（机构标识）")
    post: Slug | None = Field(default=None, description="执法岗位（岗位标识）")
    certificate_number: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z-]{6,24}$")] = Field(
        description="执法证号，加引号"
    )
    issuer: Text = Field(description="发证机关，如 人力资源社会保障部 或 示例省人民政府")
    field: Text = Field(description="执法领域，如 劳动保障监察")
    region: Text = Field(description="执法区域")
    valid_from: dt.date = Field(description="证件有效期起")
    valid_to: dt.date = Field(description="证件有效期至")
    status: OfficerStatus = Field(description="证件状态：有效 / 暂扣 / 注销 / 吊销")
    status_since: dt.date | None = Field(
        default=None, description="状态变更日期：暂扣、注销、吊销时必填，此日起不得执法"
    )
    status_note: str = Field(default="", description="状态说明（公开），如 暂扣原因")
    roles: list[Role] = Field(
        default_factory=lambda: list[Role](["执法人员"]),
        description="角色：执法人员 / 法制审核人员 / 公示审核人员",
    )


# --- legal basis (执法依据) --------------------------------------------------------------


class HistoryEvent(Part):
    """One step of an instrument's 立、改、废、释 history."""

    kind: HistoryKind = Field(description="立 / 改 / 废 / 释")
    date: dt.date = Field(description="日期")
    note: Text = Field(description="说明，如 修正决定的名称")
    effective: dt.date | None = Field(default=None, description="该次修改的施行日期")


class Article(Part):
    """An article (条) of an instrument, as cited by powers and decisions."""

    number: Annotated[str, StringConstraints(pattern=r"^第[〇零一二三四五六七八九十百千]+条$")] = (
        Field(description="条号，如 第二十六条")
    )
    text: Text = Field(description="条文原文，款之间换行")
    source: str = Field(default="", description="条文出处（核对来源），与本依据的出处不同时填写")


class LegalBasis(Record):
    """执法依据: a law, regulation, rule or normative document, with the articles cited."""

    kind_name: ClassVar[str] = "laws"
    label: ClassVar[str] = "执法依据"

    title: Text = Field(description="名称")
    version_note: str = Field(default="", description="文本版本说明，如 2012年修正文本")
    level: BasisLevel = Field(description="效力级别")
    issuer: Text = Field(description="制定机关")
    document_number: str = Field(default="", description="文号，如 国务院令第423号")
    promulgated: dt.date = Field(description="公布日期")
    effective: dt.date = Field(description="施行日期（本文本开始施行的日期）")
    status: BasisStatus = Field(description="时效性：现行有效 / 已修改 / 已废止")
    repealed: dt.date | None = Field(
        default=None, description="失效日期：已废止或被新文本取代之日，现行有效则省略"
    )
    replaced_by: Slug | None = Field(default=None, description="取代本文本的依据（执法依据标识）")
    history: list[HistoryEvent] = Field(default_factory=list, description="立改废释记录")
    source: Text = Field(description="文本来源（核对出处）")
    articles: list[Article] = Field(default_factory=list, description="被引用的条款及条文")


# --- power (职权) ------------------------------------------------------------------------


class Holder(Part):
    """Who holds a power: a body, and inside it the unit and post (分解执法职权)."""

    body: Slug = Field(description="执法主体标识")
    unit: Slug | None = Field(default=None, description="承办机构（机构标识）")
    post: Slug | None = Field(default=None, description="承办岗位（岗位标识）")
    split: str = Field(
        default="", description="职权划分说明：同一职权由多个平行机构承担时必填，如 按地域划分"
    )


class Power(Record):
    """职权 (权责清单事项): one item of the power list."""

    kind_name: ClassVar[str] = "powers"
    label: ClassVar[str] = "职权"

    code: Text = Field(description="事项编码")
    name: Text = Field(description="事项名称")
    category: PowerCategory = Field(description="职权类别")
    basis: list[ArticleRef] = Field(min_length=1, description="设定依据（条款）")
    holders: list[Holder] = Field(min_length=1, description="实施主体及承办机构、岗位")
    duties: list[Text] = Field(min_length=1, description="责任事项")
    liability: list[Text] = Field(min_length=1, description="追责情形")
    procedure: Slug | None = Field(default=None, description="执法程序（程序标识）")
    benchmark: Slug | None = Field(default=None, description="裁量基准（基准标识），处罚类建议填写")
    statutory_limit_days: int | None = Field(default=None, ge=1, description="法定办理时限（日）")
    promised_limit_days: int | None = Field(default=None, ge=1, description="承诺办理时限（日）")
    limit_note: str = Field(default="", description="时限说明，如 工作日或自然日、起算点")
    description: str = Field(default="", description="事项说明（Markdown）")

    # The holders' body ids as a set, made on first use: a province's power may have a
    # thousand holders, and every decision asks whether its body is one.
    _holder_ids: frozenset[str] | None = PrivateAttr(default=None)

    def held_by(self, body_id: str) -> bool:
        holder_ids: frozenset[str] | None = _private(self, "_holder_ids")
        if holder_ids is None:
            self._holder_ids = holder_ids = frozenset(holder.body for holder in self.holders)
        return body_id in holder_ids


# --- procedure (执法程序) ----------------------------------------------------------------


class Branch(Part):
    """A conditional jump from a step (e.g. 不予处罚 → 结案)."""

    condition: Text = Field(description="条件")
    goto: Slug = Field(description="跳转到的环节（环节标识）")


class Step(Part):
    """One step of a procedure."""

    id: Slug = Field(description="环节标识，在本程序内唯一")
    name: Text = Field(description="环节名称，如 立案")
    description: Text = Field(description="做什么")
    actor: Text = Field(description="由谁办理")
    time_limit: str = Field(default="", description="时限（文字），如 7个工作日内")
    time_limit_days: int | None = Field(default=None, ge=0, description="时限天数，便于统计")
    documents: list[Text] = Field(default_factory=list, description="形成的文书")
    condition: str = Field(default="", description="仅在此条件下进行，如 当事人要求听证")
    branches: list[Branch] = Field(default_factory=list, description="分支")
    basis: list[ArticleRef] = Field(default_factory=list, description="依据条款")


class Remedy(Part):
    """A remedy open to the party (救济途径)."""

    kind: Literal["行政复议", "行政诉讼"] = Field(description="行政复议 / 行政诉讼")
    deadline: Text = Field(description="期限，如 收到决定书之日起60日内")
    deadline_days: int = Field(ge=1, description="期限天数（6个月写180）")
    where: Text = Field(description="向谁提出")


class Procedure(Record):
    """执法程序: the steps of an enforcement procedure, shown as a flowchart."""

    kind_name: ClassVar[str] = "procedures"
    label: ClassVar[str] = "执法程序"

    name: Text = Field(description="程序名称，如 行政处罚一般程序")
    description: str = Field(default="", description="适用范围说明")
    steps: list[Step] = Field(min_length=1, description="环节，按先后顺序")
    remedies: list[Remedy] = Field(default_factory=list, description="救济途径")


# --- discretion benchmark (裁量基准) -----------------------------------------------------


class FineRange(Part):
    """The fine allowed at a level."""

    min: Decimal = Field(ge=0, description="下限")
    max: Decimal = Field(ge=0, description="上限")
    unit: FineUnit = Field(
        description="计量：元（总额）/ 元/人（按受侵害劳动者人数）/ 倍（应缴或违法所得数额的倍数）"
    )


class BenchmarkLevel(Part):
    """One level of a benchmark, with its conditions and allowed range."""

    level: DiscretionLevel = Field(description="裁量阶次：不予处罚 / 轻微 / 一般 / 较重 / 严重")
    conditions: list[Text] = Field(min_length=1, description="适用情形")
    fine: FineRange | None = Field(default=None, description="罚款幅度；不罚款的阶次省略")
    other_penalties: list[Text] = Field(default_factory=list, description="其他处罚，如 警告")


class Benchmark(Record):
    """裁量基准: levels and ranges for one penalty power."""

    kind_name: ClassVar[str] = "benchmarks"
    label: ClassVar[str] = "裁量基准"

    name: Text = Field(description="基准名称")
    power: Slug = Field(description="适用职权（职权标识）")
    basis: list[ArticleRef] = Field(min_length=1, description="处罚依据条款")
    issued_by: Text = Field(description="制定机关")
    effective: dt.date = Field(description="施行日期")
    levels: list[BenchmarkLevel] = Field(min_length=1, description="裁量阶次")


# --- decision (执法决定) -----------------------------------------------------------------


class Party(Part):
    """当事人. A natural person's name is shown masked on the site (张某)."""

    name: Text = Field(description="名称或姓名（自然人姓名在网站上显示为 张某）")
    kind: PartyKind = Field(description="类别：法人及非法人组织 / 自然人 / 个体工商户")
    uscc: Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{18}$")] | None = Field(
        default=None, description="统一社会信用代码；法人、个体工商户有则必填"
    )
    legal_representative: str = Field(default="", description="法定代表人（负责人）姓名")


class Discretion(Part):
    """The discretion level applied (适用的裁量阶次)."""

    level: DiscretionLevel = Field(description="适用的裁量阶次")
    reason: str = Field(default="", description="理由")


class Outcome(Part):
    """What was decided (处罚类别、处罚内容 or the licence / inspection result)."""

    categories: list[Text] = Field(min_length=1, description="类别，如 罚款、警告、准予许可、责令改正")
    content: Text = Field(description="决定内容")
    fine_amount: Decimal | None = Field(default=None, ge=0, description="罚款金额（元）")
    confiscated_amount: Decimal | None = Field(default=None, ge=0, description="没收违法所得（元）")
    affected_persons: int | None = Field(
        default=None, ge=1, description="受侵害劳动者人数（按人计罚时必填）"
    )
    base_amount: Decimal | None = Field(
        default=None, ge=0, description="计罚基数（元），如 欠缴数额（按倍数计罚时必填）"
    )
    licence_number: str = Field(default="", description="许可证编号（许可决定）")
    licence_valid_to: dt.date | None = Field(default=None, description="许可有效期至")


class LegalReview(Part):
    """法制审核 of a major decision."""

    reviewer: Slug = Field(description="法制审核人员（执法人员标识）")
    date: dt.date = Field(description="审核日期，不得晚于决定日期")
    passed: bool = Field(description="审核是否通过")
    opinion: Text = Field(description="审核意见")


class CaseStep(Part):
    """One step of the case as it was done (办理过程), for the procedure evaluation."""

    step: Slug = Field(description="程序环节（所用职权的执法程序中的环节标识，如 li-an）")
    date: dt.date = Field(description="办理日期")


class Decision(Record):
    """执法决定: a decision with every 双公示 field."""

    kind_name: ClassVar[str] = "decisions"
    label: ClassVar[str] = "执法决定"
    hashed_when_set: ClassVar[frozenset[str]] = frozenset({"steps"})

    document_number: Text = Field(description="决定书文号，如 东人社监罚〔2025〕15号")
    type: PowerCategory = Field(description="决定类别，与所用职权的类别一致")
    body: Slug = Field(description="作出决定的执法主体（主体标识）")
    power: Slug = Field(description="所用职权（职权标识）")
    party: Party = Field(description="当事人")
    facts: Text = Field(description="违法事实或主要事实")
    articles_violated: list[ArticleRef] = Field(default_factory=list, description="违反的条款")
    articles_applied: list[ArticleRef] = Field(min_length=1, description="作出决定依据的条款")
    discretion: Discretion | None = Field(default=None, description="适用的裁量阶次（处罚类）")
    outcome: Outcome = Field(description="决定内容")
    decision_date: dt.date = Field(description="决定日期")
    officers: list[Slug] = Field(min_length=1, description="承办执法人员（执法人员标识），至少两名")
    major: bool = Field(default=False, description="是否重大执法决定")
    legal_review: LegalReview | None = Field(default=None, description="法制审核（重大执法决定必填）")
    publicity_end: dt.date = Field(description="公示截止期")
    note: str = Field(default="", description="备注（公开）")
    steps: list[CaseStep] = Field(
        default_factory=list,
        description="办理过程：已办理的程序环节及日期（选填；填写后按程序时限评议考核）",
    )


# --- correction / withdrawal (更正 / 撤回) ------------------------------------------------


class Review(Part):
    """The second person's review of a correction."""

    reviewer: Slug = Field(description="审核人（执法人员标识），须有公示审核人员角色且非申请人")
    date: dt.date = Field(description="审核日期")
    outcome: ReviewOutcome = Field(description="批准 / 驳回")
    note: Text = Field(description="审核意见")
    approved_hash: str = Field(default="", description="批准时记录内容的哈希，由 gongshi review 写入")


class Correction(Record):
    """更正 / 撤回: a reviewed change to, or withdrawal of, a published record."""

    kind_name: ClassVar[str] = "corrections"
    label: ClassVar[str] = "更正与撤回"
    has_page: ClassVar[bool] = False

    record: Annotated[str, StringConstraints(pattern=r"^[a-z]+/[a-z0-9-]+$")] = Field(
        description="被更正或撤回的记录，如 decisions/dhrs-2025-jc-001"
    )
    kind: CorrectionKind = Field(description="更正 / 撤回")
    cause: WithdrawalCause | None = Field(
        default=None, description="撤回原因类别：变更 / 撤销 / 确认违法 / 确认无效 / 公示期满 / 其他"
    )
    event_date: dt.date | None = Field(default=None, description="引起撤回的事件日期（撤回必填）")
    reason: Text = Field(description="向公众说明的理由")
    requested_by: Slug = Field(description="申请人（执法人员标识）")
    requested_on: dt.date = Field(description="申请日期")
    review: Review | None = Field(default=None, description="审核，由 gongshi review 写入")


# --- administrative review or lawsuit (复议诉讼) -----------------------------------------


class Appeal(Record):
    """复议诉讼: an administrative review (行政复议) or lawsuit (行政诉讼) against a decision."""

    kind_name: ClassVar[str] = "appeals"
    label: ClassVar[str] = "复议诉讼"
    has_page: ClassVar[bool] = False

    decision: Slug = Field(description="被申请复议或被起诉的执法决定（决定标识）")
    kind: AppealKind = Field(description="行政复议 / 行政诉讼")
    organ: Text = Field(description="复议机关或人民法院，如 西山市人民政府")
    filed_on: dt.date = Field(description="受理日期")
    result: AppealResult = Field(
        description="结果：审理中 / 维持 / 驳回 / 撤销 / 部分撤销 / 变更 / 确认违法 / 确认无效 / "
                    "责令履行 / 申请人撤回 / 调解 / 和解 / 终止"
    )
    concluded_on: dt.date | None = Field(default=None, description="复议决定或裁判日期，审理中省略")
    document_number: str = Field(default="", description="复议决定书或裁判文书文号")
    note: str = Field(default="", description="说明（公开）")

    @property
    def reversing(self) -> bool:
        """Whether the result finds the decision wrong (纠错)."""
        return self.result in REVERSING_RESULTS


# --- free page ---------------------------------------------------------------------------


class Page(Record):
    """A free Markdown page (about, how to complain, how to appeal, privacy notice)."""

    kind_name: ClassVar[str] = "pages"
    label: ClassVar[str] = "页面"

    title: Text = Field(description="页面标题")
    order: int = Field(default=100, description="在“关于”栏目中的顺序，小的在前")
    body_markdown: str = Field(default="", description="正文（Markdown，文件中 --- 之后的部分）")


RECORD_TYPES: tuple[type[Record], ...] = (
    Body, Officer, LegalBasis, Power, Procedure, Benchmark, Decision, Correction, Appeal, Page,
)
BY_FOLDER: dict[str, type[Record]] = {t.kind_name: t for t in RECORD_TYPES}


def record_type_for(folder: str) -> type[Record] | None:
    return BY_FOLDER.get(folder)


def field_names(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def describe(model: type[BaseModel]) -> dict[str, Any]:
    return {name: f.description for name, f in model.model_fields.items()}
