"""Running mkdocs over the rendered docs folder, through a config that inherits mkdocs.yml.

mkdocs runs in a subprocess: our rendering does not depend on mkdocs internals, so moving to
another builder that reads mkdocs.yml (Zensical) is a small change. The generated config only
adds what depends on the content (docs folder, nav, site name and URL); everything about
the theme stays in the project's mkdocs.yml.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from generator.model import Decision
from generator.render import evaluation, history, shell, statistics, timeliness
from generator.render.errors import RenderError
from generator.render.freepages import ordered_pages
from generator.render.plan import SECTIONS
from generator.render.reuse import configuration_files
from generator.render.site import Site
from generator.render.text import title_text
from generator.render.urls import ABOUT, HOME, record_src, section_src

MKDOCS_YML = "mkdocs.yml"
OVERRIDES = Path("site_config") / "overrides"


def nav(site: Site) -> list[object]:
    """Only section pages: the nav is written into every page (ARCHITECTURE.md, Scale)."""
    about: list[object] = [{"关于本平台": ABOUT}]
    about += [{page.title: record_src(page)} for page in ordered_pages(site)]
    about += [{"订阅": "feeds/index.md"}, {"开放数据": "data/index.md"}]
    return [
        {"首页": HOME},
        *({title: src} for title, src in SECTIONS),
        {"执法决定": section_src(Decision)},
        {"统计考核": [{"年度执法数据": statistics.SRC}, {"评议考核": evaluation.SRC}]},
        {"关于": about},
    ]


def nav_sources(site: Site) -> frozenset[str]:
    """Every page the nav names."""
    found: set[str] = set()

    def walk(items: object) -> None:
        if isinstance(items, str):
            found.add(items)
        elif isinstance(items, list):
            for item in items:
                walk(item)
        elif isinstance(items, dict):
            for value in items.values():
                walk(value)

    walk(nav(site))
    return frozenset(found)


def not_in_nav(site: Site) -> str:
    """gitignore-style patterns for every page that is deliberately left out of the nav."""
    return "\n".join([
        "/*/*.md",
        "/decisions/**",
        "!/*/index.md",
        "!/decisions/index.md",
        *(f"!/{record_src(page)}" for page in ordered_pages(site)),
        f"/{history.SRC}",
        f"/{timeliness.SRC}",
        "/statistics/*/index.md",
        "/evaluation/*/index.md",
        "/evaluation/*/*/**",
        "/search/index.md",
        f"/{shell.FOLDER}/**",
    ]) + "\n"


def write_config(site: Site, project_root: Path, docs_dir: Path, config_path: Path) -> None:
    # JSON is YAML: every value is quoted, so no setting can smuggle in a YAML tag.
    config = {
        "INHERIT": str((project_root / MKDOCS_YML).resolve()),
        "docs_dir": str(docs_dir.resolve()),
        # The theme prints these without escaping.
        "site_name": title_text(site.settings.name),
        "site_url": site.settings.base_url,
        "site_author": site.settings.authority,
        "copyright": html.escape(site.settings.copyright),
        "theme": {"custom_dir": str((project_root / OVERRIDES).resolve())},
        "nav": nav(site),
        "not_in_nav": not_in_nav(site),
        "extra": {"contact": site.settings.contact, "short_name": site.settings.short_name},
    }
    config_path.write_text(json.dumps(config, ensure_ascii=False, indent=2), encoding="utf-8")


class MkdocsRun:
    """`mkdocs build --strict` into `site_dir`, started at once; its dates (sitemap) come
    from `as_of`. `wait()` returns when it is done and raises when it failed."""

    def __init__(self, config_path: Path, site_dir: Path, as_of: dt.date) -> None:
        epoch = dt.datetime.combine(as_of, dt.time(), tzinfo=dt.UTC).timestamp()
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(int(epoch)), "NO_MKDOCS_2_WARNING": "1"}
        command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q",
                   "-f", str(config_path), "-d", str(site_dir)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, env=env)

    def stop(self) -> None:
        """End the run if it is still going (the build failed meanwhile)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()

    def wait(self) -> None:
        stdout, stderr = self.process.communicate()
        if self.process.returncode != 0:
            raise RenderError(f"mkdocs build failed (exit {self.process.returncode}):\n"
                              f"{stderr.strip() or stdout.strip()}")


class KeptRun:
    """`MkdocsRun` where a run of the same inputs was kept: the theme's shells, its assets
    and 404 page do not change from one build to the next unless the nav, the project's
    configuration or the installed packages do, and mkdocs takes about 2 s of CPU to make
    them again (a tenth of a warm rebuild's, at 100,000 decisions). The run's output is kept
    in `kept` (a folder of the project's .gongshi/) under a digest of everything mkdocs
    reads (`run_key`); a run whose digest is the kept one is a copy of the kept output.

    `wait()` returns when `site_dir` holds the output, and raises when mkdocs failed."""

    def __init__(self, config_path: Path, site_dir: Path, as_of: dt.date, project_root: Path,
                 kept: Path) -> None:
        self.site_dir, self.kept = site_dir, kept
        self.key = run_key(config_path, project_root, as_of)
        self.run: MkdocsRun | None = None
        if _read(kept / "key") != self.key:
            self.run = MkdocsRun(config_path, site_dir, as_of)

    def stop(self) -> None:
        if self.run is not None:
            self.run.stop()

    def wait(self) -> None:
        if self.run is None:
            shutil.copytree(self.kept / "site", self.site_dir)
            return
        self.run.wait()
        # Kept anew: the old output goes before the new key is written, so a build stopped
        # meanwhile leaves no key that names another output.
        (self.kept / "key").unlink(missing_ok=True)
        shutil.rmtree(self.kept / "site", ignore_errors=True)
        self.kept.mkdir(parents=True, exist_ok=True)
        shutil.copytree(self.site_dir, self.kept / "site")
        (self.kept / "key").write_text(self.key, encoding="ascii")


def run_key(config_path: Path, project_root: Path, as_of: dt.date) -> str:
    """A digest of what a mkdocs run reads: its config (the folder it sits in, which differs
    from build to build, left out) and docs, the project's mkdocs.yml and site_config/ (the
    theme's overrides among them), the date, Python's version and the installed packages'."""
    digest = hashlib.blake2b(digest_size=20)

    def add(name: str, data: bytes) -> None:
        digest.update(f"{len(name)}:{name}{len(data)}:".encode())
        digest.update(data)

    folder = str(config_path.parent.resolve())
    add("config", config_path.read_text(encoding="utf-8").replace(folder, "").encode())
    add("as of", as_of.isoformat().encode())
    add("python", sys.version.encode())
    add("packages", "\n".join(sorted(_installed())).encode())
    files = [(f"docs/{path.relative_to(config_path.parent / 'docs').as_posix()}", path)
             for path in (config_path.parent / "docs").rglob("*") if path.is_file()]
    files += [(f"project/{path.relative_to(project_root).as_posix()}", path)
              for path in configuration_files(project_root) if path.is_file()]
    for name, path in sorted(files):
        add(name, path.read_bytes())
    return digest.hexdigest()


def _installed() -> list[str]:
    """The installed packages, by name and version (their metadata folders' names)."""
    found = []
    for kind in ("purelib", "platlib"):
        folder = Path(sysconfig.get_paths()[kind])
        if folder.is_dir():
            found += [f"{kind}/{name}" for name in os.listdir(folder)
                      if name.endswith((".dist-info", ".egg-info", ".egg-link", ".pth"))]
    return found


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return None
