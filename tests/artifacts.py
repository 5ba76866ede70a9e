"""Where browser tests save what they saw (screenshots), for a person to look at after a run."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def artifact(name: str) -> Path:
    """A path for a test artifact: $GONGSHI_ARTIFACTS/<name>, default test-artifacts/<name>."""
    folder = Path(os.environ.get("GONGSHI_ARTIFACTS") or ROOT / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name
