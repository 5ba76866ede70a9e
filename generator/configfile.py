"""Reading a configuration file of site_config/ (YAML validated by a pydantic model), with
problems named by file, line and key, as record problems are."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError


def read_yaml(path: Path) -> Any:
    """A configuration file's YAML; ValueError naming `file:line` when it is not YAML."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise ValueError(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None


def config_problems(path: Path, exc: ValueError) -> str:
    """One line per problem of a configuration file: `file: key.path: what is wrong`."""
    if isinstance(exc, ValidationError):
        return "\n".join(f"{path}: {'.'.join(str(p) for p in err['loc']) or '(file)'}: "
                         f"{err['msg']}" for err in exc.errors())
    return str(exc)
