"""Reading YAML while keeping the file and line of every field.

PyYAML's `safe_load` forgets where values came from and silently keeps the last of two equal
keys. We compose the node tree instead and build plain values from it, and can walk the same
tree for the line of every mapping key and sequence item, so every later message can point at
`file:line`.

The loader reads 100,000 files (issue 8) and needs those lines only for the few records that
have a problem, so it builds values alone and leaves the lines to be read again from the file
when a message first asks for one (`Origin.lines`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

FieldPath = tuple[str | int, ...]


class Origin:
    """Where a record came from: its file and the line of each of its fields.

    Compared by `path` and `line` only. `file`, when known, is where the lines can be read
    again: an origin made without `lines` reads them from it on first use, and a pickled
    origin (the parse cache, a worker's result) leaves them out, as they are bulky and a cache
    may outlive the folder it was made in; the loader then sets `file` afresh.
    """

    __slots__ = ("_lines", "file", "line", "path")

    def __init__(self, path: str, line: int = 1, lines: dict[FieldPath, int] | None = None,
                 file: str | None = None) -> None:
        self.path = path
        self.line = line
        self.file = file
        self._lines = lines

    @classmethod
    def unknown(cls) -> Origin:
        return cls(path="<unknown>")

    @property
    def lines(self) -> dict[FieldPath, int]:
        """The line of each field path (read again from `file` the first time if need be)."""
        if self._lines is None:
            self._lines = _lines_in_file(self.file) if self.file is not None else {}
        return self._lines

    def line_of(self, loc: FieldPath) -> int:
        """The line of the deepest known part of `loc` (a pydantic error location or a path)."""
        loc = tuple(loc)
        lines = self.lines
        while loc:
            if loc in lines:
                return lines[loc]
            loc = loc[:-1]
        return self.line

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Origin):
            return NotImplemented
        return (self.path, self.line) == (other.path, other.line)

    def __hash__(self) -> int:
        return hash((self.path, self.line))

    def __repr__(self) -> str:
        return f"Origin(path={self.path!r}, line={self.line!r})"

    def __reduce__(self) -> tuple[type[Origin], tuple[Any, ...]]:
        if self.file is not None:
            return Origin, (self.path, self.line)
        return Origin, (self.path, self.line, self._lines)

    # A value: a copy of a record (pydantic's deep copy included) shares its origin, file and
    # all, rather than going through __reduce__ and forgetting where to read the lines.
    def __copy__(self) -> Origin:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Origin:
        return self


class SourceError(Exception):
    """A file that is not a well-formed single YAML mapping."""

    def __init__(self, message: str, line: int, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.hint = hint

    def __reduce__(self) -> tuple[type[SourceError], tuple[str, int, str]]:
        return SourceError, (self.message, self.line, self.hint)  # from a worker process


class _Constructor(yaml.constructor.SafeConstructor):
    pass


_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG
_SEQ = yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG
_SCALARS = {
    tag: yaml.constructor.SafeConstructor.yaml_constructors[tag]
    for tag in ("tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp")
}
"""Constructors of plain scalars that return their value at once; called directly, they
skip `construct_object`'s bookkeeping (made for aliases and recursive collections)."""


def _scalar(constructor: _Constructor, node: yaml.Node) -> Any:
    tag = node.tag
    if tag == _STR and node.__class__ is ScalarNode:
        # Most values are text, which the constructor would return as it is, at some cost
        # per value (hundreds of thousands of values at 100,000 records).
        return node.value
    if tag == _TIMESTAMP and node.__class__ is ScalarNode:
        try:
            return _timestamp(constructor, node)
        except ValueError as exc:  # 2025-02-30 looks like a date to YAML, but is none
            raise SourceError(f"`{node.value}` is not a date ({exc})", node.start_mark.line + 1,
                              "write dates as YYYY-MM-DD, e.g. 2025-03-01") from exc
    simple = _SCALARS.get(tag)
    if simple is not None and node.__class__ is ScalarNode:
        return simple(constructor, node)
    return constructor.construct_object(node, deep=True)


def _timestamp(constructor: _Constructor, node: yaml.Node) -> Any:
    value = node.value
    if len(value) == 10:
        # YYYY-MM-DD, the form of every date in records: the date the constructor makes of it,
        # without its regular expression
        digits = value[:4] + value[5:7] + value[8:]
        if value[4] == value[7] == "-" and digits.isascii() and digits.isdigit():
            return dt.date(int(value[:4]), int(value[5:7]), int(value[8:]))
    return _SCALARS[_TIMESTAMP](constructor, node)


def _value(node: yaml.Node, constructor: _Constructor) -> Any:
    kind = node.__class__
    if kind is ScalarNode and node.tag == _STR:
        return node.value  # text, most values: the constructor would return it as it is
    if kind is MappingNode:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _STR and key_node.__class__ is ScalarNode:
                key = key_node.value
            else:
                key = _scalar(constructor, key_node)
                if not isinstance(key, str):
                    raise SourceError(
                        f"field name {key!r} is not text",
                        key_node.start_mark.line + 1,
                        "field names are words like `decision_date`; put the name in quotes if "
                        "needed",
                    )
            if key in result:
                raise SourceError(
                    f"field `{key}` appears twice in the same mapping (first on line "
                    f"{_first_line(node, key, constructor)})",
                    key_node.start_mark.line + 1,
                    "keep one of the two; YAML would silently drop the first",
                )
            if value_node.tag == _STR and value_node.__class__ is ScalarNode:
                result[key] = value_node.value  # as above, without a call
            else:
                result[key] = _value(value_node, constructor)
        return result
    if kind is SequenceNode:
        return [item.value if item.tag == _STR and item.__class__ is ScalarNode
                else _value(item, constructor) for item in node.value]
    return _scalar(constructor, node)


def _first_line(node: yaml.Node, key: str, constructor: _Constructor) -> int:
    """The line of the first `key` of a mapping that holds it twice."""
    return next(int(key_node.start_mark.line) + 1 for key_node, _ in node.value
                if _scalar(constructor, key_node) == key)


def _lines(node: yaml.Node, path: FieldPath, lines: dict[FieldPath, int],
           constructor: _Constructor) -> None:
    """Record the line of every mapping key and sequence item below `node`, by field path.
    Only for trees that `_value` has read without error."""
    kind = node.__class__
    if kind is MappingNode:
        for key_node, value_node in node.value:
            key = (*path, _scalar(constructor, key_node))
            lines[key] = key_node.start_mark.line + 1
            _lines(value_node, key, lines, constructor)
    elif kind is SequenceNode:
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _lines(item, (*path, index), lines, constructor)


_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML has it (its wheels do): 15× faster than the pure-Python one,
which matters at 100,000 records; the nodes carry the same line marks."""

_IMPLICIT: dict[str, tuple[tuple[str, Any], ...]] = {
    first: tuple(resolvers) for first, resolvers in _LOADER.yaml_implicit_resolvers.items()
}


_RESOLVED: dict[str, str] = {}
"""Plain scalars that could have a type other than text, with the tag they resolved to:
field names such as `name` or `officers` recur in every record and need a regex each."""


class _Loader(_LOADER):  # type: ignore[misc]
    """The parser with a quicker `resolve`: libyaml calls it for every node, and PyYAML's own
    builds lists and tries path resolvers each time. Most values are text starting with a
    character (a Chinese one, say) that no implicit type starts with: those are `str` at once.
    The tags are the ones PyYAML's `resolve` gives (safe loaders have no path resolvers)."""

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if implicit[0]:
                resolvers = _IMPLICIT.get(value[:1])
                if resolvers is not None:
                    tag = _RESOLVED.get(value)
                    if tag is None:
                        tag = next((tag for tag, regexp in resolvers if regexp.match(value)), _STR)
                        if len(value) <= 40 and len(_RESOLVED) < 20_000:
                            _RESOLVED[value] = tag
                    return tag
            return _STR
        return _MAP if kind is MappingNode else _SEQ

    # libyaml also calls these around every node, for path resolvers (safe loaders have none).
    # Builtins that take the same arguments and do nothing of note save a Python call each.
    descend_resolver = staticmethod(slice)
    ascend_resolver = staticmethod(tuple)


_PARSER: Any = (_LOADER if None in _LOADER.yaml_implicit_resolvers or _LOADER.yaml_path_resolvers
                else _Loader)
"""The quicker parser, unless this PyYAML has resolvers that its shortcut does not cover."""


def _compose(text: str) -> yaml.Node:
    """The node tree of the one YAML mapping in `text`."""
    try:
        documents = list(yaml.compose_all(text, Loader=_PARSER))
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
    if root.__class__ is not MappingNode:
        raise SourceError(
            "a record must be a mapping of `field: value` lines",
            root.start_mark.line + 1,
            "start the file with `id: …` and one field per line",
        )
    return root


def parse_yaml(text: str, path: str, file: str | None = None) -> tuple[dict[str, Any], Origin]:
    """Parse one YAML document that must be a mapping; return it with its Origin. With
    `file` (where `text` was read from), the lines of the fields are read again from it when
    first needed, instead of now."""
    root = _compose(text)
    constructor = _Constructor()
    try:
        data = _value(root, constructor)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise SourceError(
            f"cannot read a value: {exc.problem}",
            mark.line + 1 if mark else 1,
            "put the value in quotes",
        ) from exc
    lines: dict[FieldPath, int] | None = None
    if file is None:
        lines = {}
        _lines(root, (), lines, constructor)
    return data, Origin(path=path, line=root.start_mark.line + 1, lines=lines, file=file)


def _split_front_matter(text: str) -> tuple[str, str]:
    """A Markdown page's YAML front matter (between `---` lines) and its body."""
    if not text.startswith("---"):
        raise SourceError(
            "a page must start with a `---` line and YAML front matter (`id:`, `title:`)",
            1,
            "add `---`, `id: about`, `title: 关于本平台`, `---` at the top",
        )
    lines = text.splitlines(keepends=True)
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :])
    raise SourceError(
        "the front matter is not closed", 1, "add a line `---` after the front matter fields"
    )


def read_front_matter(text: str, path: str,
                      file: str | None = None) -> tuple[dict[str, Any], Origin, str]:
    """Split a Markdown page into its YAML front matter and body (`file` as in parse_yaml)."""
    head, body = _split_front_matter(text)
    data, origin = parse_yaml(head, path, file)
    # The front matter starts on the file's second line.
    lines = None if origin._lines is None else {k: v + 1 for k, v in origin._lines.items()}
    return data, Origin(path=path, line=origin.line + 1, lines=lines, file=file), body


def decode(raw: bytes) -> str:
    """A file's bytes as text, with universal newlines as Path.read_text gives them; raises
    UnicodeDecodeError if they are not UTF-8."""
    text = raw.decode("utf-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def read_record(raw: bytes, path: str, file: str) -> tuple[dict[str, Any], Origin, str | None]:
    """The fields of the record file `file` (a Markdown page if it ends in `.md`, with its
    body) from its bytes; raises UnicodeDecodeError or SourceError."""
    text = decode(raw)
    if file.endswith(".md"):
        return read_front_matter(text, path, file)
    data, origin = parse_yaml(text, path, file)
    return data, origin, None


def _lines_in_file(file: str) -> dict[FieldPath, int]:
    """The lines of the fields of a record file, read again; none if it no longer reads."""
    try:
        with open(file, "rb") as handle:
            raw = handle.read()
        text = decode(raw)
        shift = 0
        if file.endswith(".md"):
            text, shift = _split_front_matter(text)[0], 1
        root = _compose(text)
        lines: dict[FieldPath, int] = {}
        _lines(root, (), lines, _Constructor())
    except (OSError, UnicodeDecodeError, SourceError, yaml.YAMLError, ValueError):
        return {}
    return {k: v + shift for k, v in lines.items()} if shift else lines


def relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
