"""`gongshi new`: a record skeleton with every field and its description as a comment.

Generated from the model, so a new field appears in skeletons without anyone editing this.
Required fields are written with an empty value that `gongshi check` rejects until filled in;
optional fields are written commented out.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from generator.model import BY_FOLDER, Page, Record

SINGULAR = {
    "body": "bodies", "officer": "officers", "law": "laws", "power": "powers",
    "procedure": "procedures", "benchmark": "benchmarks", "decision": "decisions",
    "correction": "corrections", "appeal": "appeals", "page": "pages",
}


def record_type(name: str) -> type[Record] | None:
    return BY_FOLDER.get(SINGULAR.get(name, name))


def skeleton(model: type[Record], record_id: str) -> str:
    lines = [f"# {model.label}（{model.kind_name}）: {(model.__doc__ or '').strip().splitlines()[0]}",
             "# Fill in every field without '#'; remove the '# ' before an optional field to use it.",
             "# Reference: docs/format.md"]
    fields = dict(model.model_fields)
    fields.pop("body_markdown", None)
    lines += _fields(fields, 0, {"id": record_id})
    text = "\n".join(lines) + "\n"
    if model is Page:
        return "---\n" + text + "---\n\n正文（Markdown）。\n"
    return text


def _fields(fields: dict[str, FieldInfo], indent: int, given: dict[str, str]) -> list[str]:
    lines: list[str] = []
    pad = " " * indent
    for name, info in fields.items():
        required = info.is_required()
        comment = f"# {info.description}" + ("" if required else "（选填）")
        choices = _choices(info.annotation)
        if choices and not all(choice in comment for choice in choices):
            comment += "：" + " / ".join(choices)
        nested = _nested(info.annotation)
        is_list = typing.get_origin(_unwrap(info.annotation)) is list
        prefix = pad if required else pad + "# "
        if name in given:
            lines.append(f"{pad}{name}: {given[name]}  {comment}")
        elif nested is not None:
            lines.append(f"{prefix}{name}:  {comment}")
            sub = _fields(dict(nested.model_fields), indent + 2 if not is_list else indent + 4, {})
            if is_list:
                first = sub[0].lstrip()
                sub[0] = " " * (indent + 2) + "- " + first
            lines += [line if required else _comment(line, indent) for line in sub]
        else:
            lines.append(f"{prefix}{name}: {_placeholder(info.annotation, is_list)}  {comment}")
    return lines


def _comment(line: str, indent: int) -> str:
    # Commented at the parent's indent, so uncommenting the parent reveals its own fields.
    return line[:indent] + "# " + line[indent:]


def _unwrap(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else annotation
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    return annotation


def _nested(annotation: Any) -> type[BaseModel] | None:
    inner = _unwrap(annotation)
    if typing.get_origin(inner) is list:
        inner = _unwrap(typing.get_args(inner)[0])
    return inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None


def _choices(annotation: Any) -> list[str]:
    inner = _unwrap(annotation)
    if typing.get_origin(inner) is list:
        inner = _unwrap(typing.get_args(inner)[0])
    if typing.get_origin(inner) is typing.Literal:
        return [str(a) for a in typing.get_args(inner)]
    return []


def _placeholder(annotation: Any, is_list: bool) -> str:
    if is_list:
        return "[]"
    inner = _unwrap(annotation)
    if inner is dt.date:
        return "YYYY-MM-DD"
    if inner is bool:
        return "false"
    if inner in (int,) or getattr(inner, "__name__", "") == "Decimal":
        return "0"
    return "''"
