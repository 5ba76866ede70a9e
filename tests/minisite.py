"""A small, valid content tree that tests copy and then break one way at a time.

Every rule test starts from `GOOD` (which passes every check) and changes one thing, so a
failing assertion points at exactly one rule.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

from generator.build import Project
from generator.build import check as run_check
from generator.problems import Problem

AS_OF = dt.date(2026, 1, 15)

GOOD: dict[str, str] = {
    "content/bodies/city.yml": """
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
        supervision:
          - channel: 电话
            value: '12333'
        units:
          - id: jiancha
            name: 劳动保障监察科
            posts:
              - id: jianchayuan
                name: 监察员岗
          - id: fagui
            name: 法规科
    """,
    "content/bodies/agent.yml": """
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
          powers: [inspect]
          valid_from: 2024-01-01
        supervision:
          - channel: 电话
            value: 0999-12345600
    """,
    "content/officers/wang.yml": """
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
    "content/officers/li.yml": """
        id: li
        name: 李二
        body: city
        unit: jiancha
        certificate_number: '99010020190002'
        issuer: 示例省人民政府
        field: 劳动保障监察
        region: 东湖市
        valid_from: 2023-01-01
        valid_to: 2028-12-31
        status: 有效
    """,
    "content/officers/zhao.yml": """
        id: zhao
        name: 赵三
        body: city
        unit: jiancha
        certificate_number: '99010020190003'
        issuer: 示例省人民政府
        field: 劳动保障监察
        region: 东湖市
        valid_from: 2020-01-01
        valid_to: 2024-12-31
        status: 有效
    """,
    "content/officers/chen.yml": """
        id: chen
        name: 陈四
        body: city
        unit: fagui
        certificate_number: '99010020190004'
        issuer: 示例省人民政府
        field: 劳动保障监察
        region: 东湖市
        valid_from: 2023-01-01
        valid_to: 2028-12-31
        status: 有效
        roles: [执法人员, 法制审核人员]
    """,
    "content/officers/sun.yml": """
        id: sun
        name: 孙五
        body: agent
        certificate_number: '99010020190005'
        issuer: 示例省人民政府
        field: 劳动保障监察
        region: 东湖市
        valid_from: 2023-01-01
        valid_to: 2028-12-31
        status: 有效
    """,
    "content/officers/zhou.yml": """
        id: zhou
        name: 周六
        body: agent
        certificate_number: '99010020190006'
        issuer: 示例省人民政府
        field: 劳动保障监察
        region: 东湖市
        valid_from: 2023-01-01
        valid_to: 2028-12-31
        status: 有效
    """,
    "content/laws/lir.yml": """
        id: lir
        title: 劳动保障监察条例
        level: 行政法规
        issuer: 国务院
        promulgated: 2004-11-01
        effective: 2004-12-01
        status: 现行有效
        source: 测试
        articles:
          - number: 第十五条
            text: 劳动保障行政部门实施劳动保障监察，有权采取下列调查、检查措施。
          - number: 第二十五条
            text: 用人单位违反劳动保障法律、法规或者规章延长劳动者工作时间的，由劳动保障行政部门给予警告。
    """,
    "content/laws/old.yml": """
        id: old
        title: 禁止使用童工规定（1991年）
        level: 行政法规
        issuer: 国务院
        promulgated: 1991-04-15
        effective: 1991-04-15
        status: 已废止
        repealed: 2002-12-01
        source: 测试
        articles:
          - number: 第一条
            text: 测试条文。
    """,
    "content/procedures/ordinary.yml": """
        id: ordinary
        name: 行政处罚一般程序
        steps:
          - id: open
            name: 立案
            description: 决定立案
            actor: 承办机构
            branches:
              - condition: 违法事实不成立
                goto: close
          - id: close
            name: 结案
            description: 结案归档
            actor: 承办机构
        remedies:
          - kind: 行政复议
            deadline: 60日内
            deadline_days: 60
            where: 东湖市人民政府
    """,
    "content/powers/overtime.yml": """
        id: overtime
        code: RS-CF-001
        name: 对用人单位违法延长劳动者工作时间的行政处罚
        category: 行政处罚
        basis: ['lir#第二十五条']
        holders:
          - body: city
            unit: jiancha
        duties: [立案责任]
        liability: [不履行职责的]
        procedure: ordinary
        benchmark: overtime-bm
    """,
    "content/powers/inspect.yml": """
        id: inspect
        code: RS-JC-001
        name: 劳动保障监察日常巡视检查
        category: 行政检查
        basis: ['lir#第十五条']
        holders:
          - body: city
            unit: jiancha
          - body: agent
        duties: [检查责任]
        liability: [不履行职责的]
    """,
    "content/benchmarks/overtime-bm.yml": """
        id: overtime-bm
        name: 违法延长工作时间处罚裁量基准
        power: overtime
        basis: ['lir#第二十五条']
        issued_by: 示例省人力资源和社会保障厅
        effective: 2024-01-01
        levels:
          - level: 轻微
            conditions: [受侵害劳动者10人以下]
            fine: {min: 100, max: 200, unit: 元/人}
          - level: 一般
            conditions: [受侵害劳动者11人以上]
            fine: {min: 200, max: 350, unit: 元/人}
    """,
    "content/decisions/2025/d1.yml": """
        id: d1
        document_number: 东人社监罚〔2025〕1号
        type: 行政处罚
        body: city
        power: overtime
        party:
          name: 东湖市启航建筑劳务有限公司
          kind: 法人及非法人组织
          uscc: 91990100MA0000001G
          legal_representative: 周某
        facts: 经查，该单位安排劳动者12名每月加班超过36小时。
        articles_violated: ['lir#第二十五条']
        articles_applied: ['lir#第二十五条']
        discretion:
          level: 一般
        outcome:
          categories: [警告, 罚款]
          content: 警告，并处罚款人民币3600元。
          fine_amount: 3600
          affected_persons: 12
        decision_date: 2025-06-10
        officers: [wang, li]
        major: true
        legal_review:
          reviewer: chen
          date: 2025-06-05
          passed: true
          opinion: 同意
        publicity_end: 2028-06-10
    """,
    "content/decisions/2025/d2.yml": """
        id: d2
        document_number: 东人社监检〔2025〕2号
        type: 行政检查
        body: agent
        power: inspect
        party:
          name: 张小明
          kind: 自然人
        facts: 经检查，当事人未发现违法行为。
        articles_applied: ['lir#第十五条']
        outcome:
          categories: [未发现违法]
          content: 未发现违法行为。
        decision_date: 2025-07-01
        officers: [sun, zhou]
        publicity_end: 2026-07-01
    """,
    "content/pages/about.md": """
        ---
        id: about
        title: 关于本平台
        ---
        本平台是演示用的虚构执法公示平台。
    """,
}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def problems(root: Path, as_of: dt.date = AS_OF) -> list[Problem]:
    _, report = run_check(Project(root), as_of)
    return list(report)


def edit(root: Path, name: str, old: str, new: str) -> None:
    """Replace one snippet in a fixture file; fails loudly if the snippet is not there."""
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(root: Path, name: str, snippet: str) -> int:
    lines = (root / name).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if snippet in line)
