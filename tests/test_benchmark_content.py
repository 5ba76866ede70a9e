"""The benchmark content generator (benchmarks/content.py): what it writes is valid, published
and reproducible, so build benchmarks measure a project `gongshi check` accepts."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from benchmarks.content import AS_OF, generate
from generator.build import Project, check
from generator.ledger import Ledger, pending

DECISIONS = 120


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("generated") / "project"
    generate(root, DECISIONS)
    return root


def digest(root: Path) -> str:
    """One hash over every file's path and bytes (not the build state a check leaves in
    .gongshi/)."""
    total = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*")
                       if p.is_file() and p.relative_to(root).parts[0] != ".gongshi"):
        total.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return total.hexdigest()


def test_counts_follow_the_issue_s_proportions(tmp_path: Path) -> None:
    summary = generate(tmp_path / "project", DECISIONS)
    assert (summary.bodies, summary.officers, summary.decisions) == (3, 30, DECISIONS)
    assert summary.appeals >= 2 and summary.corrections >= 2
    assert len(list((tmp_path / "project/content/decisions").rglob("*.yml"))) == DECISIONS
    assert len(list((tmp_path / "project/content/officers").glob("*.yml"))) == 30


def test_generated_project_has_no_error_and_no_warning(project: Path) -> None:
    portal, report = check(Project(project), AS_OF)
    assert [p.describe() for p in report] == []
    assert len(portal.decisions) == DECISIONS
    assert all(dt.date(2022, 1, 1) <= d.decision_date < AS_OF
               for d in portal.decisions.values())
    kinds = {d.party.kind for d in portal.decisions.values()}
    assert kinds == {"法人及非法人组织", "自然人", "个体工商户"}
    assert {c.kind for c in portal.corrections.values()} == {"更正", "撤回"}


def test_every_record_is_published_with_the_hash_of_what_loads_back(project: Path) -> None:
    portal, _ = check(Project(project), AS_OF)
    ledger = Ledger.read(project)
    assert pending(portal, ledger) == []
    assert {record.ref for record in portal.records()} == set(ledger.latest())


def test_the_same_seed_gives_the_same_bytes(project: Path, tmp_path: Path) -> None:
    generate(tmp_path / "again", DECISIONS)
    generate(tmp_path / "other", DECISIONS, seed=2)
    assert digest(tmp_path / "again") == digest(project)
    assert digest(tmp_path / "other") != digest(project)


def test_refuses_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(FileExistsError):
        generate(tmp_path, DECISIONS)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
