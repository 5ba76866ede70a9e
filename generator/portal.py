"""The checked content of one authority: every record, by type and id."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from generator.model import (
    Appeal,
    Benchmark,
    Body,
    Correction,
    Decision,
    LegalBasis,
    Officer,
    Page,
    Power,
    Procedure,
    Record,
)


@dataclass
class Portal:
    """All records of a content tree, keyed by id within each type (id order = file order)."""

    root: Path
    bodies: dict[str, Body] = field(default_factory=dict)
    officers: dict[str, Officer] = field(default_factory=dict)
    laws: dict[str, LegalBasis] = field(default_factory=dict)
    powers: dict[str, Power] = field(default_factory=dict)
    procedures: dict[str, Procedure] = field(default_factory=dict)
    benchmarks: dict[str, Benchmark] = field(default_factory=dict)
    decisions: dict[str, Decision] = field(default_factory=dict)
    corrections: dict[str, Correction] = field(default_factory=dict)
    appeals: dict[str, Appeal] = field(default_factory=dict)
    pages: dict[str, Page] = field(default_factory=dict)
    digests: dict[str, bytes] = field(default_factory=dict)
    """A digest of each loaded record's file, by `folder/id`: what a page made from the
    record is keyed by, so that a rebuild can tell which pages need rendering again."""
    broken: set[str] = field(default_factory=set)
    """`folder/id` of files that failed to load: their problems are reported already, so
    references to them are not reported again as dangling."""

    def table(self, kind_name: str) -> dict[str, Record]:
        table: dict[str, Record] = getattr(self, kind_name)
        return table

    def records(self) -> Iterator[Record]:
        for kind_name in (
            "bodies", "officers", "laws", "powers", "procedures",
            "benchmarks", "decisions", "corrections", "appeals", "pages",
        ):
            yield from self.table(kind_name).values()

    def appeals_by_decision(self) -> dict[str, list[Appeal]]:
        """Each decision's 复议诉讼 cases, by decision id, in the order they were filed."""
        result: dict[str, list[Appeal]] = {}
        for appeal in sorted(self.appeals.values(), key=lambda a: (a.filed_on, a.id)):
            result.setdefault(appeal.decision, []).append(appeal)
        return result

    def lookup(self, ref: str) -> Record | None:
        """A record by `folder/id`, as corrections name them."""
        kind_name, _, record_id = ref.partition("/")
        if not hasattr(self, kind_name) or kind_name == "root":
            return None
        return self.table(kind_name).get(record_id)
