"""The command line as staff meet it: exit codes, reports, skeletons, schema, atomic builds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml
from click.testing import CliRunner

from generator.cli import main
from tests.minisite import edit

D1 = "content/decisions/2025/d1.yml"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_check_passes_on_good_content(good: Path) -> None:
    code, _, err = run("check", "--project", str(good), "--as-of", "2026-01-15")
    assert code == 0 and "0 error(s), 0 warning(s)" in err


def test_check_reports_file_line_and_hint_and_exits_1(good: Path) -> None:
    edit(good, D1, "decision_date:", "decison_date:")
    code, _, err = run("check", "--project", str(good), "--as-of", "2026-01-15")
    assert code == 1
    assert "content/decisions/2025/d1.yml:" in err and "did you mean `decision_date`?" in err
    assert "Traceback" not in err


def test_check_json_for_machines(good: Path) -> None:
    edit(good, D1, "fine_amount: 3600", "fine_amount: 99999")
    code, out, _ = run("check", "--project", str(good), "--as-of", "2026-01-15",
                       "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["errors"] == 1
    (problem,) = report["problems"]
    assert problem["file"] == D1 and problem["field"] == "outcome.fine_amount"
    assert problem["code"] == "R6-discretion" and problem["line"] > 1


def test_strict_turns_warnings_into_errors(good: Path) -> None:
    edit(good, "content/powers/inspect.yml", "  - body: agent\n",
         "  - body: agent\n  - body: city\n    unit: fagui\n")
    assert run("check", "--project", str(good), "--as-of", "2026-01-15")[0] == 0
    code, _, err = run("check", "--project", str(good), "--as-of", "2026-01-15", "--strict")
    assert code == 1 and "warnings count as errors" in err


def test_usage_errors_exit_2(good: Path) -> None:
    assert run("check", "--project", str(good), "--as-of", "15.01.2026")[0] == 2
    assert run("new", "decisoin", "x", "--project", str(good))[0] == 2
    assert run("new", "decision", "Bad_Id", "--project", str(good))[0] == 2


def test_new_writes_a_skeleton_with_every_field(good: Path) -> None:
    code, _, _ = run("new", "officer", "new-officer", "--project", str(good))
    path = good / "content/officers/new-officer.yml"
    assert code == 0
    text = path.read_text(encoding="utf-8")
    from generator.model import Officer

    for name in Officer.model_fields:
        assert f"{name}:" in text, name
    assert yaml.safe_load(text)["id"] == "new-officer"
    # an unfilled skeleton is rejected with messages, not a traceback
    code, _, err = run("check", "--project", str(good), "--as-of", "2026-01-15")
    assert code == 1 and "content/officers/new-officer.yml" in err


def test_new_never_overwrites(good: Path) -> None:
    before = (good / "content/officers/wang.yml").read_bytes()
    code, _, err = run("new", "officer", "wang", "--project", str(good))
    assert code == 1 and "exists already" in err
    assert (good / "content/officers/wang.yml").read_bytes() == before


def test_new_page_is_markdown_with_front_matter(good: Path) -> None:
    assert run("new", "page", "faq", "--project", str(good))[0] == 0
    assert (good / "content/pages/faq.md").read_text(encoding="utf-8").startswith("---\n")


def test_schema_writes_one_json_schema_per_type(tmp_path: Path) -> None:
    code, _, _ = run("schema", "--output", str(tmp_path))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert code == 0 and "decisions.schema.json" in names and len(names) == 10
    schema = json.loads((tmp_path / "decisions.schema.json").read_text(encoding="utf-8"))
    assert "decision_date" in schema["properties"]
    assert schema["additionalProperties"] is False


def test_failed_build_leaves_the_previous_site_untouched(good: Path) -> None:
    site = good / "site"
    site.mkdir()
    (site / "index.html").write_text("previous site", encoding="utf-8")
    edit(good, D1, "officers: [wang, li]", "officers: [wang]")
    code, _, err = run("build", "--project", str(good), "--as-of", "2026-01-15")
    assert code == 1 and "Nothing was published" in err
    assert (site / "index.html").read_text(encoding="utf-8") == "previous site"
    assert sorted(p.name for p in good.iterdir() if p.name.startswith(".site")) == []



def _installed(*args: str) -> subprocess.CompletedProcess[str]:
    """The command as installed (`gongshi`, pyproject.toml's script), in a process of its own."""
    return subprocess.run([sys.executable, "-c", "from generator.cli import run; run()", *args],
                          capture_output=True, text=True, timeout=300, check=False)


def test_the_installed_command_ends_a_build_with_its_report_and_exit_code(good: Path) -> None:
    # a build's process ends at once, leaving its memory to the OS: nothing it printed is lost
    from generator.build import today
    from tests.repo import init_repo

    repo = init_repo(good, "2025-06-12", site=True)
    done = _installed("build", "--project", str(repo), "--as-of", today().isoformat(),
                      "--timings")
    assert done.returncode == 0, done.stderr
    assert "deploy" in done.stderr and f"Built {repo / 'site'}" in done.stderr
    assert (repo / "site" / "index.html").is_file()
    edit(repo, D1, "officers: [wang, li]", "officers: [wang]")
    failed = _installed("build", "--project", str(repo), "--as-of", today().isoformat())
    assert failed.returncode == 1
    assert "content/decisions/2025/d1.yml" in failed.stderr
    assert failed.stderr.rstrip().endswith("is unchanged.")
    checked = _installed("check", "--project", str(repo), "--as-of", "2026-01-15")
    assert checked.returncode == 1 and "error(s)" in checked.stderr
    usage = _installed("build", "--no-such-option")
    assert usage.returncode == 2 and "No such option" in usage.stderr
