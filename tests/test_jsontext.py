"""The fast indented JSON writer gives exactly what json.dumps gives."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from typing import Any

import pytest

from generator.render.jsontext import pretty_json

TEXTS = ["", "东湖市拓新人力资源服务有限公司", 'a"b\\c', "line\nnext\ttab", "\u2028\x00\x1f",
         "<script>alert(1)</script>", "=HYPERLINK()", "emoji 🙂", "‮rtl"]


def _value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth < 4 and roll < 0.25:
        return {rng.choice(TEXTS) + str(rng.randint(0, 9)): _value(rng, depth + 1)
                for _ in range(rng.randint(0, 5))}
    if depth < 4 and roll < 0.4:
        items = [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
        return tuple(items) if rng.random() < 0.2 else items
    return rng.choice([*TEXTS, 0, -7, 10**30, 1.5, -0.0, 1e-9, 3.0, float("nan"), float("inf"),
                       float("-inf"), True, False, None])


@pytest.mark.parametrize("seed", range(200))
def test_same_bytes_as_json_dumps(seed: int) -> None:
    value = _value(random.Random(seed))
    assert pretty_json(value) == json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)


def test_what_it_does_not_know_goes_to_json_dumps() -> None:
    class Text(str):
        pass

    for value in ({"a": [Text("x"), {"b": 1}]}, {2: "int key", 1: [True]}):
        assert pretty_json(value) == json.dumps(value, ensure_ascii=False, indent=1,
                                                sort_keys=True)
    with pytest.raises(TypeError):
        pretty_json({"amount": Decimal("1.5")})


@pytest.mark.parametrize("count", [0, 1, 3])
def test_a_list_of_items_written_once(count: int) -> None:
    """Items kept as the list holds them (`listed`) make the list, and their own files
    (`unlisted`), as the standard library writes them."""
    from generator.render.jsontext import listed, pretty_json_listed, unlisted

    rng = random.Random(count)
    items = [{"名称": rng.choice(TEXTS), "n": [1, {"a": "b\nc  d"}], "e": {}} for _ in range(count)]
    head = {"type": "decisions", "count": count, "z": [1, 2]}
    kept = [listed(pretty_json(i)) for i in items]
    assert pretty_json_listed(head, "items", kept) == json.dumps(
        {**head, "items": items}, ensure_ascii=False, indent=1, sort_keys=True)
    assert [unlisted(i) for i in kept] == [
        json.dumps(i, ensure_ascii=False, indent=1, sort_keys=True) for i in items]
