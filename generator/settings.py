"""Portal settings (site_config/portal.yml): the name, base URL and contact lines of the site.

Validated once with pydantic so a typo or a missing key is a clear error that names the file,
and every later stage reads a frozen `Settings`, never raw YAML.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from generator.configfile import config_problems, read_yaml
from generator.evaluation import STANDARD_FILE, Standard, StandardError, load_standard

SETTINGS_FILE = Path("site_config") / "portal.yml"


class SettingsError(Exception):
    """site_config/portal.yml is missing or invalid; the message says where and how to fix it."""


@dataclass(frozen=True)
class Settings:
    """What the portal is called and who runs it, as shown on every page."""

    name: str
    """The portal's full name, e.g. 示例省人力资源社会保障行政执法公示平台 (site_name)."""
    short_name: str
    """A short name for narrow screens and the header."""
    authority: str
    """The authority that runs the portal (主办单位)."""
    base_url: str
    """The public address, ending in `/`; used for canonical links and the sitemap."""
    language: str
    """The page language, zh-CN."""
    intro: str
    """One paragraph on the home page: what the portal is."""
    contact: str
    """The contact line in the footer."""
    copyright: str
    """The copyright line in the footer."""
    complaint_page: str
    """The id of the free page that tells people how to complain (我要投诉)."""
    feed_entries: int = 50
    """How many entries each feed carries, newest first (the open data has them all)."""
    search_synonyms: tuple[tuple[str, ...], ...] = ()
    """Groups of words a reader uses for the same thing (工资 / 劳动报酬): a record that has
    one is also found by the others."""
    evaluation: Standard | None = None
    """The published evaluation standard (site_config/evaluation.yml); None without one."""


class _SettingsFile(BaseModel):
    """The schema of portal.yml: unknown keys are errors so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    short_name: str = Field(min_length=1)
    authority: str = Field(min_length=1)
    base_url: str = Field(pattern=r"^https?://")
    language: Literal["zh-CN"] = "zh-CN"
    intro: str = ""
    contact: str = ""
    copyright: str = ""
    complaint_page: str = "complaint"
    feed_entries: int = Field(default=50, ge=1, le=10000)
    search_synonyms: list[list[Annotated[str, Field(min_length=2)]]] = []

    @field_validator("search_synonyms")
    @classmethod
    def _groups(cls, value: list[list[str]]) -> list[list[str]]:
        for group in value:
            if len(group) < 2:
                raise ValueError(f"a group needs two words or more, got {group}")
        return value

    @field_validator("base_url")
    @classmethod
    def _ends_with_slash(cls, value: str) -> str:
        # mkdocs joins page paths onto site_url; without the slash the last segment is lost.
        return value if value.endswith("/") else value + "/"


def load_settings(project_root: Path) -> Settings:
    """Read and validate site_config/portal.yml of the project at `project_root`."""
    path = project_root / SETTINGS_FILE
    try:
        data = read_yaml(path)
    except FileNotFoundError:
        raise SettingsError(f"{path}: file not found; create it (see the one in the "
                            "Gongshi repository for every key)") from None
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: expected `key: value` lines, found {type(data).__name__}")
    try:
        parsed = _SettingsFile.model_validate(data)
    except ValidationError as exc:
        raise SettingsError(config_problems(path, exc)) from None
    values = parsed.model_dump()
    values["search_synonyms"] = tuple(tuple(group) for group in values["search_synonyms"])
    if (project_root / STANDARD_FILE).exists():
        try:
            values["evaluation"] = load_standard(project_root)
        except StandardError as exc:
            raise SettingsError(str(exc)) from None
    return Settings(**values)
