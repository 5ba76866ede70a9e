"""The documentation cannot fall behind the code: these fail when it does."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from generator.cli import EXAMPLE_IDS, main
from generator.loader import load
from generator.model import RECORD_TYPES
from generator.reference import _parts, examples, format_reference, json_schemas
from generator.source import parse_yaml, read_front_matter

ROOT = Path(__file__).resolve().parent.parent
REGENERATE = "run `.venv/bin/gongshi reference` and commit the result"


def test_every_field_has_a_description() -> None:
    for model in RECORD_TYPES:
        for part in (model, *_parts(model)):
            for name, info in part.model_fields.items():
                assert info.description, f"{part.__name__}.{name} has no description"


def test_format_reference_is_current() -> None:
    assert (ROOT / "docs/format.md").read_text(encoding="utf-8") == format_reference(), REGENERATE


def test_json_schemas_are_current() -> None:
    for name, text in json_schemas().items():
        assert (ROOT / "schema" / name).read_text(encoding="utf-8") == text, REGENERATE


def test_annotated_examples_are_current_and_valid() -> None:
    portal, _ = load(ROOT / "content")
    generated = examples(portal, EXAMPLE_IDS)
    assert len(generated) == len(RECORD_TYPES)
    for name, text in generated.items():
        path = ROOT / "docs/examples" / name
        assert path.read_text(encoding="utf-8") == text, REGENERATE
        model = next(m for m in RECORD_TYPES if m.kind_name == name.removesuffix(".yml"))
        data = (read_front_matter(text, name)[0] if text.startswith("---")
                else parse_yaml(text, name)[0])
        model.model_validate(data)


@pytest.mark.parametrize("command", sorted(main.commands))
def test_readme_documents_every_command_and_option(command: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"`gongshi {command}" in readme, f"README does not document `gongshi {command}`"
    for param in main.commands[command].params:
        if isinstance(param, click.Option) and param.name != "help":
            assert any(f"`{opt}" in readme for opt in param.opts), (
                f"README does not document {param.opts[0]} of gongshi {command}")


def test_readme_links_resolve() -> None:
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme):
        assert (ROOT / target).exists(), f"README links to missing {target}"


def test_editor_settings_map_every_yaml_folder_to_its_schema() -> None:
    import json

    from generator.model import RECORD_TYPES, Page

    schemas = json.loads((ROOT / ".vscode/settings.json").read_text(encoding="utf-8"))["yaml.schemas"]
    for model in RECORD_TYPES:
        if model is Page:
            continue  # Markdown with front matter: the YAML extension does not read it
        assert f"content/{model.kind_name}/**/*.yml" in schemas.get(
            f"./schema/{model.kind_name}.schema.json", []), model.kind_name
