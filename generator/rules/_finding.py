"""How rules phrase a problem about a record: its file, the line of the field, and a hint."""

from __future__ import annotations

from generator.model import Record
from generator.problems import Problem, field_label
from generator.source import FieldPath


def error(record: Record, loc: FieldPath, code: str, message: str, hint: str) -> Problem:
    return _make(record, loc, "error", code, message, hint)


def warning(record: Record, loc: FieldPath, code: str, message: str, hint: str) -> Problem:
    return _make(record, loc, "warning", code, message, hint)


def _make(record: Record, loc: FieldPath, severity: str, code: str, message: str,
          hint: str) -> Problem:
    origin = record.origin
    return Problem(
        file=origin.path,
        line=origin.line_of(loc),
        severity="warning" if severity == "warning" else "error",
        code=code,
        record=record.ref,
        field=field_label(loc),
        message=message,
        hint=hint,
    )

