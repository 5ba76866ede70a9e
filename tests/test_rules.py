"""Each rule of DOMAIN.md: the small valid tree passes it; one edit breaks it, with a located
message. Rule numbers follow DOMAIN.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.minisite import AS_OF, edit, line_of, problems, write_tree

D1 = "content/decisions/2025/d1.yml"
D2 = "content/decisions/2025/d2.yml"


def codes(root: Path, **kwargs: object) -> list[tuple[str, str, str]]:
    return [(p.code, p.file, p.field) for p in problems(root, **kwargs)]  # type: ignore[arg-type]


def one(root: Path, code: str) -> object:
    found = [p for p in problems(root) if p.code == code]
    assert len(found) == 1, [p.describe() for p in problems(root)]
    return found[0]


# --- rule 1: references and codes ----------------------------------------------------------

def test_rule1_dangling_officer_reference(good: Path) -> None:
    edit(good, D1, "officers: [wang, li]", "officers: [wang, lii]")
    problem = one(good, "R1-integrity")
    assert problem.field == "officers[1]" and "no officers record with id `lii`" in problem.message
    assert problem.hint == "did you mean `li`?"
    assert problem.line == line_of(good, D1, "officers:")


def test_rule1_article_missing_from_the_law(good: Path) -> None:
    edit(good, D1, "articles_applied: ['lir#第二十五条']", "articles_applied: ['lir#第二十六条']")
    problem = one(good, "R1-integrity")
    assert problem.field == "articles_applied[0]" and "has no 第二十六条" in problem.message


def test_rule1_uscc_check_digit(good: Path) -> None:
    edit(good, D1, "uscc: 91990100MA0000001G", "uscc: 91990100MA0000001H")
    problem = one(good, "R1-integrity")
    assert problem.field == "party.uscc" and "not a valid 统一社会信用代码" in problem.message


def test_rule1_unit_of_a_body(good: Path) -> None:
    edit(good, "content/officers/wang.yml", "unit: jiancha", "unit: jianca")
    problem = one(good, "R1-integrity")
    assert "has no unit `jianca`" in problem.message and "jiancha" in problem.hint


def test_rule1_former_id_cannot_be_a_current_id(good: Path) -> None:
    edit(good, "content/officers/wang.yml", "id: wang\n", "id: wang\nformer_ids: [li]\n")
    problem = one(good, "R1-integrity")
    assert problem.field == "former_ids[0]" and "is the id of content/officers/li.yml" in problem.message


def test_rule1_former_id_renames_are_fine(good: Path) -> None:
    edit(good, "content/officers/wang.yml", "id: wang\n", "id: wang\nformer_ids: [wang-yi]\n")
    assert problems(good) == []


# --- rule 2: 持证上岗 ------------------------------------------------------------------------

def test_rule2_expired_certificate(good: Path) -> None:
    edit(good, D1, "officers: [wang, li]", "officers: [wang, li, zhao]")
    problem = one(good, "R2-certificate")
    assert problem.field == "officers[2]" and "had expired on 2024-12-31" in problem.message


def test_rule2_suspended_from_a_date(good: Path) -> None:
    edit(good, "content/officers/li.yml", "status: 有效", "status: 暂扣\nstatus_since: 2025-06-01")
    messages = [p.message for p in problems(good) if p.code == "R2-certificate"]
    assert any("was 暂扣 since 2025-06-01" in m for m in messages)
    assert any("only 1 certified officer(s)" in m for m in messages)


def test_rule2_suspension_after_the_decision_does_not_count(good: Path) -> None:
    edit(good, "content/officers/li.yml", "status: 有效", "status: 吊销\nstatus_since: 2025-12-01")
    assert problems(good) == []


def test_rule2_two_officers_needed(good: Path) -> None:
    edit(good, D1, "officers: [wang, li]", "officers: [wang]")
    problem = one(good, "R2-certificate")
    assert "第四十二条 requires at least two" in problem.message


def test_rule2_certificate_must_be_for_the_body(good: Path) -> None:
    edit(good, D2, "officers: [sun, zhou]", "officers: [sun, wang]")
    messages = [p.message for p in problems(good) if p.code == "R2-certificate"]
    assert any("holds a certificate for `city`, not for `agent`" in m for m in messages)


# --- rule 3: 职权法定 -----------------------------------------------------------------------

def test_rule3_power_not_held_by_the_body(good: Path) -> None:
    edit(good, "content/powers/overtime.yml", "  - body: city\n    unit: jiancha\n",
         "  - body: agent\n")
    found = [p for p in problems(good) if p.code == "R3-authority"]
    assert any(p.file == D1 and "does not hold the power" in p.message for p in found)


def test_rule3_entrusted_body_outside_its_scope(good: Path) -> None:
    edit(good, "content/bodies/agent.yml", "powers: [inspect]", "powers: [overtime]")
    found = [p for p in problems(good) if p.code == "R3-authority"]
    assert any(p.file == D2 and "outside the entrusted scope" in p.message for p in found)
    assert any(p.file == "content/powers/inspect.yml" for p in found)


def test_rule3_parallel_units_without_split_warn(good: Path) -> None:
    edit(good, "content/powers/inspect.yml", "  - body: agent\n",
         "  - body: agent\n  - body: city\n    unit: fagui\n")
    problem = one(good, "R3-overlap")
    assert problem.severity == "warning" and "职权交叉" in problem.message


def test_rule3_split_stated_is_fine(good: Path) -> None:
    edit(good, "content/powers/inspect.yml", "    unit: jiancha\n  - body: agent\n",
         "    unit: jiancha\n    split: 按地域划分：城区\n  - body: agent\n"
         "  - body: city\n    unit: fagui\n    split: 按地域划分：郊区\n")
    assert problems(good) == []


# --- rule 4: basis in force -------------------------------------------------------------

def test_rule4_repealed_article(good: Path) -> None:
    edit(good, D1, "articles_applied: ['lir#第二十五条']",
         "articles_applied: ['lir#第二十五条', 'old#第一条']")
    problem = one(good, "R4-basis")
    assert problem.field == "articles_applied[1]"
    assert "was not in force on 2025-06-10: it ceased to apply on 2002-12-01" in problem.message


def test_rule4_not_yet_effective(good: Path) -> None:
    edit(good, "content/laws/lir.yml", "effective: 2004-12-01", "effective: 2025-07-01")
    found = [p for p in problems(good) if p.code == "R4-basis"]
    assert any("took effect only on 2025-07-01" in p.message for p in found)


def test_rule4_power_list_warns_after_repeal(good: Path) -> None:
    edit(good, "content/laws/lir.yml", "status: 现行有效", "status: 已废止\nrepealed: 2025-12-31")
    found = [p for p in problems(good) if p.code == "R4-basis"]
    assert {p.file for p in found} == {"content/powers/overtime.yml", "content/powers/inspect.yml"}
    assert all(p.severity == "warning" and "update the power list" in p.hint for p in found)


# --- rule 5: legal review of major decisions --------------------------------------------

def test_rule5_major_without_review(good: Path) -> None:
    text = (good / D1).read_text(encoding="utf-8")
    start = text.index("legal_review:")
    end = text.index("publicity_end:")
    (good / D1).write_text(text[:start] + text[end:], encoding="utf-8")
    problem = one(good, "R5-legal-review")
    assert "cannot be published" in problem.message and problem.field == "major"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("reviewer: chen", "reviewer: li", "does not have the 法制审核人员 role"),
        ("date: 2025-06-05", "date: 2025-06-11", "dated after the decision"),
        ("passed: true", "passed: false", "did not pass"),
    ],
)
def test_rule5_review_faults(good: Path, old: str, new: str, message: str) -> None:
    edit(good, D1, old, new)
    assert any(message in p.message for p in problems(good) if p.code == "R5-legal-review")


def test_rule5_reviewer_is_a_case_officer(good: Path) -> None:
    edit(good, "content/officers/li.yml", "status: 有效", "status: 有效\nroles: [执法人员, 法制审核人员]")
    edit(good, D1, "reviewer: chen", "reviewer: li")
    problem = one(good, "R5-legal-review")
    assert "one of the case officers" in problem.message


# --- rule 6: discretion benchmark -------------------------------------------------------

def test_rule6_fine_outside_the_level(good: Path) -> None:
    edit(good, D1, "fine_amount: 3600", "fine_amount: 5000")
    problem = one(good, "R6-discretion")
    assert "outside level 一般" in problem.message and "2,400–4,200 元" in problem.message
    assert problem.line == line_of(good, D1, "fine_amount")


def test_rule6_level_must_be_stated(good: Path) -> None:
    edit(good, D1, "discretion:\n  level: 一般\n", "")
    assert "does not state the level" in one(good, "R6-discretion").message


def test_rule6_per_person_range_needs_the_count(good: Path) -> None:
    edit(good, D1, "  affected_persons: 12\n", "")
    assert "affected_persons" in one(good, "R6-discretion").hint


# --- rule 10: privacy --------------------------------------------------------------------

def test_rule10_id_number_in_facts(good: Path) -> None:
    edit(good, D1, "经查，该单位", "经查，该单位（经办人身份证号110101199003074514）")
    problem = one(good, "R10-privacy")
    assert problem.field == "facts" and "居民身份证号" in problem.message
    assert "110101199003074514" not in problem.message and "110***********4514" in problem.message


def test_rule10_invalid_check_digit_is_not_an_id_number(good: Path) -> None:
    edit(good, D1, "经查，该单位", "经查，编号110101199003074515的单位")
    assert not [p for p in problems(good) if p.code == "R10-privacy"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [("联系电话13812345678", "手机号码"), ("工资卡6222021234567890128", "银行卡号"),
     ("家庭住址：东湖市某小区", "住址"), ("该劳动者患有职业病", "健康信息")],
)
def test_rule10_other_personal_data(good: Path, text: str, kind: str) -> None:
    edit(good, D1, "经查，该单位", f"经查，{text}，该单位")
    assert kind in one(good, "R10-privacy").message


def test_rule10_natural_person_full_name_in_facts(good: Path) -> None:
    edit(good, D2, "经检查，当事人", "经检查，张小明")
    problem = one(good, "R10-privacy")
    assert problem.field == "facts" and "张某" in problem.hint


def test_rules_use_the_as_of_date(good: Path) -> None:
    edit(good, "content/laws/lir.yml", "status: 现行有效", "status: 已废止\nrepealed: 2030-01-01")
    assert problems(good, as_of=AS_OF) == []
    assert [p.code for p in problems(good, as_of=__import__("datetime").date(2030, 1, 2))] == [
        "R4-basis", "R4-basis"]


def test_fixture_tree_is_self_contained(tmp_path: Path) -> None:
    from tests.minisite import GOOD

    root = write_tree(tmp_path, GOOD)
    assert (root / D1).exists() and problems(root) == []
