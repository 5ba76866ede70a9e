"""Every value a template prints is escaped exactly once (generator/render/templates.py)."""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup

from generator.render.templates import Templates
from generator.render.urls import Link


def _templates(tmp_path: Path, text: str) -> Templates:
    folder = tmp_path / "site_config" / "templates"
    folder.mkdir(parents=True)
    (folder / "t.html.j2").write_text(text, encoding="utf-8")
    return Templates(tmp_path)


class Page:
    def __init__(self, **values: object) -> None:
        self.__dict__.update(values)


def test_values_are_escaped_once(tmp_path: Path) -> None:
    templates = _templates(tmp_path, "{{ page.a }}|{{ page.b }}|{{ page.c }}|{{ page.d }}|"
                                     "{{ page.e }}|{% set x %}<i>{{ page.a }}</i>{% endset %}{{ x }}")
    out = templates.render("t.html.j2", Page(
        a='<script>"&\'', b=Markup("<b>ok</b>"), c=None, d="```~~~",
        e=Link('<img onerror=x>', 'a"b/')))
    assert out == ("&lt;script&gt;&#34;&amp;&#39;|<b>ok</b>||&#96;&#96;&#96;&#126;&#126;&#126;|"
                   '<a href="a&#34;b/">&lt;img onerror=x&gt;</a>|'
                   "<i>&lt;script&gt;&#34;&amp;&#39;</i>")


def test_the_second_escape_is_compiled_away(tmp_path: Path) -> None:
    templates = _templates(tmp_path, "{{ page.a }}")
    source = templates._env.compile(
        "{{ page.a }}", raw=True)
    assert "escape(environment.finalize" not in source and "environment.finalize(" in source
    assert templates.render("t.html.j2", Page(a="<x>")) == "&lt;x&gt;"
