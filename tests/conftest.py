from __future__ import annotations

from pathlib import Path

import pytest

from tests.minisite import GOOD, write_tree


@pytest.fixture
def good(tmp_path: Path) -> Path:
    """A fresh copy of the small valid project."""
    return write_tree(tmp_path / "project", GOOD)


ROOT = Path(__file__).resolve().parent.parent
DEMO_AS_OF = __import__("datetime").date(2026, 11, 27)


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo authority built once (strict, as of a fixed date) into a temporary folder."""
    from generator.build import Project, build

    site = tmp_path_factory.mktemp("demo") / "site"
    build(Project(ROOT), DEMO_AS_OF, strict=True, site_dir=site)
    return site
