"""The loader turns every kind of malformed file into a located message, never a traceback."""

from __future__ import annotations

from pathlib import Path

from generator import loader
from tests.minisite import edit, line_of, problems, write_tree


def only(found: list, **match: object) -> list:
    return [p for p in found if all(getattr(p, k) == v for k, v in match.items())]


def test_good_tree_has_no_problem(good: Path) -> None:
    assert problems(good) == []


def test_unknown_field_suggests_the_close_name(good: Path) -> None:
    name = "content/decisions/2025/d1.yml"
    edit(good, name, "decision_date:", "decison_date:")
    found = only(problems(good), file=name, field="decison_date")
    assert len(found) == 1
    assert found[0].line == line_of(good, name, "decison_date")
    assert "unknown field `decison_date`" in found[0].message
    assert "did you mean `decision_date`" in found[0].hint
    # the misspelt field is the missing one: one message, not a second "missing" one
    assert only(problems(good), file=name) == found


def test_missing_required_field_names_it_and_its_meaning(good: Path) -> None:
    name = "content/officers/wang.yml"
    edit(good, name, "issuer: 示例省人民政府\n", "")
    (problem,) = only(problems(good), file=name)
    assert problem.field == "issuer"
    assert "required field `issuer` is missing (发证机关" in problem.message
    assert "gongshi new officers" in problem.hint


def test_wrong_type_says_to_quote(good: Path) -> None:
    name = "content/officers/wang.yml"
    edit(good, name, "'99010020190001'", "99010020190001")
    (problem,) = only(problems(good), file=name)
    assert problem.field == "certificate_number"
    assert problem.line == line_of(good, name, "certificate_number")
    assert "must be text" in problem.message and "quotes" in problem.hint


def test_bad_choice_lists_the_allowed_values(good: Path) -> None:
    name = "content/officers/wang.yml"
    edit(good, name, "status: 有效", "status: 有小")
    (problem,) = only(problems(good), file=name)
    assert problem.field == "status" and "'暂扣'" in problem.hint


def test_malformed_yaml_gives_line_and_no_traceback(good: Path) -> None:
    name = "content/powers/overtime.yml"
    edit(good, name, "duties: [立案责任]", "duties: [立案责任")
    found = only(problems(good), file=name)
    assert len(found) == 1 and "malformed YAML" in found[0].message
    assert "starts on line" in found[0].message
    assert found[0].line >= line_of(good, name, "duties")
    # the decision citing the broken power is not also flagged as dangling
    assert not [p for p in problems(good) if "no powers record" in p.message]


def test_an_impossible_date_is_a_located_problem_not_a_traceback(good: Path) -> None:
    name = "content/decisions/2025/d1.yml"
    edit(good, name, "decision_date: 2025-06-10", "decision_date: 2025-02-30")
    (problem,) = only(problems(good), file=name)
    assert problem.message.startswith("`2025-02-30` is not a date")
    assert problem.line == line_of(good, name, "decision_date") and "YYYY-MM-DD" in problem.hint


def test_duplicate_key_is_not_silently_dropped(good: Path) -> None:
    name = "content/officers/li.yml"
    edit(good, name, "name: 李二\n", "name: 李二\nname: 李贰\n")
    (problem,) = only(problems(good), file=name)
    assert "appears twice" in problem.message and problem.line == 3


def test_duplicate_id_points_at_both_files(good: Path) -> None:
    write_tree(good, {"content/officers/li-copy.yml": (good / "content/officers/li.yml").read_text()})
    found = [p for p in problems(good) if "duplicate id" in p.message]
    assert len(found) == 1
    assert found[0].file.endswith("officers/li.yml") or found[0].file.endswith("li-copy.yml")
    assert "uses it already" in found[0].message


def test_record_in_the_wrong_folder_says_where_it_belongs(good: Path) -> None:
    source = good / "content/decisions/2025/d2.yml"
    target = good / "content/officers/d2.yml"
    target.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    source.unlink()
    (problem,) = only(problems(good), file="content/officers/d2.yml")
    assert "looks like a 执法决定" in problem.message
    assert problem.hint == "move it to content/decisions/2025/"


def test_decision_in_the_wrong_year_folder(good: Path) -> None:
    (good / "content/decisions/2025/d2.yml").rename(good / "content/decisions/2024-d2.yml")
    (problem,) = only(problems(good), file="content/decisions/2024-d2.yml", severity="error")
    assert "a decision of 2025 is filed in the wrong folder" in problem.message
    assert problem.hint == "move the file to content/decisions/2025/2024-d2.yml"


def test_unknown_folder_lists_the_record_folders(good: Path) -> None:
    write_tree(good, {"content/decision/x.yml": "id: x\n"})
    (problem,) = only(problems(good), file="content/decision/x.yml")
    assert "not a record folder" in problem.message and "content/decisions/" in problem.hint


def test_empty_and_non_utf8_files(good: Path) -> None:
    (good / "content/officers/empty.yml").write_text("", encoding="utf-8")
    (good / "content/officers/gbk.yml").write_bytes("name: 王一".encode("gbk"))
    found = problems(good)
    assert only(found, file="content/officers/empty.yml")[0].message == "the file is empty"
    assert "not UTF-8" in only(found, file="content/officers/gbk.yml")[0].message


def test_every_problem_of_a_run_is_reported_together(good: Path) -> None:
    edit(good, "content/decisions/2025/d1.yml", "decision_date:", "decison_date:")
    edit(good, "content/officers/wang.yml", "status: 有效", "status: 有小")
    edit(good, "content/powers/inspect.yml", "name: 劳动", "name: [劳动")
    files = {p.file for p in problems(good)}
    assert {"content/decisions/2025/d1.yml", "content/officers/wang.yml",
            "content/powers/inspect.yml"} <= files


def test_page_front_matter_is_read(good: Path) -> None:
    from generator.loader import load

    portal, _ = load(good / "content")
    assert portal.pages["about"].title == "关于本平台"
    assert "虚构" in portal.pages["about"].body_markdown


def test_files_in_the_order_of_sorted_rglob(tmp_path: Path) -> None:
    # "a.b" sorts before "a/x" as text, after it by parts ('.' < '/')
    names = ["a.b", "a-b", "a0", "B", "b", "a/x", "a/x.yml", "a/.h/y", "a.b.d/z", "一/二", "Z/a",
             ".h", "ab/c/d/e", "a b/c"]
    for name in names:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")
    (tmp_path / "link").symlink_to(tmp_path / "ab", target_is_directory=True)
    (tmp_path / "file-link").symlink_to(tmp_path / "a-b")
    expected = [p.relative_to(tmp_path).as_posix() for p in sorted(tmp_path.rglob("*"))
                if not p.is_dir()
                and not any(part.startswith(".") for part in p.relative_to(tmp_path).parts)]
    assert list(loader._walk(str(tmp_path), "")) == expected
    assert "file-link" in expected and not any(p.startswith("link/") for p in expected)
