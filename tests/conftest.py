from __future__ import annotations

from pathlib import Path

import pytest

from tests.minisite import GOOD, write_tree


@pytest.fixture
def good(tmp_path: Path) -> Path:
    """A fresh copy of the small valid project."""
    return write_tree(tmp_path / "project", GOOD)
