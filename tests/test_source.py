"""Reading YAML: the values PyYAML's safe loader gives, and the line of every field, read with
the values or again from the file when first needed."""

from __future__ import annotations

import pickle
from pathlib import Path

import yaml

from generator.source import Origin, parse_yaml, read_front_matter, read_record

SCALARS = """\
text: 东湖市
word: name
yes_word: yes
on_word: On
no_quote: '0123'
null_tilde: ~
null_word: null
empty:
zero_octal: 0123
hex: 0x1F
underscored: 1_000
negative: -12
float: 1.5e3
infinity: .inf
not_a_number: .NaN
date: 2025-03-01
short_date: 2025-3-1
timestamp: 2025-03-01 09:30:00
zoned: 2025-03-01T09:30:00+08:00
explicit: !!str 2025-03-01
explicit_int: !!int '12'
binary: !!binary aGk=
quoted: "true"
merge_like: <x
block: |
  两行
  文字
list: [1, a, 2025-01-02, ~, no]
nested:
- {a: 1, b: [x, {c: false}]}
"""


def test_values_are_the_safe_loaders() -> None:
    data, _ = parse_yaml(SCALARS, "x.yml")
    expected = yaml.safe_load(SCALARS)
    assert data == expected
    assert [type(v) for v in data.values()] == [type(v) for v in expected.values()]


def test_every_field_has_its_line() -> None:
    _, origin = parse_yaml(SCALARS, "x.yml")
    assert origin.lines[("text",)] == 1 and origin.lines[("list", 4)] == 28
    assert origin.lines[("nested", 0, "b", 1, "c")] == 30


RECORD = """\
id: d1
party:
  name: 甲公司
  kind: 法人及非法人组织
officers:
- o1
- id: o2
  roles: [执法人员, 法制审核人员]
decision_date: 2025-03-01
"""


def test_lines_read_later_from_the_file_are_the_lines_read_at_once(tmp_path: Path) -> None:
    file = tmp_path / "d1.yml"
    file.write_text(RECORD, encoding="utf-8")
    data, eager = parse_yaml(RECORD, "content/decisions/2025/d1.yml")
    lazy_data, lazy, body = read_record(file.read_bytes(), eager.path, str(file))
    assert lazy_data == data and body is None and lazy == eager
    assert lazy.lines == eager.lines
    assert eager.lines[("officers", 1, "roles", 1)] == 8
    assert lazy.line_of(("party", "kind")) == 4 and lazy.line_of(("unknown",)) == 1


def test_front_matter_lines_count_from_the_top_of_the_page(tmp_path: Path) -> None:
    text = "---\nid: about\ntitle: 关于\n---\n正文\n"
    file = tmp_path / "about.md"
    file.write_text(text, encoding="utf-8")
    data, eager, body = read_front_matter(text, "content/pages/about.md")
    lazy_data, lazy, lazy_body = read_record(file.read_bytes(), eager.path, str(file))
    assert (lazy_data, lazy_body) == (data, body) == ({"id": "about", "title": "关于"}, "正文\n")
    assert lazy.line == eager.line == 2
    assert lazy.lines == eager.lines == {("id",): 2, ("title",): 3}


def test_a_pickled_origin_leaves_out_the_lines_it_can_read_again(tmp_path: Path) -> None:
    file = tmp_path / "d1.yml"
    file.write_text(RECORD, encoding="utf-8")
    _, eager = parse_yaml(RECORD, "d1.yml")
    _, lazy, _ = read_record(file.read_bytes(), "d1.yml", str(file))
    kept = pickle.loads(pickle.dumps(eager))
    assert kept.lines == eager.lines  # no file to read them from: they travel along
    travelled = pickle.loads(pickle.dumps(lazy))
    assert travelled == lazy and travelled.file is None and travelled.lines == {}
    moved = tmp_path / "moved.yml"
    file.rename(moved)
    travelled = pickle.loads(pickle.dumps(lazy))
    travelled.file = str(moved)  # as the loader does, wherever the project now is
    assert travelled.lines == eager.lines


def test_a_copied_record_still_finds_its_lines(tmp_path: Path) -> None:
    from generator.model import Officer

    file = tmp_path / "wang.yml"
    file.write_text("id: wang\nname: 王一\n", encoding="utf-8")
    data, origin, _ = read_record(file.read_bytes(), "wang.yml", str(file))
    record = Officer.model_construct(**data).at(origin)
    for copy in (record.model_copy(), record.model_copy(deep=True)):
        assert copy.origin.line_of(("name",)) == 2


def test_a_file_that_no_longer_reads_gives_the_line_of_the_record(tmp_path: Path) -> None:
    file = tmp_path / "d1.yml"
    file.write_text(RECORD, encoding="utf-8")
    _, lazy, _ = read_record(file.read_bytes(), "d1.yml", str(file))
    file.write_text("id: [\n", encoding="utf-8")
    assert lazy.line_of(("party", "name")) == 1
    assert Origin("x.yml", 3, file=str(tmp_path / "missing.yml")).line_of(("id",)) == 3
