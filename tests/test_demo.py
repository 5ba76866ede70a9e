"""The golden project: the demo authority passes every check (its only warnings are four late
publications it keeps on purpose); a copy broken the way a hurried staff member breaks things
gets every problem in one run, and no site."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from generator.build import Project, check
from generator.cli import main
from generator.ledger import Ledger
from generator.model import Decision
from generator.portal import Portal
from tests.conftest import DEMO_AS_OF, ROOT

AS_OF = DEMO_AS_OF.isoformat()
ID_NUMBER = "110101199003074514"  # a made-up number with a valid check digit


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


LATE = {"decisions/nanjiang-2025-006", "decisions/qingshan-2025-005",
        "decisions/shimen-2026-002", "decisions/xishan-2026-001"}
"""Published late on purpose, so that 公示及时性 has something to show."""


def test_demo_passes_every_check_with_only_its_four_late_publications() -> None:
    code, out, err = run("check", "--project", str(ROOT), "--as-of", AS_OF, "--format", "json")
    assert code == 0, err
    problems = json.loads(out)["problems"]
    assert {(p["code"], p["record"]) for p in problems} == {("R7-late", ref) for ref in LATE}


def test_demo_has_the_records_the_issue_asks_for() -> None:
    portal, _ = check(Project(ROOT), DEMO_AS_OF)
    kinds = {body.kind for body in portal.bodies.values()}
    assert kinds == {"行政机关", "法律法规授权组织", "受委托组织"}
    assert len(portal.bodies) == 8
    assert 28 <= len(portal.officers) <= 35
    statuses = [o.status for o in portal.officers.values()]
    assert statuses.count("暂扣") == 1 and statuses.count("吊销") == 1
    assert any(o.valid_to < DEMO_AS_OF for o in portal.officers.values())
    assert sum("法制审核人员" in o.roles for o in portal.officers.values()) >= 2
    assert any(law.status != "现行有效" for law in portal.laws.values())
    assert len(portal.powers) >= 20
    assert len({p.category for p in portal.powers.values()}) >= 5
    assert len(portal.procedures) >= 4 and len(portal.benchmarks) >= 5
    decisions = list(portal.decisions.values())
    assert len(decisions) >= 60
    assert {d.decision_date.year for d in decisions} >= {2025, 2026}
    assert len({d.type for d in decisions}) >= 4
    assert any(d.major and d.legal_review for d in decisions)


def test_demo_shows_a_corrected_a_withdrawn_and_expired_decisions() -> None:
    portal, _ = check(Project(ROOT), DEMO_AS_OF)
    ledger = Ledger.read(ROOT)
    kinds = {c.record: c.kind for c in portal.corrections.values()
             if c.review and c.review.outcome == "批准"}
    assert kinds == {"decisions/donghu-2026-002": "更正", "decisions/xishan-2025-006": "撤回"}
    assert [e.version for e in ledger.history("decisions/donghu-2026-002")] == [1, 2]
    assert [e.correction for e in ledger.history("decisions/xishan-2025-006")] == [
        None, "xishan-2025-006-c1"]
    assert sum(d.publicity_end < DEMO_AS_OF for d in portal.decisions.values()) >= 3
    recorded = {e.record for e in ledger.entries}
    assert all(r.ref in recorded for r in portal.records() if r.kind_name != "corrections")


def _file(portal: Portal, decision: Decision) -> Path:
    return portal.root.parent / decision.origin.path


def _pick(portal: Portal, taken: set[str], test) -> Decision:  # type: ignore[no-untyped-def]
    for decision in portal.decisions.values():
        if decision.id not in taken and test(decision):
            taken.add(decision.id)
            return decision
    raise AssertionError("the demo content has no decision to break this way")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, path)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_hurried_copy_gets_every_problem_in_one_run(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "content", project / "content")
    shutil.copytree(ROOT / "site_config", project / "site_config")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    portal, _ = check(Project(project), DEMO_AS_OF)
    taken: set[str] = set()
    expected: dict[str, str] = {}

    typo = _pick(portal, taken, lambda d: True)
    _replace(_file(portal, typo), "decision_date:", "decison_date:")
    expected[typo.origin.path] = "format"

    def expired_for(d: Decision) -> str | None:
        return next((o.id for o in portal.officers.values() if o.body == d.body
                     and o.valid_to < d.decision_date and o.status == "有效"), None)

    late = _pick(portal, taken, lambda d: expired_for(d) is not None)
    _replace(_file(portal, late), late.officers[0], str(expired_for(late)))
    expected[late.origin.path] = "R2-certificate"

    repealed = _pick(portal, taken, lambda d: "articles_applied: [" not in
                     _file(portal, d).read_text(encoding="utf-8"))
    text = _file(portal, repealed).read_text(encoding="utf-8")
    after = text[text.index("articles_applied:\n") + len("articles_applied:\n"):]
    indent = after[: len(after) - len(after.lstrip(" "))]
    _replace(_file(portal, repealed), "articles_applied:\n",
             f"articles_applied:\n{indent}- administrative-penalty-law-2017#第八条\n")
    expected[repealed.origin.path] = "R4-basis"

    unreviewed = _pick(portal, taken, lambda d: not d.major and d.legal_review is None)
    path = _file(portal, unreviewed)
    if "major: false" in path.read_text(encoding="utf-8"):
        _replace(path, "major: false", "major: true")
    else:
        path.write_text(path.read_text(encoding="utf-8") + "major: true\n", encoding="utf-8")
    expected[unreviewed.origin.path] = "R5-legal-review"

    fined = _pick(portal, taken, lambda d: d.discretion is not None
                  and d.outcome.fine_amount is not None and d.outcome.fine_amount > 0)
    amount = fined.outcome.fine_amount
    _replace(_file(portal, fined), f"fine_amount: {amount}", f"fine_amount: {amount * 1000}")
    expected[fined.origin.path] = "R6-discretion"

    leaky = _pick(portal, taken, lambda d: f"facts: {d.facts[:6]}" in
                  _file(portal, d).read_text(encoding="utf-8"))
    _replace(_file(portal, leaky), f"facts: {leaky.facts[:6]}",
             f"facts: 当事人身份证号{ID_NUMBER}，{leaky.facts[:6]}")
    expected[leaky.origin.path] = "R10-privacy"

    dangling = _pick(portal, taken, lambda d: True)
    _replace(_file(portal, dangling), f"power: {dangling.power}", f"power: {dangling.power}x")
    expected[dangling.origin.path] = "R1-integrity"

    broken = _pick(portal, taken, lambda d: True)
    path = _file(portal, broken)
    path.write_text(path.read_text(encoding="utf-8") + "party: {name: 未闭合\n", encoding="utf-8")
    expected[broken.origin.path] = "format"

    code, out, _ = run("check", "--project", str(project), "--as-of", AS_OF, "--format", "json")
    assert code == 1
    report = json.loads(out)
    found = {(p["file"], p["code"]) for p in report["problems"] if p["severity"] == "error"}
    for file, rule in expected.items():
        assert (file, rule) in found, f"{rule} not reported for {file}: {sorted(found)}"
    for problem in report["problems"]:
        assert problem["line"] >= 1 and problem["hint"], problem
    assert ID_NUMBER not in out

    code, _, err = run("check", "--project", str(project), "--as-of", AS_OF)
    for file in expected:
        assert f"{file}:" in err
    assert err.count("fix:") >= len(expected) and ID_NUMBER not in err

    site = project / "site"
    site.mkdir()
    (site / "index.html").write_text("the previous site", encoding="utf-8")
    code, _, err = run("build", "--project", str(project), "--as-of", AS_OF)
    assert code == 1 and "Nothing was published" in err
    assert [p.name for p in site.iterdir()] == ["index.html"]
    assert (site / "index.html").read_text(encoding="utf-8") == "the previous site"
