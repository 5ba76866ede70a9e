"""Reading YAML while keeping the file and line of every field.

PyYAML's `safe_load` forgets where values came from and silently keeps the last of two equal
keys. We compose the node tree instead and build plain values from it, remembering the line of
every mapping key and sequence item, so every later message can point at `file:line`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Origin:
    """Where a record came from: its file and the line of each of its fields."""

    path: str
    line: int = 1
    lines: dict[FieldPath, int] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def unknown(cls) -> Origin:
        return cls(path="<unknown>")

    def line_of(self, loc: FieldPath) -> int:
        """The line of the deepest known part of `loc` (a pydantic error location or a path)."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.line


class SourceError(Exception):
    """A file that is not a well-formed single YAML mapping."""

    def __init__(self, message: str, line: int, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.hint = hint


class _Constructor(yaml.constructor.SafeConstructor):
    pass


_STR = "tag:yaml.org,2002:str"


def _scalar(constructor: _Constructor, node: yaml.Node) -> Any:
    if node.tag == _STR and isinstance(node, yaml.ScalarNode):
        # Most values are text, which the constructor would return as it is, at some cost
        # per value (hundreds of thousands of values at 100,000 records).
        return node.value
    return constructor.construct_object(node, deep=True)


def _build(
    node: yaml.Node, path: FieldPath, lines: dict[FieldPath, int], constructor: _Constructor
) -> Any:
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(constructor, key_node)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise SourceError(
                    f"field name {key!r} is not text",
                    line,
                    "field names are words like `decision_date`; put the name in quotes if needed",
                )
            if key in result:
                raise SourceError(
                    f"field `{key}` appears twice in the same mapping (first on line "
                    f"{lines[(*path, key)]})",
                    line,
                    "keep one of the two; YAML would silently drop the first",
                )
            lines[(*path, key)] = line
            result[key] = _build(value_node, (*path, key), lines, constructor)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            items.append(_build(item, (*path, index), lines, constructor))
        return items
    return _scalar(constructor, node)


_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML has it (its wheels do): 15× faster than the pure-Python one,
which matters at 100,000 records; the nodes carry the same line marks."""


def parse_yaml(text: str, path: str) -> tuple[dict[str, Any], Origin]:
    """Parse one YAML document that must be a mapping; return it with its Origin."""
    try:
        documents = list(yaml.compose_all(text, Loader=_LOADER))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        column = mark.column + 1 if mark else 1
        problem = exc.problem or "malformed YAML"
        started = ""
        if exc.context and exc.context_mark and exc.context_mark is not mark:
            # e.g. an unclosed `{` or `[`: say where it was opened, not only where the file ends
            started = f" ({exc.context} that starts on line {exc.context_mark.line + 1})"
        raise SourceError(
            f"malformed YAML at column {column}: {problem}{started}",
            line,
            "check indentation (spaces, not tabs), a missing `:` after a field name, unclosed "
            "brackets, and quotes around text containing `: ` or starting with `[`, `{`, `*` or `&`",
        ) from exc
    except yaml.YAMLError as exc:
        raise SourceError(f"malformed YAML: {exc}", 1, "check the file's syntax") from exc
    documents = [d for d in documents if d is not None]
    if not documents:
        raise SourceError("the file is empty", 1, "fill it in, or delete it; `gongshi new` writes a skeleton")
    if len(documents) > 1:
        raise SourceError(
            "the file holds more than one YAML document (`---`)",
            documents[1].start_mark.line + 1,
            "keep one record per file",
        )
    root = documents[0]
    if not isinstance(root, yaml.MappingNode):
        raise SourceError(
            "a record must be a mapping of `field: value` lines",
            root.start_mark.line + 1,
            "start the file with `id: …` and one field per line",
        )
    lines: dict[FieldPath, int] = {}
    try:
        data = _build(root, (), lines, _Constructor())
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise SourceError(
            f"cannot read a value: {exc.problem}",
            mark.line + 1 if mark else 1,
            "put the value in quotes",
        ) from exc
    return data, Origin(path=path, line=root.start_mark.line + 1, lines=lines)


def read_front_matter(text: str, path: str) -> tuple[dict[str, Any], Origin, str]:
    """Split a Markdown page into its YAML front matter and body."""
    if not text.startswith("---"):
        raise SourceError(
            "a page must start with a `---` line and YAML front matter (`id:`, `title:`)",
            1,
            "add `---`, `id: about`, `title: 关于本平台`, `---` at the top",
        )
    lines = text.splitlines(keepends=True)
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            head = "".join(lines[1:index])
            body = "".join(lines[index + 1 :])
            data, origin = parse_yaml(head, path)
            shifted = Origin(
                path=path,
                line=origin.line + 1,
                lines={k: v + 1 for k, v in origin.lines.items()},
            )
            return data, shifted, body
    raise SourceError(
        "the front matter is not closed", 1, "add a line `---` after the front matter fields"
    )


def relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
