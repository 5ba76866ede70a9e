"""The publication ledger and gate (rule 11), walked in a temporary git repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.build import Project, check
from generator.ledger import Ledger, content_hash
from tests.minisite import edit, write_tree
from tests.repo import init_repo, run

D1 = "content/decisions/2025/d1.yml"


@pytest.fixture
def repo(good: Path) -> Path:
    return init_repo(good, "2025-06-12")


def errors(root: Path) -> list[str]:
    _, report = check(Project(root), __import__("datetime").date(2026, 1, 15))
    return [p.describe() for p in report.errors]


def approve_by_hand(repo: Path, reviewer: str) -> None:
    """A correction of d1 written by hand, approved by `reviewer` for d1's current content."""
    from generator.loader import load

    portal, _ = load(repo / "content")
    digest = content_hash(portal.decisions["d1"])
    write_tree(repo, {"content/corrections/d1-c1.yml": f"""
        id: d1-c1
        record: decisions/d1
        kind: 更正
        reason: 违法事实表述有误
        requested_by: wang
        requested_on: 2025-07-01
        review: {{reviewer: {reviewer}, date: 2025-07-02, outcome: 批准, note: 同意,
                  approved_hash: '{digest}'}}
    """})


def test_publish_records_version_1_of_every_record(repo: Path) -> None:
    lines = [json.loads(line) for line in (repo / "ledger.jsonl").read_text().splitlines()]
    refs = {line["record"] for line in lines}
    assert "decisions/d1" in refs and "officers/wang" in refs and "pages/about" in refs
    assert all(line["version"] == 1 and line["published"] == "2025-06-12"
               and line["correction"] is None for line in lines)
    assert errors(repo) == []
    # publishing again records nothing new
    assert run("publish", "--project", str(repo), "--date", "2025-06-13")[0] == 0
    assert len((repo / "ledger.jsonl").read_text().splitlines()) == len(lines)


def test_reordered_and_recommented_yaml_is_not_a_change(repo: Path) -> None:
    path = repo / D1
    lines = path.read_text(encoding="utf-8").splitlines()
    head, rest = lines[:1], lines[1:]
    top_level = [line for line in rest if line and not line.startswith(" ")]
    assert top_level  # move the first two top-level fields to the end, add comments
    reordered = ["# 重排并加注释", *head, *rest[2:], *rest[:2], "# 文末注释"]
    path.write_text("\n".join(reordered) + "\n", encoding="utf-8")
    assert errors(repo) == []


def test_an_edit_without_correction_is_refused_with_the_diff(repo: Path) -> None:
    edit(repo, D1, "fine_amount: 3600", "fine_amount: 3000")
    edit(repo, D1, "content: 警告，并处罚款人民币3600元。", "content: 警告，并处罚款人民币3000元。")
    (problem,) = errors(repo)
    assert "version 1 of decisions/d1 was published on 2025-06-12" in problem
    assert "outcome.fine_amount: “3600” → “3000”" in problem
    assert "gongshi correct decisions/d1" in problem
    code, _, err = run("build", "--project", str(repo), "--as-of", "2026-01-15")
    assert code == 1 and "Nothing was published" in err


def test_an_approved_correction_for_exactly_this_content_lets_it_through(repo: Path) -> None:
    edit(repo, D1, "facts: 经查，", "facts: 经查实，")
    approve_by_hand(repo, "chen")
    assert errors(repo) == []
    code, _, err = run("publish", "--project", str(repo), "--date", "2025-07-03")
    assert code == 0 and "published decisions/d1 version 2 (correction d1-c1)" in err
    history = Ledger.read(repo).history("decisions/d1")
    assert [(e.version, e.correction) for e in history] == [(1, None), (2, "d1-c1")]
    # an edit after the approval voids it
    edit(repo, D1, "facts: 经查实，", "facts: 经查明，")
    assert any("version 2 of decisions/d1" in e for e in errors(repo))


def test_private_values_are_masked_in_the_diff(repo: Path) -> None:
    edit(repo, "content/decisions/2025/d2.yml", "name: 张小明", "name: 张大明")
    (problem,) = errors(repo)
    assert "party.name: “张某” → “张某”" in problem
    assert "张小明" not in problem and "张大明" not in problem


def test_a_new_record_after_publication_is_a_warning_until_published(repo: Path) -> None:
    source = (repo / "content/officers/li.yml").read_text(encoding="utf-8")
    (repo / "content/officers/li2.yml").write_text(
        source.replace("id: li", "id: li2").replace("'99010020190002'", "'99010020190009'"),
        encoding="utf-8")
    _, report = check(Project(repo), __import__("datetime").date(2026, 1, 15))
    assert [p.code for p in report.warnings] == ["R11-unpublished"]


def test_a_damaged_ledger_is_an_error_not_a_traceback(repo: Path) -> None:
    with (repo / "ledger.jsonl").open("a", encoding="utf-8") as ledger:
        ledger.write("not json\n")
    assert any("ledger.jsonl" in e and "not a ledger line" in e for e in errors(repo))


def test_the_correction_workflow_with_its_refusals(repo: Path) -> None:
    project = str(repo)
    edit(repo, D1, "fine_amount: 3600", "fine_amount: 3000")
    assert any("outcome.fine_amount" in e for e in errors(repo))  # refused, with the diff

    code, _, err = run("correct", "decisions/d1", "--reason", "罚款金额录入有误",
                       "--requested-by", "wang", "--date", "2025-07-01", "--project", project)
    assert code == 0, err
    correction = repo / "content/corrections/d1-c1.yml"
    assert "reason: '罚款金额录入有误'" in correction.read_text(encoding="utf-8")

    code, _, err = run("review", "approve", "d1-c1", "--reviewer", "wang", "--note", "同意",
                       "--project", project)
    assert code == 1 and "a second person must review it" in err
    code, _, err = run("review", "approve", "d1-c1", "--reviewer", "li", "--note", "同意",
                       "--project", project)
    assert code == 1 and "does not have the 公示审核人员 role" in err
    assert "review:" not in correction.read_text(encoding="utf-8")

    code, _, err = run("review", "approve", "d1-c1", "--reviewer", "chen", "--note", "核实后同意",
                       "--date", "2025-07-02", "--project", project)
    assert code == 0, err
    assert errors(repo) == []
    assert run("publish", "--project", project, "--date", "2025-07-03")[0] == 0
    history = Ledger.read(repo).history("decisions/d1")
    assert [(e.version, e.correction) for e in history] == [(1, None), (2, "d1-c1")]

    # reviewed once: a second review is refused; an edit after approval is refused again
    code, _, err = run("review", "reject", "d1-c1", "--reviewer", "chen", "--note", "x",
                       "--project", project)
    assert code == 1 and "reviewed already" in err
    edit(repo, D1, "fine_amount: 3000", "fine_amount: 3300")
    assert any("version 2 of decisions/d1" in e for e in errors(repo))


def test_a_hand_written_review_by_the_requester_does_not_count(repo: Path) -> None:
    edit(repo, D1, "facts: 经查，", "facts: 经查实，")
    approve_by_hand(repo, "wang")
    found = errors(repo)
    assert any("this review does not count" in e for e in found)
    assert any("version 1 of decisions/d1" in e for e in found)


def test_a_change_late_in_a_long_text_is_shown_where_it_is(good: Path) -> None:
    long_facts = ("经查，该单位安排劳动者12名每月加班超过36小时，本局于2025年5月4日责令其限期改正，"
                  "该单位逾期未改正。")
    edit(good, D1, "facts: 经查，该单位安排劳动者12名每月加班超过36小时。", f"facts: {long_facts}")
    init_repo(good, "2025-06-12")
    edit(good, D1, "2025年5月4日", "2025年5月14日")
    (problem,) = errors(good)
    assert "“…时，本局于2025年5月4日责令其限期改正，该单…” → " \
           "“…时，本局于2025年5月14日责令其限期改正，该单…”" in problem


def test_a_published_correction_is_never_edited(repo: Path) -> None:
    edit(repo, D1, "facts: 经查，", "facts: 经查实，")
    approve_by_hand(repo, "chen")
    assert run("publish", "--project", str(repo), "--date", "2025-07-03")[0] == 0
    assert "corrections/d1-c1" in {e.record for e in Ledger.read(repo).entries}
    edit(repo, "content/corrections/d1-c1.yml", "reason: 违法事实表述有误", "reason: 笔误")
    (problem,) = errors(repo)
    assert "content/corrections/d1-c1.yml" in problem and "is never edited" in problem


def test_deleting_a_published_record_is_refused(repo: Path) -> None:
    (repo / "content/decisions/2025/d2.yml").unlink()
    (problem,) = errors(repo)
    assert problem.startswith("ledger.jsonl:")
    assert "decisions/d2 was published (version 1, 2025-06-12) and its file is gone" in problem
    assert "gongshi correct decisions/d2 --withdraw" in problem


def test_a_renamed_record_keeps_its_history_and_needs_a_correction(repo: Path) -> None:
    path = repo / D1
    text = path.read_text(encoding="utf-8").replace("id: d1\n", "id: d1-renamed\nformer_ids: [d1]\n")
    path.unlink()
    (repo / "content/decisions/2025/d1-renamed.yml").write_text(text, encoding="utf-8")
    (problem,) = errors(repo)  # not "gone": renamed, but its content changed (the id)
    assert "version 1 of decisions/d1-renamed was published on 2025-06-12" in problem
    from generator.loader import load

    portal, _ = load(repo / "content")
    digest = content_hash(portal.decisions["d1-renamed"])
    write_tree(repo, {"content/corrections/d1-renamed-c1.yml": f"""
        id: d1-renamed-c1
        record: decisions/d1-renamed
        kind: 更正
        reason: 统一文书编号规则
        requested_by: wang
        requested_on: 2025-07-01
        review: {{reviewer: chen, date: 2025-07-02, outcome: 批准, note: 同意,
                  approved_hash: '{digest}'}}
    """})
    assert errors(repo) == []
    assert run("publish", "--project", str(repo), "--date", "2025-07-03")[0] == 0
    assert [(e.record, e.version) for e in Ledger.read(repo).history("decisions/d1-renamed")] == [
        ("decisions/d1-renamed", 2)]


def test_the_ledger_read_again_after_each_change_is_the_ledger_read_whole(repo: Path) -> None:
    """A warm build process reads again only the ledger lines it has not seen
    (`ledger._parse_again`): lines added among the others, removed, changed, twice, broken,
    the file gone and back, it gives what reading the whole file gives."""
    from generator import ledger as module

    path = repo / "ledger.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 4
    new = json.loads(lines[1])
    added = json.dumps({**new, "record": new["record"] + "x", "hash": "sha256:0"},
                       ensure_ascii=False, sort_keys=True)
    version_2 = json.dumps({**new, "version": 2, "hash": "sha256:1", "correction": "c1"},
                           ensure_ascii=False, sort_keys=True)
    steps = [
        [lines[0], added, *lines[1:]],
        [lines[0], added, *lines[1:], version_2],
        [*lines, version_2],  # one gone
        [lines[0], lines[0], *lines[1:]],  # twice
        [*lines[:2], "", *lines[2:], added],  # a blank line
        [*lines[:2], "{broken", *lines[2:]],
        [*lines, added],
        None,  # the file gone
        lines,
    ]
    before = module._parse_again(path, None)
    for number, step in enumerate(steps):
        if step is None:
            path.unlink()
        else:
            path.write_text("".join(f"{line}\n" for line in step), encoding="utf-8")
        whole = module._parse(path)
        again = module._parse_again(path, before)
        assert again[0] == whole, f"after change {number}"
        if isinstance(whole, tuple):
            histories = whole[2]
            assert isinstance(again[0], tuple) and list(again[0][0]) == list(whole[0])
            assert {ref: list(found) for ref, found in again[0][2].items()} == histories
            assert histories == Ledger(path, list(whole[0])).histories()
        before = again
