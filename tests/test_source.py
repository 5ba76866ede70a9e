"""Reading YAML: the values PyYAML's safe loader gives, and the line of every field."""

from __future__ import annotations

import yaml

from generator.source import parse_yaml

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
