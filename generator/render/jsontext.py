"""Indented JSON as `json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)` writes
it, byte for byte, at a fraction of the cost (issue 8).

With `indent`, the standard library encodes in Python, a call per value: most of the cost of
the open data at 100,000 decisions. Here strings are escaped by its C function and the rest
is joined; anything but plain dicts (with text keys), lists, tuples, text, numbers, booleans
and None goes to `json.dumps` whole, so the result never differs from it.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any


class _Unusual(Exception):
    """A value this encoder leaves to the standard library."""


def pretty_json(value: Any) -> str:
    try:
        return _encoded(value, "\n")
    except _Unusual:
        return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)


def _encoded(value: Any, indent: str) -> str:
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is dict:
        if not value:
            return "{}"
        if any(type(key) is not str for key in value):
            raise _Unusual
        inner = indent + " "
        return "{" + inner + ("," + inner).join(
            encode_basestring(key) + ": " + _encoded(value[key], inner)
            for key in sorted(value)) + indent + "}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = indent + " "
        return "[" + inner + ("," + inner).join(
            _encoded(item, inner) for item in value) + indent + "]"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    raise _Unusual


def listed(encoded: str) -> str:
    """An item's `pretty_json` as a list one level deep holds it: each line indented two
    spaces more. Encoded JSON has no raw line breaks in its strings, so indenting each line
    indents the item."""
    return encoded.replace("\n", "\n  ")


def unlisted(item: str) -> str:
    """The item's `pretty_json` again, from `listed`."""
    return item.replace("\n  ", "\n")


def pretty_json_listed(value: dict[str, Any], key: str, items: list[str]) -> str:
    """`pretty_json(value)` where `value[key]` is the list whose items are `items`, each
    `listed(pretty_json(item))`: an item is encoded once, for its own file and the list, and
    kept so between builds (generator/render/itemcache.py)."""
    return "".join(pretty_json_parts(value, key, items))


def pretty_json_parts(value: dict[str, Any], key: str, items: list[str]) -> list[str]:
    """`pretty_json_listed` in parts, not joined (`StaticFile.parts`)."""
    slot = "\x00" + key + "\x00"
    head, found, tail = pretty_json({**value, key: slot}).partition(encode_basestring(slot))
    assert found, "the slot is in the text"
    if not items:
        return [head, "[]", tail]
    parts = [head, "[\n  "]
    for item in items:
        parts += (item, ",\n  ")
    parts[-1] = "\n ]"
    parts.append(tail)
    return parts
