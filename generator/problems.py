"""Problems found in a run, collected into one report (never raised one at a time)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong: where, in which record and field, what, and how to fix it."""

    file: str
    line: int
    severity: Severity
    code: str
    record: str
    field: str
    message: str
    hint: str

    def location(self) -> str:
        return f"{self.file}:{self.line}"

    def describe(self) -> str:
        parts = [self.location(), self.severity]
        if self.record:
            parts.append(self.record)
        if self.field:
            parts.append(self.field)
        text = ": ".join(parts) + f": {self.message}"
        if self.hint:
            text += f"; {self.hint}"
        return text


def field_label(loc: Iterable[str | int]) -> str:
    """`('outcome', 'fine_amount')` -> `outcome.fine_amount`; `('officers', 1)` -> `officers[1]`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


class Report:
    """All problems of a run. Warnings never block unless `strict` makes them errors."""

    def __init__(self, problems: Iterable[Problem] = ()) -> None:
        self._problems: list[Problem] = list(problems)

    def add(self, problem: Problem) -> None:
        self._problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self._problems.extend(problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(sorted(set(self._problems)))

    def __len__(self) -> int:
        return len(set(self._problems))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self if p.severity == "warning"]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))

    def to_json(self) -> str:
        payload = {
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [asdict(p) for p in self],
        }
        return json.dumps(payload, ensure_ascii=False, indent=2)


class ContentError(Exception):
    """Raised by the library when content has errors; carries the whole report."""

    def __init__(self, report: Report) -> None:
        super().__init__(f"{len(report.errors)} error(s) in content")
        self.report = report
