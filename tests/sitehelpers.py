"""A tiny content tree with every record type, for the site tests (tests/test_site.py).

It holds the cases the site must get right: a natural person party (masked), a script in the
facts (escaped), an expired certificate, a repealed law, and 60 decisions in one year (so
the year list needs two pages).
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

AS_OF = dt.date(2025, 6, 30)
PERSON = "张三丰"
SCRIPT = "<script>alert(1)</script>"

RECORDS: dict[str, str] = {
    "bodies/city.yml": """
        id: city
        name: 东湖市人力资源和社会保障局
        kind: 行政机关
        region_code: '990100'
        region_name: 东湖市
        uscc: 11990100MB0000001T
        head: 李明远
        address: 东湖市人民路1号
        phone: 0999-12345678
        office_hours: 工作日 9:00-17:00
        website: javascript:alert(1)
        description: "本局负责劳动保障监察。<b>不是标签</b> [投诉](complaint.md)"
        supervision:
          - channel: 电话
            value: '12333'
        units:
          - id: jiancha
            name: 劳动保障监察科
            posts:
              - id: jianchayuan
                name: 监察员岗
    """,
    "bodies/agent.yml": """
        id: agent
        name: 东湖市劳动保障监察服务中心
        kind: 受委托组织
        parent: city
        region_code: '990100'
        region_name: 东湖市
        uscc: 12990100MB0000003X
        head: 赵平
        address: 东湖市人民路3号
        phone: 0999-12345679
        office_hours: 工作日 9:00-17:00
        entrustment:
          entrusted_by: city
          document: 东人社委〔2024〕1号
          powers: [overtime]
          valid_from: 2024-01-01
        supervision:
          - channel: 电话
            value: 0999-12345600
    """,
    "officers/wang.yml": """
        id: wang
        name: 王一
        body: city
        unit: jiancha
        certificate_number: '99010020190001'
        issuer: 示例省人民政府
        field: 劳动保障监察
        region: 东湖市
        valid_from: 2023-01-01
        valid_to: 2028-12-31
        status: 有效
    """,
    "officers/li.yml": """
        id: li
        name: 李二
        body: city
        certificate_number: '99010020190002'
        issuer: 示例省人民政府
        field: 劳动保障监察
        region: 东湖市
        valid_from: 2023-01-01
        valid_to: 2028-12-31
        status: 有效
        roles: [执法人员, 法制审核人员]
    """,
    "officers/zhao.yml": """
        id: zhao
        name: 赵三
        body: city
        certificate_number: '99010020190003'
        issuer: 示例省人民政府
        field: 劳动保障监察
        region: 东湖市
        valid_from: 2020-01-01
        valid_to: 2024-12-31
        status: 有效
    """,
    "officers/sun.yml": """
        id: sun
        name: 孙五
        body: agent
        certificate_number: '99010020190005'
        issuer: 示例省人民政府
        field: 劳动保障监察
        region: 东湖市
        valid_from: 2023-01-01
        valid_to: 2028-12-31
        status: 吊销
        status_since: 2025-03-01
    """,
    "laws/lir.yml": """
        id: lir
        title: 劳动保障监察条例
        level: 行政法规
        issuer: 国务院
        promulgated: 2004-11-01
        effective: 2004-12-01
        status: 现行有效
        source: 测试
        history:
          - kind: 立
            date: 2004-11-01
            note: 国务院令第423号公布
        articles:
          - number: 第十五条
            text: 劳动保障行政部门实施劳动保障监察，有权采取下列调查、检查措施。
          - number: 第二十五条
            text: 用人单位违反劳动保障法律、法规或者规章延长劳动者工作时间的，由劳动保障行政部门给予警告。
    """,
    "laws/old.yml": """
        id: old
        title: 禁止使用童工规定（1991年）
        level: 行政法规
        issuer: 国务院
        promulgated: 1991-04-15
        effective: 1991-04-15
        status: 已废止
        repealed: 2002-12-01
        replaced_by: lir
        source: 测试
        articles:
          - number: 第一条
            text: 测试条文。
    """,
    "procedures/ordinary.yml": """
        id: ordinary
        name: 行政处罚一般程序
        steps:
          - id: open
            name: 立案"]; click
            description: 决定立案
            actor: 承办机构
            branches:
              - condition: 违法事实不成立（撤案）
                goto: close
          - id: hearing
            name: 听证
            description: 组织听证
            actor: 法制机构
            condition: 当事人要求听证
          - id: close
            name: 结案
            description: 结案归档
            actor: 承办机构
        remedies:
          - kind: 行政复议
            deadline: 收到决定书之日起60日内
            deadline_days: 60
            where: 东湖市人民政府
    """,
    "powers/overtime.yml": """
        id: overtime
        code: RS-CF-001
        name: 对用人单位违法延长劳动者工作时间的行政处罚
        category: 行政处罚
        basis: ['lir#第二十五条']
        holders:
          - body: city
            unit: jiancha
        duties: [立案责任]
        liability: [不依法立案的]
        procedure: ordinary
        benchmark: overtime-benchmark
    """,
    "benchmarks/overtime-benchmark.yml": """
        id: overtime-benchmark
        name: 违法延长工作时间行政处罚裁量基准
        power: overtime
        basis: ['lir#第二十五条']
        issued_by: 东湖市人力资源和社会保障局
        effective: 2024-01-01
        levels:
          - level: 一般
            conditions: [受侵害劳动者10人以下]
            fine: {min: 100, max: 300, unit: 元/人}
    """,
    "pages/complaint.md": """
        ---
        title: 我要投诉
        order: 1
        ---
        拨打 12333。<script>alert(2)</script> 见[关于](privacy.md)。
    """,
    "pages/privacy.md": """
        ---
        title: 隐私声明
        order: 2
        ---
        本平台不公开自然人的身份证号码。
    """,
}

DECISION = """
    id: {id}
    document_number: 东人社监罚〔2025〕{n}号
    type: 行政处罚
    body: city
    power: overtime
    party:
      name: {party}
      kind: {kind}
      uscc: {uscc}
    facts: "{facts}"
    articles_violated: ['lir#第二十五条']
    articles_applied: ['lir#第二十五条', 'lir#第九十九条']
    discretion:
      level: 一般
    outcome:
      categories: [罚款]
      content: 罚款300元
      fine_amount: 300
      affected_persons: 1
    decision_date: 2025-{month:02d}-{day:02d}
    officers: [wang, li]
    major: {major}
    publicity_end: 2028-12-31
"""


def decision(n: int, party: str = "东湖示例有限公司", kind: str = "法人及非法人组织",
             facts: str = "延长工作时间", major: bool = False) -> tuple[str, str]:
    uscc = "91990100MA00000001" if kind != "自然人" else "null"
    text = DECISION.format(id=f"d-{n:03d}", n=n, party=party, kind=kind, uscc=uscc,
                           facts=facts, month=1 + n % 5, day=1 + n % 27,
                           major="true" if major else "false")
    if major:
        text += ("legal_review: {reviewer: li, date: 2025-01-01, passed: true, "
                 "opinion: 同意}\n")
    return f"decisions/2025/d-{n:03d}.yml", text


def write_content(root: Path) -> Path:
    """Write the tree under root/content and return that folder."""
    content = root / "content"
    files = dict(RECORDS)
    files.update([decision(1, party=PERSON, kind="自然人", facts=f"{PERSON}安排加班{SCRIPT}")])
    files.update(decision(n) for n in range(2, 61))
    for name, text in files.items():
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return content
