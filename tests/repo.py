"""A small Gongshi project in a temporary git repository, and the `gongshi` command run in it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner

from generator.cli import main
from tests.conftest import ROOT
from tests.minisite import edit


def run(*args: str) -> tuple[int, str, str]:
    """`gongshi ARGS…`: exit code, stdout, stderr."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def init_repo(project: Path, published: str, site: bool = False) -> Path:
    """Make `project` (the small valid project) a git repository whose records were all
    published on `published` and committed. chen and wang hold the 公示审核人员 role (wang
    also files corrections); li does not. With `site`, the theme files come along."""
    if site:
        shutil.copytree(ROOT / "site_config", project / "site_config")
        shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    git(project, "init", "-q")
    # As a real project does: what builds write is not committed (and `git add -A` does not
    # race a build's removal of the site it replaced).
    (project / ".gitignore").write_text("/.gongshi/\n/site/\n", encoding="utf-8")
    git(project, "config", "user.email", "staff@example.invalid")
    git(project, "config", "user.name", "Staff")
    edit(project, "content/officers/chen.yml", "roles: [执法人员, 法制审核人员]",
         "roles: [执法人员, 法制审核人员, 公示审核人员]")
    edit(project, "content/officers/wang.yml", "status: 有效",
         "status: 有效\nroles: [执法人员, 公示审核人员]")
    code, _, err = run("publish", "--project", str(project), "--date", published)
    assert code == 0, err
    commit(project, "publish")
    return project


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


def add_decision(repo: Path) -> None:
    """A new decision d9 (远航物流, 〔2025〕9号), a copy of d1, published and committed."""
    text = (repo / "content/decisions/2025/d1.yml").read_text(encoding="utf-8")
    new = (text.replace("id: d1", "id: d9").replace("〔2025〕1号", "〔2025〕9号")
           .replace("启航建筑劳务", "远航物流").replace("2025-06-10", "2025-06-20")
           .replace("2028-06-10", "2028-06-20"))
    (repo / "content/decisions/2025/d9.yml").write_text(new, encoding="utf-8")
    code, _, err = run("publish", "--project", str(repo), "--date", "2025-06-23")
    assert code == 0, err
    commit(repo, "add d9")


def publish_correction(repo: Path, ref: str, *extra: str) -> None:
    """Staff's way of changing a published record: wang files a 更正 (with `extra`, say a
    撤回), chen approves it, and it is published."""
    project = str(repo)
    code, _, err = run("correct", ref, "--reason", "更正。", "--requested-by", "wang",
                       "--date", "2026-01-05", *extra, "--project", project)
    assert code == 0, err
    correction = sorted((repo / "content/corrections").glob("*.yml"))[-1].stem
    code, _, err = run("review", "approve", correction, "--reviewer", "chen", "--note", "同意。",
                       "--date", "2026-01-06", "--project", project)
    assert code == 0, err
    code, _, err = run("publish", "--project", project, "--date", "2026-01-07")
    assert code == 0, err
